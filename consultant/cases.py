"""The case state machine: the one place that writes a case's status, and the queue operations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consultant.batch_sql import Drawn, TableRows, insert_tables
from consultant.drafting.people import signer_for
from consultant.drafting.reply import sign_reply
from consultant.errors import IllegalTransition, NotFound
from consultant.models import Case, CaseEvent, CaseStatus, Draft, Message, utcnow

S = CaseStatus

TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    S.RECEIVED: frozenset({S.ANALYZED, S.IGNORED, S.QUARANTINED}),
    S.ANALYZED: frozenset({S.AWAITING_REVIEW}),
    S.AWAITING_REVIEW: frozenset({S.APPROVED, S.REJECTED, S.RECEIVED}),
    S.APPROVED: frozenset({S.SENT, S.SEND_FAILED}),
    S.SEND_FAILED: frozenset({S.APPROVED}),
    S.SENT: frozenset({S.RECEIVED}),
    S.REJECTED: frozenset({S.RECEIVED}),
    S.IGNORED: frozenset(),
    S.QUARANTINED: frozenset({S.RECEIVED}),
}

# A follow-up from the requester reopens a case from these states.
REOPENABLE = frozenset({S.AWAITING_REVIEW, S.SENT, S.REJECTED})


def get_case(session: Session, case_id: int, *, for_update: bool = False) -> Case:
    query = select(Case).where(Case.id == case_id)
    if for_update:
        query = query.with_for_update()
    case = session.scalars(query).first()
    if case is None:
        raise NotFound(f"case {case_id} does not exist")
    return case


def get_cases(session: Session, case_ids: list[int], *, for_update: bool = False) -> list[Case]:
    """The cases, in id order (the order their locks are taken in, so that two callers
    cannot deadlock); NotFound if any of them does not exist."""
    query = select(Case).where(Case.id.in_(case_ids)).order_by(Case.id)
    if for_update:
        query = query.with_for_update()
    found = list(session.scalars(query))
    missing = set(case_ids) - {case.id for case in found}
    if missing:
        raise NotFound(f"cases {', '.join(map(str, sorted(missing)))} do not exist")
    return found


def open_case(
    session: Session,
    *,
    subject: str,
    requester: str,
    requester_name: str = "",
    status: CaseStatus = S.RECEIVED,
    reason: str = "",
    at: datetime | None = None,
) -> Case:
    """Create a case in its first state (received, ignored or quarantined) with its event."""
    if status not in (S.RECEIVED, S.IGNORED, S.QUARANTINED):
        raise IllegalTransition(f"a new case cannot start as {status}")
    now = at or utcnow()
    case = Case(
        subject=subject,
        requester=requester,
        requester_name=requester_name,
        status=status,
        status_reason=reason,
        created_at=now,
        updated_at=now,
    )
    session.add(case)
    session.flush()
    session.add(CaseEvent(case_id=case.id, at=now, action="opened", to_status=status, note=reason))
    return case


@dataclass
class NewCase:
    """A case to open in bulk; `id` is set by `open_cases`."""

    subject: str
    requester: str
    requester_name: str = ""
    status: CaseStatus = S.RECEIVED
    reason: str = ""
    id: int | None = None


def open_cases(session: Session, new: list[NewCase], *, at: datetime | None = None) -> None:
    """Open many cases with their events (intake stores mail in batches)."""
    if not new:
        return
    keys = insert_tables(session, opening_rows(new, at=at))[0]
    for spec, case_id in zip(new, keys, strict=True):
        spec.id = case_id


def opening_rows(new: list[NewCase], *, at: datetime | None = None) -> tuple[TableRows, TableRows]:
    """The rows that open `new` cases in their first state, with their `opened` events, for
    `batch_sql.insert_tables`, which gives back the cases' new ids first (the events, and
    any row of a later part, refer to the k-th new case as `Drawn(k)`)."""
    for spec in new:
        if spec.status not in (S.RECEIVED, S.IGNORED, S.QUARANTINED):
            raise IllegalTransition(f"a new case cannot start as {spec.status}")
    now = at or utcnow()
    rows = [
        {
            "subject": spec.subject,
            "requester": spec.requester,
            "requester_name": spec.requester_name,
            "status": CaseStatus(spec.status).value,
            "status_reason": spec.reason,
            "created_at": now,
            "updated_at": now,
            "claimed_by": None,
            "claimed_until": None,
        }
        for spec in new
    ]
    events = [
        {
            "case_id": Drawn(row),
            "at": now,
            "actor": "system",
            "action": "opened",
            "from_status": None,
            "to_status": CaseStatus(spec.status).value,
            "note": spec.reason,
        }
        for row, spec in enumerate(new)
    ]
    return TableRows(Case.__table__, rows, draw_keys=True), TableRows(CaseEvent.__table__, events)


def transition(
    session: Session,
    case: Case,
    to_status: CaseStatus,
    *,
    actor: str = "system",
    action: str | None = None,
    note: str = "",
) -> CaseEvent:
    """Move a case along one edge of the state machine, recording the event."""
    current = CaseStatus(case.status)
    if to_status not in TRANSITIONS[current]:
        raise IllegalTransition(f"case {case.id}: cannot go from {current} to {to_status}")
    now = utcnow()
    case.status = to_status
    case.updated_at = now
    if to_status in (S.IGNORED, S.QUARANTINED, S.REJECTED, S.SEND_FAILED):
        case.status_reason = note
    event = CaseEvent(
        case_id=case.id,
        at=now,
        actor=actor,
        action=action or to_status.value,
        from_status=current,
        to_status=to_status,
        note=note,
    )
    session.add(event)
    return event


def add_note(session: Session, case: Case, *, actor: str, note: str) -> CaseEvent:
    event = CaseEvent(case_id=case.id, actor=actor, action="note", note=note)
    session.add(event)
    return event


def record_draft(
    session: Session, case: Case, *, draft: dict[str, Any], analysis: dict, author: str = "system"
) -> Draft:
    """Store the system's draft and move the case received → analyzed → awaiting_review."""
    row = Draft(
        case_id=case.id,
        author=author,
        subject=draft["subject"],
        text=draft["text"],
        html=draft["html"],
        analysis=analysis,
        reviewer_notes=list(draft.get("reviewer_notes", [])),
    )
    session.add(row)
    transition(session, case, S.ANALYZED)
    transition(session, case, S.AWAITING_REVIEW, action="drafted")
    return row


