"""Where a fact in a reply comes from: each code set's name and version as a reader sees it."""

from __future__ import annotations

import re
from datetime import date

from consultant.codes.modifiers import CPT_MODIFIERS

# How each code-set key of CodeBook.versions() is named in a reply; {v} is the version.
_FORMATS = {
    "ICD-10-CM": "ICD-10-CM, {v}",
    "ICD-10-PCS": "ICD-10-PCS, {v}",
    "HCPCS": "HCPCS Level II, {v}",
    "CPT": "CPT (licensed file), {v}",
    "AOC": "NCCI add-on code edits {v}",
    "PTP": "NCCI procedure-to-procedure edits, practitioner, {v}",
    "MUE": "CMS MUE, practitioner, {v}",
    "PFS": "CMS Physician Fee Schedule indicators, {v}",
}
_NAMES = {
    "ICD-10-CM": "ICD-10-CM",
    "ICD-10-PCS": "ICD-10-PCS",
    "HCPCS": "HCPCS Level II",
    "CPT": "CPT",
    "AOC": "NCCI add-on code edits",
    "PTP": "NCCI procedure-to-procedure edits",
    "MUE": "CMS MUE",
    "PFS": "CMS Physician Fee Schedule indicators",
}
CPT_MODIFIER_SOURCE = "CPT modifier list (summaries in the desk's own words)"

_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_QUARTER = re.compile(r"(\d{4})\s*-?\s*Q([1-4])", re.IGNORECASE)


def readable_version(version: str) -> str:
    """'2026-04-01' → 'April 1, 2026'; '2026Q2' → '2026 Q2'; anything else as written."""
    match = _ISO_DATE.fullmatch(version.strip())
    if match:
        try:
            day = date(*(int(part) for part in match.groups()))
        except ValueError:
            return version
        return f"{day:%B} {day.day}, {day.year}"
    match = _QUARTER.fullmatch(version.strip())
    if match:
        return f"{match.group(1)} Q{match.group(2)}"
    return version


class Sources:
    """Source labels for the code sets a CodeBook (or an analysis) says are loaded."""

    def __init__(self, versions: dict[str, str]):
        self.versions = dict(versions)

    def label(self, key: str) -> str:
        """The label of one code set; says 'not loaded' when there is no version."""
        version = self.versions.get(key)
        if not version:
            return f"{_NAMES.get(key, key)} (not loaded)"
        return _FORMATS.get(key, "{k}, {v}").format(k=key, v=readable_version(version))

    def is_loaded(self, key: str) -> bool:
        return bool(self.versions.get(key))

    def modifier(self, modifier: str) -> str:
        if modifier in CPT_MODIFIERS:
            return CPT_MODIFIER_SOURCE
        return self.label("HCPCS")

    def for_finding(self, kind: str, codes: list[str], systems: dict[str, str]) -> str:
        """The code set a finding of this kind rests on (contracts/analyze.md kinds)."""
        if kind in ("non-billable", "needs-seventh-character", "excludes1"):
            return self.label("ICD-10-CM")
        if kind == "addon-without-primary":
            return self.label("AOC")
        if kind == "ptp-pair":
            return self.label("PTP")
        if kind == "mue-exceeded":
            return self.label("MUE")
        if kind == "unknown-modifier":
            return f"{self.label('HCPCS')}; {CPT_MODIFIER_SOURCE}"
        if kind == "unknown-code" and codes:
            return self.label(systems.get(codes[0], ""))
        return ""

    def readable(self, given: str) -> str:
        """An analysis source such as 'ICD-10-CM 2026-04-01, AOC 2026Q2' in reply form."""
        parts = []
        for part in given.split(", "):
            key, _, version = part.strip().partition(" ")
            if key in _FORMATS and version and "/" not in version:
                parts.append(_FORMATS[key].format(v=readable_version(version)))
            else:
                parts.append(part.strip())
        return "; ".join(p for p in parts if p)

    def listed(self) -> list[str]:
        """Every loaded code set, for the references section."""
        return [self.label(key) for key in sorted(self.versions) if self.versions[key]]
