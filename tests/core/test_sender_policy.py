"""Sender policy: registered requesters are served, others get one notice per period."""

from __future__ import annotations

import email
from datetime import timedelta
from email.message import EmailMessage

from consultant import casework, requesters
from consultant.config import RelayTarget
from consultant.db import transaction
from consultant.mail.intake import ingest
from consultant.requesters import SenderPolicy
from consultant.stats import intake_stats
from tests.stack import RelaySink

REGISTERED_ONLY = SenderPolicy(mode="registered", notice_period=timedelta(hours=24))


def raw_question(sender: str, subject: str, **headers: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "questions@desk.example"
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{subject.replace(' ', '-')}@x>"
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(f"question {subject}")
    return msg.as_bytes()


def take(sessions, raw: bytes, policy: SenderPolicy = REGISTERED_ONLY):
    with transaction(sessions) as session:
        return ingest(session, raw, source="smtp", policy=policy)


def test_registered_domain_is_served_and_strangers_are_kept_as_ignored(sessions):
    with transaction(sessions) as session:
        requesters.add_requester(session, "@clinic.example", name="Clinic")
    served = take(sessions, raw_question("a@clinic.example", "one"))
    stranger = take(sessions, raw_question("b@elsewhere.example", "two"))
    again = take(sessions, raw_question("b@elsewhere.example", "three"))
    assert served.needs_analysis and not served.notice
    assert not stranger.needs_analysis and stranger.notice == "unregistered"
    assert again.notice == ""  # one notice per period
    with transaction(sessions) as session:
        figures = intake_stats(session)
    assert figures["cases"] == {"received": 1, "ignored": 2}


def test_quota_stops_service_for_the_month(sessions):
    with transaction(sessions) as session:
        requesters.add_requester(session, "a@clinic.example", monthly_quota=1)
    assert take(sessions, raw_question("a@clinic.example", "first")).needs_analysis
    over = take(sessions, raw_question("a@clinic.example", "second"))
    assert not over.needs_analysis and over.notice == "quota"


def test_non_questions_never_get_a_notice(sessions):
    auto = raw_question("b@elsewhere.example", "Out of office", Auto_Submitted="auto-replied")
    result = take(sessions, auto)
    assert result.kind == "auto-reply" and result.notice == ""


def test_duplicates_are_counted(sessions):
    raw = raw_question("a@clinic.example", "dup")
    take(sessions, raw, SenderPolicy())
    assert take(sessions, raw, SenderPolicy()).duplicate
    with transaction(sessions) as session:
        assert intake_stats(session)["messages"]["duplicate"] == 1


def test_notice_is_marked_auto_submitted_with_a_null_sender(sessions):
    result = take(sessions, raw_question("b@elsewhere.example", "hello"))
    with RelaySink() as relay, transaction(sessions) as session:
        reply = casework.ReplySettings(
            relay=RelayTarget.from_url(relay.url), from_address="questions@desk.example"
        )
        casework.send_notice(session, result.case_id, result.notice, reply)
        [(mail_from, rcpts, raw)] = relay.wait_for(1)
    notice = email.message_from_bytes(raw)
    assert mail_from in ("", "<>") and rcpts == ["b@elsewhere.example"]
    assert notice["Auto-Submitted"] == "auto-replied"
    assert "not registered" in notice.get_payload(decode=True).decode()
