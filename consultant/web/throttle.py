"""Login throttling: a per-address lockout kept in the database and a per-client rate limit."""

from __future__ import annotations

import threading
import time
from collections import deque
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from consultant.models import LoginFailure, utcnow

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)


def locked_until(session: Session, email: str) -> datetime | None:
    """When the address's lockout ends, or None when it may try."""
    row = session.get(LoginFailure, email.strip().lower())
    if row is None or row.locked_until is None:
        return None
    until = row.locked_until if row.locked_until.tzinfo else row.locked_until.replace(tzinfo=UTC)
    return until if until > utcnow() else None


def record_failure(session: Session, email: str) -> bool:
    """Count a failed sign-in; True when this failure locks the address."""
    key = email.strip().lower()[:320]
    row = session.get(LoginFailure, key)
    now = utcnow()
    if row is None:
        row = LoginFailure(email=key, failures=0, last_failed_at=now)
        session.add(row)
    elif row.locked_until is not None and locked_until(session, key) is None:
        row.failures, row.locked_until = 0, None  # an earlier lockout has run out
    row.failures += 1
    row.last_failed_at = now
    if row.failures >= MAX_FAILURES:
        row.locked_until = now + LOCKOUT
        return True
    return False


def record_success(session: Session, email: str) -> None:
    row = session.get(LoginFailure, email.strip().lower())
    if row is not None:
        session.delete(row)


class RateLimiter:
    """At most `limit` attempts per `window` seconds per key (a client address), in memory."""

    def __init__(self, limit: int = 20, window: float = 60.0) -> None:
        self.limit, self.window = limit, window
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            if len(self._hits) > 10_000:
                self._hits = {k: v for k, v in self._hits.items() if v}
            return True
