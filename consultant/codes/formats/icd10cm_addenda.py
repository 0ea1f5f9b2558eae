"""ICD-10-CM order addenda (`icd10cm_order_addenda_YYYY.txt`): codes added and deleted.

Layout (fixed width, 1-based): 1-13 action (`Add:`, `Delete:`, `Revise from:`, `Revise to:`),
14 flag (1 = valid for reporting, 0 = header), 16-22 code without the dot, 24-83 short title,
85-end long title; a summary footer follows the action lines.

What is stored, and only that: each added code with the date it takes effect; each deleted
code with its last day (the day before the release takes effect) and, where the same file
adds reportable codes in the deleted code's family (the codes that start with it, and for
a 7-character code the same 7th character under its stem without placeholder Xs), those
codes as `replaced_by`. A code deleted and re-added as a header (e.g. G35 expanded into
G35A, G35B0, …) counts as deleted as a reportable code. Title revisions are not stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from pathlib import Path

from consultant.codes.formats import DATED_ENTRY_COLUMNS, Format, Version, undated
from consultant.codes.normal import icd10cm
from consultant.codes.sources import RowChecker, text_lines
from consultant.codes.tables import CodeEntry

SYSTEM = "ICD-10-CM addenda"
ACTIONS = {
    "Add:": "Add",
    "Delete:": "Delete",
    "Revise from:": "Revise from",
    "Revise to:": "Revise to",
}
CODE = re.compile(r"[A-Z][0-9A-Z]{2,6}")
LINE_TEXT = "an addenda line: action (Add:/Delete:/Revise from:/Revise to:), flag 0/1, code"


def _parse(line: str) -> tuple[str, str, str, str, str] | None:
    """(action, flag, code, short, long) of an action line, or None."""
    action = ACTIONS.get(line[:13].strip())
    if action is None or line[13:15] not in ("0 ", "1 ") or not CODE.fullmatch(line[15:22].strip()):
        return None
    return action, line[13], line[15:22].strip(), line[23:83].strip(), line[84:].strip()


def _actions(path: Path, check: RowChecker) -> list[tuple[str, str, str, str, str]]:
    """(action, flag, code, short, long) per action line; stops at the footer, which must
    not be followed by further action lines."""
    found: list[tuple[str, str, str, str, str]] = []
    footer: tuple[int, str] | None = None
    for number, line in enumerate(text_lines(path), start=1):
        if not line.strip():
            continue
        parsed = _parse(line)
        if parsed is None:
            footer = footer or (number, line)
            continue
        if footer is not None:
            raise check.fail(footer[0], "1-22", LINE_TEXT, footer[1][:40])
        found.append(parsed)
    if not found:
        raise check.fail(
            footer[0] if footer else 1, "1-22", LINE_TEXT, footer[1][:40] if footer else ""
        )
    return found


def _family(code: str) -> tuple[str, str | None]:
    """The stem whose reportable descendants may replace `code`, and its 7th character."""
    if len(code) == 7:
        return code[:6].rstrip("X"), code[6]
    return code, None


def rows(path: Path, version_id: int, check: RowChecker) -> Iterator[tuple]:
    effective = version([path]).effective
    end = effective - timedelta(days=1) if effective else None
    actions = _actions(path, check)
    adds = {code: (flag, short, long) for act, flag, code, short, long in actions if act == "Add"}
    deletes = {
        code: (flag, short, long) for act, flag, code, short, long in actions if act == "Delete"
    }
    reportable_adds = [code for code, (flag, *_t) in adds.items() if flag == "1"]
    seq = 0
    for code, (flag, short, long) in deletes.items():
        if adds.get(code, ("0",))[0] == "1":
            continue  # deleted and added again as a reportable code: not retired
        stem, seventh = _family(code)
        replaced = [
            icd10cm(new)
            for new in reportable_adds
            if new != code
            and new.startswith(stem)
            and (seventh is None or (len(new) == 7 and new[6] == seventh))
        ]
        seq += 1
        yield (
            version_id, "ICD-10-CM", icd10cm(code), long or short, short, flag == "1",
            "deleted", None, None, end, " ".join(replaced), seq,
        )  # fmt: skip
    for code, (flag, short, long) in adds.items():
        if code in deletes:
            continue
        seq += 1
        yield (
            version_id, "ICD-10-CM", icd10cm(code), long or short, short, flag == "1",
            "added", None, effective, None, "", seq,
        )  # fmt: skip


def version(paths: Sequence[Path]) -> Version:
    """`icd10cm_order_addenda_2026.txt` → FY2026 from 2025-10-01 (an April file: 2026-04-01)."""
    name = paths[0].name.lower()
    match = re.search(r"(20\d{2})", name)
    if not match:
        return undated(paths)
    year = int(match[1])
    if "apr" in name:
        return Version(f"FY{year}-April", date(year, 4, 1))
    return Version(f"FY{year}", date(year - 1, 10, 1))


def recognise_line(first_line: str) -> bool:
    return _parse(first_line) is not None


FORMAT = Format(
    kind="icd10cm-addenda",
    system=SYSTEM,
    table=CodeEntry.__table__,
    columns=DATED_ENTRY_COLUMNS,
    rows=rows,
    version=version,
    recognise=lambda header: False,
    recognise_line=recognise_line,
)
