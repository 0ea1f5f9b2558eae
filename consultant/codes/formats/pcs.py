"""ICD-10-PCS order file (fixed width): 7-character codes and their table headers."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path

from consultant.codes.formats import ENTRY_COLUMNS, Format, Version, undated
from consultant.codes.sources import RowChecker, text_lines
from consultant.codes.tables import CodeEntry

LINE = re.compile(r"(\d{5}) ([0-9A-HJ-NP-Z]{3,7}) *([01]) (.{60}) (.*)")
LINE_TEXT = "an order-file line: 5-digit order, code, flag 0/1, short and long titles"


def rows(path: Path, version_id: int, check: RowChecker) -> Iterator[tuple]:
    for number, line in enumerate(text_lines(path), start=1):
        if not line.strip():
            continue
        match = LINE.fullmatch(line)
        if not match:
            raise check.fail(number, "1-78", LINE_TEXT, line[:40])
        order, code, flag, short, long = match.groups()
        if flag == "1" and len(code) != 7:
            raise check.fail(number, "7-13", "a 7-character ICD-10-PCS code", code)
        kind = "code" if flag == "1" else "table"
        yield (
            version_id,
            "ICD-10-PCS",
            code,
            long.strip(),
            short.strip(),
            flag == "1",
            kind,
            None,
            "",
            int(order),
        )


def version(paths: Sequence[Path]) -> Version:
    """`icd10pcs_order_2026.txt` → FY2026, effective 2025-10-01."""
    match = re.search(r"(20\d{2})", paths[0].name)
    if not match:
        return undated(paths)
    year = int(match[1])
    return Version(f"FY{year}", date(year - 1, 10, 1))


def recognise_line(first_line: str) -> bool:
    match = LINE.fullmatch(first_line)
    return bool(match) and match.group(2)[0].isdigit()


FORMAT = Format(
    kind="icd10pcs",
    system="ICD-10-PCS",
    table=CodeEntry.__table__,
    columns=ENTRY_COLUMNS,
    rows=rows,
    version=version,
    recognise=lambda header: False,
    recognise_line=recognise_line,
)
