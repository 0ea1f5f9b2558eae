"""A Celery app with one task that does nothing but count itself: the broker's ceiling.

Started by bench_load.py as `celery -A bench.noop_app worker`, with the product's delivery
settings (late acks, prefetch 1) over the same Redis server, in a database of its own.
"""

from __future__ import annotations

import os

import redis
from celery import Celery

BROKER_URL = os.environ.get("BENCH_NOOP_BROKER_URL", "redis://127.0.0.1:6379/12")
COUNTER = "bench:noop:done"

app = Celery("noop", broker=BROKER_URL)
app.conf.update(
    task_ignore_result=True,
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
)
_counter = redis.Redis.from_url(BROKER_URL)


@app.task(name="bench.noop")
def noop() -> None:
    _counter.incr(COUNTER)
