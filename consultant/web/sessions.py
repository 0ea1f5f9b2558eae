"""Browser sessions: a signed HttpOnly cookie holding a session token and a CSRF secret."""

from __future__ import annotations

import hmac
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, timedelta
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from consultant.config import Settings
from consultant.models import ConsoleSession, User, utcnow
from consultant.users import token_digest

COOKIE = "consultant_session"
LIFETIME = timedelta(hours=12)


@dataclass(frozen=True)
class Actor:
    """The signed-in person as the views see them: plain data, no ORM row."""

    id: int
    email: str
    role: str
    name: str

    @property
    def lead(self) -> bool:
        return self.role == "lead"


@dataclass(frozen=True)
class CookieState:
    token: str | None  # the session token, None for a visitor who has not signed in
    csrf: str


def secret_key(settings: Settings) -> str:
    """CONSULTANT_SECRET_KEY, or a key generated once into the data dir (mode 0600)."""
    if settings.secret_key:
        return settings.secret_key
    path = Path(settings.data_dir) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


class CookieCodec:
    """Signs and reads the session cookie."""

    def __init__(self, key: str, *, secure: bool) -> None:
        self.serializer = URLSafeTimedSerializer(key, salt="consultant.console.session")
        self.secure = secure

    def read(self, request: Request) -> CookieState | None:
        raw = request.cookies.get(COOKIE)
        if not raw:
            return None
        try:
            data = self.serializer.loads(raw, max_age=int(LIFETIME.total_seconds()))
        except BadSignature:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("csrf"), str):
            return None
        token = data.get("sid")
        return CookieState(token if isinstance(token, str) else None, data["csrf"])

    def write(self, response: Response, state: CookieState, request: Request) -> None:
        response.set_cookie(
            COOKIE,
            self.serializer.dumps({"sid": state.token, "csrf": state.csrf}),
            max_age=int(LIFETIME.total_seconds()),
            httponly=True,
            samesite="lax",
            secure=self.secure or request.url.scheme == "https",
            path="/",
        )

    def clear(self, response: Response) -> None:
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax")


def fresh_state(token: str | None = None) -> CookieState:
    return CookieState(token, secrets.token_urlsafe(32))


def csrf_matches(state: CookieState | None, submitted: str) -> bool:
    return bool(state and submitted) and hmac.compare_digest(state.csrf, submitted)


def start_session(session: Session, user: User) -> str:
    """A new server-side session for the user; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    session.add(
        ConsoleSession(id=token_digest(token), user_id=user.id, expires_at=utcnow() + LIFETIME)
    )
    return token


def end_session(session: Session, token: str) -> None:
    row = session.get(ConsoleSession, token_digest(token))
    if row is not None:
        session.delete(row)


def session_actor(session: Session, token: str) -> Actor | None:
    """The active user behind a live session token."""
    row = session.get(ConsoleSession, token_digest(token))
    if row is None:
        return None
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
    if expires <= utcnow():
        session.delete(row)
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    return actor_of(user)


def actor_of(user: User) -> Actor:
    return Actor(id=user.id, email=user.email, role=user.role, name=user.name)
