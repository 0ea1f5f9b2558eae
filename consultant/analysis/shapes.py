"""Code shapes: which systems a token could belong to, and its normal form in each."""

from __future__ import annotations

import re

CPT = "CPT"
HCPCS = "HCPCS"
ICD10CM = "ICD-10-CM"
ICD10PCS = "ICD-10-PCS"

_CPT = re.compile(r"\d{5}|\d{4}[FT]")
_HCPCS = re.compile(r"[A-V]\d{4}")
_ICD_DOTTED = re.compile(r"([A-TV-Z]\d[0-9AB])\.([0-9A-Z]{1,4})")
_ICD_PLAIN = re.compile(r"([A-TV-Z]\d[0-9AB])([0-9A-Z]{0,4})")
_PCS = re.compile(r"[0-9BCDFGHX][0-9A-HJ-NP-Z]{6}")
_PCS_LETTER = re.compile(r"[A-Z]")
_PCS_DIGIT = re.compile(r"\d")


def cpt_form(token: str) -> str | None:
    text = token.upper()
    return text if _CPT.fullmatch(text) else None


def hcpcs_form(token: str) -> str | None:
    text = token.upper()
    return text if _HCPCS.fullmatch(text) else None


def icd_cm_form(token: str) -> tuple[str, bool] | None:
    """The ICD-10-CM normal form of a token and whether it was written with its dot."""
    text = token.upper()
    match = _ICD_DOTTED.fullmatch(text)
    if match:
        return f"{match.group(1)}.{match.group(2)}", True
    match = _ICD_PLAIN.fullmatch(text)
    if not match:
        return None
    head, tail = match.groups()
    return (f"{head}.{tail}" if tail else head), False


def pcs_form(token: str) -> str | None:
    text = token.upper()
    if not _PCS.fullmatch(text):
        return None
    if not (_PCS_LETTER.search(text) and _PCS_DIGIT.search(text)):
        return None
    return text


def icd_category(code: str) -> str:
    return code.split(".", 1)[0]
