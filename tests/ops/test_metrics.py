"""/metrics on SQLite and PostgreSQL: the consultant_ metrics match the seeded cases, and the
counters tail the tables (each row once, late commits included, nothing twice)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from consultant import cases
from consultant.config import load_settings
from consultant.db import make_engine, session_factory, transaction
from consultant.metrics import DeskCollector
from consultant.models import CaseStatus, Message, utcnow
from consultant.web.app import create_app
from tests.conftest import empty_postgres_tables


def seed_case(session, *, seconds_to_draft: float | None, kind: str = "question"):
    """A case whose question arrived `seconds_to_draft` before its draft (None: no draft)."""
    now = utcnow()
    opened_at = now - timedelta(seconds=seconds_to_draft or 0)
    case = cases.open_case(session, subject="q", requester="r@clinic.example", at=opened_at)
    raw = f"Subject: q {case.id}\r\n\r\nbody".encode()
    digest = hashlib.sha256(raw).hexdigest()
    session.add(Message(case_id=case.id, kind=kind, raw=raw, sha256=digest, dedupe_key=digest))
    if seconds_to_draft is not None:
        draft = {"subject": "Re: q", "text": "t", "html": "<p>t</p>"}
        cases.record_draft(session, case, draft=draft, analysis={})
    return case


def samples(text: str) -> dict[tuple[str, tuple], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


@pytest.fixture
def client(tmp_path, database_url, sessions, redis_server):
    config = load_settings(
        data_dir=tmp_path, database_url=database_url, broker_url=f"{redis_server}/7"
    )
    import redis

    broker = redis.Redis.from_url(f"{redis_server}/7")
    broker.delete("celery")
    broker.rpush("celery", "a", "b", "c")
    with TestClient(create_app(config, sessions)) as test_client:
        yield test_client
    broker.delete("celery")


def test_metrics_report_the_seeded_cases(client, sessions):
    with transaction(sessions) as session:
        seed_case(session, seconds_to_draft=0.3)
        seed_case(session, seconds_to_draft=20.0)
        seed_case(session, seconds_to_draft=None)
        seed_case(session, seconds_to_draft=None, kind="bounce")
        failed = seed_case(session, seconds_to_draft=4.0)
        cases.transition(session, failed, CaseStatus.APPROVED, actor="coder@desk.example")
        cases.transition(session, failed, CaseStatus.SEND_FAILED, note="relay said 554")

    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    got = samples(response.text)
    assert got[("consultant_cases", (("status", "received"),))] == 2
    assert got[("consultant_cases", (("status", "awaiting_review"),))] == 2
    assert got[("consultant_cases", (("status", "send_failed"),))] == 1
    assert got[("consultant_cases", (("status", "sent"),))] == 0
    assert got[("consultant_messages_received_total", (("kind", "question"),))] == 4
    assert got[("consultant_messages_received_total", (("kind", "bounce"),))] == 1
    assert got[("consultant_send_failures_total", ())] == 1
    histogram = "consultant_draft_latency_seconds"
    assert got[(f"{histogram}_count", ())] == 3
    # Seeding takes a moment: each latency is a little above the age it was seeded with.
    assert got[(f"{histogram}_bucket", (("le", "0.25"),))] == 0
    assert got[(f"{histogram}_bucket", (("le", "2.5"),))] == 1
    assert got[(f"{histogram}_bucket", (("le", "10.0"),))] == 2
    assert got[(f"{histogram}_bucket", (("le", "30.0"),))] == 3
    assert 24.3 <= got[(f"{histogram}_sum", ())] < 27
    assert got[("consultant_queue_depth", (("queue", "celery"),))] == 3
    assert got[("consultant_broker_up", ())] == 1
    assert got[("consultant_database_up", ())] == 1
    assert ("consultant_web_process_resident_memory_bytes", ()) in got

    # A second scrape counts only what is new.
    with transaction(sessions) as session:
        seed_case(session, seconds_to_draft=0.3)
    got = samples(client.get("/metrics").text)
    assert got[("consultant_messages_received_total", (("kind", "question"),))] == 5
    assert got[(f"{histogram}_count", ())] == 4
    assert got[("consultant_cases", (("status", "received"),))] == 2


@pytest.mark.postgres
def test_a_late_commit_below_the_last_id_read_is_counted_once(postgres_database):
    """Ids are taken at insert and become visible at commit: a transaction holding a lower id
    may commit after a scrape read a higher one (PostgreSQL; SQLite serialises writers)."""
    empty_postgres_tables(postgres_database)
    engine = make_engine(postgres_database)
    sessions = session_factory(engine)
    collector = DeskCollector(sessions)
    slow = sessions()
    seed_case(slow, seconds_to_draft=None)
    slow.flush()
    with transaction(sessions) as session:
        seed_case(session, seconds_to_draft=None)
    first = samples_of(collector)
    slow.commit()
    slow.close()
    second = samples_of(collector)
    third = samples_of(collector)
    engine.dispose()
    kind = ("consultant_messages_received_total", (("kind", "question"),))
    assert first[kind] == 1
    assert second[kind] == third[kind] == 2


def samples_of(collector: DeskCollector) -> dict[tuple[str, tuple], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in collector.collect()
        for sample in family.samples
    }


def test_an_unreachable_database_is_a_metric_not_an_error():
    engine = make_engine("postgresql://nobody@127.0.0.1:1/none")
    got = samples_of(DeskCollector(session_factory(engine)))
    assert got[("consultant_database_up", ())] == 0
    assert ("consultant_cases", (("status", "received"),)) not in got
