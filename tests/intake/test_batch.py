"""Batch intake (the group-commit writer's path) decides exactly as one-by-one intake does."""

from __future__ import annotations

from dataclasses import replace
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import func, select

from consultant import requesters
from consultant.db import make_engine, session_factory, transaction
from consultant.mail.head import parse_head
from consultant.mail.intake import follow_on, ingest_many, prepare, store_once
from consultant.mail.parse import parse_message
from consultant.models import Case, DuplicateDelivery, Message
from consultant.requesters import SenderPolicy
from tests.conftest import fresh_database


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.postgres),
        pytest.param("postgresql-begin-in-sql", marks=pytest.mark.postgres),
    ]
)
def sessions(request: pytest.FixtureRequest, tmp_path: Path):  # noqa: ANN201 - sessionmaker
    """Every test on SQLite and twice on PostgreSQL: with the driver's own BEGIN, and as
    the intake writer connects, with the BEGIN carried by the batch's first statement."""
    url = fresh_database(request, request.param.removesuffix("-begin-in-sql"), tmp_path)
    engine = make_engine(url, begin_in_sql=request.param.endswith("-begin-in-sql"))
    yield session_factory(engine)
    engine.dispose()


def raw(sender: str, subject: str, message_id: str, **headers: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "questions@desk.example"
    msg["Subject"] = subject
    msg["Message-ID"] = message_id
    msg["Date"] = "Mon, 06 Apr 2026 08:14:00 -0500"
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(f"question {subject}")
    return msg.as_bytes()


def batch(sessions, raws: list[bytes], policy: SenderPolicy = SenderPolicy()):
    items = [prepare(r, source="smtp", policy=policy) for r in raws]
    with transaction(sessions) as session:
        return ingest_many(session, items)


def count(sessions, model) -> int:
    with transaction(sessions) as session:
        return session.scalar(select(func.count()).select_from(model))


def test_repeats_within_a_batch_and_of_stored_mail_are_counted_not_stored(sessions):
    first = raw("a@clinic.example", "one", "<one@x>")
    batch(sessions, [first])
    results = batch(sessions, [first, raw("a@clinic.example", "two", "<two@x>"), first])
    assert [r.duplicate for r in results] == [True, False, True]
    assert count(sessions, Message) == 2 and count(sessions, DuplicateDelivery) == 2


def test_a_batch_that_fails_after_its_insert_leaves_nothing(sessions):
    items = [prepare(raw("a@clinic.example", f"q{n}", f"<{n}@x>"), source="smtp") for n in range(3)]
    with pytest.raises(RuntimeError), transaction(sessions) as session:
        assert all(not r.duplicate for r in ingest_many(session, items))
        raise RuntimeError("the commit never comes")
    assert count(sessions, Message) == 0 and count(sessions, Case) == 0
    assert [r.duplicate for r in batch(sessions, [item.raw for item in items])] == [False] * 3


def test_a_reply_threads_onto_a_case_opened_earlier_in_the_same_batch(sessions):
    results = batch(
        sessions,
        [
            raw("a@clinic.example", "one", "<one@x>"),
            raw("b@clinic.example", "other", "<other@x>"),
            raw("a@clinic.example", "Re: one", "<re@x>", In_Reply_To="<one@x>"),
            raw("a@clinic.example", "Re: one", "<re2@x>", References="<other@x> <re@x>"),
        ],
    )
    assert results[2].case_id == results[0].case_id != results[1].case_id
    assert results[3].case_id == results[0].case_id  # the newest referenced message wins
    assert results[2].needs_analysis  # the case is still waiting for its analysis
    assert count(sessions, Case) == 2


def test_sender_policy_within_one_batch(sessions):
    with transaction(sessions) as session:
        requesters.add_requester(session, "q@clinic.example", monthly_quota=1)
    open_policy = SenderPolicy(guest_quota=1)
    results = batch(
        sessions,
        [
            raw("q@clinic.example", "first", "<1@x>"),
            raw("q@clinic.example", "second", "<2@x>"),
            raw("guest@else.example", "third", "<3@x>"),
            raw("guest@else.example", "fourth", "<4@x>"),
            raw("guest@else.example", "fifth", "<5@x>"),
        ],
        policy=open_policy,
    )
    assert [r.needs_analysis for r in results] == [True, False, True, False, False]
    assert [r.notice for r in results] == ["", "quota", "", "quota", ""]  # one per period


def test_store_once_after_a_lost_race_reads_a_duplicate(sessions):
    item = prepare(raw("a@clinic.example", "one", "<one@x>"), source="smtp")
    assert not store_once(sessions, item).duplicate
    assert store_once(sessions, item).duplicate
    assert count(sessions, Message) == 1


def test_the_head_agrees_with_the_full_parse():
    message = raw("Renée <a@clinic.example>", "Automatic reply: away", "<h@x>", References="<r@x>")
    head, full = parse_head(message), parse_message(message)
    for name in head.__dataclass_fields__:
        assert getattr(head, name) == getattr(full, name), name


class BatchEnqueue:
    """An enqueue function that also takes a committed batch at once, as the workers' does."""

    def __init__(self, fail: bool = False) -> None:
        self.single: list[int] = []
        self.batches: list[list[int]] = []
        self.fail = fail

    def __call__(self, case_id: int) -> None:
        self.single.append(case_id)

    def many(self, case_ids: list[int]) -> None:
        if self.fail:
            raise ConnectionError("broker down")
        self.batches.append(case_ids)


def test_follow_on_enqueues_a_batch_in_one_call_and_notices_each(sessions):
    results = batch(
        sessions,
        [raw("a@clinic.example", "one", "<f1@x>"), raw("b@clinic.example", "two", "<f2@x>")],
    )
    enqueue, plain, notices = BatchEnqueue(), [], []
    noticed = replace(results[1], notice="unregistered")
    follow_on(
        [
            (results[0], enqueue, None),
            (noticed, enqueue, lambda case_id, kind: notices.append((case_id, kind))),
            (results[0], plain.append, None),
        ]
    )
    assert enqueue.batches == [[results[0].case_id, results[1].case_id]] and not enqueue.single
    assert plain == [results[0].case_id]
    assert notices == [(results[1].case_id, "unregistered")]


def test_follow_on_survives_a_broker_failure(sessions, caplog):
    (result,) = batch(sessions, [raw("a@clinic.example", "one", "<f3@x>")])
    follow_on([(result, BatchEnqueue(fail=True), None)])
    assert "the sweep will retry" in caplog.text
