"""Text of a question → Analysis (contracts/analyze.md): codes, modifiers, findings, suggestions."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from consultant.analysis.evidence import Evidence
from consultant.analysis.extract import extract, writer_text
from consultant.analysis.findings import Finding
from consultant.analysis.icd_checks import icd_findings, pcs_findings
from consultant.analysis.mentions import CodeMention, Extraction
from consultant.analysis.ncci_checks import (
    addon_findings,
    hcpcs_findings,
    modifier_findings,
    mue_findings,
    ptp_findings,
)
from consultant.analysis.shapes import CPT, HCPCS, ICD10CM, ICD10PCS
from consultant.analysis.suggest import Suggestion, split_confirmed, suggest
from consultant.codes.api import CodeBook

log = logging.getLogger(__name__)


@dataclass
class Analysis:
    codes: list[dict] = field(default_factory=list)
    modifiers: list[dict] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)
    code_sets: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    confirmed: list[dict[str, str]] = field(default_factory=list)  # described and coded

    def to_json(self) -> dict:
        data = {
            "codes": self.codes,
            "modifiers": self.modifiers,
            "findings": [f.to_json() for f in self.findings],
            "suggestions": [s.to_json() for s in self.suggestions],
            "code_sets": self.code_sets,
        }
        if self.confirmed:
            data["confirmed"] = self.confirmed
        if self.errors:
            data["errors"] = self.errors
        return data


def analyze_message(subject: str, text: str, book: CodeBook | None) -> Analysis:
    """Never raises: a failing step is left out and named in `errors`."""
    evidence = Evidence(book)
    result = Analysis(code_sets=_versions(book))
    try:
        extraction = extract(subject or "", text or "", evidence)
    except Exception:  # noqa: BLE001 - the contract is "an Analysis, always"
        log.exception("extraction failed")
        result.errors.append("extraction failed")
        return result
    result.codes = [_code_json(m, evidence) for m in extraction.codes]
    result.modifiers = [
        {"code": m.code, "attached_to": m.attached_to} for m in extraction.modifiers
    ]
    try:
        result.findings = _findings(extraction, evidence, result.code_sets)
    except Exception:  # noqa: BLE001
        log.exception("checks failed")
        result.errors.append("checks failed")
    try:
        spans = [(m.position, m.position + len(m.code)) for m in extraction.codes]
        mentioned = frozenset(m.code for m in extraction.codes)
        found = suggest(
            writer_text(subject or "", text or ""),
            spans,
            evidence,
            mentioned=mentioned,
            subject_end=len(subject or ""),
        )
        result.suggestions, result.confirmed = split_confirmed(found, mentioned)
    except Exception:  # noqa: BLE001
        log.exception("suggestions failed")
        result.errors.append("suggestions failed")
    return result


def _versions(book: CodeBook | None) -> dict[str, str]:
    if book is None:
        return {}
    try:
        return {str(k): str(v) for k, v in book.versions().items()}
    except Exception:  # noqa: BLE001
        return {}


def _code_json(mention: CodeMention, evidence: Evidence) -> dict:
    info = evidence.info(mention.system, mention.code)
    data: dict = {
        "code": mention.code,
        "system": mention.system,
        "known": evidence.known(mention.system, mention.code),
        "billable": info.billable if info else None,
        "title": info.title if info else None,
    }
    if mention.system in (CPT, HCPCS):
        data["modifiers"] = list(mention.modifiers)
        data["units"] = mention.units
    if mention.range_with:
        data["range"] = sorted([mention.code, mention.range_with])
    return data


def _source(versions: dict[str, str], *systems: str) -> str:
    parts = [f"{s} {versions[s]}" for s in systems if s in versions]
    return ", ".join(parts) or " / ".join(systems)


def _findings(
    extraction: Extraction, evidence: Evidence, versions: dict[str, str]
) -> list[Finding]:
    codes, modifiers = extraction.codes, extraction.modifiers
    found: list[Finding] = []
    found += icd_findings(codes, evidence, _source(versions, ICD10CM))
    found += pcs_findings(codes, evidence, _source(versions, ICD10PCS))
    found += hcpcs_findings(codes, evidence, _source(versions, HCPCS))
    found += addon_findings(codes, evidence, _source(versions, "AOC"))
    found += ptp_findings(codes, modifiers, evidence, _source(versions, "PTP"))
    found += mue_findings(codes, evidence, _source(versions, "MUE"))
    found += modifier_findings(modifiers, evidence, _source(versions, HCPCS))
    return found
