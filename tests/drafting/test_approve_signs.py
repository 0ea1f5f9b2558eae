"""cases.approve puts the approving coder's signature block in place of the desk's placeholder."""

from __future__ import annotations

import uuid

from consultant import cases
from consultant.db import transaction
from consultant.drafting import DESK_SIGNATURE, render_draft
from consultant.users import add_user
from tests.drafting.conftest import context_of, fixture_book, load_case


def _awaiting_review(session, email: str):  # noqa: ANN001, ANN202
    """A case with a system draft signed by the desk placeholder, and a coder account."""
    user = add_user(session, email, role="coder", name="Maria Chen")
    user.signature = "Maria Chen, CPC\nCoding Desk, Lakeview"
    case = cases.open_case(
        session, subject="M54.5", requester="renee@clinic.example", requester_name="Renee"
    )
    fixture = load_case("lookup-m545")
    context = context_of(fixture, fixture_book(), signer=DESK_SIGNATURE)
    cases.record_draft(session, case, draft=render_draft(context), analysis=fixture["analysis"])
    session.flush()
    session.expire(case)
    return case


def test_approval_signs_with_the_coder_block(sessions) -> None:  # noqa: ANN001
    email = f"maria-{uuid.uuid4().hex[:8]}@desk.example"
    with transaction(sessions) as session:
        case = _awaiting_review(session, email)
        draft = cases.approve(session, case, actor=email)
        assert "\n-- \nMaria Chen, CPC\nCoding Desk, Lakeview\n" in draft.text
        assert "The Coding Desk" not in draft.text and "The Coding Desk" not in draft.html
        assert "Maria Chen, CPC<br>Coding Desk, Lakeview" in draft.html
        assert draft.author == email


def test_coder_text_with_own_signature_is_kept(sessions) -> None:  # noqa: ANN001
    email = f"maria-{uuid.uuid4().hex[:8]}@desk.example"
    own = "Hello Renee,\n\nM54.50 is the code.\n\n-- \nMaria C.\n"
    with transaction(sessions) as session:
        case = _awaiting_review(session, email)
        draft = cases.approve(session, case, actor=email, text=own, html="")
        assert draft.text == own


def test_unknown_approver_keeps_the_placeholder(sessions) -> None:  # noqa: ANN001
    with transaction(sessions) as session:
        case = _awaiting_review(session, f"maria-{uuid.uuid4().hex[:8]}@desk.example")
        before = case.current_draft.text
        draft = cases.approve(session, case, actor="nobody@desk.example")
        assert draft.text == before and "The Coding Desk" in draft.text
