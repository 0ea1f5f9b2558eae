"""ICD-10 checks: unknown, non-billable, missing 7th character, Excludes1, code-first notes."""

from __future__ import annotations

from itertools import combinations

from consultant.analysis.evidence import Evidence
from consultant.analysis.findings import ERROR, INFO, Finding, listing
from consultant.analysis.mentions import CodeMention
from consultant.analysis.shapes import ICD10CM, ICD10PCS
from consultant.codes.api import Note


def icd_findings(mentions: list[CodeMention], evidence: Evidence, source: str) -> list[Finding]:
    codes = [m.code for m in mentions if m.system == ICD10CM]
    findings: list[Finding] = []
    if not evidence.loaded(ICD10CM):
        return findings
    for code in codes:
        findings.extend(_validity(code, evidence, source))
    findings.extend(_excludes1(codes, evidence, source))
    findings.extend(_instructions(codes, evidence, source))
    return findings


def pcs_findings(mentions: list[CodeMention], evidence: Evidence, source: str) -> list[Finding]:
    return [
        Finding(
            "unknown-code",
            (m.code,),
            ERROR,
            f"{m.code} is not a valid ICD-10-PCS code in the {source} code set.",
            source,
        )
        for m in mentions
        if m.system == ICD10PCS and evidence.known(ICD10PCS, m.code) is False
    ]


def seventh_character_target(code: str, evidence: Evidence) -> str | None:
    """The category whose 7th-character rule applies when `code` is written without one."""
    plain = code.replace(".", "")
    if len(plain) >= 7:
        return None
    book = evidence.book
    try:
        rule = book.seventh_character(code) if book else None  # type: ignore[union-attr]
        if rule is None and book is not None:
            rule = book.seventh_character(plain[:3])
    except Exception:  # noqa: BLE001
        return None
    if rule is None or not rule.characters:
        return None
    first = sorted(rule.characters)[0]
    padded = plain.ljust(6, "X") + first
    full = f"{padded[:3]}.{padded[3:]}"
    return full if evidence.known(ICD10CM, full) else None


def _validity(code: str, evidence: Evidence, source: str) -> list[Finding]:
    info = evidence.info(ICD10CM, code)
    example = seventh_character_target(code, evidence) if not (info and info.billable) else None
    if example is not None:
        return [_needs_seventh(code, example, evidence, source)]
    if info is None:
        return [
            Finding(
                "unknown-code",
                (code,),
                ERROR,
                f"{code} is not a valid ICD-10-CM code in the {source} code set; "
                "check the code against the tabular list.",
                source,
            )
        ]
    if info.billable is False:
        children = list(info.children)
        more = f" such as {listing(children)}" if children else ""
        return [
            Finding(
                "non-billable",
                (code,),
                ERROR,
                f"{code} ({info.title}) is a category or subcategory and cannot be billed; "
                f"report a more specific code{more}.",
                source,
            )
        ]
    return []


def _needs_seventh(code: str, example: str, evidence: Evidence, source: str) -> Finding:
    rule = evidence.book.seventh_character(code) or evidence.book.seventh_character(code[:3])  # type: ignore[union-attr]
    chars = "; ".join(f"{k} = {v}" for k, v in sorted(rule.characters.items())) if rule else ""
    return Finding(
        "needs-seventh-character",
        (code,),
        ERROR,
        f"{code} requires a 7th character ({chars}); fill any empty 5th or 6th position with "
        f"the placeholder X, e.g. {example}.",
        source,
    )


def note_matches(spec: str, code: str) -> bool:
    """Whether a code falls under a note's code spec: 'E10.-', 'E08-E13', 'M79.7', 'R73.0-'."""
    spec = spec.strip().upper().rstrip("-").rstrip(".")
    target = code.upper()
    if "-" in spec:
        low, high = (part.strip().rstrip(".") for part in spec.split("-", 1))
        if not low or not high:
            return False
        return low <= target[: max(len(low), len(high))] <= high
    return bool(spec) and (target == spec or target.startswith(spec))


def _notes(code: str, evidence: Evidence) -> list[Note]:
    book = evidence.book
    if book is None:
        return []
    try:
        return list(book.notes(code, inherited=True))
    except Exception:  # noqa: BLE001
        return []


def _excludes1(codes: list[str], evidence: Evidence, source: str) -> list[Finding]:
    found: list[Finding] = []
    for a, b in combinations(dict.fromkeys(codes), 2):
        note = _excluding_note(a, b, evidence) or _excluding_note(b, a, evidence)
        if note is None:
            continue
        pair = tuple(sorted((a, b)))
        where = note.source_code or "its category"
        found.append(
            Finding(
                "excludes1",
                pair,  # type: ignore[arg-type]
                ERROR,
                f"{pair[0]} and {pair[1]} should not be reported together: an Excludes1 note "
                f"at {where} excludes one from the other ('{note.text}').",
                source,
            )
        )
    return found


def _excluding_note(code: str, other: str, evidence: Evidence) -> Note | None:
    for note in _notes(code, evidence):
        if note.kind == "excludes1" and any(note_matches(spec, other) for spec in note.codes):
            return note
    return None


def _instructions(codes: list[str], evidence: Evidence, source: str) -> list[Finding]:
    found: list[Finding] = []
    for code in dict.fromkeys(codes):
        seen: set[str] = set()
        for note in _notes(code, evidence):
            if note.kind not in {"code_first", "use_additional_code"} or not note.codes:
                continue
            kind = note.kind.replace("_", "-")
            others = [c for c in codes if c != code]
            if kind in seen or any(note_matches(s, c) for s in note.codes for c in others):
                continue
            seen.add(kind)
            verb = "Code first" if kind == "code-first" else "Use an additional code"
            found.append(
                Finding(
                    kind,
                    (code,),
                    INFO,
                    f"{verb} with {code} when documented ({note.text}); none of "
                    f"{listing(list(note.codes))} is mentioned.",
                    source,
                )
            )
    return found
