"""Fixtures of the code-set tests: fixture files, and one SQLite store with ICD-10-CM loaded."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from consultant.codes.book import MemoryCodeBook, invalidate, open_codebook
from consultant.codes.importers import import_files
from consultant.codes.loaders import load_icd10cm
from consultant.db import make_engine, session_factory, transaction, upgrade

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "codes"
FIXTURE_IMPORTS = (
    ("hcpcs", "hcpcs_anweb.csv"),
    ("addon", "aoc.csv"),
    ("ptp", "ptp_dated.txt"),
    ("mue", "MCR_MUE_PractitionerServices_Eff_2026-04-01.csv"),
    ("pfs", "PPRRVU2026_Jan_sample.csv"),
    ("icd10pcs", "icd10pcs_order_2026.txt"),
)


@pytest.fixture(scope="session")
def loaded_engine(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201 - Engine
    """SQLite with ICD-10-CM from the package and every fixture file imported."""
    folder = tmp_path_factory.mktemp("codes")
    engine = make_engine(f"sqlite:///{folder / 'consultant.db'}")
    upgrade(engine)
    factory = session_factory(engine)
    with transaction(factory) as session:
        load_icd10cm(session)
        for kind, name in FIXTURE_IMPORTS:
            import_files(session, kind, [FIXTURES / name])
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def book(loaded_engine) -> Iterator[MemoryCodeBook]:  # noqa: ANN001
    invalidate()
    yield open_codebook(loaded_engine)
    invalidate()


@pytest.fixture
def sqlite_sessions(tmp_path: Path):  # noqa: ANN201 - sessionmaker
    """A fresh, migrated SQLite store (the PostgreSQL path is covered in test_postgres)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'consultant.db'}")
    upgrade(engine)
    yield session_factory(engine)
    engine.dispose()
