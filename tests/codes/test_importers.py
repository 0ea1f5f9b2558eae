"""Imports: every format, versioning, no-op re-imports, atomicity and bad-input messages."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from consultant.codes import versions
from consultant.codes.book import MemoryCodeBook
from consultant.codes.importers import detect_kind, import_files, plan_dir
from consultant.codes.snapshot import load_state
from consultant.codes.sources import ImportFormatError
from consultant.codes.tables import AddonEdit, CodeEntry, CodeSetVersion, PtpEditRow
from consultant.db import transaction
from tests.codes.conftest import FIXTURES


def _count(session, model) -> int:  # noqa: ANN001
    return session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(
    ("kind", "name", "system", "rows", "version"),
    [
        ("hcpcs", "hcpcs_anweb.csv", "HCPCS", 5, "undated"),
        ("addon", "aoc.csv", "AOC", 5, "undated"),
        ("ptp", "ptp_dated.txt", "PTP", 3, "ptp_dated"),
        ("ptp", "ptp_undated.tsv", "PTP", 3, "undated"),
        ("mue", "MCR_MUE_PractitionerServices_Eff_2026-04-01.csv", "MUE", 3, "2026-04-01"),
        ("pfs", "PPRRVU2026_Jan_sample.csv", "PFS", 5, "2026-01-01"),
        ("icd10pcs", "icd10pcs_order_2026.txt", "ICD-10-PCS", 3, "FY2026"),
        ("cpt", "cpt_2026.tsv", "CPT", 3, "2026"),
        ("cpt", "cpt_2026.csv", "CPT", 2, "2026"),
        ("icd10cm-index", "ICD10CM_2025_Index_sample.csv", "ICD-10-CM index", 4, "FY2025"),
    ],
)
def test_each_format_imports_once(sqlite_sessions, kind, name, system, rows, version) -> None:  # noqa: ANN001
    path = FIXTURES / name
    assert detect_kind(path) == kind
    with transaction(sqlite_sessions) as session:
        result = import_files(session, kind, [path])
    assert (result.system, result.rows, result.version, result.already_loaded) == (
        system,
        rows,
        version,
        False,
    )
    with transaction(sqlite_sessions) as session:
        again = import_files(session, kind, [path])
        assert again.already_loaded and again.version_id == result.version_id
        assert _count(session, CodeSetVersion) == 1


def test_undated_ptp_is_marked(sqlite_sessions) -> None:  # noqa: ANN001
    with transaction(sqlite_sessions) as session:
        import_files(session, "ptp", [FIXTURES / "ptp_undated.tsv"])
        row = versions.in_force(session)["PTP"]
        assert row.dated is False and row.effective is None
    book = MemoryCodeBook(sqlite_sessions.kw["bind"], load_state(sqlite_sessions.kw["bind"], None))
    edits = book.ptp(["99201", "99211", "20610", "99213"])
    assert {e.column1 for e in edits} == {"99201", "20610"}  # deletion unknown: kept, undated
    assert not any(e.dated for e in edits)


def test_gzip_and_xlsx_are_detected(sqlite_sessions, tmp_path: Path) -> None:  # noqa: ANN001
    packed = tmp_path / "ptp_undated.tsv.gz"
    with (FIXTURES / "ptp_undated.tsv").open("rb") as src, gzip.open(packed, "wb") as out:
        shutil.copyfileobj(src, out)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Copyright notice of the publisher, one cell"])
    for line in (FIXTURES / "aoc.csv").read_text().splitlines():
        sheet.append(line.split(","))
    xlsx = tmp_path / "AOC_V2026Q2-MCR.xlsx"
    workbook.save(xlsx)
    assert detect_kind(packed) == "ptp"
    assert detect_kind(xlsx) == "addon"
    with transaction(sqlite_sessions) as session:
        assert import_files(session, "ptp", [packed]).rows == 3
        aoc = import_files(session, "addon", [xlsx])
        assert (aoc.rows, aoc.version) == (5, "2026Q2")
        assert _count(session, AddonEdit) == 5


def test_new_version_takes_over_and_old_stays(sqlite_sessions, tmp_path: Path) -> None:  # noqa: ANN001
    newer = tmp_path / "AOC_V2026Q3-MCR.csv"
    newer.write_text((FIXTURES / "aoc.csv").read_text() + "1,22552,,22551,,2026182,,\n")
    older = tmp_path / "AOC_V2026Q2-MCR.csv"
    shutil.copy(FIXTURES / "aoc.csv", older)
    with transaction(sqlite_sessions) as session:
        import_files(session, "addon", [newer])
        import_files(session, "addon", [older])
        assert versions.in_force(session)["AOC"].version == "2026Q3"
        on_may = versions.in_force(session, on=__import__("datetime").date(2026, 5, 1))
        assert on_may["AOC"].version == "2026Q2"


@pytest.mark.parametrize(
    ("kind", "name", "line", "column"),
    [
        ("hcpcs", "hcpcs_bad_code.csv", 3, "HCPC"),
        ("addon", "aoc_bad_date.csv", 3, "AOC_Edit_EffDT"),
        ("addon", "not_a_code_file.csv", 1, None),
        ("mue", "aoc.csv", 1, None),
    ],
)
def test_bad_input_names_file_line_column(sqlite_sessions, kind, name, line, column) -> None:  # noqa: ANN001
    with pytest.raises(ImportFormatError) as caught, transaction(sqlite_sessions) as session:
        import_files(session, kind, [FIXTURES / name])
    error = caught.value
    assert (Path(error.path).name, error.line, error.column) == (name, line, column)
    assert name in str(error) and "expected" in str(error) or "header" in str(error)


def test_failed_import_leaves_previous_version_in_force(sqlite_sessions, tmp_path: Path) -> None:  # noqa: ANN001
    with transaction(sqlite_sessions) as session:
        import_files(session, "hcpcs", [FIXTURES / "hcpcs_anweb.csv"])
    broken = tmp_path / "HCPC2026_JAN_ANWEB.csv"
    good = (FIXTURES / "hcpcs_anweb.csv").read_text()
    broken.write_text(good + 'ZZZZZZ,0010,3,"Bad",Bad\n')
    with pytest.raises(ImportFormatError), transaction(sqlite_sessions) as session:
        import_files(session, "hcpcs", [broken])
    with transaction(sqlite_sessions) as session:
        assert [v.version for v in versions.all_versions(session)] == ["undated"]
        assert _count(session, CodeEntry) == 5


def test_truncated_gzip_stops(sqlite_sessions, tmp_path: Path) -> None:  # noqa: ANN001
    packed = tmp_path / "ptp.tsv.gz"
    data = gzip.compress((FIXTURES / "ptp_undated.tsv").read_bytes() * 50)
    packed.write_bytes(data[: len(data) // 2])
    with (
        pytest.raises(ImportFormatError, match="truncated"),
        transaction(sqlite_sessions) as session,
    ):
        import_files(session, "ptp", [packed])
    with transaction(sqlite_sessions) as session:
        assert _count(session, PtpEditRow) == 0


def test_plan_dir_prefers_text_form_and_skips_unknown(tmp_path: Path) -> None:
    for name in ("aoc.csv", "hcpcs_anweb.csv", "not_a_code_file.csv"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    (tmp_path / "README.md").write_text("MUE notes, HCPCS and mai columns\n")
    plan = plan_dir(tmp_path)
    assert [(kind, [p.name for p in paths]) for kind, paths in plan] == [
        ("hcpcs", ["hcpcs_anweb.csv"]),
        ("addon", ["aoc.csv"]),
    ]
