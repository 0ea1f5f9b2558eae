"""Per-process resources of a worker: settings, database sessions and the code sets."""

from __future__ import annotations

import time
from functools import cache

from sqlalchemy.orm import Session, sessionmaker

from consultant.codes.api import CodeBook
from consultant.config import Settings, load_settings
from consultant.drafting.history import Answered


@cache
def settings() -> Settings:
    return load_settings()


@cache
def sessions() -> sessionmaker[Session]:
    from consultant.db import make_engine, session_factory

    return session_factory(make_engine(settings().resolved_database_url))


def codebook() -> CodeBook | None:
    """The code sets, loaded once per process; None while no code set is loaded."""
    from consultant.codes.book import open_codebook

    return open_codebook(
        sessions().kw["bind"], snapshot_dir=settings().data_dir.resolve() / "codebook-cache"
    )


ANSWERED_SECONDS = 10.0
_answered: list[tuple[float, list[Answered]]] = []


def answered_cases() -> list[Answered]:
    """The answered cases similarity compares new drafts with, read again at most every
    ANSWERED_SECONDS in each worker process: a case approved meanwhile is missed as a
    similar case for that long, and only a hint to the reviewer depends on it."""
    from consultant.db import transaction
    from consultant.drafting import answered_cases as read_answered

    now = time.monotonic()
    if not _answered or now - _answered[0][0] > ANSWERED_SECONDS:
        with transaction(sessions()) as session:
            _answered[:] = [(now, read_answered(session))]
    return _answered[0][1]
