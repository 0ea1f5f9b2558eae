"""Faults with real processes: killed workers, a broker outage, a database outage, a dead
relay and a storm of duplicate deliveries. Each test is bounded in time."""

from __future__ import annotations

import os
import shutil
import signal
import smtplib
import subprocess
import sys
import threading
import time
from email.message import EmailMessage

import pytest
from sqlalchemy import text

from tests.conftest import free_port, port_open, unavailable
from tests.faults.proxy import TcpProxy
from tests.stack import DESK, RelaySink, Stack

pytestmark = pytest.mark.slow


def question(n: int, *, subject: str | None = None) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Client {n} <client{n}@clinic.example>"
    msg["To"] = DESK
    msg["Subject"] = subject or f"Question {n} about I10"
    msg["Message-ID"] = f"<fault-{n}@clinic.example>"
    msg.set_content(f"Is I10 right for essential hypertension? (question {n})")
    return msg.as_bytes()


def deliver(port: int, raw: bytes) -> int:
    """Send one message; the SMTP reply code to its DATA (or the refusal's code)."""
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
            client.sendmail("client@clinic.example", [DESK], raw)
    except smtplib.SMTPResponseException as exc:
        return exc.smtp_code
    except smtplib.SMTPRecipientsRefused as exc:
        return next(iter(exc.recipients.values()))[0]
    return 250


def drafted_counts(stack: Stack) -> dict[int, int]:
    with stack.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT case_id, COUNT(*) FROM case_events WHERE action = 'drafted' GROUP BY case_id"
            )
        ).all()
    return dict(rows)


def wait_until(predicate, timeout: float, what: str, stack: Stack) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}\n{stack.logs()}")
        time.sleep(0.2)


@pytest.fixture
def relay():
    with RelaySink() as sink:
        yield sink


@pytest.fixture
def private_redis(tmp_path):
    """A Redis of our own, so that stopping it disturbs nothing else."""
    binary = shutil.which("redis-server")
    if binary is None:
        unavailable("redis-server")
    port = free_port()

    def start() -> subprocess.Popen:
        process = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while not port_open("127.0.0.1", port):
            assert time.monotonic() < deadline, "private redis did not start"
            time.sleep(0.05)
        return process

    holder = {"process": start()}
    yield port, holder, start
    if holder["process"].poll() is None:
        holder["process"].kill()
        holder["process"].wait()


