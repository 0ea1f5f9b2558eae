"""Facts for a reply: the codes table and the findings, each with its source, as plain data."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from consultant.codes.api import CodeBook
from consultant.drafting.sources import Sources

# Code-like tokens inside note text a reply quotes (to record which codes it names).
CODE_TOKEN = re.compile(
    r"\b(?:[A-TV-Z]\d[0-9AB](?:\.[0-9A-Z]{1,4})?|\d{4}[0-9FT]|[A-V]\d{4}|"
    r"[0-9BCDFGHX][0-9A-HJ-NP-Z]{6})\b"
)
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass
class Facts:
    """What drafting knows about one analysis, plus the codes it named from the code book."""

    analysis: dict[str, Any]
    book: CodeBook | None
    sources: Sources
    earlier: frozenset[str] = frozenset()
    related: dict[str, str] = field(default_factory=dict)  # code -> source

    @property
    def codes(self) -> list[dict[str, Any]]:
        return list(self.analysis.get("codes", ()))

    @property
    def mentioned(self) -> set[str]:
        return {c["code"] for c in self.codes}

    def systems(self) -> dict[str, str]:
        return {c["code"]: c.get("system", "") for c in self.codes}

    def new_codes(self, *systems: str) -> list[dict[str, Any]]:
        """Mentioned codes not already answered earlier in the thread, of these systems."""
        return [
            c for c in self.codes if c["code"] not in self.earlier and c.get("system") in systems
        ]

    def name(self, code: str, source: str) -> str:
        """Record that the reply names `code`, a fact taken from the code book."""
        if code not in self.mentioned:
            self.related.setdefault(code, source)
        return code

    def name_in_text(self, text: str, source: str) -> str:
        for token in CODE_TOKEN.findall(text):
            self.name(token, source)
        return text

    def lookup(self, system: str, code: str) -> Any:
        if self.book is None or not self.book.is_loaded(system):
            return None
        return self.book.lookup(system, code)

    def finding_codes(self, kind: str) -> list[list[str]]:
        findings = self.analysis.get("findings", ())
        return [list(f.get("codes", ())) for f in findings if f.get("kind") == kind]


def code_status(code: dict[str, Any], needs_seventh: set[str]) -> str:
    """One phrase for the codes table, from the analysis alone."""
    system = code.get("system", "")
    known = code.get("known")
    if code["code"] in needs_seventh:
        return "needs a 7th character"
    if known is None:
        return "not checked (code set not loaded)" if system != "CPT" else "not checked"
    if known is False:
        return "not found in the code set"
    if code.get("billable") is False:
        return "valid heading, not billable"
    if system == "ICD-10-CM":
        return "valid, billable"
    return "valid"


def code_rows(facts: Facts) -> list[dict[str, Any]]:
    """The details table: every mentioned code with its title, status and source."""
    needs_seventh = {c[0] for c in facts.finding_codes("needs-seventh-character") if c}
    rows = []
    for code in facts.codes:
        system = code.get("system", "")
        title = code.get("title")
        if not title and system != "CPT":
            info = facts.lookup(system, code["code"])
            title = info.title if info is not None else None
        rows.append(
            {
                "code": code["code"],
                "system": system,
                "title": title or "",
                "descriptor_missing": system == "CPT" and not title,
                "status": code_status(code, needs_seventh),
                "source": facts.sources.label(system),
                "units": code.get("units"),
                "modifiers": list(code.get("modifiers") or ()),
                "earlier": code["code"] in facts.earlier,
            }
        )
    return rows


def finding_rows(facts: Facts) -> list[dict[str, Any]]:
    """Findings, errors first; ones only about codes answered earlier in the thread are left
    out (the earlier reply covered them)."""
    systems = facts.systems()
    rows = []
    for finding in facts.analysis.get("findings", ()):
        codes = list(finding.get("codes", ()))
        if codes and all(code in facts.earlier for code in codes):
            continue
        kind = finding.get("kind", "")
        given = finding.get("source")
        source = facts.sources.for_finding(kind, codes, systems)
        if not source and isinstance(given, str):
            source = facts.sources.readable(given)
        rows.append(
            {
                "kind": kind,
                "severity": finding.get("severity", "info"),
                "message": " ".join(str(finding.get("message", "")).split()),
                "codes": codes,
                "source": source,
                "note_at": finding.get("note_at", ""),
            }
        )
    rows.sort(key=lambda row: SEVERITY_ORDER.get(row["severity"], 3))
    return rows


def is_broad(row: dict[str, Any]) -> bool:
    """A tabular note that sits at a chapter ('10') or block ('I10-I1A'): true of every code
    there, so rarely what a question is about (reviewer notes, not the reply)."""
    note_at = str(row.get("note_at") or "")
    return bool(note_at) and ("-" in note_at or note_at.isdigit())


def grouped_notes(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Info rows ('E11.42: use an additional code …') with the same instruction merged into
    one line naming every code it applies to ('E11.42, E11.4: use an additional code …')."""
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        codes = row["codes"]
        prefix = f"{codes[0]}: " if codes else ""
        message = " ".join(row["message"].split())
        tail = message[len(prefix) :] if prefix and message.startswith(prefix) else message
        group = groups.setdefault((row["kind"], tail), row | {"codes": [], "tail": tail})
        group["codes"] = group["codes"] + [c for c in codes if c not in group["codes"]]
    return [
        group
        | {
            "message": f"{', '.join(group['codes'])}: {group['tail']}"
            if group["codes"]
            else group["tail"]
        }
        for group in groups.values()
    ]


def flat_note(text: str) -> str:
    """A tabular note's text on one line: 'code to identify: a (X1); b (X2)'."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > 1 and lines[0].endswith(":"):
        return f"{lines[0]} " + "; ".join(lines[1:])
    return " ".join(lines)
