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
    foreign: tuple[tuple[int, str], ...]  # (column index, table it refers to)
    insert: str
    insert_returning_id: str
    to_json: tuple[tuple[int, Callable[[Any], Any]], ...]  # (column index, to JSON form)

    def json_values(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """The row for `json_populate_recordset`: the column's text form where JSON has
        none (timestamps, bytes); JSON columns as the JSON they hold; a `Drawn` key as
        minus its row's ordinal, which the statement looks up (`_json_insert`)."""
        values = self._converted(row, self.to_json)
        for index, _ in self.foreign:
            if isinstance(drawn := values[index], Drawn):
                values[index] = -(drawn.row + 1)
        return dict(zip(self.columns, values, strict=True))

    def values(self, row: Mapping[str, Any], drawn: Mapping[str, list[int]]) -> list:
        """The row's parameters, in column order, as the column types bind them; a `Drawn`
        key replaced by the key drawn for it (`drawn`: the keys drawn so far, by table)."""
        values = self._converted(row, self.processors)
        for index, table in self.foreign:
            if isinstance(reference := values[index], Drawn):
                values[index] = drawn[table][reference.row]
        return values

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
    to_json = tuple(
        (i, convert) for i, c in enumerate(columns) if (convert := _json_form(c.type)) is not None
    )
    foreign = tuple((i, _referred(c)) for i, c in enumerate(columns) if c.foreign_keys)
    return _Plan(
        names,
        processors,
        defaults,
        foreign,
        insert,
        f"{insert} RETURNING {key.name}",
        to_json,
    )


def _referred(column: Any) -> str:
    """The name of the table a foreign-key column refers to."""
    return next(iter(column.foreign_keys)).column.table.name


def _json_form(type_: Any) -> Callable[[Any], Any] | None:
    if isinstance(type_, DateTime):
        return lambda moment: moment.isoformat()
    if isinstance(type_, LargeBinary):
        return lambda data: "\\x" + bytes(data).hex()
    return None


@dataclass(frozen=True)
class Drawn:
    """A foreign key not known yet: the key that `insert_tables` draws for row `row` of
    the part (of the same call) that inserts into the table the column refers to."""

    row: int


@dataclass(frozen=True)
class TableRows:
    """Rows for one table (dicts keyed by column name; left-out columns take their
    defaults). `draw_keys`: `insert_tables` gives back the rows' new primary keys, and a
    later part's rows may refer to them as `Drawn(row)`."""

    table: Table
    rows: Sequence[Mapping[str, Any]]
    draw_keys: bool = False


def insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows (dicts keyed by column name; left-out columns take their defaults)."""
    insert_tables(session, [TableRows(table, rows)])


def insert_tables(session: Session, parts: Sequence[TableRows]) -> list[list[int]]:
    """Insert the rows of every part, in order (a row may refer to one of an earlier part);
    the new primary keys of each part that draws them, in the order of its rows ([] for
    the others).

    PostgreSQL takes them all in one statement, each table's rows as one JSON parameter
    (`json_populate_recordset`), drawing the keys as it goes: one round trip, and on this
    side only `json.dumps`, where executemany would cost a parse per row and COPY a
    conversion per value. SQLite, in-process, takes the rows one statement at a time."""
    keys: list[list[int]] = [[] for _ in parts]
    present = [(number, part) for number, part in enumerate(parts) if part.rows]
    if not present:
        return keys
    connection = session.connection()
    dialect = connection.dialect
    driver = connection.connection.driver_connection
    plans = [_plan(part.table, frozenset(part.rows[0]), dialect) for _, part in present]
    if dialect.name == "postgresql":
        statement = _json_insert(tuple((part.table, part.draw_keys) for _, part in present))
        values: list[Any] = []
        for plan, (_, part) in zip(plans, present, strict=True):
            if part.draw_keys:
                values.append(len(part.rows))  # how many keys to draw
            values.append(_json_rows(plan, part))
        with _execute(driver, statement, values) as cursor:
            if any(part.draw_keys for _, part in present):
                for position, _, key in cursor.fetchall():
                    keys[present[position][0]].append(key)
        return keys
    drawn: dict[str, list[int]] = {}
    cursor = driver.cursor()
    try:
        for plan, (number, part) in zip(plans, present, strict=True):
            rows = [plan.values(row, drawn) for row in part.rows]
            if not part.draw_keys:
                cursor.executemany(plan.insert, rows)
                continue
            for row in rows:
                cursor.execute(plan.insert_returning_id, row)
                keys[number].append(cursor.fetchone()[0])
            drawn[part.table.name] = keys[number]
    finally:
        cursor.close()
    return keys


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
    """WITH … INSERT … SELECT FROM json_populate_recordset(…), a CTE per table.

    A part that draws its keys first draws one for each of its rows, numbered, in a CTE of
    its own (computed once; the parameter before its rows says how many); a later row's
    `Drawn` foreign key, sent as minus the row's number, is looked up there, and the
    statement returns (part, number, key) for every key drawn. The foreign keys are
    checked when the whole statement is done, so a row may refer to a row of an earlier
    part of the same statement."""
    ctes: list[str] = []
    drawn: dict[str, str] = {}  # table name -> the CTE holding its drawn keys
    returned: list[str] = []
    for number, (table, draw) in enumerate(parts):
        key = next(iter(table.primary_key.columns))
        columns = [c for c in table.columns if c is not key]
        names = ", ".join(f'"{c.name}"' for c in columns)
        taken = ", ".join(_taken(c, drawn) for c in columns)
        rows = f"json_populate_recordset(NULL::{table.name}, %s)"
        if not draw:
            ctes.append(
                f"w{number} AS (INSERT INTO {table.name} ({names}) "  # noqa: S608 - our names
                f"SELECT {taken} FROM {rows} AS r)"
            )
            continue
        sequence = f"(SELECT pg_get_serial_sequence('{table.name}', '{key.name}'))::regclass"
        ctes.append(
            f"d{number} AS MATERIALIZED (SELECT i AS drawn_ord, "  # noqa: S608 - our names
            f"nextval({sequence}) AS drawn_key FROM generate_series(1, %s) AS i)"
        )
        ctes.append(
            f'w{number} AS (INSERT INTO {table.name} ("{key.name}", {names}) '  # noqa: S608
            f"SELECT d.drawn_key, {taken} FROM {rows} WITH ORDINALITY AS r "
            f"JOIN d{number} AS d ON d.drawn_ord = r.ordinality)"
        )
        drawn[table.name] = f"d{number}"
        returned.append(f"SELECT {number}, drawn_ord, drawn_key FROM d{number}")  # noqa: S608
    if not returned:
        return f"WITH {', '.join(ctes)} SELECT 1 LIMIT 0"
    return f"WITH {', '.join(ctes)} {' UNION ALL '.join(returned)} ORDER BY 1, 2"


def _taken(column: Any, drawn: dict[str, str]) -> str:
    """The column's value in a row of `json_populate_recordset` (`r`); a foreign key to
    keys drawn earlier in the statement, where it is negative, is the key drawn there."""
    value = f'r."{column.name}"'
    if column.foreign_keys and (source := drawn.get(_referred(column))) is not None:
        found = f"(SELECT drawn_key FROM {source} WHERE drawn_ord = -{value})"  # noqa: S608
        return f"COALESCE({found}, {value})"
    return value


def _json_rows(plan: _Plan, part: TableRows) -> str:
    """The part's rows as a JSON array of objects, values in PostgreSQL's text forms."""
    return json.dumps([plan.json_values(row) for row in part.rows], separators=(",", ":"))


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
        for number, *row in _fetch_all(connection, sql, params):
            found[number].append(tuple(row[offsets[number] : offsets[number + 1]]))
    return found


def _fetch_all(connection: Any, sql: str, params: list[Any]) -> list[tuple]:
    """The rows of one SELECT; on PostgreSQL with its values bound here (`_execute`)."""
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
