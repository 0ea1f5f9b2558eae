"""Coder and lead accounts: creation, password hashing (argon2id) and lookup."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from consultant.errors import ConsultantError, NotFound
from consultant.models import Role, User

_hasher = PasswordHasher()  # argon2id with the library's recommended parameters


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
