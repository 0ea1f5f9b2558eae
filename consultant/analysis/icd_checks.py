"""ICD-10 checks: unknown, non-billable, missing 7th character, Excludes1 (and the notes)."""

from __future__ import annotations

from itertools import combinations

from consultant.analysis.evidence import Evidence
from consultant.analysis.findings import ERROR, Finding, listing
from consultant.analysis.instructions import instruction_findings
from consultant.analysis.mentions import CodeMention
from consultant.analysis.notes import note_matches, notes_of
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
    findings.extend(instruction_findings(codes, evidence, source))
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
                f"at {where} excludes one from the other ('{' '.join(note.text.split())}').",
                source,
            )
        )
    return found


def _excluding_note(code: str, other: str, evidence: Evidence) -> Note | None:
    for note in notes_of(code, evidence):
        if note.kind == "excludes1" and any(note_matches(spec, other) for spec in note.codes):
            return note
    return None
