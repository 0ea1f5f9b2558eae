"""Official release forms: HCPCS fixed-width txt, PPRRVU with a split header, import-dir."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook

from consultant.codes.book import MemoryCodeBook
from consultant.codes.importers import detect_kind, import_files
from consultant.codes.snapshot import load_state
from consultant.codes.sources import ImportFormatError
from consultant.db import transaction
from tests.codes.conftest import FIXTURES


def _book(sessions) -> MemoryCodeBook:  # noqa: ANN001
    engine = sessions.kw["bind"]
    return MemoryCodeBook(engine, load_state(engine, None))


def test_hcpcs_fixed_width_release(sqlite_sessions) -> None:  # noqa: ANN001
    path = FIXTURES / "HCPC2026_JAN_ANWEB.txt"
    assert detect_kind(path) == "hcpcs"
    with transaction(sqlite_sessions) as session:
        result = import_files(session, "hcpcs", [path])
    assert (result.rows, result.version) == (5, "2026-01-01")
    book = _book(sqlite_sessions)
    info = book.lookup("HCPCS", "J1100")
    assert info.title.endswith("continued on the next record line to test joining)")
    retired = book.lookup("HCPCS", "G0999")
    assert str(retired.end) == "2024-12-31" and retired.replaced_by == ("G1999",)
    assert book.modifier_title("XS").endswith("performed on a separate organ/structure")


def test_hcpcs_fixed_width_orphan_continuation_is_refused(sqlite_sessions) -> None:  # noqa: ANN001
    path = FIXTURES / "hcpcs_anweb_bad_continuation.txt"
    assert detect_kind(path) == "hcpcs"
    with pytest.raises(ImportFormatError) as caught, transaction(sqlite_sessions) as session:
        import_files(session, "hcpcs", [path])
    assert (caught.value.line, caught.value.column) == (4, "1-5")


def test_pprrvu_with_split_header_csv_and_xlsx(sqlite_sessions, tmp_path: Path) -> None:  # noqa: ANN001
    original = FIXTURES / "PPRRVU2026_Jan_original.csv"
    workbook = Workbook()
    with original.open(newline="") as handle:
        for row in csv.reader(handle):
            workbook.active.append(row)
    xlsx = tmp_path / "PPRRVU2026_Apr.xlsx"
    workbook.save(xlsx)
    assert detect_kind(original) == "pfs" and detect_kind(xlsx) == "pfs"
    with transaction(sqlite_sessions) as session:
        assert import_files(session, "pfs", [original]).rows == 4
        assert import_files(session, "pfs", [xlsx]).version == "2026-04-01"
    book = _book(sqlite_sessions)
    assert book.pfs("63047").global_days == "090" and book.pfs("63047").mult_proc == "2"
    assert book.pfs("63048").global_days == "ZZZ" and book.pfs("71046").pctc == "1"


def test_import_dir_imports_good_files_and_reports_every_bad_one(tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    for name in ("aoc.csv", "hcpcs_bad_code.csv", "PPRRVU2026_Jan_original.csv"):
        shutil.copy(FIXTURES / name, folder / name)
    (folder / "MCR_MUE_2026Q2.csv").write_text(
        "HCPCS/CPT Code,Practitioner Services MUE Values,MUE Adjudication Indicator\n"
        "20610,two,3 Date of Service Edit: Clinical\n"
    )
    env = {**os.environ, "CONSULTANT_DATA_DIR": str(tmp_path / "var")}
    env.pop("CONSULTANT_DATABASE_URL", None)

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "consultant", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )

    assert cli("db", "upgrade").returncode == 0
    done = cli("codes", "import-dir", str(folder), "--json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert sorted(r["system"] for r in report["imports"]) == ["AOC", "PFS"]
    failed = {Path(f["files"][0]).name: f["error"] for f in report["failures"]}
    assert set(failed) == {"hcpcs_bad_code.csv", "MCR_MUE_2026Q2.csv"}
    assert "line 3" in failed["hcpcs_bad_code.csv"] and "line 2" in failed["MCR_MUE_2026Q2.csv"]
    status = json.loads(cli("codes", "status", "--json").stdout)
    assert {v["system"] for v in status["versions"]} == {"AOC", "PFS"}
