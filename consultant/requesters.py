"""Requesters and the sender policy: who gets service, monthly quotas, and notices to others."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consultant.errors import ConsultantError
from consultant.models import Case, CaseStatus, Requester, SenderNotice, utcnow

POLICIES = ("open", "registered")


@dataclass(frozen=True)
class SenderPolicy:
    """`open`: everyone is served (guests within `guest_quota`); `registered`: only
    registered addresses and domains are served, others get one notice per period."""

    mode: str = "open"
    guest_quota: int | None = None
    notice_period: timedelta = timedelta(hours=24)


@dataclass(frozen=True)
class Verdict:
    serve: bool
    reason: str = ""
    notice: str = ""  # the notice template to send, "" for none


def add_requester(
    session: Session, pattern: str, *, name: str = "", monthly_quota: int | None = None
) -> Requester:
    """Register an address (renee@clinic.example) or a whole domain (@clinic.example)."""
    pattern = pattern.strip().lower()
    if pattern.count("@") != 1 or pattern.endswith("@"):
        raise ConsultantError(f"{pattern!r}: give an address or a domain such as @clinic.example")
    if session.scalar(select(Requester.id).where(Requester.pattern == pattern)):
        raise ConsultantError(f"{pattern} is already registered")
    requester = Requester(pattern=pattern, name=name, monthly_quota=monthly_quota)
    session.add(requester)
    session.flush()
    return requester


def list_requesters(session: Session) -> list[Requester]:
    return list(session.scalars(select(Requester).order_by(Requester.pattern)))


def find_requester(session: Session, address: str) -> Requester | None:
    address = address.lower()
    domain = "@" + address.rsplit("@", 1)[-1]
    rows = session.scalars(select(Requester).where(Requester.pattern.in_([address, domain])))
    # An entry for the address wins over one for its domain.
    return min(rows, key=lambda r: r.pattern != address, default=None)


def questions_this_month(session: Session, address: str, *, now: datetime | None = None) -> int:
    now = now or utcnow()
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return session.scalar(
        select(func.count())
        .select_from(Case)
        .where(
            Case.requester == address.lower(),
            Case.created_at >= month_start,
            Case.status.not_in([CaseStatus.IGNORED, CaseStatus.QUARANTINED]),
        )
    )


def judge_sender(session: Session, address: str, policy: SenderPolicy) -> Verdict:
    """Decide whether a new question from `address` is served."""
    requester = find_requester(session, address)
    if requester is None and policy.mode == "registered":
        return Verdict(
            False,
            "sender is not a registered requester",
            _notice(session, address, "unregistered", policy),
        )
    quota = requester.monthly_quota if requester else policy.guest_quota
    if quota is not None and questions_this_month(session, address) >= quota:
        return Verdict(
            False,
            f"monthly quota of {quota} questions reached",
            _notice(session, address, "quota", policy),
        )
    return Verdict(True)


def _notice(session: Session, address: str, kind: str, policy: SenderPolicy) -> str:
    """The notice to send, unless this sender already had one within the period."""
    since = utcnow() - policy.notice_period
    recent = session.scalar(
        select(SenderNotice.id).where(
            SenderNotice.address == address, SenderNotice.sent_at >= since
        )
    )
    if recent is not None:
        return ""
    session.add(SenderNotice(address=address, kind=kind))
    return kind
