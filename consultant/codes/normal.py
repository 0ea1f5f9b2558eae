"""Normal forms of codes (contracts/analyze.md) and a guess at which system a code is in."""

from __future__ import annotations

import re

_CPT = re.compile(r"^(?:\d{5}|\d{4}[FTU]|\d{4}M)$")
_HCPCS = re.compile(r"^[A-V]\d{4}$")
_ICD10CM = re.compile(r"^[A-Z]\d[0-9A-Z](?:[0-9A-Z]{1,4})?$")
_ICD10PCS = re.compile(r"^[0-9A-HJ-NP-Z]{7}$")
_MODIFIER = re.compile(r"^[0-9A-Z]{2}$")


def icd10cm(code: str) -> str:
    """`e1142`, `E11.42`, ` e11.42 ` → `E11.42`."""
    bare = code.strip().upper().replace(".", "")
    return bare if len(bare) <= 3 else f"{bare[:3]}.{bare[3:]}"


def normalize(system: str, code: str) -> str:
    """The normal form of `code` in `system` (no validation beyond shape)."""
    if system == "ICD-10-CM":
        return icd10cm(code)
    return code.strip().upper().replace(".", "") if system == "ICD-10-PCS" else code.strip().upper()


def is_well_formed(system: str, code: str) -> bool:
    text = normalize(system, code)
    pattern = {
        "CPT": _CPT,
        "HCPCS": _HCPCS,
        "ICD-10-CM": _ICD10CM,
        "ICD-10-PCS": _ICD10PCS,
        "modifier": _MODIFIER,
    }[system]
    return bool(pattern.match(text.replace(".", "")))


def procedure_system(code: str) -> str | None:
    """CPT or HCPCS for a procedure code as it appears in the CMS files, else None."""
    text = code.strip().upper()
    if _CPT.match(text):
        return "CPT"
    if _HCPCS.match(text):
        return "HCPCS"
    return None


_NOTE_CODE = re.compile(
    r"\b([A-Z]\d[0-9A-Z](?:\.(?:[0-9A-Z]{1,4}-?|-))?)"
    r"(?:\s*-\s*([A-Z]\d[0-9A-Z](?:\.[0-9A-Z]{1,4}-?)?))?(?![0-9A-Za-z])"
)


def codes_in_note(text: str) -> tuple[str, ...]:
    """ICD-10-CM codes a note names, ranges (`E08-E13`) and wildcards (`E10.-`) as written."""
    found = []
    for match in _NOTE_CODE.finditer(text):
        first, last = match.group(1), match.group(2)
        found.append(f"{first}-{last}" if last else first)
    return tuple(dict.fromkeys(found))
