"""NCCI procedure-to-procedure edits among a set of codes, read from the database index."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import Engine

from consultant.codes.api import PtpEdit
from consultant.codes.sources import parse_date


def pairs_among(
    engine: Engine, version_id: int, dated: bool, codes: Iterable[str], on: date
) -> list[PtpEdit]:
    """Edits whose column 1 and column 2 codes are both in `codes` (either order)."""
    wanted = sorted({c.strip().upper() for c in codes if c and c.strip()})
    if len(wanted) < 2:
        return []
    with engine.connect() as connection:
        mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        marks = ", ".join(mark for _ in wanted)
        sql = (
            "SELECT column1, column2, modifier_indicator, rationale, effective, deleted "  # noqa: S608
            f"FROM ptp_edits WHERE version_id = {mark} AND column1 IN ({marks}) "
            f"AND column2 IN ({marks}) ORDER BY column1, column2"
        )
        rows = connection.exec_driver_sql(sql, (version_id, *wanted, *wanted)).fetchall()
    edits = []
    for column1, column2, indicator, rationale, effective, deleted in rows:
        start, end = _as_date(effective), _as_date(deleted)
        if dated and ((start is not None and start > on) or (end is not None and end <= on)):
            continue
        edits.append(PtpEdit(column1, column2, indicator, rationale or "", start, end, dated=dated))
    return edits


def _as_date(value: object) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return parse_date(str(value))
