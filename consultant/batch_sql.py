"""Batch statements on the driver's own cursor, for intake's hot path.

Intake commits a batch of messages every few milliseconds; through the ORM, the Python cost
of each statement (compiling, bulk-persistence bookkeeping, result objects) was most of a
batch's time. These helpers run the same rows as plain parameterised SQL on the session's
connection and transaction, with each value passed through the column type's own bind
processor, so what is stored is exactly what the ORM would have stored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

_IN_CHUNK = 500  # values per IN (...) list


@dataclass(frozen=True)
class _Plan:
    """How to write rows of given columns into one table on one dialect."""

    columns: tuple[str, ...]
    processors: tuple[Callable[[Any], Any] | None, ...]
    defaults: tuple[tuple[str, Any], ...]  # columns the caller may leave out, with defaults
    insert: str
    insert_returning_id: str
    insert_with_id: str
    next_ids: str

    def values(self, row: Mapping[str, Any]) -> tuple:
        full = dict(self.defaults)
        full.update(row)
        return tuple(
            value if process is None or value is None else process(value)
            for value, process in zip(
                (full[name] for name in self.columns), self.processors, strict=True
            )
        )


def _marker(dialect: Dialect) -> str:
    return "?" if dialect.paramstyle in ("qmark", "numeric") else "%s"


def _default(column: Any) -> Any:
    default = column.default
    if default is None:
        return None
    if default.is_callable:
        return _Deferred(default.arg)
    return default.arg


@dataclass(frozen=True)
class _Deferred:
    """A column default computed per row (a timestamp), as the ORM would."""

    make: Callable[[Any], Any]


@lru_cache(maxsize=64)
def _plan(table: Table, given: frozenset[str], dialect: Dialect) -> _Plan:
    mark = _marker(dialect)
    key = next(iter(table.primary_key.columns))
    columns = [c for c in table.columns if c is not key]
    unknown = given - {c.name for c in columns}
    if unknown:
        raise ValueError(f"{table.name} has no column(s) {sorted(unknown)}")
    names = tuple(c.name for c in columns)
    processors = tuple(c.type.dialect_impl(dialect).bind_processor(dialect) for c in columns)
    defaults = tuple((c.name, _default(c)) for c in columns if c.name not in given)
    quoted = ", ".join(dialect.identifier_preparer.quote(name) for name in names)
    marks = ", ".join(mark for _ in names)
    insert = f"INSERT INTO {table.name} ({quoted}) VALUES ({marks})"  # noqa: S608 - our names
    with_id = f"INSERT INTO {table.name} ({key.name}, {quoted}) VALUES ({mark}, {marks})"  # noqa: S608
    next_ids = (
        f"SELECT nextval(pg_get_serial_sequence('{table.name}', '{key.name}')) "  # noqa: S608
        f"FROM generate_series(1, {mark})"
    )
    return _Plan(
        names, processors, defaults, insert, f"{insert} RETURNING {key.name}", with_id, next_ids
    )


def _rows(plan: _Plan, rows: Sequence[Mapping[str, Any]]) -> list[tuple]:
    deferred = [(name, value.make) for name, value in plan.defaults if isinstance(value, _Deferred)]
    if not deferred:
        return [plan.values(row) for row in rows]
    filled = []
    for row in rows:
        row = dict(row)
        for name, make in deferred:
            row.setdefault(name, make(None))
        filled.append(plan.values(row))
    return filled


def insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows (dicts keyed by column name; left-out columns take their defaults)."""
    if not rows:
        return
    connection = session.connection()
    plan = _plan(table, frozenset(rows[0]), connection.dialect)
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.executemany(plan.insert, _rows(plan, rows))
    finally:
        cursor.close()


def insert_rows_returning_ids(
    session: Session, table: Table, rows: Sequence[Mapping[str, Any]]
) -> list[int]:
    """Insert rows and return their new primary keys, in the order of `rows`.

    PostgreSQL draws the keys from the table's sequence in one query and sends the rows in
    one pipelined executemany; SQLite, in-process, inserts row by row with RETURNING."""
    if not rows:
        return []
    connection = session.connection()
    dialect = connection.dialect
    plan = _plan(table, frozenset(rows[0]), dialect)
    values = _rows(plan, rows)
    cursor = connection.connection.driver_connection.cursor()
    try:
        if dialect.name == "postgresql":
            cursor.execute(plan.next_ids, (len(values),))
            ids = [row[0] for row in cursor.fetchall()]
            cursor.executemany(
                plan.insert_with_id, [(id_, *row) for id_, row in zip(ids, values, strict=True)]
            )
            return ids
        ids = []
        for row in values:
            cursor.execute(plan.insert_returning_id, row)
            ids.append(cursor.fetchone()[0])
        return ids
    finally:
        cursor.close()


def select_in(
    session: Session,
    table: Table,
    columns: Sequence[str],
    key: str,
    values: Sequence[Any],
    *,
    also: str = "",
) -> list[tuple]:
    """Rows of `columns` whose `key` is one of `values` (and that meet the SQL condition
    `also`, written by the caller with no parameters)."""
    if not values:
        return []
    connection = session.connection()
    mark = _marker(connection.dialect)
    quote = connection.dialect.identifier_preparer.quote
    selected = ", ".join(quote(name) for name in columns)
    found: list[tuple] = []
    cursor = connection.connection.driver_connection.cursor()
    try:
        for start in range(0, len(values), _IN_CHUNK):
            chunk = list(values[start : start + _IN_CHUNK])
            condition = f"{quote(key)} IN ({', '.join(mark for _ in chunk)})"
            if also:
                condition += f" AND {also}"
            cursor.execute(f"SELECT {selected} FROM {table.name} WHERE {condition}", chunk)  # noqa: S608
            found += [tuple(row) for row in cursor.fetchall()]
    finally:
        cursor.close()
    return found