def reopen_with_followup(session: Session, case: Case, *, note: str = "") -> bool:
    """A requester wrote again on this case: take it back to received when that is allowed."""
    if CaseStatus(case.status) in REOPENABLE:
        transition(session, case, S.RECEIVED, action="follow-up", note=note)
        return True
    return False


def approve(
    session: Session, case: Case, *, actor: str, text: str | None = None, html: str | None = None
) -> Draft:
    """Approve the current draft (optionally edited). The reply is sent afterwards."""
    current = case.current_draft
    if current is None:
        raise IllegalTransition(f"case {case.id} has no draft to approve")
    new_text = current.text if text is None else text
    new_html = html if html is not None else (current.html if text is None else "")
    signer = signer_for(session, actor)
    if not signer.get("placeholder"):  # the approving coder's block replaces the desk's
        new_text, new_html = sign_reply(new_text, new_html, signer)
    if new_text != current.text:
        current = Draft(
            case_id=case.id,
            author=actor,
            subject=current.subject,
            text=new_text,
            html=new_html,
            analysis=current.analysis,
            reviewer_notes=current.reviewer_notes,
        )
        session.add(current)
        session.flush()
        case.drafts.append(current)
    transition(session, case, S.APPROVED, actor=actor)
    return current


def reject(session: Session, case: Case, *, actor: str, reason: str) -> None:
    if not reason.strip():
        raise IllegalTransition("a rejection needs a reason")
    transition(session, case, S.REJECTED, actor=actor, note=reason)


def mark_sent(session: Session, case: Case, *, message_id: str) -> None:
    transition(session, case, S.SENT, note=message_id)


def mark_send_failed(session: Session, case: Case, *, error: str) -> None:
    transition(session, case, S.SEND_FAILED, note=error)


def resend(session: Session, case: Case, *, actor: str) -> None:
    transition(session, case, S.APPROVED, actor=actor, action="resend")


# --- Claims: a coder takes a case for a while; others may not act on it meanwhile ----------

CLAIMABLE = frozenset({S.RECEIVED, S.ANALYZED, S.AWAITING_REVIEW, S.SEND_FAILED, S.QUARANTINED})


class ClaimConflict(IllegalTransition):
    """Someone else holds the case's claim (or the actor holds none where one is needed)."""


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def claim_holder(case: Case, *, now: datetime | None = None) -> str | None:
    """Who holds an unexpired claim on the case, if anyone."""
    if not case.claimed_by or case.claimed_until is None:
        return None
    return case.claimed_by if _aware(case.claimed_until) > (now or utcnow()) else None


def claim(
    session: Session, case: Case, *, actor: str, minutes: int, now: datetime | None = None
) -> None:
    """Take (or renew) the claim for `minutes`; refused while another's claim runs."""
    now = now or utcnow()
    if CaseStatus(case.status) not in CLAIMABLE:
        raise IllegalTransition(f"case {case.id} is {case.status}; there is nothing to claim")
    holder = claim_holder(case, now=now)
    if holder not in (None, actor):
        raise ClaimConflict(f"case {case.id} is claimed by {holder}")
    if holder is None:
        session.add(CaseEvent(case_id=case.id, at=now, actor=actor, action="claimed"))
    case.claimed_by, case.claimed_until = actor, now + timedelta(minutes=minutes)


