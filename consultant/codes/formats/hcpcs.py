"""HCPCS Level II alpha-numeric file (ANWEB xlsx/csv/fixed-width txt): codes, modifiers."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from consultant.codes.formats import (
    DATED_ENTRY_COLUMNS,
    Format,
    Version,
    header_keys,
    name_quarter,
    undated,
)
from consultant.codes.formats.hcpcs_txt import is_fixed_width, recognise_line, records
from consultant.codes.sources import Column, RowChecker, table_rows
from consultant.codes.tables import CodeEntry

COLUMNS = (
    Column("code", ("HCPC",)),
    Column("recid", ("RECID",)),
    Column("long", ("LONG DESCRIPTION",)),
    Column("short", ("SHORT DESCRIPTION",)),
    Column("added", ("ADD DT",), required=False),
    Column("active", ("ACT EFF DT",), required=False),
    Column("term", ("TERM DT",), required=False),
    *(Column(f"xref{i}", (f"XREF{i}",), required=False) for i in range(1, 6)),
)
CODE = re.compile(r"[A-V]\d{4}")
MODIFIER = re.compile(r"[0-9A-Z]{2}")
RECORDS = ("3", "4", "7", "8")


def rows(path: Path, version_id: int, check: RowChecker) -> Iterator[tuple]:
    """Codes (RECID 3) and modifiers (RECID 7) from the table form or the fixed-width form."""
    seq = 0
    found = records(path, check) if is_fixed_width(path) else table_rows(path, COLUMNS)
    for line, cells in found:
        recid = check.one_of(line, "RECID", cells["recid"], RECORDS)
        if recid in ("4", "8"):  # continuation lines of the fixed-width form
            continue
        if recid == "3":
            system = "HCPCS"
            code = check.match(line, "HCPC", cells["code"].strip(), CODE, "a HCPCS code (A1234)")
        else:
            system = "modifier"
            code = check.match(
                line, "HCPC", cells["code"].strip(), MODIFIER, "a modifier (2 chars)"
            )
        effective = check.date(line, "ADD DT", cells.get("added", ""))
        end = check.date(line, "TERM DT", cells.get("term", ""))
        replaced = " ".join(cells[f"xref{i}"] for i in range(1, 6) if cells.get(f"xref{i}"))
        title = cells["long"] or cells["short"]
        seq += 1
        yield (
            version_id,
            system,
            code,
            title,
            cells["short"],
            True,
            "code",
            None,
            effective,
            end,
            replaced if end else "",
            seq,
        )


def version(paths: Sequence[Path]) -> Version:
    return name_quarter(paths) or undated(paths)


def recognise(header: list[str]) -> bool:
    return {"HCPC", "RECID"} <= header_keys(header)


FORMAT = Format(
    kind="hcpcs",
    system="HCPCS",
    table=CodeEntry.__table__,
    columns=DATED_ENTRY_COLUMNS,
    rows=rows,
    version=version,
    recognise=recognise,
    recognise_line=recognise_line,
)