def test_duplicate_storm_makes_one_case(tmp_path, database_url, relay):
    stack = Stack(tmp_path, database_url, f"sqla+sqlite:///{tmp_path / 'broker.db'}", relay.url)
    try:
        stack.start_smtp()
        raw = question(1)
        codes: list[int] = []

        def connection() -> None:
            for _ in range(10):
                codes.append(deliver(stack.smtp_port, raw))

        threads = [threading.Thread(target=connection) for _ in range(5)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert codes == [250] * 50
        with stack.engine.connect() as db:
            assert db.execute(text("SELECT COUNT(*) FROM cases")).scalar_one() == 1
            assert db.execute(text("SELECT COUNT(*) FROM messages")).scalar_one() == 1
            assert db.execute(text("SELECT COUNT(*) FROM duplicate_deliveries")).scalar_one() == 49
    finally:
        stack.stop()


def test_worker_killed_mid_work_drafts_every_case_once(tmp_path, database_url, relay, redis_server):
    stack = Stack(tmp_path, database_url, f"{redis_server}/14", relay.url)
    import redis

    redis.Redis.from_url(f"{redis_server}/14").flushdb()
    try:
        stack.start_smtp()
        worker = stack.start_worker(name="victim")
        codes: list[int] = []

        def connection(first: int) -> None:  # concurrent senders: batches of several cases
            codes.extend(deliver(stack.smtp_port, question(n)) for n in range(first, first + 10))

        senders = [threading.Thread(target=connection, args=(k * 10,)) for k in range(4)]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join(timeout=60)
        assert codes == [250] * 40
        wait_until(lambda: len(drafted_counts(stack)) >= 3, 60, "the first drafts", stack)
        os.killpg(worker.pid, signal.SIGKILL)  # no warm shutdown, no acks
        worker.wait()
        stack.start_worker(name="heir")
        wait_until(lambda: len(drafted_counts(stack)) == 40, 90, "all 40 drafts", stack)
        time.sleep(3)  # let any redelivered or swept task run; it must change nothing
        assert set(drafted_counts(stack).values()) == {1}
    finally:
        stack.stop()


def test_a_batch_task_drafts_each_case_once_and_hands_a_failure_on(
    tmp_path, database_url, relay, redis_server
):
    """Cases committed together reach the workers as one task; a case in it that cannot be
    drafted goes on alone to `analyze_case` and stops none of the others."""
    import redis

    broker = f"{redis_server}/14"
    redis.Redis.from_url(broker).flushdb()
    stack = Stack(tmp_path, database_url, broker, relay.url)
    try:
        stack.start_smtp()
        for n in range(5):
            assert deliver(stack.smtp_port, question(n)) == 250
        redis.Redis.from_url(broker).flushdb()  # drop the listener's own tasks for these
        publish = "from workers.tasks import enqueue_analysis; enqueue_analysis.many([1, 2, 999, 3, 4, 5])"
        subprocess.run([sys.executable, "-c", publish], env=stack.env, check=True, timeout=60)
        stack.start_worker(beat=False)
        wait_until(lambda: len(drafted_counts(stack)) == 5, 60, "five drafts", stack)
        time.sleep(2)
        assert drafted_counts(stack) == {n: 1 for n in range(1, 6)}
        log = (tmp_path / "worker-w1.log").read_text()
        assert "workers.tasks.analyze_cases" in log
        assert "case 999: drafting failed in a batch" in log
    finally:
        stack.stop()


def test_broker_outage_keeps_accepting_and_the_sweep_catches_up(
    tmp_path, database_url, relay, private_redis
):
    port, holder, start = private_redis
    stack = Stack(tmp_path, database_url, f"redis://127.0.0.1:{port}/0", relay.url)
    try:
        stack.start_smtp()
        holder["process"].kill()
        holder["process"].wait()
        for n in range(5):
            assert deliver(stack.smtp_port, question(n)) == 250  # stored, enqueue failed
        with stack.engine.connect() as db:
            assert (
                db.execute(text("SELECT COUNT(*) FROM cases WHERE status='received'")).scalar_one()
                == 5
            )
        holder["process"] = start()
        stack.start_worker()  # with beat: the sweep re-enqueues what is stuck in received
        wait_until(lambda: len(drafted_counts(stack)) == 5, 60, "drafts after the outage", stack)
        time.sleep(3)
        assert set(drafted_counts(stack).values()) == {1}
    finally:
        stack.stop()


@pytest.mark.postgres
def test_database_outage_answers_451_and_loses_nothing(tmp_path, postgres_server, relay):
    from tests.conftest import create_postgres_database, drop_postgres_database

    url = create_postgres_database(postgres_server)
    from consultant.db import make_engine, upgrade

    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    with TcpProxy("127.0.0.1", 5432) as proxy:
        proxied = url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
        stack = Stack(tmp_path, proxied, f"sqla+sqlite:///{tmp_path / 'broker.db'}", relay.url)
        stack.engine = make_engine(url)  # the test itself reads the database directly
        try:
            stack.start_smtp()
            acknowledged, refused = [], []
            for n in range(30):
                if n == 10:
                    proxy.cut()  # the database goes away (connections dropped, new ones refused)
                if n == 20:
                    proxy.restore()
                code = deliver(stack.smtp_port, question(n))
                (acknowledged if code == 250 else refused).append(n)
                if code != 250:
                    assert code == 451
            assert refused, "the outage should have been noticed"
            for n in refused:  # the senders retry, as MTAs do after a 4xx
                assert deliver(stack.smtp_port, question(n)) == 250
            with stack.engine.connect() as db:
                stored = db.execute(text("SELECT COUNT(*) FROM messages")).scalar_one()
            assert stored == 30
        finally:
            stack.stop()
            drop_postgres_database(postgres_server, url)


def test_relay_down_retries_then_fails_visibly_and_resend_sends_once(tmp_path, database_url, relay):
    stack = Stack(tmp_path, database_url, f"sqla+sqlite:///{tmp_path / 'broker.db'}", relay.url)
    try:
        stack.cli("users", "add", "coder@desk.example", "--role", "coder")
        stack.start_smtp()
        stack.start_worker()
        assert deliver(stack.smtp_port, question(1)) == 250
        stack.wait_for_status(1, "awaiting_review")
        relay.refuse_with = "421 4.3.2 relay busy"
        stack.cli("cases", "approve", "1", "--as", "coder@desk.example")
        failed = stack.wait_for_status(1, "send_failed", timeout=60)
        assert "421" in failed["reason"]
        assert relay.messages == []
        relay.refuse_with = None
        stack.cli("cases", "resend", "1", "--as", "coder@desk.example")
        stack.wait_for_status(1, "sent")
        time.sleep(3)  # a sweep or duplicate task must not send it again
        assert len(relay.messages) == 1
    finally:
        stack.stop()
