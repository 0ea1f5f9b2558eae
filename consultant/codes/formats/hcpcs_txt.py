"""The fixed-width text form of the HCPCS ANWEB release: one 320-byte record per line.

Record layout (CMS "HCPCS Contractor Record", 1-based byte positions, as in the record
layout file CMS ships with every quarterly alpha-numeric release):

    1-5     HCPC code (modifiers: 2 characters right-justified, 1-3 blank)
    6-10    description sequence number
    11      record id: 3 = first line of a code, 4 = further description lines of a code,
            7 = first line of a modifier, 8 = further description lines of a modifier
    12-91   long description (80 characters; continued on the 4/8 lines)
    92-119  short description (28 characters)
    120-127 pricing indicators 1-4 (2 each)       128     multiple pricing indicator
    129-146 coverage issues manual refs 1-3 (6)   147-170 carriers manual refs 1-3 (8)
    171-180 statute number                        181-204 lab certification codes 1-8 (3)
    205-229 cross-reference codes 1-5 (5 each)    230     coverage code
    231-232 ASC payment group                     233-240 ASC group effective date
    241-243 OPPS payment group (MOG)              244     OPPS payment indicator
    245-252 OPPS effective date                   253-256 processing note number
    257-259 BETOS code                            260     filler
    261-265 type of service codes 1-5             266-268 anesthesia base units
    269-276 code added date (YYYYMMDD)            277-284 action effective date
    285-292 termination date                      293     action code (A, B, C, D, F,
            N, P, R, S, T)                        294-320 filler

Only the fields the store keeps are read; the detail fields sit on the 3/7 lines only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from consultant.codes.sources import RowChecker, read_bytes_head, text_lines

RECORD_LENGTH = 320
FIELDS = {
    "code": (1, 5),
    "seq": (6, 10),
    "recid": (11, 11),
    "long": (12, 91),
    "short": (92, 119),
    **{f"xref{i}": (205 + 5 * (i - 1), 209 + 5 * (i - 1)) for i in range(1, 6)},
    "added": (269, 276),
    "active": (277, 284),
    "term": (285, 292),
    "action": (293, 293),
}
RECORD = re.compile(r"(?:[A-Z]\d{4}| {3}[0-9A-Z]{2})\d{5}[3478]")
CONTINUATION = {"4": "3", "8": "7"}


def recognise_line(line: str) -> bool:
    """A first line that looks like an ANWEB record (code, sequence, record id)."""
    return len(line) >= 92 and bool(RECORD.match(line))


def is_fixed_width(path: Path) -> bool:
    head = read_bytes_head(path, 512).decode("utf-8", errors="replace")
    return recognise_line(head.splitlines()[0] if head else "")


def _cut(line: str, first: int, last: int) -> str:
    return line[first - 1 : last].strip()


def records(path: Path, check: RowChecker) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, fields) per code or modifier, with continuation lines joined into the
    long description; a continuation line must follow a line of the same code."""
    current: tuple[int, dict[str, str]] | None = None
    for number, raw in enumerate(text_lines(path), start=1):
        if not raw.strip():
            continue
        line = raw.ljust(RECORD_LENGTH)
        if not RECORD.match(line):
            raise check.fail(
                number, "1-11", "an HCPCS record (code, sequence, record id)", raw[:20]
            )
        cells = {key: _cut(line, *span) for key, span in FIELDS.items()}
        if cells["recid"] in CONTINUATION:
            if current is None or current[1]["code"] != cells["code"]:
                raise check.fail(number, "1-5", "a continuation of the code above", cells["code"])
            current[1]["long"] = f"{current[1]['long']} {cells['long']}".strip()
            continue
        if current is not None:
            yield current
        current = (number, cells)
    if current is not None:
        yield current
