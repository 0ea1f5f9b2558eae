"""Who signs a reply: a coder's signature block from their account, or the desk's placeholder."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consultant.drafting.context import DESK_SIGNATURE, signature
from consultant.models import User


def signer_for(session: Session, email: str | None) -> dict[str, Any]:
    """The signature block of the coder with this address (User.name and User.signature);
    the desk's placeholder when there is no such active coder."""
    if not email:
        return dict(DESK_SIGNATURE)
    user = session.scalars(
        select(User).where(func.lower(User.email) == email.lower(), User.active.is_(True))
    ).first()
    if user is None:
        return dict(DESK_SIGNATURE)
    return signature(user.name or user.email, user.signature or "")
