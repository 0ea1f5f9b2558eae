"""reply_context: the one function that builds the plain data templates/replies/reply.* get."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from email.utils import parsedate_to_datetime
from typing import Any

from consultant.codes.api import CodeBook
from consultant.drafting import billing, diagnosis, shapes
from consultant.drafting.facts import (
    Facts,
    code_rows,
    finding_rows,
    grouped_notes,
    is_broad,
)
from consultant.drafting.sources import Sources

DESK_NAME = "The Coding Desk"
DESK_SIGNATURE: dict[str, Any] = {"name": DESK_NAME, "lines": [], "placeholder": True}
_CASE_TAG = re.compile(r"\[Case #\d+\]", re.IGNORECASE)
_REPLY_PREFIX = re.compile(r"^\s*(?:(?:re|aw|sv|antw|fwd?)\s*:\s*)+", re.IGNORECASE)
_CPT = re.compile(r"\d{4}[0-9FT]")
INSTRUCTION_KINDS = frozenset({"code-first", "use-additional-code"})
_HONORIFICS = {"dr", "dr.", "mr", "mr.", "ms", "ms.", "mrs", "mrs.", "prof", "prof."}


def signature(name: str, text: str = "") -> dict[str, Any]:
    """A coder's signature block (User.name and User.signature) as template data."""
    lines = [line.rstrip() for line in text.strip().splitlines()] if text.strip() else []
    if lines and name and lines[0].strip().startswith(name.strip()):
        name, lines = lines[0].strip(), lines[1:]  # "Maria Chen, CPC" names her already
    return {"name": name or DESK_NAME, "lines": lines, "placeholder": False}


def reply_subject(subject: str, case_id: int | None) -> str:
    """'Re: <subject> [Case #N]', without stacking prefixes or tags."""
    base = _CASE_TAG.sub("", _REPLY_PREFIX.sub("", subject or "")).strip()
    base = re.sub(r"\s{2,}", " ", base) or "your coding question"
    tag = f" [Case #{case_id}]" if case_id is not None else ""
    return f"Re: {base}{tag}"


def greeting_name(requester_name: str) -> str:
    """'Renee' from 'Renee Caldwell', 'Dr. Patel' from 'Dr. Anil Patel', '' when unknown."""
    name = (requester_name or "").strip().strip("\"'")
    if "," in name:  # "Caldwell, Renee"
        last, _, first = name.partition(",")
        name = f"{first.strip()} {last.strip()}".strip()
    words = name.split()
    if not words or "@" in words[0]:
        return ""
    if words[0].lower() in _HONORIFICS and len(words) > 1:
        return f"{words[0].rstrip('.').capitalize()}. {words[-1]}"
    return words[0]


def attribution(question_date: str, requester_name: str, requester: str) -> str:
    who = requester_name or requester or "you"
    try:
        moment = parsedate_to_datetime(question_date) if question_date else None
    except (TypeError, ValueError, IndexError):
        moment = None
    when = (
        f"{moment:%a}, {moment:%B} {moment.day}, {moment.year} at {moment:%H:%M}" if moment else ""
    )
    return f"On {when}, {who} wrote:" if when else f"{who} wrote:"


def build_sections(facts: Facts, answered: list[str], asked: set[str]) -> list[dict[str, Any]]:
    builders = {
        shapes.LOOKUP: lambda: diagnosis.lookup(facts, shapes.LOOKUP in asked),
        shapes.WHICH_CODE: lambda: diagnosis.which_code(facts),
        shapes.SEVENTH: lambda: diagnosis.seventh(facts, shapes.SEVENTH in asked),
        shapes.SEQUENCING: lambda: diagnosis.sequencing(facts),
        shapes.TOGETHER: lambda: billing.together(facts, shapes.TOGETHER in asked),
        shapes.MODIFIER: lambda: billing.modifier(facts),
        shapes.UNITS: lambda: billing.units(facts, shapes.UNITS in asked),
        shapes.GLOBAL: lambda: billing.global_period(facts),
        shapes.GENERAL: lambda: {},
    }
    sections = []
    for shape in answered:
        data = builders[shape]()
        if data is not None:
            sections.append({"shape": shape, "asked": shape in asked} | data)
    if not sections and shapes.LOOKUP in answered:
        # Nothing else to answer ("So 29848 then?"): confirm each code the writer gives.
        data = diagnosis.lookup(facts, True)
        if data is not None:
            sections.append({"shape": shapes.LOOKUP, "asked": False} | data)
    return sections


