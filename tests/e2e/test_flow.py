"""One emailed question travels to a reviewed, sent reply — real sockets, real worker."""

from __future__ import annotations

import email
import os
import smtplib
import uuid
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.stack import DESK, RelaySink, Stack, children

pytestmark = pytest.mark.slow


@pytest.fixture(params=["sqla", pytest.param("redis", marks=pytest.mark.redis)])
def broker_url(request, tmp_path):
    if request.param == "sqla":
        return f"sqla+sqlite:///{tmp_path / 'broker.db'}"
    import redis

    base = request.getfixturevalue("redis_server")
    db = 1 + uuid.uuid4().int % 15
    redis.Redis.from_url(f"{base}/{db}").flushdb()
    return f"{base}/{db}"


@pytest.fixture
def stack(tmp_path, database_url, broker_url):
    with RelaySink() as relay:
        product = Stack(tmp_path, database_url, broker_url, relay.url)
        product.relay = relay
        product.cli("codes", "load", "icd10cm")
        product.cli("users", "add", "coder@desk.example", "--role", "coder")
        try:
            yield product
        finally:
            product.stop()


def ask(port: int, subject: str, body: str, message_id: str, **headers: str) -> None:
    msg = EmailMessage()
    msg["From"] = "Renee Caldwell <renee@clinic.example>"
    msg["To"] = DESK
    msg["Subject"] = subject
    msg["Message-ID"] = message_id
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        client.send_message(msg)


def test_question_to_reviewed_threaded_reply(stack):
    stack.start_smtp()
    stack.start_worker()
    ask(
        stack.smtp_port,
        "Diabetes coding",
        "Patient has type 2 diabetes with polyneuropathy, E11.42, and hypertension I10.\n"
        "Is E11.4 enough?",
        "<question-1@clinic.example>",
    )
    [case] = stack.cli_json("cases", "list", "--status", "all")
    drafted = stack.wait_for_status(case["id"], "awaiting_review")
    text = drafted["draft"]["text"]
    for code in ("E11.42", "I10", "E11.4"):
        assert code in text
    assert "Type 2 diabetes mellitus with diabetic polyneuropathy" in text
    assert "not billable" in text  # E11.4 is a subcategory
    assert drafted["draft"]["subject"] == f"Re: Diabetes coding [Case #{case['id']}]"

    stack.cli("cases", "approve", str(case["id"]), "--as", "coder@desk.example")
    stack.wait_for_status(case["id"], "sent")
    [(mail_from, rcpts, raw)] = stack.relay.wait_for(1)
    reply = email.message_from_bytes(raw)
    assert rcpts == ["renee@clinic.example"] and mail_from == DESK
    assert reply["In-Reply-To"] == "<question-1@clinic.example>"
    assert "<question-1@clinic.example>" in reply["References"]
    assert reply["Subject"].startswith("Re: Diabetes coding")
    assert reply.get_content_type() == "multipart/alternative"

    # A follow-up joins the case and takes it back through drafting.
    ask(
        stack.smtp_port,
        reply["Subject"],
        "Thanks. What about E11.65?",
        "<question-2@clinic.example>",
        In_Reply_To=reply["Message-ID"],
        References=f"<question-1@clinic.example> {reply['Message-ID']}",
    )
    again = stack.wait_for_status(case["id"], "awaiting_review")
    assert "E11.65" in again["draft"]["text"]
    assert len(stack.cli_json("cases", "list", "--status", "all")) == 1
    actions = [event["action"] for event in again["events"]]
    assert actions.count("drafted") == 2 and "follow-up" in actions


def _niceness(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])


def _group(pid: int) -> str:
    """The process's autogroup line, e.g. "/autogroup-85 nice 10"; its name comes first."""
    return Path(f"/proc/{pid}/autogroup").read_text().split()[0]


def _group_niceness(pid: int) -> int:
    return int(Path(f"/proc/{pid}/autogroup").read_text().split()[-1])


@pytest.mark.parametrize("broker_url", ["sqla"], indirect=True)
def test_workers_yield_the_cpu_to_the_listener(stack):
    """The worker and its pool run at CONSULTANT_WORKER_NICE (10) below the listener."""
    stack.start_smtp()
    worker = stack.start_worker(beat=False)
    stack.wait_for_workers(["w1"])
    listener = stack.processes[0].pid
    pool = children(worker.pid)
    assert pool, "the prefork pool has no process"
    for pid in [worker.pid, *pool]:
        assert _niceness(pid) == min(19, _niceness(listener) + 10)
    # Each process here leads a session of its own, so with autogroup on, the session's
    # group must be lowered too: nice alone counts only inside a group.
    if Path("/proc/sys/kernel/sched_autogroup_enabled").read_text().strip() == "1":
        assert _group_niceness(worker.pid) == min(19, _group_niceness(listener) + 10)
        assert {_group(pid) for pid in pool} == {_group(worker.pid)} != {_group(listener)}


def _cpus(pid: int) -> str:
    status = Path(f"/proc/{pid}/status").read_text()
    return next(
        line.split()[1] for line in status.splitlines() if line.startswith("Cpus_allowed_list")
    )


@pytest.mark.parametrize("broker_url", ["sqla"], indirect=True)
def test_workers_run_on_the_cpus_they_are_given(stack):
    """CONSULTANT_WORKER_CPUS holds the worker and its pool to those CPUs; a CPU the host
    lacks stops the worker at once with the setting's name, never silently."""
    cpu = str(min(os.sched_getaffinity(0)))  # one this host lets us use
    stack.env["CONSULTANT_WORKER_CPUS"] = cpu
    worker = stack.start_worker(beat=False)
    stack.wait_for_workers(["w1"])
    pool = children(worker.pid)
    assert pool, "the prefork pool has no process"
    assert {_cpus(pid) for pid in [worker.pid, *pool]} == {cpu}

    stack.env["CONSULTANT_WORKER_CPUS"] = f"{cpu},4095"
    refused = stack.start_worker(beat=False, name="w2")
    assert refused.wait(timeout=60) == 1
    log = (stack.data_dir / "worker-w2.log").read_text()
    assert f"CONSULTANT_WORKER_CPUS={cpu},4095 names CPUs this worker may not use" in log
