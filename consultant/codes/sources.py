"""Reading code files as they arrive: gzip/xlsx/text detected from content, rows with positions."""

from __future__ import annotations

import csv
import gzip
import hashlib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from consultant.errors import ConsultantError

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"
HEADER_SEARCH_ROWS = 20
HEADER_SPAN = 5  # rows a split header may take


class ImportFormatError(ConsultantError):
    """A code file is not what its importer expects; names file, line, column and expectation."""

    def __init__(self, path: Path | str, line: int | None, column: str | None, expected: str):
        self.path, self.line, self.column, self.expected = str(path), line, column, expected
        where = Path(self.path).name + (f", line {line}" if line is not None else "")
        where += f", column {column}" if column else ""
        super().__init__(f"{where}: {expected}")


def sha256_of(paths: Iterable[Path]) -> str:
    """Content hash of one file, or of several files taken in order."""
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()


def magic(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(4)


def is_xlsx(path: Path) -> bool:
    return magic(path) == ZIP_MAGIC


def text_lines(path: Path) -> Iterator[str]:
    """Lines of a plain or gzip-compressed text file, without line endings."""
    opener = gzip.open if magic(path)[:2] == GZIP_MAGIC else open
    try:
        with opener(path, "rt", encoding="utf-8", errors="replace", newline="") as handle:
            for line in handle:
                yield line.rstrip("\r\n")
    except (OSError, EOFError) as exc:
        raise ImportFormatError(path, None, None, f"unreadable or truncated file ({exc})") from exc


def _sheet_rows(path: Path) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise ImportFormatError(path, None, None, f"a readable xlsx workbook ({exc})") from exc
    try:
        for values in book.worksheets[0].iter_rows(values_only=True):
            yield [_cell_text(value) for value in values]
    finally:
        book.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y%m%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def raw_rows(path: Path) -> Iterator[list[str]]:
    """Rows of a csv/tsv (plain or gzip) or of the first sheet of an xlsx workbook."""
    if is_xlsx(path):
        yield from _sheet_rows(path)
        return
    lines = text_lines(path)
    first = next(lines, None)
    if first is None:
        raise ImportFormatError(path, 1, None, "a header row, found an empty file")
    first = first.lstrip("\ufeff")
    delimiter = "\t" if "\t" in first else ","

    def all_lines() -> Iterator[str]:
        yield first
        yield from lines

    try:
        yield from csv.reader(all_lines(), delimiter=delimiter)
    except csv.Error as exc:
        raise ImportFormatError(path, None, None, f"well-formed delimited text ({exc})") from exc


def _key(name: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", name.upper())


@dataclass(frozen=True)
class Column:
    """A column an importer needs: its key and the header spellings that name it."""

    key: str
    names: tuple[str, ...]
    required: bool = True

    def matches(self, header: str) -> bool:
        found = _key(header)
        return any(found == _key(n) or found.startswith(_key(n)) for n in self.names)


def table_rows(path: Path, columns: Sequence[Column]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, {key: value}) for each data row after the header that names the
    required columns; rows before that header (notices, titles) are skipped.

    The header is one row, or a header split over up to HEADER_SPAN rows whose cells,
    read top to bottom, make each column's name (the original PPRRVU file: `GLOB` above
    `DAYS`); the fewest rows that name every required column win."""
    rows = raw_rows(path)
    positions: dict[str, int] | None = None
    seen: list[str] = []
    above: list[list[str]] = []
    for number, row in enumerate(rows, start=1):
        if positions is None:
            positions = _match_split_header([*above, row], columns)
            if positions is None:
                seen = row
                above = [*above, row][-(HEADER_SPAN - 1) :]
                if number >= HEADER_SEARCH_ROWS:
                    break
            continue
        if not any(cell.strip() for cell in row):
            continue
        values = {key: (row[i].strip() if i < len(row) else "") for key, i in positions.items()}
        yield number, values
    if positions is None:
        wanted = ", ".join(c.names[0] for c in columns if c.required)
        found = ", ".join(cell for cell in seen if cell)[:200]
        raise ImportFormatError(path, 1, None, f"a header row with {wanted}; found {found!r}")


def _match_split_header(rows: list[list[str]], columns: Sequence[Column]) -> dict[str, int] | None:
    """Column positions from the last row alone, else from it joined with the rows above."""
    for span in range(1, len(rows) + 1):
        found = _match_header(stacked(rows[-span:]), columns)
        if found is not None:
            return found
    return None


def stacked(rows: Sequence[list[str]]) -> list[str]:
    """One header row from rows read top to bottom: each column's non-empty cells joined."""
    width = max((len(r) for r in rows), default=0)
    return [
        " ".join(r[i].strip() for r in rows if i < len(r) and r[i].strip()) for i in range(width)
    ]


def _match_header(row: list[str], columns: Sequence[Column]) -> dict[str, int] | None:
    positions: dict[str, int] = {}
    for column in columns:
        for index, header in enumerate(row):
            if index not in positions.values() and column.matches(header):
                positions[column.key] = index
                break
    if all(c.key in positions for c in columns if c.required):
        return positions
    return None


def parse_date(text: str) -> date | None:
    """CMS dates: YYYYMMDD, Julian YYYYDDD, YYYY-MM-DD or M/D/YYYY; empty or `*` is None."""
    value = text.strip()
    if not value or value == "*":
        return None
    if value.isdigit() and len(value) == 8:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    if value.isdigit() and len(value) == 7:
        return date(int(value[:4]), 1, 1) + timedelta(days=int(value[4:]) - 1)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return date.fromisoformat(value)
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", value)
    if match:
        return date(int(match[3]), int(match[1]), int(match[2]))
    raise ValueError(value)


class RowChecker:
    """Turns a bad cell into an ImportFormatError that names file, line and column."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, line: int, column: str, expected: str, found: str) -> ImportFormatError:
        return ImportFormatError(self.path, line, column, f"expected {expected}, found {found!r}")

    def match(self, line: int, column: str, value: str, pattern: re.Pattern[str], what: str) -> str:
        if not pattern.fullmatch(value):
            raise self.fail(line, column, what, value)
        return value

    def date(self, line: int, column: str, value: str) -> date | None:
        try:
            return parse_date(value)
        except ValueError:
            raise self.fail(line, column, "a date (YYYYMMDD or Julian YYYYDDD)", value) from None

    def integer(self, line: int, column: str, value: str) -> int:
        if not value.strip().isdigit():
            raise self.fail(line, column, "a whole number", value)
        return int(value)

    def one_of(self, line: int, column: str, value: str, allowed: Iterable[str]) -> str:
        options = tuple(allowed)
        if value not in options:
            raise self.fail(line, column, "one of " + "/".join(options), value)
        return value


def read_bytes_head(path: Path, size: int = 4096) -> bytes:
    """The first bytes of a file, decompressed when it is gzip (for content detection)."""
    if magic(path)[:2] == GZIP_MAGIC:
        with gzip.open(path, "rb") as handle:
            try:
                return handle.read(size)
            except (OSError, EOFError):
                return b""
    with path.open("rb") as handle:
        return handle.read(size)


def workbook_head(path: Path, rows: int = 12) -> list[list[str]]:
    """The first rows of an xlsx workbook (for content detection)."""
    found = []
    for row in _sheet_rows(path):
        found.append(row)
        if len(found) >= rows:
            break
    return found
