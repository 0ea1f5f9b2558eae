"""Operator counts: messages by kind, refused duplicates, cases by status."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consultant.cases import counts_by_status
from consultant.models import DuplicateDelivery, Message

MESSAGE_KINDS = ("question", "bounce", "auto-reply", "list", "own", "quarantined")


def intake_stats(session: Session) -> dict[str, Any]:
    rows = session.execute(
        select(Message.kind, func.count()).where(Message.direction == "in").group_by(Message.kind)
    )
    messages = dict.fromkeys(MESSAGE_KINDS, 0) | {kind: count for kind, count in rows}
    messages["duplicate"] = session.scalar(select(func.count()).select_from(DuplicateDelivery))
    outgoing = session.scalar(
        select(func.count()).select_from(Message).where(Message.direction == "out")
    )
    return {"messages": messages, "sent": outgoing, "cases": counts_by_status(session)}
