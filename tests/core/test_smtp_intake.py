"""The SMTP listener over real sockets: store-then-ack, dedupe, threading, 451, 550, 552."""

from __future__ import annotations

import smtplib
import threading
import time
from email.message import EmailMessage

import pytest
from sqlalchemy import func, select

from consultant.db import transaction
from consultant.errors import TransientError
from consultant.mail.intake import store_and_enqueue
from consultant.mail.smtp import IntakeHandler, make_controller
from consultant.mail.writer import GroupCommitStore
from consultant.models import Case, Message
from tests.conftest import free_port

DESK = "questions@desk.example"


def question(subject: str, body: str, **headers: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Renee Caldwell <renee@clinic.example>"
    msg["To"] = DESK
    msg["Subject"] = subject
    msg["Date"] = "Mon, 06 Apr 2026 08:14:00 -0500"
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg.as_bytes()


@pytest.fixture(params=["direct", "group-commit", "two-writers"])
def listener(request, sessions):
    enqueued: list[int] = []
    stores = {
        "direct": lambda: store_and_enqueue,
        "group-commit": lambda: GroupCommitStore(sessions),
        "two-writers": lambda: GroupCommitStore(sessions, writers=2),
    }
    store = stores[request.param]()
    handler = IntakeHandler(
        sessions, accept_domains=frozenset({"desk.example"}), enqueue=enqueued.append, store=store
    )
    controller = make_controller(
        handler, host="127.0.0.1", port=free_port(), max_message_bytes=64 * 1024
    )
    controller.start()
    yield controller, handler, enqueued
    controller.stop()
    if isinstance(store, GroupCommitStore):
        store.close()


def send(controller, raw: bytes, to: str = DESK) -> None:
    with smtplib.SMTP(controller.hostname, controller.port, timeout=10) as client:
        client.sendmail("renee@clinic.example", [to], raw)


def enqueued_once_settled(enqueued: list[int], expected: int) -> list[int]:
    """The enqueued case ids once `expected` have arrived: the group-commit store enqueues
    on a thread of its own after answering, in rounds (`publish_rounds`)."""
    deadline = time.monotonic() + 10
    while len(enqueued) < expected and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.05)  # room for a wrong extra one to show
    return sorted(enqueued)


def count(sessions, model) -> int:
    with transaction(sessions) as session:
        return session.scalar(select(func.count()).select_from(model))


def test_stored_before_ack_and_enqueued_after(listener, sessions):
    controller, _, enqueued = listener
    send(controller, question("M48.062 question", "Is M48.062 right?", Message_ID="<q1@clinic>"))
    with transaction(sessions) as session:
        case = session.scalars(select(Case)).one()
        assert case.status == "received"
        assert case.requester == "renee@clinic.example"
        assert case.requester_name == "Renee Caldwell"
        assert b"Is M48.062 right?" in case.messages[0].raw
    assert enqueued_once_settled(enqueued, 1) == [case.id]


def test_duplicate_delivery_makes_no_second_case(listener, sessions):
    controller, _, enqueued = listener
    raw = question("dup", "same body", Message_ID="<dup@clinic>")
    send(controller, raw)
    send(controller, b"Received: from relay2\r\n" + raw)  # re-delivered through another hop
    assert count(sessions, Message) == 1 and count(sessions, Case) == 1
    assert len(enqueued_once_settled(enqueued, 1)) == 1


def test_reused_message_id_with_new_body_is_a_new_message(listener, sessions):
    controller, _, _ = listener
    send(controller, question("a", "first question", Message_ID="<same@clinic>"))
    send(controller, question("b", "another question", Message_ID="<same@clinic>"))
    assert count(sessions, Message) == 2


def test_follow_up_joins_its_case(listener, sessions):
    controller, _, _ = listener
    send(controller, question("first", "Is I10 right?", Message_ID="<first@clinic>"))
    send(
        controller,
        question(
            "Re: first",
            "And I11.9?",
            Message_ID="<second@clinic>",
            In_Reply_To="<first@clinic>",
            References="<first@clinic>",
        ),
    )
    with transaction(sessions) as session:
        case = session.scalars(select(Case)).one()
        assert len(case.messages) == 2


def test_foreign_recipient_domain_is_refused_with_550(listener, sessions):
    controller, _, _ = listener
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        send(controller, question("relay?", "x"), to="someone@elsewhere.example")
    assert list(refused.value.recipients.values())[0][0] == 550
    assert count(sessions, Message) == 0


def test_storage_failure_answers_451_and_nothing_is_acknowledged(listener, sessions):
    controller, handler, _ = listener

    def broken_store(*args, **kwargs):
        raise TransientError("database unavailable")

    handler.store = broken_store
    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(controller, question("q", "body"))
    assert refused.value.smtp_code == 451


def test_oversize_message_gets_552(listener, sessions):
    controller, _, _ = listener
    with pytest.raises((smtplib.SMTPDataError, smtplib.SMTPSenderRefused)) as refused:
        send(controller, question("big", "x" * 100_000))
    assert refused.value.smtp_code == 552
    assert count(sessions, Message) == 0


def test_concurrent_senders_each_get_their_own_case(listener, sessions):
    controller, _, enqueued = listener

    def sender(n: int) -> None:
        for k in range(5):
            send(controller, question(f"q{n}-{k}", f"body {n} {k}", Message_ID=f"<{n}.{k}@c>"))

    threads = [threading.Thread(target=sender, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert count(sessions, Message) == 40 and count(sessions, Case) == 40
    assert enqueued_once_settled(enqueued, 40) == list(range(1, 41))


def test_lines_longer_than_rfc_5321_allows_are_still_accepted(listener, sessions):
    controller, _, _ = listener
    line = b"<p>" + b"x" * 5000 + b"</p>"  # one HTML line, as some mailers send it
    send(controller, b"From: renee@clinic.example\r\nSubject: long\r\n\r\n" + line + b"\r\n")
    assert count(sessions, Message) == 1


def test_a_writer_killed_mid_run_is_replaced_and_nothing_is_lost(sessions):
    """The writer process dies (OOM killer, a bug): messages it had not answered get 451,
    the listener stays up, the next message starts a new writer, and every message a
    sender retries is stored exactly once."""
    store = GroupCommitStore(sessions)
    enqueued: list[int] = []
    handler = IntakeHandler(
        sessions, accept_domains=frozenset({"desk.example"}), enqueue=enqueued.append, store=store
    )
    controller = make_controller(
        handler, host="127.0.0.1", port=free_port(), max_message_bytes=64 * 1024
    )
    controller.start()
    try:
        send(controller, question("before", "first", Message_ID="<w1@clinic>"))
        store._slots[0].child.process.kill()
        store._slots[0].child.process.join(5)
        for n in range(2, 6):
            raw = question(f"after {n}", f"body {n}", Message_ID=f"<w{n}@clinic>")
            for _ in range(20):  # a real sender retries a 451 later; here, soon
                try:
                    send(controller, raw)
                    break
                except smtplib.SMTPDataError as refused:
                    assert refused.smtp_code == 451
                    time.sleep(0.25)
            else:
                pytest.fail("the listener never stored the message again")
        assert count(sessions, Message) == 5 and count(sessions, Case) == 5
        settled = enqueued_once_settled(enqueued, 5)
        assert len(settled) == len(set(settled)) == 5
    finally:
        controller.stop()
        store.close()
