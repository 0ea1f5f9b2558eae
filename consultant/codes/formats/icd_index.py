"""ICD-10-CM Alphabetic Index, flattened CSV (RowID, Level, Term, …, Code): search terms."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path

from consultant.codes.formats import Format, Version, header_keys, undated
from consultant.codes.normal import icd10cm
from consultant.codes.sources import Column, RowChecker, table_rows
from consultant.codes.tables import CodeTerm

COLUMNS = (
    Column("level", ("Level",)),
    Column("term", ("Term",)),
    Column("modifiers", ("NonEssModif",), required=False),
    Column("code", ("Code",)),
)
CODE = re.compile(r"[A-Z]\d[0-9A-Z](?:\.[0-9A-Z]{0,4})?-?")


def rows(path: Path, version_id: int, check: RowChecker) -> Iterator[tuple]:
    """One term per coded entry: the path of main term and subterms, e.g.
    "Diabetes (diabetic), type 2, with, polyneuropathy" → E11.42; words in parentheses are
    nonessential (the main term's alternate forms and the index's own modifiers)."""
    trail: list[str] = []
    for line, cells in table_rows(path, COLUMNS):
        level = check.integer(line, "Level", cells["level"])
        if level > len(trail):
            raise check.fail(line, "Level", f"a level of at most {len(trail)}", cells["level"])
        del trail[level:]
        words = cells["term"]
        if level == 0 and ", " in words:  # "Hypertension, hypertensive": alternates are optional
            head, alternates = words.split(", ", 1)
            words = f"{head} ({alternates})"
        if cells.get("modifiers"):
            words = f"{words} {cells['modifiers']}"
        trail.append(words)
        code = cells["code"]
        if not code:
            continue
        check.match(line, "Code", code, CODE, "an ICD-10-CM code such as E11.42")
        yield (version_id, icd10cm(code.rstrip("-").rstrip(".")), ", ".join(trail))


def version(paths: Sequence[Path]) -> Version:
    """`ICD10CM_2025_Index…` → FY2025, effective 2024-10-01."""
    match = re.search(r"(20\d{2})", paths[0].name)
    if not match:
        return undated(paths)
    year = int(match[1])
    return Version(f"FY{year}", date(year - 1, 10, 1))


FORMAT = Format(
    kind="icd10cm-index",
    system="ICD-10-CM index",
    table=CodeTerm.__table__,
    columns=("version_id", "code", "term"),
    rows=rows,
    version=version,
    recognise=lambda header: {"LEVEL", "TERM", "CODE"} <= header_keys(header),
)
