"""Question shapes: what a coding question asks, from its wording and from its analysis."""

from __future__ import annotations

import re
from typing import Any

LOOKUP = "lookup"
TOGETHER = "together"
MODIFIER = "modifier"
UNITS = "units"
WHICH_CODE = "which_code"
SEVENTH = "seventh"
SEQUENCING = "sequencing"
GLOBAL = "global"
GENERAL = "general"

# Canonical order: the order sections appear in when the wording gives no order.
ORDER = (LOOKUP, WHICH_CODE, SEVENTH, SEQUENCING, TOGETHER, MODIFIER, UNITS, GLOBAL)

_WORDING = {
    LOOKUP: r"\bvalid\b|\binvalid\b|still (?:good|active|billable|ok|okay|used|around)|"
    r"\bdeleted\b|\bexpired?\b|\bretired\b|\bterminated\b|\bdoes\b.{0,30}\bexist|"
    r"\bbillable\b|\blook ?up\b|real code|denied as invalid|code (?:set|changed)|"
    r"\bis (?:it|this|that|[A-Z]\d[\w.]{1,7}|\d{4}[\dFT]) (?:the )?(?:right|correct|accurate)\b",
    TOGETHER: r"\b(?:bill|billed|code|coded|report|reported|charge|go|submit)\b(?:\s+\w+){0,4}?"
    r"\s+(?:with|together|alongside|on the same (?:day|claim|date))\b|\bbundl|\bncci\b|"
    r"\bptp\b|\badd-?on\b|\bprimary (?:code|procedure)\b|\bseparately\b|\bunbundl|"
    r"\bcolumn (?:one|two|1|2)\b|\bsame (?:day|session|encounter)\b",
    MODIFIER: r"\bmod(?:ifier)?s?\b|\b(?:59|25|57|XE|XS|XP|XU|LT|RT)\s+or\s+\w+\b",
    UNITS: r"\bunits?\b(?! of (?:insulin|botox|heparin))|\bmue\b|\bhow many\b|\bquantity\b|"
    r"\bper (?:\d+ )?mg\b",
    WHICH_CODE: r"\bwhich (?:icd|code|dx|diagnosis|cpt|hcpcs)|\bwhat (?:code|icd|dx|diagnosis)|"
    r"\bhow (?:do|should|would|can) (?:i|we|you) code\b|\b(?:correct|right|best|proper) "
    r"(?:code|icd|dx|diagnosis)|\bcode for\b",
    SEVENTH: r"\b7th\b|\bseventh\b|\bplaceholder\b|\binitial encounter\b|"
    r"\bsubsequent encounter\b|\bsequela\b|\bextension character\b",
    SEQUENCING: r"\bexcludes ?(?:1|one|2|two)?\b|\bsequenc|\bcode first\b|\buse additional\b|"
    r"\bcode also\b|\bfirst[- ]listed\b|\bprimary (?:dx|diagnosis)\b|\bprincipal\b",
    GLOBAL: r"\bglobal\b|\bpost-?op(?:erative)?\b|\breturn(?:ed)? to (?:the )?(?:or|operating)|"
    r"\bstaged\b|\bwithin the \d+[- ]day\b",
}
_PATTERNS = {shape: re.compile(text, re.IGNORECASE) for shape, text in _WORDING.items()}

# Which shape a finding kind of contracts/analyze.md answers under.
FINDING_SHAPES = {
    "unknown-code": LOOKUP,
    "non-billable": LOOKUP,
    "needs-seventh-character": SEVENTH,
    "excludes1": SEQUENCING,
    "addon-without-primary": TOGETHER,
    "ptp-pair": TOGETHER,
    "mue-exceeded": UNITS,
    "unknown-modifier": MODIFIER,
}


def asked(text: str) -> list[str]:
    """Shapes the wording asks about, in the order the writer first asks them."""
    found = []
    for shape, pattern in _PATTERNS.items():
        match = pattern.search(text)
        if match:
            found.append((match.start(), ORDER.index(shape), shape))
    return [shape for _, _, shape in sorted(found)]


def implied(analysis: dict[str, Any]) -> set[str]:
    """Shapes the analysis itself calls for, whatever the wording."""
    kinds = {f.get("kind") for f in analysis.get("findings", ())}
    shapes = {FINDING_SHAPES[kind] for kind in kinds if kind in FINDING_SHAPES}
    codes = analysis.get("codes", ())
    if analysis.get("suggestions"):
        shapes.add(WHICH_CODE)
    modifiers = {m.get("code") for m in analysis.get("modifiers", ())}
    if modifiers:
        shapes.add(MODIFIER)
    if modifiers & {"24", "58", "78", "79"}:
        shapes.add(GLOBAL)
    if any(c.get("units") for c in codes):
        shapes.add(UNITS)
    procedures = [c for c in codes if c.get("system") in ("CPT", "HCPCS")]
    if len(procedures) >= 2:
        shapes.add(TOGETHER)
        evaluations = [c for c in procedures if _is_em(c["code"])]
        if evaluations and len(evaluations) < len(procedures):
            shapes.add(MODIFIER)  # 25 or 57 on the E/M
    if "ptp-pair" in kinds:
        shapes.add(MODIFIER)  # which modifier, if any, allows the pair
    if codes:
        shapes.add(LOOKUP)
    return shapes


def recognise(text: str, analysis: dict[str, Any]) -> list[str]:
    """The shapes a reply answers: those asked first (in the writer's order), then the
    ones only the analysis calls for; `general` when there is nothing to go on."""
    wording = asked(text)
    extra = implied(analysis)
    if not analysis.get("codes") and not analysis.get("suggestions"):
        # Without any code, only a shape that can be answered without codes stays.
        wording = [s for s in wording if s in (WHICH_CODE,)]
        return wording or [GENERAL]
    systems = {c.get("system") for c in analysis.get("codes", ())}
    if not systems & {"CPT", "HCPCS"}:
        # "Coded together" about diagnoses is an Excludes1 question; units need procedures.
        swap = {TOGETHER: SEQUENCING if "ICD-10-CM" in systems else None, UNITS: None}
        wording = [swap.get(s, s) for s in wording if swap.get(s, s)]
        wording = list(dict.fromkeys(wording))
    # Shapes a finding calls for answer the question better than a plain code lookup.
    rest = sorted(
        (s for s in extra if s not in wording), key=lambda s: (s == LOOKUP, ORDER.index(s))
    )
    shapes = wording + rest
    return shapes or [LOOKUP]


def _is_em(code: str) -> bool:
    return code.isdigit() and 99202 <= int(code) <= 99499
