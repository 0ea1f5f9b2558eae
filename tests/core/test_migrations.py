"""Migrations go up and down on both databases; the drafts index serves the history query."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from consultant.db import (
    current_revision,
    downgrade,
    make_engine,
    session_factory,
    transaction,
    upgrade,
)
from consultant.drafting import answered_cases
from tests.conftest import create_postgres_database, drop_postgres_database


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def own_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of this test's own: a downgrade must not touch the shared one."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'consultant.db'}"
        return
    admin = request.getfixturevalue("postgres_server")
    url = create_postgres_database(admin)
    yield url
    drop_postgres_database(admin, url)


def _draft_indexes(engine: sa.Engine) -> set[str]:
    return {index["name"] for index in sa.inspect(engine).get_indexes("drafts")}


def test_0008_replaces_the_drafts_case_index_and_goes_back(own_database: str) -> None:
    engine = make_engine(own_database)
    try:
        upgrade(engine)
        assert current_revision(engine) == "0008"
        assert "ix_drafts_case_id_id" in _draft_indexes(engine)
        assert "ix_drafts_case_id" not in _draft_indexes(engine)
        downgrade(engine, "0007")
        assert current_revision(engine) == "0007"
        assert "ix_drafts_case_id" in _draft_indexes(engine)
        assert "ix_drafts_case_id_id" not in _draft_indexes(engine)
        upgrade(engine)
        assert "ix_drafts_case_id_id" in _draft_indexes(engine)
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    "own_database", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
def test_answered_cases_finds_each_newest_draft_through_the_index(own_database: str) -> None:
    """Many drafts newer than the answered cases' made PostgreSQL walk the primary key
    backwards for each case; the plan must probe (case_id, id) instead."""
    engine = make_engine(own_database)
    try:
        upgrade(engine)
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO cases (status, subject, requester, requester_name, status_reason,"
                " created_at, updated_at) SELECT CASE WHEN n <= 50 THEN 'sent' ELSE"
                " 'awaiting_review' END, 'q' || n, 'a@clinic.example', '', '', now(), now()"
                " FROM generate_series(1, 3000) AS n"
            )
            connection.exec_driver_sql(
                "INSERT INTO drafts (case_id, created_at, author, subject, text, html, analysis,"
                " reviewer_notes, outgoing_message_id) SELECT id, now(), 'system', subject, '',"
                " '', '{\"codes\": []}', '[]', '' FROM cases ORDER BY id"
            )
            connection.exec_driver_sql("ANALYZE")
        statements: list[tuple[str, object]] = []

        def record(_conn, _cursor, statement, parameters, _context, _many) -> None:  # noqa: ANN001
            statements.append((statement, parameters))

        event.listen(engine, "before_cursor_execute", record)
        with transaction(session_factory(engine)) as session:
            found = answered_cases(session)
        event.remove(engine, "before_cursor_execute", record)
        assert [case.case_id for case in found] == list(range(50, 0, -1))
        (statement, parameters), *_ = [s for s in statements if "FROM cases" in s[0]]
        with engine.connect() as connection:
            cursor = connection.connection.cursor()
            cursor.execute("EXPLAIN " + statement, parameters)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "ix_drafts_case_id_id" in plan, plan
    finally:
        engine.dispose()