def reply_context(
    *,
    case_id: int | None,
    requester_name: str,
    requester: str,
    subject: str,
    question_text: str,
    question_date: str,
    analysis: dict[str, Any],
    book: CodeBook | None = None,
    signer: Mapping[str, Any] | None = None,
    earlier_codes: Iterable[str] = (),
) -> dict[str, Any]:
    """Plain data for templates/replies/reply.*: from the analysis, facts the code book adds
    (each with its source), the thread's earlier answers, and the signer's block."""
    versions = dict(analysis.get("code_sets") or {})
    if book is not None:
        versions = book.versions() | versions
    facts = Facts(
        analysis=analysis,
        book=book,
        sources=Sources(versions),
        earlier=frozenset(earlier_codes) & frozenset(c["code"] for c in analysis.get("codes", ())),
    )
    wording = f"{subject}\n{question_text}"
    asked = set(shapes.asked(wording))
    answered = shapes.recognise(wording, analysis)
    sections = build_sections(facts, answered, asked)
    rows = code_rows(facts)
    findings = finding_rows(facts)
    notes = [f for f in findings if f["severity"] == "info"]
    return {
        "subject": reply_subject(subject, case_id),
        "case_id": case_id,
        "greeting_name": greeting_name(requester_name),
        "findings": [f for f in findings if f["severity"] != "info"],
        "also_consider": _also_consider([f for f in notes if not is_broad(f)], sections),
        "broad_notes": [f["message"] for f in grouped_notes([f for f in notes if is_broad(f)])],
        "sections": sections,
        "shapes": [s["shape"] for s in sections],
        "codes": rows,
        "earlier": sorted(facts.earlier),
        "has_cpt": any(r["system"] == "CPT" for r in rows)
        or _mentions_cpt(sections, facts.related),
        "descriptor_missing": [r["code"] for r in rows if r["descriptor_missing"]],
        "unverified": [r["code"] for r in rows if r["status"].startswith("not checked (")],
        "related": [{"code": c, "source": s} for c, s in sorted(facts.related.items())],
        "sources": facts.sources.listed(),
        "signature": dict(signer) if signer else dict(DESK_SIGNATURE),
        "question_attribution": attribution(question_date, requester_name, requester),
        "question_lines": (question_text or "").strip().splitlines(),
    }


def _also_consider(
    notes: list[dict[str, Any]], sections: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Instruction notes for the lower 'also consider' part, one line per instruction; those
    the sequencing section already quotes are left out."""
    quoted = {
        (item["code"], item["kind"].replace("_", "-"))
        for section in sections
        if section["shape"] == shapes.SEQUENCING
        for item in section["instructions"]
    }
    shown = {section["shape"] for section in sections}
    kept = [
        n
        for n in notes
        if shapes.FINDING_SHAPES.get(n["kind"]) not in shown
        and not all((c, n["kind"]) in quoted for c in n["codes"])
    ]
    instructions = [n for n in kept if n["kind"] in INSTRUCTION_KINDS]
    return grouped_notes(instructions) + [n for n in kept if n["kind"] not in INSTRUCTION_KINDS]


def _mentions_cpt(sections: list[dict[str, Any]], related: Iterable[str]) -> bool:
    """Whether the reply names a CPT code that is not in the codes table."""
    if any(_CPT.fullmatch(code) for code in related):
        return True
    return any(
        candidate["system"] == "CPT"
        for section in sections
        if section["shape"] == shapes.WHICH_CODE
        for item in section["items"]
        for candidate in item["candidates"]
    )
