"""Who wants the digest: coders and leads opt out, requesters opt in."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from consultant.errors import ConsultantError
from consultant.models import DigestSubscription, User


def set_subscribed(session: Session, address: str, *, subscribed: bool) -> str:
    """Opt `address` in or out; returns a sentence saying what changed."""
    address = address.strip().lower()
    if "@" not in address:
        raise ConsultantError(f"{address!r} is not an email address")
    user = session.scalar(select(User).where(User.email == address))
    if user is not None:
        user.digest_opt_out = not subscribed
        return f"{address} ({user.role}) will {'' if subscribed else 'no longer '}get the digest"
    if subscribed:
        known = session.scalar(
            select(DigestSubscription.id).where(DigestSubscription.address == address)
        )
        if known is None:
            session.add(DigestSubscription(address=address))
        return f"{address} will get a weekly digest of their own questions"
    session.execute(delete(DigestSubscription).where(DigestSubscription.address == address))
    return f"{address} will no longer get a digest"
