"""Shared plumbing of the CLI commands: settings, database sessions, output, errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any, NoReturn

import typer
from sqlalchemy.orm import Session, sessionmaker

from consultant.config import Settings, load_settings
from consultant.errors import ConsultantError


def fail(message: str, code: int = 1) -> NoReturn:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


@cache
def settings() -> Settings:
    try:
        return load_settings()
    except ConsultantError as exc:
        fail(str(exc), 2)


@cache
def sessions() -> sessionmaker[Session]:
    from consultant.db import make_engine, session_factory

    return session_factory(make_engine(settings().resolved_database_url))


def codebook():  # noqa: ANN201 - MemoryCodeBook, imported lazily
    """The code sets of the configured database, cached in memory and in a snapshot file
    in the data dir (so that a new process opens them in a fraction of a second)."""
    from consultant.codes.book import open_codebook

    return open_codebook(sessions().kw["bind"], snapshot_dir=codebook_folder())


def codebook_folder() -> Path:
    return settings().data_dir.resolve() / "codebook-cache"


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """A transaction for one command; project errors become a one-line message."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from consultant.db import transaction

    try:
        with transaction(sessions()) as session:
            yield session
    except ConsultantError as exc:
        fail(str(exc))
    except (OperationalError, ProgrammingError) as exc:
        text = str(exc.orig).lower()
        if "no such table" in text or "does not exist" in text:
            fail("the database has no schema yet (or an old one): run `consultant db upgrade`")
        fail(f"database error ({type(exc.orig).__name__}); check CONSULTANT_DATABASE_URL")


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, default=str, ensure_ascii=False)
    sys.stdout.write("\n")