def release(session: Session, case: Case, *, actor: str, lead: bool = False) -> None:
    """Give the claim up (its holder, or a lead for anyone)."""
    holder = claim_holder(case)
    if holder is None:
        return
    if holder != actor and not lead:
        raise ClaimConflict(f"case {case.id} is claimed by {holder}")
    case.claimed_by, case.claimed_until = None, None
    session.add(CaseEvent(case_id=case.id, actor=actor, action="released", note=holder))


def reassign(session: Session, case: Case, *, actor: str, to: str, minutes: int) -> None:
    """A lead hands the case's claim to another coder."""
    if CaseStatus(case.status) not in CLAIMABLE:
        raise IllegalTransition(f"case {case.id} is {case.status}; there is nothing to reassign")
    now = utcnow()
    case.claimed_by, case.claimed_until = to, now + timedelta(minutes=minutes)
    session.add(CaseEvent(case_id=case.id, at=now, actor=actor, action="reassigned", note=to))


def ensure_may_act(case: Case, *, actor: str, lead: bool) -> None:
    """Approving, rejecting and editing belong to the claimant; a lead may always act."""
    if lead:
        return
    holder = claim_holder(case)
    if holder != actor:
        who = f"claimed by {holder}" if holder else "not claimed by you"
        raise ClaimConflict(f"case {case.id} is {who}; claim it first")


def save_draft(session: Session, case: Case, *, actor: str, text: str, html: str) -> Draft:
    """Store a coder's edit of the reply as a new draft version (the status stays)."""
    current = case.current_draft
    if current is None:
        raise IllegalTransition(f"case {case.id} has no draft to edit")
    if CaseStatus(case.status) != S.AWAITING_REVIEW:
        raise IllegalTransition(f"case {case.id} is {case.status}; its draft is closed")
    if text == current.text:
        return current
    row = Draft(
        case_id=case.id,
        author=actor,
        subject=current.subject,
        text=text,
        html=html,
        analysis=current.analysis,
        reviewer_notes=current.reviewer_notes,
    )
    session.add(row)
    session.flush()
    case.drafts.append(row)
    session.add(CaseEvent(case_id=case.id, actor=actor, action="edited", note=f"draft {row.id}"))
    return row


def request_reanalysis(session: Session, case: Case, *, actor: str) -> None:
    """Send an awaiting case back to `received` so the worker drafts it again."""
    transition(session, case, S.RECEIVED, actor=actor, action="reanalyze")


def list_cases(session: Session, *, status: str | None = None, limit: int = 200) -> list[Case]:
    """Oldest first, optionally one status only."""
    query = select(Case).order_by(Case.created_at, Case.id).limit(limit)
    if status:
        query = query.where(Case.status == status)
    return list(session.scalars(query))


def counts_by_status(session: Session) -> dict[str, int]:
    rows = session.execute(select(Case.status, func.count()).group_by(Case.status))
    return {status: count for status, count in rows}


def question_message(case: Case) -> Message | None:
    """The latest incoming message of the case: the one the next draft answers."""
    incoming = [m for m in case.messages if m.direction == "in"]
    return incoming[-1] if incoming else None


def stale_cases(session: Session, status: CaseStatus, *, older_than: datetime) -> list[int]:
    """Ids of cases sitting in `status` since before `older_than` (for the outbox sweep)."""
    query = select(Case.id).where(Case.status == status, Case.updated_at < older_than)
    return list(session.scalars(query))


def case_summary(case: Case) -> dict[str, Any]:
    return {
        "id": case.id,
        "status": case.status,
        "subject": case.subject,
        "requester": case.requester,
        "requester_name": case.requester_name,
        "received_at": case.created_at.isoformat(),
        "updated_at": case.updated_at.isoformat(),
        "claimed_by": case.claimed_by,
        "reason": case.status_reason,
    }


def case_detail(case: Case) -> dict[str, Any]:
    draft = case.current_draft
    return case_summary(case) | {
        "messages": [
            {
                "id": m.id,
                "direction": m.direction,
                "kind": m.kind,
                "message_id": m.message_id,
                "from": m.from_address,
                "subject": m.subject,
                "received_at": m.received_at.isoformat(),
                "size": len(m.raw),
            }
            for m in case.messages
        ],
        "draft": None
        if draft is None
        else {
            "id": draft.id,
            "author": draft.author,
            "subject": draft.subject,
            "text": draft.text,
            "html": draft.html,
            "reviewer_notes": draft.reviewer_notes,
            "analysis": draft.analysis,
        },
        "events": [
            {
                "at": e.at.isoformat(),
                "actor": e.actor,
                "action": e.action,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "note": e.note,
            }
            for e in case.events
        ],
    }
