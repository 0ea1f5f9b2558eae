"""draft_case on a real database: similar past answers and follow-ups drafted with the thread."""

from __future__ import annotations

import hashlib
import uuid

import pytest

from consultant import cases, casework
from consultant.db import transaction
from consultant.drafting import answered_cases
from consultant.errors import NotFound
from consultant.models import Case, Message
from tests.drafting.conftest import fixture_book


def _question(case: Case, subject: str, body: str, *, sender: str = "renee@clinic.example"):
    msgid = f"<{uuid.uuid4().hex}@clinic.example>"
    raw = (
        f"From: Renee Caldwell <{sender}>\r\nTo: desk@consultant.localhost\r\n"
        f"Subject: {subject}\r\nDate: Tue, 07 Apr 2026 13:40:00 -0500\r\n"
        f"Message-ID: {msgid}\r\n\r\n{body}\r\n"
    ).encode()
    digest = hashlib.sha256(raw).hexdigest()
    return Message(
        case_id=case.id, direction="in", raw=raw, sha256=digest, dedupe_key=digest,
        message_id=msgid, from_address=sender, subject=subject,
    )  # fmt: skip


def _send(session, case: Case) -> None:  # noqa: ANN001
    """Approve the current draft and record it as sent, as the outbound step would."""
    session.flush()
    session.expire(case)
    draft = cases.approve(session, case, actor="coder@desk.example")
    draft.outgoing_message_id = f"<{uuid.uuid4().hex}@consultant.localhost>"
    digest = hashlib.sha256(draft.outgoing_message_id.encode()).hexdigest()
    session.add(
        Message(
            case_id=case.id, direction="out", source="outbound", kind="reply", raw=b"x",
            sha256=digest, dedupe_key=digest, message_id=draft.outgoing_message_id,
        )
    )  # fmt: skip
    cases.mark_sent(session, case, message_id=draft.outgoing_message_id)
    session.flush()
    session.expire(case)


def _open(session, subject: str, body: str) -> Case:  # noqa: ANN001
    case = cases.open_case(
        session, subject=subject, requester="renee@clinic.example", requester_name="Renee Caldwell"
    )
    session.add(_question(case, subject, body))
    session.flush()
    session.expire(case)
    return case


def test_similar_past_answers_and_follow_up(sessions) -> None:  # noqa: ANN001
    book = fixture_book()
    with transaction(sessions) as session:
        first = _open(session, "Is M54.5 still valid?", "Is M54.5 still valid for low back pain?")
        assert casework.draft_case(session, first.id, book)
        _send(session, first)
        other = _open(session, "Toradol units", "J1885 x10 units for 150 mg ketorolac?")
        assert casework.draft_case(session, other.id, book)
        _send(session, other)
        first_id = first.id

    with transaction(sessions) as session:
        new = _open(session, "M54.5 denied", "Claim with M54.5 for low back pain was denied.")
        assert casework.draft_case(session, new.id, book)
        session.flush()
        session.expire(new)
        draft = new.current_draft
        similar = draft.analysis["similar"]
        assert similar[0]["case_id"] == first_id and len(similar) <= 3
        assert any(f"case #{first_id}" in note for note in draft.reviewer_notes)
        assert "similar" not in draft.text.lower() and "Case #" + str(first_id) not in draft.text
        assert draft.analysis["drafting"]["keywords"]

    with transaction(sessions) as session:
        case = cases.get_case(session, first_id)
        session.add(_question(case, "Re: Is M54.5 still valid?", "So M54.50? And M54.42 too?"))
        cases.reopen_with_followup(session, case)
        session.flush()
        session.expire(case)
        assert casework.draft_case(session, first_id, book)
        session.flush()
        session.expire(case)
        text = " ".join(case.current_draft.text.split())
        assert "Our earlier reply in this thread covered M54.5" in text
        assert "M54.50 is a valid, billable" in text
        assert "IS THE CODE VALID? - M54.5 " not in text  # not repeated in full


def test_a_batch_drafts_as_each_case_alone_would(sessions) -> None:  # noqa: ANN001
    book = fixture_book()
    with transaction(sessions) as session:
        answered = _open(session, "Is M54.5 still valid?", "Is M54.5 still valid for back pain?")
        assert casework.draft_case(session, answered.id, book)
        _send(session, answered)
        questions = [
            ("M54.5 denied", "Claim with M54.5 for low back pain was denied."),
            ("Toradol units", "J1885 x10 units for 150 mg ketorolac?"),
            ("Hypertension", "Is I10 right for essential hypertension?"),
        ]
        alone = [_open(session, s, b).id for s, b in questions]
        together = [_open(session, s, b).id for s, b in questions]
        answered_id = answered.id
    with transaction(sessions) as session:
        for case_id in alone:
            assert casework.draft_case(session, case_id, book)
    with transaction(sessions) as session:
        assert casework.draft_cases(session, [*together, answered_id], book) == together
    with transaction(sessions) as session:
        for one, other in zip(alone, together, strict=True):
            a, b = cases.get_case(session, one), cases.get_case(session, other)
            assert a.status == b.status == "awaiting_review"
            assert a.current_draft.text.replace(f"#{one}", "#") == b.current_draft.text.replace(
                f"#{other}", "#"
            )
            assert a.current_draft.analysis["similar"] == b.current_draft.analysis["similar"]
        assert (
            cases.get_case(session, together[0]).current_draft.analysis["similar"][0]["case_id"]
            == answered_id
        )


def test_a_batch_with_a_missing_case_drafts_nothing(sessions) -> None:  # noqa: ANN001
    with transaction(sessions) as session:
        case_id = _open(session, "Hypertension", "Is I10 right for essential hypertension?").id
    with pytest.raises(NotFound), transaction(sessions) as session:
        casework.draft_cases(session, [case_id, case_id + 100], fixture_book())
    with transaction(sessions) as session:
        assert cases.get_case(session, case_id).status == "received"


def test_only_the_latest_draft_of_an_answered_case_is_compared(sessions) -> None:  # noqa: ANN001
    book = fixture_book()
    with transaction(sessions) as session:
        case = _open(session, "Toradol units", "J1885 x10 units for 150 mg ketorolac?")
        assert casework.draft_case(session, case.id, book)
        session.flush()
        session.expire(case)
        cases.approve(session, case, actor="coder@desk.example", text="Edited answer")
        waiting = _open(session, "Hypertension", "Is I10 right for essential hypertension?")
        session.flush()
        (found,) = answered_cases(session)
        latest = case.current_draft
        assert found.case_id == case.id != waiting.id
        assert found.codes == {c["code"] for c in latest.analysis["codes"]}
