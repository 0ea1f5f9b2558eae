"""Every question of ../shared/eval/dev drafts a reply that names its codes, carries the
required findings the analysis reports, and names no code the analysis does not hold."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from consultant.analysis.analyze import analyze_message
from consultant.drafting import annotate, draft_reply, reply_context
from consultant.mail.parse import parse_message
from tests.conftest import SHARED, shared_path
from tests.drafting.conftest import fixture_book

DEV = SHARED / "eval" / "dev"
EMAILS = sorted(p.name for p in DEV.glob("*.eml")) if DEV.is_dir() else ["(missing)"]
CODE = re.compile(
    r"(?<![\w.])(?:[A-TV-Z]\d[0-9AB](?:\.[0-9A-Z]{1,4})?|\d{4}[0-9FT]|[A-V]\d{4})(?![\w])"
)


def _draft(name: str) -> tuple[dict, dict, dict]:
    path = shared_path("eval", "dev", name)
    parsed = parse_message(path.read_bytes())
    book = fixture_book()
    analysis = analyze_message(parsed.subject, parsed.reply, book).to_json()
    context = reply_context(
        case_id=1,
        requester_name=parsed.from_name,
        requester=parsed.from_address,
        subject=parsed.subject,
        question_text=parsed.reply,
        question_date=parsed.date,
        analysis=analysis,
        book=book,
    )
    stored = annotate(analysis, context)
    return (
        draft_reply(context, analysis),
        stored,
        json.loads(Path(str(path).replace(".eml", ".expected.json")).read_text()),
    )


def _own_part(text: str, attribution: str) -> str:
    """The reply above the quoted question (the quote is the writer's, not ours)."""
    return text.split(attribution.split(",")[0], 1)[0] if attribution else text


@pytest.mark.parametrize("name", EMAILS)
def test_dev_email_drafts(name: str) -> None:
    draft, stored, expected = _draft(name)
    text = draft["text"]
    assert text.strip() and draft["html"].strip()
    assert all(len(line) <= 72 or " " not in line.strip() for line in text.splitlines())
    own = text.split("\n-- \n", 1)[0]
    flat = " ".join(own.split())
    # names each mentioned code
    for code in stored["codes"]:
        assert code["code"] in own, f"{code['code']} not named"
    # every finding is one line a coder can paste
    assert all("\n" not in f["message"] for f in stored["findings"])
    # carries each required finding the analysis reports
    reported = {(f["kind"], tuple(sorted(f["codes"]))): f for f in stored["findings"]}
    for kind, codes in expected["findings"]:
        finding = reported.get((kind, tuple(sorted(codes))))
        if finding is not None:
            assert " ".join(finding["message"].split()) in flat
    # names no code that is not in the analysis (or recorded as named from the code book)
    allowed = {c["code"] for c in stored["codes"]}
    allowed |= {code for f in stored["findings"] for code in f["codes"]}
    allowed |= {c["code"] for s in stored["suggestions"] for c in s["candidates"]}
    allowed |= {m["code"] for m in stored["modifiers"]}
    allowed |= {r["code"] for r in stored["drafting"]["related_codes"]}
    allowed |= {code for f in stored["findings"] for code in CODE.findall(f["message"])}
    for token in CODE.findall(own):
        assert token in allowed, f"{token} is in the draft but not in the analysis"
