"""Fast bulk inserts on the caller's connection: executemany on SQLite, COPY on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from itertools import islice

from sqlalchemy import Table
from sqlalchemy.orm import Session

Progress = Callable[[int], None]
CHUNK = 20_000


def insert_rows(
    session: Session,
    table: Table,
    columns: Sequence[str],
    rows: Iterable[tuple],
    progress: Progress | None = None,
) -> int:
    """Insert tuples (in `columns` order) inside the session's transaction; returns the count."""
    connection = session.connection()
    raw = connection.connection.driver_connection
    dialect = connection.dialect.name
    names = ", ".join(columns)
    count = 0
    iterator = iter(rows)
    cursor = raw.cursor()
    try:
        if dialect == "postgresql":
            with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
                while chunk := list(islice(iterator, CHUNK)):
                    for row in chunk:
                        copy.write_row(row)
                    count += len(chunk)
                    if progress:
                        progress(len(chunk))
        else:
            marks = ", ".join("?" for _ in columns)
            sql = f"INSERT INTO {table.name} ({names}) VALUES ({marks})"  # noqa: S608 - names are ours
            while chunk := list(islice(iterator, CHUNK)):
                cursor.executemany(sql, chunk)
                count += len(chunk)
                if progress:
                    progress(len(chunk))
    finally:
        cursor.close()
    return count
