"""The import and lookup path on PostgreSQL (COPY inserts, driver-level PTP query)."""

from __future__ import annotations

import pytest

from consultant.codes import versions
from consultant.codes.book import MemoryCodeBook
from consultant.codes.importers import import_files
from consultant.codes.snapshot import load_state
from consultant.codes.sources import ImportFormatError
from consultant.db import make_engine, session_factory, transaction, upgrade
from tests.codes.conftest import FIXTURE_IMPORTS, FIXTURES
from tests.conftest import create_postgres_database, drop_postgres_database

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_engine(postgres_server: str):  # noqa: ANN201 - Engine
    url = create_postgres_database(postgres_server)
    engine = make_engine(url)
    upgrade(engine)
    yield engine
    engine.dispose()
    drop_postgres_database(postgres_server, url)


def test_import_and_lookup_on_postgres(pg_engine) -> None:  # noqa: ANN001
    factory = session_factory(pg_engine)
    with transaction(factory) as session:
        for kind, name in FIXTURE_IMPORTS:
            import_files(session, kind, [FIXTURES / name])
        import_files(session, "cpt", [FIXTURES / "cpt_2026.tsv"])
    with transaction(factory) as session:
        assert import_files(session, "addon", [FIXTURES / "aoc.csv"]).already_loaded
    with pytest.raises(ImportFormatError), transaction(factory) as session:
        import_files(session, "hcpcs", [FIXTURES / "hcpcs_bad_code.csv"])
    with transaction(factory) as session:
        assert set(versions.in_force(session)) == {
            "HCPCS",
            "AOC",
            "PTP",
            "MUE",
            "PFS",
            "ICD-10-PCS",
            "CPT",
        }
    book = MemoryCodeBook(pg_engine, load_state(pg_engine, None))
    assert book.lookup("HCPCS", "J1100").title.startswith("Injection, dexamethasone")
    assert book.lookup("CPT", "63047").title.startswith("Fictional spine")
    assert book.addon("63048").primaries == ("63047",)
    assert book.mue("J1100").value == 50
    assert book.pfs("63048").global_days == "ZZZ"
    assert {(e.column1, e.column2) for e in book.ptp(["63047", "64483", "99201", "99211"])} == {
        ("63047", "64483")
    }
    assert book.search("dexamethasone", system="HCPCS")[0].code == "J1100"
