"""Drafting fixtures: a static code book and hand-written questions with their analyses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from consultant.drafting import draft_reply, reply_context
from consultant.drafting.static_book import StaticBook

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "drafting"
CASES = sorted(p.stem for p in (FIXTURES / "cases").glob("*.json"))


def load_case(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / "cases" / f"{name}.json").read_text())


def fixture_book() -> StaticBook:
    return StaticBook.from_json(json.loads((FIXTURES / "book.json").read_text()))


def context_of(case: dict[str, Any], book: StaticBook | None, **extra: Any) -> dict[str, Any]:
    return reply_context(
        case_id=case.get("case_id", 3),
        requester_name=case["from_name"],
        requester=case["from_address"],
        subject=case["subject"],
        question_text=case["question"],
        question_date=case["date"],
        analysis=case["analysis"],
        book=book,
        earlier_codes=case.get("earlier", ()),
        **extra,
    )


def draft_of(case: dict[str, Any], book: StaticBook | None, **extra: Any) -> dict[str, Any]:
    context = context_of(case, book, **extra)
    return draft_reply(context, case["analysis"]) | {"context": context}


@pytest.fixture(scope="session")
def book() -> StaticBook:
    return fixture_book()
