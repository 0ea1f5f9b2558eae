"""A requester's own week: their questions (ignored messages aside), each with its status
and the gist of the answer sent."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from consultant.digest.weeks import Week
from consultant.models import Case, CaseStatus, DigestSubscription, Draft

SUMMARY_CHARS = 160
_STATUS_WORDS = {
    "sent": "answered",
    "rejected": "closed without an answer",
}


def subscribers_with_questions(session: Session, week: Week) -> list[str]:
    """Opted-in requesters who asked something during the week (no question, no digest)."""
    query = (
        select(DigestSubscription.address)
        .join(Case, func.lower(Case.requester) == DigestSubscription.address)
        .where(
            Case.created_at >= week.start,
            Case.created_at < week.end,
            Case.status != CaseStatus.IGNORED,
        )
        .group_by(DigestSubscription.address)
        .order_by(DigestSubscription.address)
    )
    return list(session.scalars(query))


def requester_questions(session: Session, address: str, week: Week) -> list[dict[str, Any]]:
    """The requester's cases received during the week, oldest first."""
    sent = aliased(Draft)
    answer = (
        select(sent.text)
        .where(sent.case_id == Case.id, sent.outgoing_message_id != "")
        .order_by(sent.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    query = (
        select(Case.id, Case.subject, Case.status, Case.created_at, answer)
        .where(
            func.lower(Case.requester) == address.lower(),
            Case.status != CaseStatus.IGNORED,
            Case.created_at >= week.start,
            Case.created_at < week.end,
        )
        .order_by(Case.created_at, Case.id)
    )
    return [
        {
            "id": case_id,
            "subject": subject or "(no subject)",
            "status": _STATUS_WORDS.get(status, "in progress"),
            "received_date": _aware(received).astimezone(week.zone).date().isoformat(),
            "summary": summary_line(text) if status == "sent" and text else "",
        }
        for case_id, subject, status, received, text in session.execute(query)
    ]


def summary_line(text: str) -> str:
    """The first line of a reply that says something: not a greeting, not a quote."""
    for line in (raw.strip() for raw in text.splitlines()):
        if not line or line.startswith(">") or (line.endswith(",") and len(line.split()) <= 4):
            continue
        return line if len(line) <= SUMMARY_CHARS else line[: SUMMARY_CHARS - 1] + "…"
    return ""


def _aware(moment: datetime) -> datetime:
    """SQLite hands back UTC timestamps without their zone."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
