"""Batch statements on the driver's own cursor, for intake's hot path.

Intake commits a batch of messages every few milliseconds; through the ORM, the Python cost
of each statement (compiling, bulk-persistence bookkeeping, result objects) was most of a
batch's time. These helpers run the same rows as plain parameterised SQL on the session's
connection and transaction, with each value passed through the column type's own bind
processor, so what is stored is exactly what the ORM would have stored.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from psycopg import ClientCursor, pq
from sqlalchemy import DateTime, LargeBinary, Table
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

_IN_CHUNK = 500  # values per IN (...) list


@dataclass(frozen=True)
class _Plan:
    """How to write rows of given columns into one table on one dialect."""

    columns: tuple[str, ...]
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]  # (column index, converter)
    defaults: tuple[tuple[int, Any], ...]  # (column index, default) of left-out columns
    key: str
    insert: str
    insert_returning_id: str
    insert_with_id: str
    to_json: tuple[tuple[int, Callable[[Any], Any]], ...]  # (column index, to JSON form)

    def json_values(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """The row for `json_populate_recordset`: the column's text form where JSON has
        none (timestamps, bytes); JSON columns as the JSON they hold."""
        return dict(zip(self.columns, self._converted(row, self.to_json), strict=True))

    def values(self, row: Mapping[str, Any]) -> list:
        """The row's parameters, in column order, as the column types bind them."""
        return self._converted(row, self.processors)

    def _converted(
        self, row: Mapping[str, Any], converters: tuple[tuple[int, Callable[[Any], Any]], ...]
    ) -> list:
        values = [row.get(name) for name in self.columns]
        for index, default in self.defaults:
            values[index] = default.make(None) if isinstance(default, _Deferred) else default
        for index, convert in converters:
            if values[index] is not None:
                values[index] = convert(values[index])
        return values


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
    converters = [c.type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
    processors = tuple((i, p) for i, p in enumerate(converters) if p is not None)
    defaults = tuple((i, _default(c)) for i, c in enumerate(columns) if c.name not in given)
    quoted = ", ".join(dialect.identifier_preparer.quote(name) for name in names)
    marks = ", ".join(mark for _ in names)
    insert = f"INSERT INTO {table.name} ({quoted}) VALUES ({marks})"  # noqa: S608 - our names
    with_id = f"INSERT INTO {table.name} ({key.name}, {quoted}) VALUES ({mark}, {marks})"  # noqa: S608
    to_json = tuple(
        (i, convert) for i, c in enumerate(columns) if (convert := _json_form(c.type)) is not None
    )
    return _Plan(
        names,
        processors,
        defaults,
        key.name,
        insert,
        f"{insert} RETURNING {key.name}",
        with_id,
        to_json,
    )


def _json_form(type_: Any) -> Callable[[Any], Any] | None:
    if isinstance(type_, DateTime):
        return lambda moment: moment.isoformat()
    if isinstance(type_, LargeBinary):
        return lambda data: "\\x" + bytes(data).hex()
    return None


def _rows(plan: _Plan, rows: Sequence[Mapping[str, Any]]) -> list[list]:
    return [plan.values(row) for row in rows]


@dataclass(frozen=True)
class TableRows:
    """Rows for one table (dicts keyed by column name; left-out columns take their
    defaults), with their primary keys when drawn beforehand by `reserve_ids`."""

    table: Table
    rows: Sequence[Mapping[str, Any]]
    ids: Sequence[int] | None = None


def insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows (dicts keyed by column name; left-out columns take their defaults)."""
    insert_tables(session, [TableRows(table, rows)])


def insert_tables(session: Session, parts: Sequence[TableRows]) -> None:
    """Insert the rows of every part, in order (a row may refer to one of an earlier part).

    PostgreSQL takes them all in one statement, each table's rows as one JSON parameter
    (`json_populate_recordset`): one round trip, and on this side only `json.dumps`, where
    executemany would cost a parse per row and COPY a conversion per value."""
    parts = [part for part in parts if part.rows]
    if not parts:
        return
    connection = session.connection()
    dialect = connection.dialect
    driver = connection.connection.driver_connection
    if dialect.name == "postgresql":
        plans = [_plan(part.table, frozenset(part.rows[0]), dialect) for part in parts]
        statement = _json_insert(tuple((p.table, p.ids is not None) for p in parts))
        values = [_json_rows(plan, part) for plan, part in zip(plans, parts, strict=True)]
        _execute(driver, statement, values).close()
        return
    cursor = driver.cursor()
    try:
        for part in parts:
            plan = _plan(part.table, frozenset(part.rows[0]), dialect)
            values = _rows(plan, part.rows)
            if part.ids is None:
                cursor.executemany(plan.insert, values)
            else:
                rows = [(id_, *row) for id_, row in zip(part.ids, values, strict=True)]
                cursor.executemany(plan.insert_with_id, rows)
    finally:
        cursor.close()


def _execute(driver: Any, statement: str, params: Sequence[Any], *, bind_here: bool = False) -> Any:
    """Run one of our statements on PostgreSQL; the cursor, at its rows, for the caller to
    close.

    `bind_here`: psycopg puts the parameters into the statement's text (no server-side
    prepare). For statements whose text changes from call to call, such as the batch
    lookups' IN lists, that measured half the round trip's time: bound by the server, each
    new text was prepared, then evicted from psycopg's cache.

    On a connection that leaves BEGIN to the transaction's first statement (the intake
    writer's: `db.make_engine(begin_in_sql=True)`), a statement that finds no transaction
    open carries the BEGIN itself, which would otherwise cost a round trip of its own
    (two statements in one text: bound here too)."""
    idle = driver.pgconn.transaction_status == pq.TransactionStatus.IDLE
    opening = "BEGIN; " if driver.autocommit and idle else ""
    if not opening and not bind_here:
        cursor = driver.cursor()
        cursor.execute(statement, params)
        return cursor
    cursor = ClientCursor(driver)
    cursor.execute(opening + statement, params)
    if opening:
        cursor.nextset()  # past BEGIN's empty result, to the statement's own
    return cursor


@lru_cache(maxsize=32)
def _json_insert(parts: tuple[tuple[Table, bool], ...]) -> str:
    """WITH … INSERT … SELECT FROM json_populate_recordset(…), a CTE per table but the last.
    The foreign keys are checked when the whole statement is done, so a row may refer to
    a row of an earlier part of the same statement."""
    inserts = []
    for table, with_ids in parts:
        key = next(iter(table.primary_key.columns))
        names = [c.name for c in table.columns if with_ids or c is not key]
        quoted = ", ".join(f'"{name}"' for name in names)
        inserts.append(
            f"INSERT INTO {table.name} ({quoted}) SELECT {quoted} "  # noqa: S608 - our names
            f"FROM json_populate_recordset(NULL::{table.name}, %s)"
        )
    ctes = ", ".join(f"w{n} AS ({sql})" for n, sql in enumerate(inserts[:-1]))
    return f"WITH {ctes} {inserts[-1]}" if ctes else inserts[-1]


def _json_rows(plan: _Plan, part: TableRows) -> str:
    """The part's rows as a JSON array of objects, values in PostgreSQL's text forms."""
    objects = []
    for index, row in enumerate(part.rows):
        values = plan.json_values(row)
        if part.ids is not None:
            values[plan.key] = part.ids[index]
        objects.append(values)
    return json.dumps(objects, separators=(",", ":"))


def insert_rows_returning_ids(
    session: Session, table: Table, rows: Sequence[Mapping[str, Any]]
) -> list[int]:
    """Insert rows and return their new primary keys, in the order of `rows`.

    PostgreSQL draws the keys first (`reserve_ids`), then takes the rows in one statement;
    SQLite, in-process, inserts row by row with RETURNING, which costs microseconds."""
    if not rows:
        return []
    reserved = reserve_ids(session, [(table, len(rows))])
    if reserved is not None:
        insert_tables(session, [TableRows(table, rows, reserved[0])])
        return reserved[0]
    connection = session.connection()
    plan = _plan(table, frozenset(rows[0]), connection.dialect)
    cursor = connection.connection.driver_connection.cursor()
    try:
        ids = []
        for row in _rows(plan, rows):
            cursor.execute(plan.insert_returning_id, row)
            ids.append(cursor.fetchone()[0])
        return ids
    finally:
        cursor.close()


def reserve_ids(session: Session, wanted: Sequence[tuple[Table, int]]) -> list[list[int]] | None:
    """PostgreSQL: primary keys for rows about to be inserted into each table, drawn from
    the tables' sequences in one query, so that rows referring to each other can go in by
    one statement (`insert_tables`). SQLite: None; its rows take their keys as they go in."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return None
    counts = [n for _, n in wanted]
    if not any(counts):
        return [[] for _ in wanted]
    driver = connection.connection.driver_connection
    sql = _reserve_sql(tuple(table for table, _ in wanted))
    with _execute(driver, sql, [*counts, max(counts)]) as cursor:
        rows = cursor.fetchall()
    return [[row[i] for row in rows[:n]] for i, n in enumerate(counts)]


