"""Retention: delete closed cases and their raw mail after the retention period, with an audit."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from consultant.errors import ConsultantError
from consultant.models import Case, CaseEvent, CaseStatus, Draft, Message, PurgeRecord, utcnow

CLOSED = (CaseStatus.SENT, CaseStatus.REJECTED, CaseStatus.IGNORED)
_UNITS = {"d": 1, "w": 7, "m": 30, "y": 365}


def parse_duration(text: str) -> timedelta:
    """'90d', '12w', '6m', '7y' → a timedelta (months are 30 days, years 365)."""
    match = re.fullmatch(r"\s*(\d+)\s*([dwmy])\s*", text.lower())
    if not match:
        raise ConsultantError(f"{text!r} is not a duration; write it like 90d, 12w, 6m or 7y")
    return timedelta(days=int(match.group(1)) * _UNITS[match.group(2)])


@dataclass(frozen=True)
class PurgePlan:
    cutoff: datetime
    case_ids: list[int]
    messages: int


def plan_purge(
    session: Session, older_than: timedelta, *, now: datetime | None = None
) -> PurgePlan:
    """Closed cases untouched since before the cutoff, and how many messages go with them."""
    cutoff = (now or utcnow()) - older_than
    case_ids = list(
        session.scalars(
            select(Case.id)
            .where(Case.status.in_(CLOSED), Case.updated_at < cutoff)
            .order_by(Case.id)
        )
    )
    messages = 0
    if case_ids:
        messages = session.scalar(
            select(func.count()).select_from(Message).where(Message.case_id.in_(case_ids))
        )
    return PurgePlan(cutoff, case_ids, messages)


def purge(session: Session, plan: PurgePlan, *, actor: str) -> PurgeRecord:
    """Delete what the plan names and record who did it. The caller commits."""
    for start in range(0, len(plan.case_ids), 500):
        chunk = plan.case_ids[start : start + 500]
        for model in (Message, Draft, CaseEvent):
            session.execute(delete(model).where(model.case_id.in_(chunk)))
        session.execute(delete(Case).where(Case.id.in_(chunk)))
    record = PurgeRecord(
        actor=actor,
        cutoff=plan.cutoff,
        cases=len(plan.case_ids),
        messages=plan.messages,
        case_ids=plan.case_ids,
    )
    session.add(record)
    return record
