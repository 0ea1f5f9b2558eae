"""One token → the code it is (system, normal form), or None when the writer means no code."""

from __future__ import annotations

from consultant.analysis import context as ctx
from consultant.analysis.evidence import Evidence
from consultant.analysis.shapes import (
    CPT,
    HCPCS,
    ICD10CM,
    ICD10PCS,
    cpt_form,
    hcpcs_form,
    icd_cm_form,
    pcs_form,
)
from consultant.analysis.tokens import Token, TokenText
from consultant.analysis.vocabulary import CODE_WORDS

# Names that have a code's shape but are something else (vitamins, masks, viruses).
NOT_CODES = frozenset({"B12", "B6", "N95", "H1N1", "K95", "KN95", "C19"})
_LIST_JOINS = frozenset({"/", ",", "+", "&", "-", "and", "or", ", ", " / ", " + ", " & "})


def classify(tt: TokenText, token: Token, evidence: Evidence) -> tuple[str, str] | None:
    text = token.text
    if not any(ch.isdigit() for ch in text) or text.upper() in NOT_CODES:
        return None
    if text[0] in "xX" and text[1:].isdigit():
        return None  # "x48": a count of units
    if ctx.is_money(tt, token) or ctx.is_identifier(tt, token):
        return None
    if text.isdigit():
        return _number(tt, token, evidence)
    cpt = cpt_form(text)
    if cpt is not None:
        return (CPT, cpt) if text[:4].isdigit() else None
    icd = icd_cm_form(text)
    if icd is not None and icd[1]:
        return ICD10CM, icd[0]
    return _undotted(tt, token, evidence, icd[0] if icd else None)


def _number(tt: TokenText, token: Token, evidence: Evidence) -> tuple[str, str] | None:
    code = token.text
    if len(code) != 5:
        return None
    if (
        ctx.is_zip(tt, token)
        or ctx.is_phone_part(tt, token)
        or ctx.followed_by_unit(tt, token)
        or ctx.is_lab_value(tt, token)
    ):
        return None
    seen = evidence.cpt_seen(code)
    if seen is None or seen or _code_context(tt, token, evidence):
        return CPT, code
    return None


def _code_context(tt: TokenText, token: Token, evidence: Evidence) -> bool:
    """An unfamiliar 5-digit number still counts next to code words or known codes."""
    if ctx.near_words(tt, token, CODE_WORDS, 4):
        return True
    after = tt.after(token)
    nxt = tt.next(token)
    if nxt is not None and after.strip() == "-" and len(nxt.text) == 2:
        return True
    for other, between in ((tt.prev(token), tt.before(token)), (nxt, after)):
        if other is None or len(other.text) != 5 or not other.text.isdigit():
            continue
        if between.strip().lower() in _LIST_JOINS and evidence.cpt_seen(other.text):
            return True
    return False


def _undotted(
    tt: TokenText, token: Token, evidence: Evidence, icd: str | None
) -> tuple[str, str] | None:
    hcpcs = hcpcs_form(token.text)
    pcs = pcs_form(token.text)
    if icd is not None and (ctx.is_remark_code(tt, token) or ctx.is_vertebral_level(tt, token)):
        icd = None
    if icd is not None and ctx.is_lab_value(tt, token):
        icd = None
    dx = ctx.has_dx_context(tt, token)
    known_icd = icd is not None and evidence.known(ICD10CM, icd)
    known_hcpcs = hcpcs is not None and evidence.known(HCPCS, hcpcs)
    known_pcs = pcs is not None and evidence.known(ICD10PCS, pcs)
    if known_icd and (dx or not (known_hcpcs or known_pcs)):
        return ICD10CM, icd  # type: ignore[return-value]
    if known_hcpcs:
        return HCPCS, hcpcs  # type: ignore[return-value]
    if known_pcs:
        return ICD10PCS, pcs  # type: ignore[return-value]
    if icd is not None and dx and len(icd) > 3 and evidence.known(ICD10CM, icd) is not None:
        return ICD10CM, icd  # well-formed but not in the set: the writer calls it a dx
    if hcpcs is not None:
        return HCPCS, hcpcs
    if pcs is not None and not evidence.loaded(ICD10PCS):
        return ICD10PCS, pcs
    if icd is not None and not evidence.loaded(ICD10CM) and (len(icd) > 3 or dx):
        return ICD10CM, icd
    return None