@lru_cache(maxsize=16)
def _reserve_sql(tables: tuple[Table, ...]) -> str:
    # CASE evaluates nextval only for the rows wanted: no key is drawn and left unused.
    columns = ", ".join(
        f"CASE WHEN i <= %s THEN nextval(pg_get_serial_sequence('{table.name}', "
        f"'{next(iter(table.primary_key.columns)).name}')) END"
        for table in tables
    )
    return f"SELECT {columns} FROM generate_series(1, %s) AS i ORDER BY i"  # noqa: S608


@dataclass(frozen=True)
class SelectIn:
    """SELECT `columns` FROM `table` WHERE `key` IN `values` [AND `also`, SQL of the
    caller's with no parameters]."""

    table: Table
    columns: tuple[str, ...]
    key: str
    values: tuple[Any, ...]
    also: str = ""


def select_in_many(session: Session, queries: Sequence[SelectIn]) -> list[list[tuple]]:
    """The rows of each query, in order, asked in one round trip: the queries go as the
    branches of one UNION ALL, each in columns of its own (NULL in the others, so that
    no two queries' types have to agree) after a first column with its number, with the
    values bound into the text (`_execute`). (psycopg's pipeline mode would also send them
    together, but it polls while it waits: a core's worth of CPU; and `= ANY(array)` gets a
    generic plan that scans the table once psycopg prepares the statement.)"""
    connection = session.connection()
    dialect = connection.dialect
    mark = _marker(dialect)
    quote = dialect.identifier_preparer.quote
    offsets = [0]
    for query in queries:
        offsets.append(offsets[-1] + len(query.columns))
    branches: list[tuple[str, list[Any]]] = []
    for number, query in enumerate(queries):
        before, after = offsets[number], offsets[-1] - offsets[number + 1]
        selected = ", ".join(
            ["NULL"] * before + [quote(name) for name in query.columns] + ["NULL"] * after
        )
        for start in range(0, len(query.values), _IN_CHUNK):
            chunk = list(query.values[start : start + _IN_CHUNK])
            condition = f"{quote(query.key)} IN ({', '.join(mark for _ in chunk)})"
            if query.also:
                condition += f" AND {query.also}"
            sql = f"SELECT {number}, {selected} FROM {query.table.name} WHERE {condition}"  # noqa: S608
            branches.append((sql, chunk))
    found: list[list[tuple]] = [[] for _ in queries]
    for statement in _statements(branches):
        sql = " UNION ALL ".join(branch for branch, _ in statement)
        params = [value for _, values in statement for value in values]
        for number, *row in _run(connection, sql, params):
            found[number].append(tuple(row[offsets[number] : offsets[number + 1]]))
    return found


def _run(connection: Any, sql: str, params: list[Any]) -> list[tuple]:
    driver = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        cursor = _execute(driver, sql, params, bind_here=True)
    else:
        cursor = driver.cursor()
        cursor.execute(sql, params)
    try:
        return cursor.fetchall()
    finally:
        cursor.close()


def _statements(branches: list[tuple[str, list[Any]]]) -> list[list[tuple[str, list[Any]]]]:
    """Branches grouped into statements of at most `_IN_CHUNK` parameters (SQLite's limit
    on bound variables), in order."""
    statements: list[list[tuple[str, list[Any]]]] = []
    size = _IN_CHUNK
    for branch in branches:
        if size + len(branch[1]) > _IN_CHUNK:
            statements.append([])
            size = 0
        statements[-1].append(branch)
        size += len(branch[1])
    return statements
