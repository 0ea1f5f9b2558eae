"""File formats the importers read: one module per source, each describing itself as a Format."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Table

from consultant.codes.sources import RowChecker

MONTHS = {"JAN": 1, "APR": 4, "JUL": 7, "OCT": 10}

# The code_entries columns a code file fills, in the order of its row tuples; releases that
# date each code (HCPCS, the ICD-10-CM addenda) fill the dates too.
ENTRY_COLUMNS = (
    "version_id", "system", "code", "title", "short_title", "billable", "kind", "parent",
    "replaced_by", "seq",
)  # fmt: skip
DATED_ENTRY_COLUMNS = (
    "version_id", "system", "code", "title", "short_title", "billable", "kind", "parent",
    "effective", "end_date", "replaced_by", "seq",
)  # fmt: skip


@dataclass(frozen=True)
class Version:
    """The version a file carries: label, effective date, and whether its rows are dated."""

    label: str
    effective: date | None
    dated: bool = True


@dataclass(frozen=True)
class Format:
    """How one kind of file is recognised, versioned and turned into rows of one table."""

    kind: str
    system: str
    table: Table
    columns: tuple[str, ...]
    rows: Callable[[Path, int, RowChecker], Iterator[tuple]]
    version: Callable[[Sequence[Path]], Version]
    recognise: Callable[[list[str]], bool]
    recognise_line: Callable[[str], bool] | None = None  # fixed-width forms: the first line


def header_keys(cells: list[str]) -> set[str]:
    return {re.sub(r"[^A-Z0-9]", "", cell.upper()) for cell in cells if cell}


def quarter_start(year: int, quarter: int) -> date:
    return date(year, 3 * (quarter - 1) + 1, 1)


def name_quarter(paths: Sequence[Path]) -> Version | None:
    """`…2026Q2…`, `…2025_OCT…`, `…Eff_2026-04-01…` or `…2026-04-01…` in a file name."""
    name = paths[0].name.upper()
    if match := re.search(r"(\d{4})Q([1-4])", name):
        year, quarter = int(match[1]), int(match[2])
        return Version(f"{year}Q{quarter}", quarter_start(year, quarter))
    if match := re.search(r"(\d{4})[_-]?(JAN|APR|JUL|OCT)", name):
        start = date(int(match[1]), MONTHS[match[2]], 1)
        return Version(start.isoformat(), start)
    if match := re.search(r"(\d{4})-(\d{2})-(\d{2})", name):
        start = date(int(match[1]), int(match[2]), int(match[3]))
        return Version(start.isoformat(), start)
    return None


def undated(paths: Sequence[Path], sha_prefix: str = "") -> Version:
    return Version("undated" + (f"-{sha_prefix}" if sha_prefix else ""), None, dated=False)
