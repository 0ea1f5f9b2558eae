"""Shared test plumbing: real databases, real services, and the ../shared data folder."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from consultant.db import make_engine, session_factory, upgrade

IN_CI = os.environ.get("CI") == "true"
REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
POSTGRES_ADMIN_URL = os.environ.get(
    "CONSULTANT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("CONSULTANT_TEST_REDIS_URL", "redis://127.0.0.1:6379")


def unavailable(what: str) -> None:
    """A missing service or data folder: a skip on a laptop, a failure under CI."""
    if IN_CI:
        pytest.fail(f"{what} is required under CI=true", pytrace=False)
    pytest.skip(f"{what} is not available")


def shared_path(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        unavailable(f"../shared/{'/'.join(parts)}")
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def postgres_server() -> str:
    try:
        engine = sa.create_engine(
            POSTGRES_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://", 1)
        )
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        engine.dispose()
    except Exception:  # noqa: BLE001
        unavailable(f"PostgreSQL at {POSTGRES_ADMIN_URL}")
    return POSTGRES_ADMIN_URL


@pytest.fixture(scope="session")
def redis_server() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except Exception:  # noqa: BLE001
        unavailable(f"Redis at {REDIS_URL}")
    return REDIS_URL


def create_postgres_database(admin_url: str) -> str:
    name = f"consultant_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(
        admin_url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return admin_url.rsplit("/", 1)[0] + "/" + name


def drop_postgres_database(admin_url: str, url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = sa.create_engine(
        admin_url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database: SQLite in a temp dir, or a throw-away PostgreSQL one."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'consultant.db'}"
        upgrade(make_engine(url))
        yield url
        return
    admin = request.getfixturevalue("postgres_server")
    url = create_postgres_database(admin)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    try:
        yield url
    finally:
        drop_postgres_database(admin, url)


@pytest.fixture
def sessions(database_url: str):  # noqa: ANN201 - sessionmaker
    engine = make_engine(database_url)
    yield session_factory(engine)
    engine.dispose()
