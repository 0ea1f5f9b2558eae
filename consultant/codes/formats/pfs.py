"""Physician fee schedule relative value file (PPRRVU): payment-policy indicators per code."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path

from consultant.codes.formats import Format, Version, header_keys, name_quarter, undated
from consultant.codes.sources import Column, RowChecker, table_rows
from consultant.codes.tables import PfsRow

COLUMNS = (
    Column("code", ("HCPCS",)),
    Column("modifier", ("MOD",)),
    Column("status", ("STATUS CODE", "STATUS")),
    Column("global_days", ("GLOB DAYS",)),
    Column("mult_proc", ("MULT PROC",)),
    Column("bilateral", ("BILAT SURG",)),
    Column("assistant", ("ASST SURG",)),
    Column("co_surgeon", ("CO-SURG", "CO SURG")),
    Column("team", ("TEAM SURG",)),
    Column("pctc", ("PCTC IND", "PCTC")),
)
CODE = re.compile(r"[0-9A-Z]\d{3}[0-9A-Z]")
MODIFIER = re.compile(r"(?:[0-9A-Z]{2})?")
RELEASES = {"A": 1, "B": 4, "C": 7, "D": 10}


def rows(path: Path, version_id: int, check: RowChecker) -> Iterator[tuple]:
    for line, cells in table_rows(path, COLUMNS):
        code = check.match(line, "HCPCS", cells["code"], CODE, "a CPT/HCPCS code (5 characters)")
        modifier = check.match(line, "MOD", cells["modifier"], MODIFIER, "a modifier or nothing")
        if not cells["status"]:
            raise check.fail(line, "STATUS CODE", "a status code letter", "")
        yield (
            version_id,
            code,
            modifier,
            cells["status"],
            cells["global_days"],
            cells["mult_proc"],
            cells["bilateral"],
            cells["assistant"],
            cells["co_surgeon"],
            cells["team"],
            cells["pctc"],
        )


def version(paths: Sequence[Path]) -> Version:
    """`PPRRVU2025_Oct…` → 2025-10-01; `RVU25D` → 2025-10-01."""
    found = name_quarter(paths)
    if found:
        return found
    match = re.search(r"RVU(\d{2})([A-D])", paths[0].name.upper())
    if match:
        start = date(2000 + int(match[1]), RELEASES[match[2]], 1)
        return Version(start.isoformat(), start)
    return undated(paths)


FORMAT = Format(
    kind="pfs",
    system="PFS",
    table=PfsRow.__table__,
    columns=(
        "version_id",
        "code",
        "modifier",
        "status",
        "global_days",
        "mult_proc",
        "bilateral",
        "assistant",
        "co_surgeon",
        "team",
        "pctc",
    ),
    rows=rows,
    version=version,
    recognise=lambda header: {"HCPCS", "GLOBDAYS"} <= header_keys(header),
)
