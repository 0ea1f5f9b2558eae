"""Code-first and use-additional-code notes of the mentioned codes, as one-line info findings."""

from __future__ import annotations

import re

from consultant.analysis.evidence import Evidence
from consultant.analysis.findings import INFO, Finding
from consultant.analysis.notes import note_matches, notes_of
from consultant.analysis.shapes import ICD10CM
from consultant.codes.api import Note

KINDS = {"code_first": "code-first", "use_additional_code": "use-additional-code"}
MAX_LISTED = 6
MAX_LABELS = 70  # characters of item labels a one-line message may carry
_CODES_IN_PARENS = re.compile(r"\s*\([^()]*\d[^()]*\)")
_LEAD_NOISE = re.compile(r"^(?:code|codes)\b\s*,?\s*|,?\s*\b(?:if|where) (?:applicable|known)\b,?")
_SPACES = re.compile(r"\s+")
_SUCH_AS = re.compile(r",? such as$")


def instruction_findings(codes: list[str], evidence: Evidence, source: str) -> list[Finding]:
    """One info finding per code and kind whose note nothing else mentioned satisfies."""
    found: list[Finding] = []
    for code in dict.fromkeys(codes):
        seen: set[str] = set()
        others = [c for c in codes if c != code]
        for note in notes_of(code, evidence):
            kind = KINDS.get(note.kind)
            if kind is None or not note.codes or kind in seen:
                continue
            if any(note_matches(spec, other) for spec in note.codes for other in others):
                continue
            seen.add(kind)
            text = message(kind, code, note, evidence)
            found.append(Finding(kind, (code,), INFO, text, source, note.source_code))
    return found


def message(kind: str, code: str, note: Note, evidence: Evidence) -> str:
    """'E11.42: use an additional code for long term (current) drug therapy (Z79.4, Z79.84,
    Z79.85) when documented.' One sentence on one line, whatever the note's layout."""
    verb = "code first" if kind == "code-first" else "use an additional code"
    what = _summary(note, evidence)
    listed = sorted(dict.fromkeys(note.codes))
    shown = ", ".join(listed[:MAX_LISTED]) + (", …" if len(listed) > MAX_LISTED else "")
    return _SPACES.sub(" ", f"{code}: {verb} {what} ({shown}) when documented.")


def _summary(note: Note, evidence: Evidence) -> str:
    """What the note asks for, in a few words: its own text when it is one line, else the
    title of the category all its codes share, else its item labels when they are short."""
    lines = [line.strip() for line in note.text.splitlines() if line.strip()]
    if not lines:
        return ""
    lead = _lead(lines[0].rstrip(":"))
    items = [_strip_codes(line) for line in lines[1:]]
    if len(lines) == 1:
        return _strip_codes(lead)
    if len(items) == 1:
        return f"{lead} {items[0]}".strip()
    shared = _shared_category_title(note.codes, evidence)
    if shared:
        return f"for {shared}"
    labels = ", ".join(items[:-1]) + " or " + items[-1]
    if len(labels) <= MAX_LABELS:
        return f"{lead} {labels}".strip()
    return lead if lead not in {"", "to identify", "for any associated", "any associated"} else ""


def _lead(text: str) -> str:
    text = _SPACES.sub(" ", _LEAD_NOISE.sub("", text.strip().rstrip(".:"))).strip(" ,")
    return _SUCH_AS.sub("", text)


def _strip_codes(text: str) -> str:
    return _SPACES.sub(" ", _CODES_IN_PARENS.sub("", text)).strip(" ,:.")


def _shared_category_title(specs: tuple[str, ...], evidence: Evidence) -> str:
    categories = {spec.strip().rstrip("-").rstrip(".")[:3] for spec in specs}
    if len(categories) != 1:
        return ""
    info = evidence.info(ICD10CM, categories.pop())
    return (info.title or "").lower() if info else ""
