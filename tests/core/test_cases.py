"""The case state machine: legal edges record events, illegal ones raise."""

import pytest

from consultant import cases
from consultant.db import transaction
from consultant.errors import IllegalTransition
from consultant.models import CaseStatus

DRAFT = {"subject": "Re: q [Case #1]", "text": "Hello", "html": "<p>Hello</p>"}


def test_happy_path_records_every_event(sessions):
    with transaction(sessions) as session:
        case = cases.open_case(session, subject="q", requester="a@x.example")
        cases.record_draft(session, case, draft=DRAFT, analysis={"codes": []})
        cases.approve(session, case, actor="coder@desk.example")
        cases.mark_sent(session, case, message_id="<m@desk>")
        case_id = case.id
    with transaction(sessions) as session:
        case = cases.get_case(session, case_id)
        assert case.status == CaseStatus.SENT
        assert [(e.from_status, e.to_status) for e in case.events] == [
            (None, "received"),
            ("received", "analyzed"),
            ("analyzed", "awaiting_review"),
            ("awaiting_review", "approved"),
            ("approved", "sent"),
        ]
        assert case.events[3].actor == "coder@desk.example"


@pytest.mark.parametrize(
    "path",
    [
        [CaseStatus.APPROVED],  # received → approved skips the draft
        [CaseStatus.SENT],
        [CaseStatus.IGNORED, CaseStatus.RECEIVED],
    ],
)
def test_illegal_transitions_raise_and_change_nothing(sessions, path):
    with transaction(sessions) as session:
        case = cases.open_case(session, subject="q", requester="a@x.example")
        case_id = case.id
    with pytest.raises(IllegalTransition), transaction(sessions) as session:
        case = cases.get_case(session, case_id)
        for status in path:
            cases.transition(session, case, status)
    with transaction(sessions) as session:
        assert cases.get_case(session, case_id).status == CaseStatus.RECEIVED


def test_edited_approval_keeps_the_system_draft(sessions):
    with transaction(sessions) as session:
        case = cases.open_case(session, subject="q", requester="a@x.example")
        cases.record_draft(session, case, draft=DRAFT, analysis={})
        approved = cases.approve(session, case, actor="c@desk.example", text="Edited")
        assert approved.author == "c@desk.example"
        assert [d.text for d in case.drafts] == ["Hello", "Edited"]


def test_reject_needs_a_reason(sessions):
    with transaction(sessions) as session:
        case = cases.open_case(session, subject="q", requester="a@x.example")
        cases.record_draft(session, case, draft=DRAFT, analysis={})
        with pytest.raises(IllegalTransition):
            cases.reject(session, case, actor="c@desk.example", reason="  ")
        cases.reject(session, case, actor="c@desk.example", reason="not a coding question")
        assert case.status_reason == "not a coding question"
