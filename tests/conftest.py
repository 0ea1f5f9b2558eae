"""Shared test plumbing: real databases, real services, and the ../shared data folder."""

from __future__ import annotations

import os
import shutil
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


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating takes longer than copying)."""
    path = tmp_path_factory.mktemp("template") / "consultant.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_database(postgres_server: str) -> Iterator[str]:
    """One migrated PostgreSQL database for the session; each test starts from empty tables."""
    url = create_postgres_database(postgres_server)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    drop_postgres_database(postgres_server, url)


def empty_postgres_tables(url: str) -> None:
    """DELETE (quick on small tables, unlike TRUNCATE's file work) and restart the ids."""
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        for name in sa.inspect(connection).get_table_names():
            if name != "alembic_version":
                connection.exec_driver_sql(f'DELETE FROM "{name}"')
        sequences = connection.exec_driver_sql(
            "SELECT sequence_name FROM information_schema.sequences"
        ).scalars()
        for name in sequences:
            connection.exec_driver_sql(f'ALTER SEQUENCE "{name}" RESTART WITH 1')
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, migrated, empty database: SQLite in a temp dir, or PostgreSQL."""
    return fresh_database(request, request.param, tmp_path)


def fresh_database(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> str:
    """`database_url`'s database, for a fixture with parameters of its own."""
    if backend == "sqlite":
        path = tmp_path / "consultant.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_database")
    empty_postgres_tables(url)
    return url


@pytest.fixture
def sessions(database_url: str):  # noqa: ANN201 - sessionmaker
    engine = make_engine(database_url)
    yield session_factory(engine)
    engine.dispose()
