"""An organisation's licensed CPT descriptor file: code<TAB>descriptor, or CSV code,description."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path

from consultant.codes.formats import ENTRY_COLUMNS, Format, Version, header_keys, undated
from consultant.codes.sources import ImportFormatError, RowChecker, raw_rows
from consultant.codes.tables import CodeEntry

CODE = re.compile(r"\d{4}[0-9FTU]|\d{4}M")
CODE_TEXT = "a CPT code (5 digits, or 4 digits + F/T/U/M)"
HEADER_CODE = {"CODE", "CPTCODE", "HCPCS", "CPT"}
HEADER_TEXT = {"DESCRIPTION", "DESCRIPTOR", "LONGDESCRIPTION", "LONGDESCRIPTOR"}


def rows(path: Path, version_id: int, check: RowChecker) -> Iterator[tuple]:
    code_at, text_at = 0, 1
    seen = 0
    for number, cells in enumerate(raw_rows(path), start=1):
        if not any(cell.strip() for cell in cells):
            continue
        if number == 1 and not CODE.fullmatch(cells[0].strip()):
            code_at, text_at = _header(path, cells)
            continue
        code = check.match(number, "code", cells[code_at].strip(), CODE, CODE_TEXT)
        text = cells[text_at].strip() if text_at < len(cells) else ""
        if not text:
            raise check.fail(number, "descriptor", "a descriptor", "")
        seen += 1
        yield (version_id, "CPT", code, text, None, True, "code", None, "", seen)


def _header(path: Path, cells: list[str]) -> tuple[int, int]:
    keys = [re.sub(r"[^A-Z0-9]", "", cell.upper()) for cell in cells]
    code_at = next((i for i, key in enumerate(keys) if key in HEADER_CODE), None)
    text_at = next((i for i, key in enumerate(keys) if key in HEADER_TEXT), None)
    if code_at is None or text_at is None:
        raise ImportFormatError(path, 1, None, "a header with code and description columns")
    return code_at, text_at


def version(paths: Sequence[Path]) -> Version:
    match = re.search(r"(20\d{2})", paths[0].name)
    if not match:
        return undated(paths)
    year = int(match[1])
    return Version(str(year), date(year, 1, 1))


def recognise(header: list[str]) -> bool:
    """A `code,description` header, or a first row that is already code<TAB>descriptor."""
    if len(header) == 2 and CODE.fullmatch(header[0].strip()) and header[1].strip():
        return True
    keys = header_keys(header)
    return bool(keys & HEADER_CODE) and bool(keys & HEADER_TEXT) and len(keys) <= 4


FORMAT = Format(
    kind="cpt",
    system="CPT",
    table=CodeEntry.__table__,
    columns=ENTRY_COLUMNS,
    rows=rows,
    version=version,
    recognise=recognise,
)
