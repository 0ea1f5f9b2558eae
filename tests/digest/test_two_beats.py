"""Two beat schedulers fire the weekly digest at the same minute: one digest per recipient."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import empty_postgres_tables
from tests.stack import RelaySink, Stack

pytestmark = [pytest.mark.redis, pytest.mark.slow]
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
RECIPIENTS = ["lead@desk.example", "ops@desk.example"]


def next_whole_minute(lead_seconds: int = 20) -> datetime:
    """The first whole minute at least `lead_seconds` away (processes need time to start)."""
    now = datetime.now(UTC)
    return (now + timedelta(seconds=lead_seconds + 60)).replace(second=0, microsecond=0)


@pytest.fixture
def redis_broker(redis_server):
    import redis

    db = 1 + uuid.uuid4().int % 15
    redis.Redis.from_url(f"{redis_server}/{db}").flushdb()
    return f"{redis_server}/{db}"


@pytest.mark.postgres
def test_two_beats_firing_together_send_one_digest_each(tmp_path, postgres_database, redis_broker):
    """The production shape: PostgreSQL and Redis, two schedulers (one too many)."""
    empty_postgres_tables(postgres_database)
    database_url = postgres_database
    fire_at = next_whole_minute()
    with RelaySink() as sink:
        stack = Stack(tmp_path, database_url, redis_broker, sink.url)
        stack.env |= {
            "CONSULTANT_TIMEZONE": "UTC",
            "CONSULTANT_DIGEST_SCHEDULE": f"{DAYS[fire_at.weekday()]} {fire_at:%H:%M}",
            "CONSULTANT_DIGEST_RECIPIENTS": ",".join(RECIPIENTS),
            "CONSULTANT_SWEEP_SECONDS": "3600",
        }
        try:
            stack.start_worker(beat=False, name="w1")
            stack.start_worker(beat=False, name="w2")
            stack.start_beat("a")
            stack.start_beat("b")
            wait = (fire_at - datetime.now(UTC)).total_seconds() + 30
            deadline = time.monotonic() + wait
            while len(sink.messages) < len(RECIPIENTS) and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(5)  # the second beat's run, and any retry, must add nothing
            logs = stack.logs()
            assert logs.count("Sending due task weekly-digest") == 2, logs
            recipients = sorted(rcpt for _, rcpts, _ in sink.messages for rcpt in rcpts)
            assert recipients == sorted(RECIPIENTS), logs
        finally:
            stack.stop()
