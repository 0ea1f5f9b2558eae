"""The real CMS files in ../shared/data/cms import with the expected counts and facts."""

from __future__ import annotations

import pytest

from consultant.codes.importers import detect_kind, import_files
from consultant.db import make_engine, session_factory, transaction, upgrade
from tests.conftest import shared_path

FILES = [
    ("hcpcs", "hcpcs/HCPC2025_OCT_ANWEB.csv.gz", 8846),
    ("hcpcs", "hcpcs/HCPC2025_OCT_ANWEB.xlsx", 8846),
    ("addon", "ncci_aoc/AOC_V2026Q2-MCR.csv", 9000),
    ("addon", "ncci_aoc/AOC_V2026Q2-MCR.xlsx", 9000),
    ("mue", "ncci_mue/mue_practitioner_derived.csv", 15095),
    ("pfs", "pfs/PPRRVU2025_Oct_indicators.csv.gz", 19090),
    ("icd10pcs", "icd10pcs/icd10pcs_order_2026.txt.gz", 80029),
    ("icd10cm-index", "icd10cm/ICD10CM_2025_Index_flattened.csv.gz", 62721),
    ("icd10cm-addenda", "icd10cm/icd10cm_order_addenda_2026.txt", 642),  # 28 deleted, 614 added
]


@pytest.mark.parametrize(("kind", "relative", "rows"), FILES)
def test_shared_file_imports(tmp_path, kind: str, relative: str, rows: int) -> None:  # noqa: ANN001
    path = shared_path("data", "cms", *relative.split("/"))
    assert detect_kind(path) == kind
    engine = make_engine(f"sqlite:///{tmp_path / 'c.db'}")
    upgrade(engine)
    with transaction(session_factory(engine)) as session:
        assert import_files(session, kind, [path]).rows == rows
    engine.dispose()


def test_shared_ptp_is_recognised_as_undated() -> None:
    from consultant.codes.formats.ncci import ptp_version

    path = shared_path("data", "cms", "ncci_ptp", "ptp_practitioner_undated_derived.tsv.gz")
    assert detect_kind(path) == "ptp"
    assert ptp_version([path]).dated is False
