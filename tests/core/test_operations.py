"""Retention purge and the doctor's checks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from consultant import cases
from consultant.config import load_settings
from consultant.db import make_engine, transaction
from consultant.doctor import check_broker, check_database, check_relay
from consultant.errors import ConsultantError
from consultant.mail.intake import ingest
from consultant.models import Case, Message, PurgeRecord, utcnow
from consultant.retention import parse_duration, plan_purge, purge
from tests.stack import RelaySink

RAW = b"From: a@clinic.example\r\nSubject: q\r\nMessage-ID: <%d@x>\r\n\r\nbody %d\r\n"


def test_durations():
    assert parse_duration("90d") == timedelta(days=90)
    assert parse_duration("7y") == timedelta(days=7 * 365)
    with pytest.raises(ConsultantError, match="90d"):
        parse_duration("ninety days")


def test_purge_removes_only_closed_cases_past_retention(sessions):
    with transaction(sessions) as session:
        for n in range(3):
            ingest(session, RAW % (n, n), source="smtp")
    with transaction(sessions) as session:
        old_closed, old_open, new_closed = session.scalars(select(Case).order_by(Case.id)).all()
        for case in (old_closed, new_closed):
            cases.record_draft(
                session, case, draft={"subject": "", "text": "", "html": ""}, analysis={}
            )
            cases.reject(session, case, actor="lead@desk", reason="test")
        old_closed.updated_at = old_open.updated_at = utcnow() - timedelta(days=100)
    with transaction(sessions) as session:
        plan = plan_purge(session, timedelta(days=90))
        assert plan.case_ids == [old_closed.id] and plan.messages == 1
        purge(session, plan, actor="ops@desk")
    with transaction(sessions) as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 2
        assert session.scalar(select(func.count()).select_from(Message)) == 2
        record = session.scalars(select(PurgeRecord)).one()
        assert record.case_ids == [old_closed.id] and record.actor == "ops@desk"


def test_doctor_reports_each_part(database_url):
    engine = make_engine(database_url)
    assert check_database(engine).status == "ok"
    assert check_broker("redis://127.0.0.1:1/0").status == "fail"
    with RelaySink() as relay:
        assert check_relay(load_settings(relay_url=relay.url)).status == "ok"
    assert check_relay(load_settings(relay_url="smtp://127.0.0.1:1")).status == "fail"
