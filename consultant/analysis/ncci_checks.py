"""Procedure checks: HCPCS validity, add-on codes, NCCI PTP pairs, MUE units, modifiers."""

from __future__ import annotations

from datetime import date

from consultant.analysis.evidence import Evidence
from consultant.analysis.findings import ERROR, INFO, WARNING, Finding, listing
from consultant.analysis.mentions import CodeMention, ModifierMention
from consultant.analysis.shapes import CPT, HCPCS
from consultant.analysis.vocabulary import NCCI_MODIFIERS

MAI_MEANING = {
    1: "MAI 1, a claim-line edit: units above it on one line are denied, and more lines "
    "with modifiers are possible when documented",
    2: "MAI 2, a per-day edit based on policy: units above it are denied and are not "
    "payable on appeal",
    3: "MAI 3, a per-day edit based on clinical benchmarks: units above it are denied, "
    "but may be paid on appeal with documentation",
}


def procedure_codes(mentions: list[CodeMention]) -> list[CodeMention]:
    return [m for m in mentions if m.system in (CPT, HCPCS)]


def hcpcs_findings(mentions: list[CodeMention], evidence: Evidence, source: str) -> list[Finding]:
    found = []
    today = date.today()
    for mention in mentions:
        if (
            mention.system not in (HCPCS, CPT)
            or evidence.known(mention.system, mention.code) is None
        ):
            continue
        info = evidence.info(mention.system, mention.code)
        if info is None:
            message = f"{mention.code} is not in the {source} code set"
        elif info.end is not None and info.end < today:
            message = f"{mention.code} was terminated on {info.end.isoformat()}"
        else:
            continue
        found.append(
            Finding(
                "unknown-code",
                (mention.code,),
                ERROR,
                f"{message}; it cannot be reported for current dates of service.",
                source,
            )
        )
    return found


def addon_findings(mentions: list[CodeMention], evidence: Evidence, source: str) -> list[Finding]:
    mentioned = {m.code for m in mentions}
    found = []
    for mention in procedure_codes(mentions):
        rule = _safe(lambda m=mention: evidence.book.addon(m.code))  # type: ignore[union-attr]
        if rule is None:
            continue
        code = mention.code
        listed = [p for p in rule.primaries if p != "CCCCC"]
        if rule.edit_type == 2 or not listed:
            found.append(
                Finding(
                    "addon-payer-defined",
                    (code,),
                    INFO,
                    f"{code} is an add-on code whose primary codes are not listed by CMS "
                    "(type 2); the payer or contractor defines them.",
                    source,
                )
            )
            continue
        if mentioned.intersection(listed):
            continue
        extra = (
            "; the contractor may accept other primaries (type 3)" if rule.edit_type == 3 else ""
        )
        found.append(
            Finding(
                "addon-without-primary",
                (code,),
                ERROR if rule.edit_type == 1 else WARNING,
                f"{code} is an add-on code and none of its listed primary codes is mentioned; "
                f"report it with {listing(sorted(listed))}{extra}.",
                source,
            )
        )
    return found


def ptp_findings(
    mentions: list[CodeMention],
    modifiers: list[ModifierMention],
    evidence: Evidence,
    source: str,
) -> list[Finding]:
    procs = procedure_codes(mentions)
    if len(procs) < 2 or evidence.book is None:
        return []
    edits = _safe(lambda: evidence.book.ptp([m.code for m in procs])) or []  # type: ignore[union-attr]
    attached = {m.code: set(m.modifiers) for m in procs}
    named = {m.code for m in modifiers if m.attached_to is None}
    today = date.today()
    found = []
    for edit in edits:
        if edit.modifier_indicator == "9" or (edit.deleted is not None and edit.deleted <= today):
            continue
        pair = (edit.column1, edit.column2)
        if pair[0] not in attached or pair[1] not in attached:
            continue
        undated = "" if edit.dated else " (the PTP source is undated: confirm the edit is active)"
        if edit.modifier_indicator == "0":
            severity = ERROR
            text = (
                f"NCCI pairs {pair[1]} with {pair[0]} (modifier indicator 0): on the same date "
                f"they are never paid together, and no modifier bypasses the edit{undated}."
            )
        else:
            on_col2 = sorted(attached[pair[1]] & NCCI_MODIFIERS)
            named_ok = sorted(named & NCCI_MODIFIERS)
            if on_col2:
                given = f"modifier {', '.join(on_col2)} is given on {pair[1]}"
                severity = INFO
            elif named_ok:
                given = f"modifier {', '.join(named_ok)} is mentioned but not attached to {pair[1]}"
                severity = WARNING
            else:
                given = "no such modifier is given"
                severity = WARNING
            text = (
                f"NCCI pairs {pair[1]} with {pair[0]} (modifier indicator 1): on the same date, "
                f"both are paid only with an NCCI-associated modifier on {pair[1]} when "
                f"documentation supports a distinct service; {given}{undated}."
            )
        found.append(Finding("ptp-pair", pair, severity, text, source))
    return found


def mue_findings(mentions: list[CodeMention], evidence: Evidence, source: str) -> list[Finding]:
    found = []
    for mention in procedure_codes(mentions):
        if mention.units is None:
            continue
        limit = _safe(lambda m=mention: evidence.book.mue(m.code))  # type: ignore[union-attr]
        if limit is None or mention.units <= limit.value:
            continue
        meaning = MAI_MEANING.get(limit.mai, f"MAI {limit.mai}")
        found.append(
            Finding(
                "mue-exceeded",
                (mention.code,),
                ERROR if limit.mai in (2, 3) else WARNING,
                f"{mention.code} x{mention.units} exceeds its MUE of {limit.value} ({meaning}).",
                source,
            )
        )
    return found


def modifier_findings(
    modifiers: list[ModifierMention], evidence: Evidence, source: str
) -> list[Finding]:
    found = []
    for code in dict.fromkeys(m.code for m in modifiers):
        if evidence.modifier_known(code) is False:
            found.append(
                Finding(
                    "unknown-modifier",
                    (code,),
                    ERROR,
                    f"{code} is not a current CPT or HCPCS Level II modifier ({source}).",
                    source,
                )
            )
    return found


def _safe(call):  # noqa: ANN001, ANN202 - a thunk over the CodeBook
    try:
        return call()
    except Exception:  # noqa: BLE001
        return None
