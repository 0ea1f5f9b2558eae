"""ICD-10-CM addenda (retired codes, what replaced them) and books noticing newer imports."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from consultant.codes import versions
from consultant.codes.book import MemoryCodeBook, invalidate, open_codebook
from consultant.codes.bulk import insert_rows
from consultant.codes.importers import detect_kind, import_files
from consultant.codes.loaders import ENTRY_COLUMNS
from consultant.codes.snapshot import load_state
from consultant.codes.sources import ImportFormatError
from consultant.codes.tables import CodeEntry
from consultant.db import make_engine, session_factory, transaction, upgrade
from tests.codes.conftest import FIXTURES

ADDENDA = FIXTURES / "icd10cm_order_addenda_2026.txt"
# a few codes of the April 2026 tabular: G35 is a header now, S30.1XXA is gone
TABULAR = [
    ("G35", "Multiple sclerosis", False, "category", None),
    ("G35.A", "Relapsing-remitting multiple sclerosis", True, "code", "G35"),
    ("G35.D", "Multiple sclerosis, unspecified", True, "code", "G35"),
    ("S30.12XA", "Contusion of groin, initial encounter", True, "code", None),
    ("I10", "Essential (primary) hypertension", True, "category", None),
]


def _load_tabular(session) -> None:  # noqa: ANN001
    row = versions.create(
        session,
        system="ICD-10-CM",
        version="2026-04-01",
        effective=date(2026, 4, 1),
        source="test rows",
        sha256="t" * 64,
    )
    rows = [
        (row.id, "ICD-10-CM", code, title, billable, kind, parent, seq, "")
        for seq, (code, title, billable, kind, parent) in enumerate(TABULAR)
    ]
    insert_rows(session, CodeEntry.__table__, ENTRY_COLUMNS, rows)


def test_addenda_retire_codes_and_name_replacements(sqlite_sessions) -> None:  # noqa: ANN001
    assert detect_kind(ADDENDA) == "icd10cm-addenda"
    with transaction(sqlite_sessions) as session:
        _load_tabular(session)
        result = import_files(session, "icd10cm-addenda", [ADDENDA])
    assert (result.system, result.version, result.rows) == ("ICD-10-CM addenda", "FY2026", 8)
    engine = sqlite_sessions.kw["bind"]
    book = MemoryCodeBook(engine, load_state(engine, None))

    gone = book.lookup("ICD-10-CM", "S30.1XXA")
    assert gone.billable is False and gone.end == date(2025, 9, 30)
    assert gone.replaced_by == ("S30.12XA",)  # same 7th character, same family
    assert gone.title == "Contusion of abdominal wall, initial encounter"
    then = book.lookup("ICD-10-CM", "s301xxa", on=date(2025, 6, 1))
    assert then.billable is True and then.replaced_by == ("S30.12XA",)

    header = book.lookup("ICD-10-CM", "G35")
    assert header.billable is False and header.children == ("G35.A", "G35.D")
    assert header.end == date(2025, 9, 30) and header.replaced_by == ("G35.A", "G35.D")
    assert book.lookup("ICD-10-CM", "G35", on=date(2025, 9, 30)).billable is True

    silent = book.lookup("ICD-10-CM", "Z99.99")
    assert silent.end == date(2025, 9, 30) and silent.replaced_by == ()  # the file names none
    assert book.lookup("ICD-10-CM", "S30.12XA").effective == date(2025, 10, 1)
    assert book.lookup("ICD-10-CM", "S30.12XA", on=date(2025, 9, 1)) is None  # not yet
    assert book.lookup("ICD-10-CM", "I10").end is None


def test_addenda_footer_must_end_the_file(sqlite_sessions, tmp_path: Path) -> None:  # noqa: ANN001
    broken = tmp_path / "icd10cm_order_addenda_2027.txt"
    lines = ADDENDA.read_text().splitlines()
    broken.write_text("\n".join([*lines[:3], "garbled line", *lines[3:]]) + "\n")
    with pytest.raises(ImportFormatError) as caught, transaction(sqlite_sessions) as session:
        import_files(session, "icd10cm-addenda", [broken])
    assert caught.value.line == 4


def test_cached_book_notices_an_import_by_another_process(tmp_path: Path) -> None:
    data = tmp_path / "var"
    data.mkdir()
    engine = make_engine(f"sqlite:///{data / 'consultant.db'}")
    upgrade(engine)
    with transaction(session_factory(engine)) as session:
        import_files(session, "mue", [FIXTURES / "MCR_MUE_PractitionerServices_Eff_2026-04-01.csv"])
    invalidate()
    try:
        first = open_codebook(engine)
        assert first.addon("63048") is None
        env = {**os.environ, "CONSULTANT_DATA_DIR": str(data)}
        env.pop("CONSULTANT_DATABASE_URL", None)
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "consultant",
                "codes",
                "import",
                "addon",
                str(FIXTURES / "aoc.csv"),
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert open_codebook(engine, max_age=3600) is first  # not looked at again yet
        second = open_codebook(engine, max_age=0)
        assert second is not first and second.addon("63048").primaries == ("63047",)
        assert open_codebook(engine, max_age=0) is second  # nothing new: same book
        other = make_engine(f"sqlite:///{data / 'consultant.db'}")  # a second engine
        with transaction(session_factory(other)) as session:
            import_files(session, "pfs", [FIXTURES / "PPRRVU2026_Jan_sample.csv"])
        other.dispose()
        assert open_codebook(engine, max_age=0).pfs("63047").global_days == "090"
    finally:
        invalidate()
        engine.dispose()
