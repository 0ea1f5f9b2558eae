"""Text of a question → Analysis (contracts/analyze.md). Placeholder until extraction lands."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from consultant.codes.api import CodeBook

_ICD10CM = re.compile(r"\b([A-TV-Z][0-9][0-9AB])\.?([0-9A-TV-Z]{1,4})?\b")


@dataclass
class Analysis:
    codes: list[dict] = field(default_factory=list)
    modifiers: list[dict] = field(default_factory=list)
    findings: list[dict] = field(default_factory=list)
    suggestions: list[dict] = field(default_factory=list)
    code_sets: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "codes": self.codes,
            "modifiers": self.modifiers,
            "findings": self.findings,
            "suggestions": self.suggestions,
            "code_sets": self.code_sets,
        }


def analyze_message(subject: str, text: str, book: CodeBook | None) -> Analysis:
    result = Analysis(code_sets=book.versions() if book else {})
    for match in _ICD10CM.finditer(f"{subject}\n{text}"):
        code = match.group(1) + ("." + match.group(2) if match.group(2) else "")
        info = book.lookup("ICD-10-CM", code) if book else None
        result.codes.append(
            {"code": code, "system": "ICD-10-CM", "known": info is not None if book else None,
             "billable": info.billable if info else None, "title": info.title if info else None}
        )
    return result
