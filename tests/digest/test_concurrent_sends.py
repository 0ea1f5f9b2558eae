"""Two Celery workers on a Redis broker and a CLI run race for the same week: one digest each."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid

import pytest
from sqlalchemy import select

from consultant.db import transaction
from consultant.models import DigestDelivery
from tests.digest.test_delivery import add_people
from tests.digest.test_figures import seed_weeks
from tests.stack import RelaySink, Stack

pytestmark = [pytest.mark.redis, pytest.mark.slow]
RECIPIENTS = {"b@desk.example", "lead@desk.example", "ops@desk.example", "client@clinic.example"}


@pytest.fixture
def redis_broker(redis_server):
    import redis

    db = 1 + uuid.uuid4().int % 15
    redis.Redis.from_url(f"{redis_server}/{db}").flushdb()
    return f"{redis_server}/{db}"


def test_racing_runs_send_one_digest_per_recipient(tmp_path, sessions, redis_broker) -> None:
    with transaction(sessions) as session:
        seed_weeks(session)
        add_people(session)
    database_url = sessions.kw["bind"].url.render_as_string(hide_password=False)
    with RelaySink() as sink:
        stack = Stack(tmp_path, database_url, redis_broker, sink.url)
        stack.env |= {
            "CONSULTANT_TIMEZONE": "America/New_York",
            "CONSULTANT_DIGEST_RECIPIENTS": "ops@desk.example",
        }
        try:
            stack.start_worker(beat=False, name="w1")
            stack.start_worker(beat=False, name="w2")
            stack.wait_for_workers(["w1", "w2"])
            enqueue = (
                "from workers.tasks import send_weekly_digest as task\n"
                "for _ in range(6): task.delay('2026-W44')\n"
            )
            producer = subprocess.Popen([sys.executable, "-c", enqueue], env=stack.env)
            cli = stack.cli("digest", "send", "--week", "2026-W44")
            assert producer.wait(timeout=60) == 0
            assert "week 2026-W44" in cli.stdout
            sink.wait_for(len(RECIPIENTS), timeout=30)
            time.sleep(1.5)  # any second copy would arrive by now
            logs = {name: (tmp_path / f"worker-{name}.log").read_text() for name in ("w1", "w2")}
        finally:
            stack.stop()
    delivered = [to for _, (to,), _ in sink.messages]
    assert sorted(delivered) == sorted(RECIPIENTS), stack.logs()
    assert all("send_weekly_digest" in log for log in logs.values())  # both workers raced
    with transaction(sessions) as session:
        states = {
            r.recipient: (r.state, r.attempts) for r in session.scalars(select(DigestDelivery))
        }
    assert states == {address: ("sent", 1) for address in RECIPIENTS}
