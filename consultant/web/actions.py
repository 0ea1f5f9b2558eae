"""What a signed-in coder or lead may do to a case: permission checks around consultant.cases.
Used by the pages and by the JSON API alike; each takes the caller's session."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from consultant import cases
from consultant.errors import ConsultantError, IllegalTransition, NotFound
from consultant.models import CaseStatus, User
from consultant.web.markup import text_to_html
from consultant.web.sessions import Actor


class Forbidden(ConsultantError):
    """The caller's role does not allow this."""


def claim(session: Session, case_id: int, actor: Actor, *, minutes: int) -> None:
    cases.claim(session, cases.get_case(session, case_id, for_update=True), actor=actor.email,
                minutes=minutes)  # fmt: skip


def release(session: Session, case_id: int, actor: Actor) -> None:
    case = cases.get_case(session, case_id, for_update=True)
    cases.release(session, case, actor=actor.email, lead=actor.lead)


def reassign(session: Session, case_id: int, actor: Actor, to: str, *, minutes: int) -> None:
    if not actor.lead:
        raise Forbidden("only a lead can reassign a case")
    to = to.strip().lower()
    user = session.scalar(select(User).where(User.email == to))
    if user is None or not user.active:
        raise NotFound(f"no active user {to}")
    case = cases.get_case(session, case_id, for_update=True)
    cases.reassign(session, case, actor=actor.email, to=user.email, minutes=minutes)


def save(session: Session, case_id: int, actor: Actor, text: str) -> None:
    case = cases.get_case(session, case_id, for_update=True)
    cases.ensure_may_act(case, actor=actor.email, lead=actor.lead)
    cases.save_draft(session, case, actor=actor.email, text=_clean(text), html=text_to_html(text))


def approve(session: Session, case_id: int, actor: Actor, text: str | None) -> None:
    """Approve (optionally with edited text); the caller enqueues the send after commit."""
    case = cases.get_case(session, case_id, for_update=True)
    cases.ensure_may_act(case, actor=actor.email, lead=actor.lead)
    if text is not None:
        text = _clean(text)
        if not text.strip():
            raise IllegalTransition("the reply is empty")
    html = text_to_html(text) if text is not None else None
    cases.approve(session, case, actor=actor.email, text=text, html=html)
    _let_go(case)


def reject(session: Session, case_id: int, actor: Actor, reason: str) -> None:
    case = cases.get_case(session, case_id, for_update=True)
    cases.ensure_may_act(case, actor=actor.email, lead=actor.lead)
    cases.reject(session, case, actor=actor.email, reason=reason.strip())
    _let_go(case)


def note(session: Session, case_id: int, actor: Actor, text: str) -> None:
    if not text.strip():
        raise IllegalTransition("a note needs some text")
    cases.add_note(session, cases.get_case(session, case_id), actor=actor.email, note=text.strip())


def reanalyze(session: Session, case_id: int, actor: Actor) -> None:
    case = cases.get_case(session, case_id, for_update=True)
    cases.ensure_may_act(case, actor=actor.email, lead=actor.lead)
    cases.request_reanalysis(session, case, actor=actor.email)


def resend(session: Session, case_id: int, actor: Actor) -> None:
    case = cases.get_case(session, case_id, for_update=True)
    holder = cases.claim_holder(case)
    if holder not in (None, actor.email) and not actor.lead:
        raise cases.ClaimConflict(f"case {case_id} is claimed by {holder}")
    if case.status != CaseStatus.SEND_FAILED:
        raise IllegalTransition(f"case {case_id} is {case.status}, not send_failed")
    cases.resend(session, case, actor=actor.email)
    _let_go(case)


def add_user(session: Session, actor: Actor, email: str, role: str, name: str) -> str:
    """A lead adds a coder or lead; the answer is the one-time token that sets the password."""
    from consultant.users import add_user as create_user
    from consultant.users import issue_password_link

    if not actor.lead:
        raise Forbidden("only a lead can add a user")
    user = create_user(session, email, role=role, name=name.strip())
    return issue_password_link(session, user)


def disable(session: Session, actor: Actor, user_id: int) -> str:
    from consultant.users import disable_user

    if not actor.lead:
        raise Forbidden("only a lead can disable a user")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user {user_id}")
    if user.id == actor.id:
        raise Forbidden("you cannot disable yourself")
    disable_user(session, user)
    return user.email


def _let_go(case: cases.Case) -> None:
    """A decided case leaves the queue: its claim ends with the decision."""
    case.claimed_by, case.claimed_until = None, None


def _clean(text: str) -> str:
    return text.replace("\r\n", "\n")
