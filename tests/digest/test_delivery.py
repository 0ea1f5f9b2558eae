"""Exactly-once delivery: the database row decides; failures are retried and visible."""

from __future__ import annotations

import email
from datetime import UTC, datetime, timedelta
from email import policy
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from consultant.config import RelayTarget
from consultant.db import transaction
from consultant.digest.delivery import DigestSettings, deliver_week, reopen_given_up
from consultant.models import DigestDelivery, DigestSubscription, User
from tests.digest.test_figures import seed_weeks
from tests.stack import RelaySink

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)  # Monday of 2026-W45: reports on W44
TEAM = ["b@desk.example", "lead@desk.example", "ops@desk.example"]


@pytest.fixture
def sink():
    with RelaySink() as relay:
        yield relay


def settings_for(sink: RelaySink, **overrides) -> DigestSettings:
    values = dict(
        relay=RelayTarget.from_url(sink.url),
        from_address="desk@desk.example",
        zone=ZoneInfo("America/New_York"),
        sla_hours=24,
        console_url="https://desk.example",
        extra_recipients=("ops@desk.example",),
    )
    return DigestSettings(**(values | overrides))


def add_people(session) -> None:
    session.add_all(
        [
            User(email="lead@desk.example", role="lead"),
            User(email="b@desk.example", role="coder"),
            User(email="quiet@desk.example", role="coder", digest_opt_out=True),
            User(email="gone@desk.example", role="coder", active=False),
            DigestSubscription(address="client@clinic.example"),
            DigestSubscription(address="idle@clinic.example"),  # asked nothing that week
        ]
    )


@pytest.fixture
def desk(sessions):
    with transaction(sessions) as session:
        seed_weeks(session)
        add_people(session)
    return sessions


def rows(sessions) -> dict[str, DigestDelivery]:
    with transaction(sessions) as session:
        return {r.recipient: r for r in session.scalars(select(DigestDelivery))}


def test_each_recipient_gets_one_digest_however_often_it_runs(desk, sink) -> None:
    config = settings_for(sink)
    first = deliver_week(desk, config, now=NOW)
    assert first.week == "2026-W44"
    assert sorted(first.sent) == sorted(TEAM + ["client@clinic.example"])
    again = deliver_week(desk, config, now=NOW + timedelta(hours=1))
    assert again.sent == [] and sorted(again.done) == sorted(first.sent)
    assert sorted(to for _, (to,), _ in sink.messages) == sorted(first.sent)
    assert {r.state for r in rows(desk).values()} == {"sent"}

    by_recipient = {to: raw for _, (to,), raw in sink.messages}
    team = email.message_from_bytes(by_recipient["lead@desk.example"], policy=policy.default)
    assert team["Subject"] == "Coding desk, week 2026-W44: 7 received, 3 answered, 2 waiting"
    assert team.get_content_type() == "multipart/alternative"
    text, related = team.get_payload()
    assert "Receipt → sent, median" in text.get_content()
    assert related.get_content_type() == "multipart/related"
    html, image = related.get_payload()
    assert image.get_content_type() == "image/png"
    assert image.get_payload(decode=True).startswith(b"\x89PNG")
    assert f'src="cid:{image["Content-ID"].strip("<>")}"' in html.get_content()
    assert "https://desk.example/cases/6" in html.get_content()

    mine = email.message_from_bytes(by_recipient["client@clinic.example"], policy=policy.default)
    body = mine.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "Case #3 (2026-10-26): Question\n  answered: E11.42 is billable." in body
    assert "in progress" in body and "not a question" not in body


def test_a_refused_send_is_recorded_and_retried(desk, sink) -> None:
    config = settings_for(sink)
    sink.refuse_with = "451 try later"
    report = deliver_week(desk, config, now=NOW)
    assert report.retry_needed and len(report.failed) == 4
    failed = rows(desk)["lead@desk.example"]
    assert (failed.state, failed.attempts) == ("failed", 1)
    assert "451" in failed.error
    sink.refuse_with = None
    retry = deliver_week(desk, config, now=NOW + timedelta(minutes=1), week="2026-W44")
    assert sorted(retry.sent) == sorted(report.failed)
    row = rows(desk)["lead@desk.example"]
    assert (row.state, row.attempts, row.error) == ("sent", 2, "")
    assert len(sink.messages) == 4


def test_a_permanent_refusal_gives_up_visibly(desk, sink) -> None:
    sink.refuse_with = "550 no such user"
    report = deliver_week(desk, settings_for(sink), now=NOW)
    assert len(report.given_up) == 4 and not report.retry_needed
    assert rows(desk)["b@desk.example"].state == "given_up"


def test_a_given_up_delivery_can_be_retried_once_the_cause_is_fixed(desk, sink) -> None:
    sink.refuse_with = "550 no such user"
    deliver_week(desk, settings_for(sink), now=NOW)
    sink.refuse_with = None
    with transaction(desk) as session:
        assert reopen_given_up(session, "2026-W44", "b@desk.example") == 1
    retry = deliver_week(desk, settings_for(sink), now=NOW + timedelta(minutes=1), week="2026-W44")
    assert retry.sent == ["b@desk.example"] and len(sink.messages) == 1
    assert rows(desk)["lead@desk.example"].state == "given_up"  # only the one reopened
    again = deliver_week(desk, settings_for(sink), now=NOW + timedelta(minutes=2), week="2026-W44")
    assert again.sent == [] and len(sink.messages) == 1


def test_a_claim_whose_owner_died_is_taken_over_only_when_stale(desk, sink) -> None:
    with transaction(desk) as session:
        for recipient, claimed in (
            ("lead@desk.example", NOW - timedelta(minutes=20)),  # its process crashed
            ("b@desk.example", NOW - timedelta(minutes=1)),  # still being sent elsewhere
        ):
            session.add(
                DigestDelivery(
                    recipient=recipient,
                    iso_week="2026-W44",
                    state="pending",
                    claim_token="x" * 32,
                    claimed_at=claimed,
                    message_id="<kept@desk.example>",
                )
            )
    report = deliver_week(desk, settings_for(sink), now=NOW)
    assert "lead@desk.example" in report.sent
    assert report.busy == ["b@desk.example"] and report.retry_needed
    resent = [raw for _, (to,), raw in sink.messages if to == "lead@desk.example"]
    assert b"Message-ID: <kept@desk.example>" in resent[0]  # the same id: dedupable
    assert rows(desk)["lead@desk.example"].attempts == 2


def test_an_empty_week_sends_a_short_digest_or_none(sessions, sink) -> None:
    with transaction(sessions) as session:
        add_people(session)
    skipped = deliver_week(sessions, settings_for(sink, send_empty=False), now=NOW)
    assert skipped.empty_skipped and skipped.sent == [] and sink.messages == []
    sent = deliver_week(sessions, settings_for(sink), now=NOW)
    assert sorted(sent.sent) == TEAM
    short = email.message_from_bytes(sink.messages[0][2], policy=policy.default)
    assert short["Subject"] == "Coding desk, week 2026-W44: no cases"
    assert "No cases this week" in short.get_body(("plain",)).get_content()
    assert short.get_body(("html",)).get_content_type() == "text/html"
