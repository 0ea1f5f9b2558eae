"""Per-process resources of a worker: settings, database sessions and the code sets."""

from __future__ import annotations

from functools import cache

from sqlalchemy.orm import Session, sessionmaker

from consultant.codes.api import CodeBook
from consultant.config import Settings, load_settings


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
