"""Seeds case histories with explicit timestamps (rows written directly, as history)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from consultant.models import Case, CaseEvent, Draft

SYSTEM_TEXT = "Hello,\nE11.42 is billable.\nRegards"


def seed_case(
    session: Session,
    *,
    received: datetime,
    drafted: datetime | None = None,
    approved: datetime | None = None,
    approver: str = "coder@desk.example",
    approved_text: str | None = None,
    sent: datetime | None = None,
    rejected: datetime | None = None,
    ignored: bool = False,
    requester: str = "client@clinic.example",
    subject: str = "Question",
    codes: tuple[str, ...] = (),
    findings: tuple[str, ...] = (),
) -> Case:
    """One case whose history is given by the timestamps; its status is the last one."""
    status = "ignored" if ignored else "received"
    case = Case(
        subject=subject,
        requester=requester,
        status=status,
        created_at=received,
        updated_at=received,
    )
    session.add(case)
    session.flush()
    events = [(received, "opened", None, status, "system")]
    latest = None
    if drafted:
        latest = Draft(
            case_id=case.id,
            created_at=drafted,
            author="system",
            subject=f"Re: {subject}",
            text=SYSTEM_TEXT,
            analysis={
                "codes": [{"code": c, "system": "ICD-10-CM"} for c in codes],
                "findings": [{"kind": k, "codes": []} for k in findings],
            },
        )
        session.add(latest)
        events += [
            (drafted, "analyzed", "received", "analyzed", "system"),
            (drafted, "drafted", "analyzed", "awaiting_review", "system"),
        ]
        status = "awaiting_review"
    if approved:
        if approved_text is not None and approved_text != SYSTEM_TEXT:
            latest = Draft(
                case_id=case.id,
                created_at=approved,
                author=approver,
                subject=f"Re: {subject}",
                text=approved_text,
            )
            session.add(latest)
        events.append((approved, "approved", status, "approved", approver))
        status = "approved"
    if sent:
        latest.outgoing_message_id = f"<reply.{case.id}@desk.example>"
        events.append((sent, "sent", status, "sent", "system"))
        status = "sent"
    if rejected:
        events.append((rejected, "rejected", status, "rejected", approver))
        status = "rejected"
    for at, action, before, after, actor in events:
        session.add(
            CaseEvent(
                case_id=case.id,
                at=at,
                action=action,
                from_status=before,
                to_status=after,
                actor=actor,
            )
        )
    case.status = status
    return case
