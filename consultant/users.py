"""Coder and lead accounts: creation, argon2id passwords, one-time links, API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from consultant.errors import ConsultantError, NotFound
from consultant.models import ApiToken, ConsoleSession, PasswordToken, Role, User, utcnow

_hasher = PasswordHasher()  # argon2id with the library's recommended parameters
MIN_PASSWORD_LENGTH = 10
PASSWORD_LINK_HOURS = 72
# Verified when the address is unknown, so that a miss costs as much as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(user: User, password: str) -> bool:
    if not user.password_hash:
        return False
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def add_user(
    session: Session, email: str, *, role: str, password: str | None = None, name: str = ""
) -> User:
    email = email.strip().lower()
    if "@" not in email:
        raise ConsultantError(f"{email!r} is not an email address")
    if role not in {r.value for r in Role}:
        raise ConsultantError(f"role must be one of: {', '.join(r.value for r in Role)}")
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise ConsultantError(f"user {email} already exists")
    user = User(
        email=email, role=role, name=name, password_hash=hash_password(password) if password else ""
    )
    session.add(user)
    session.flush()
    return user


def get_user(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotFound(f"no user {email}; add one with `consultant users add {email} --role coder`")
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.email)))


def token_digest(token: str) -> str:
    """The stored form of a secret token (session, API, password link)."""
    return hashlib.sha256(token.encode()).hexdigest()


def check_credentials(session: Session, email: str, password: str) -> User | None:
    """The active user with this address and password, else None (same cost either way)."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.password_hash:
        verify_password(User(password_hash=_DUMMY_HASH), password)
        return None
    if not verify_password(user, password) or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def set_password(session: Session, user: User, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ConsultantError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    user.password_hash = hash_password(password)
    _end_sessions(session, user)


def disable_user(session: Session, user: User) -> None:
    """Disable an account: its sessions end and its API tokens stop working."""
    user.active = False
    _end_sessions(session, user)
    for token in session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)):
        token.revoked_at = token.revoked_at or utcnow()


def _end_sessions(session: Session, user: User) -> None:
    for row in session.scalars(select(ConsoleSession).where(ConsoleSession.user_id == user.id)):
        session.delete(row)


def issue_password_link(session: Session, user: User, *, hours: int = PASSWORD_LINK_HOURS) -> str:
    """A one-time token that lets its holder set the user's password; returns the token."""
    token = secrets.token_urlsafe(32)
    session.add(
        PasswordToken(
            user_id=user.id,
            token_hash=token_digest(token),
            expires_at=utcnow() + timedelta(hours=hours),
        )
    )
    session.flush()
    return token


def password_link_user(session: Session, token: str) -> User | None:
    """The user a live, unused link belongs to."""
    row = _live_password_token(session, token)
    return session.get(User, row.user_id) if row else None


def redeem_password_link(session: Session, token: str, password: str) -> User:
    row = _live_password_token(session, token)
    if row is None:
        raise NotFound("this link has expired or was already used")
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        raise NotFound("this account is disabled")
    set_password(session, user, password)
    row.used_at = utcnow()
    return user


def _live_password_token(session: Session, token: str) -> PasswordToken | None:
    row = session.scalar(
        select(PasswordToken).where(PasswordToken.token_hash == token_digest(token))
    )
    if row is None or row.used_at is not None or _aware(row.expires_at) <= utcnow():
        return None
    return row


def issue_api_token(session: Session, user: User, *, name: str = "") -> str:
    """A new bearer token for the JSON API; shown once, stored as its sha256."""
    token = "cst_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=token_digest(token), name=name))
    session.flush()
    return token


def user_for_api_token(session: Session, token: str) -> User | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(token)))
    if row is None or row.revoked_at is not None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    row.last_used_at = utcnow()
    return user


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
