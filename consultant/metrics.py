"""Prometheus metrics of the whole desk, read from the database and the broker at scrape time.

Every process of the desk (listeners, workers on other machines, the console) already
writes what happened into the database, so the web process's `/metrics` reports for all of
them and no process needs a metrics port of its own or a shared directory:

- `consultant_cases{status}`: a gauge, one `COUNT … GROUP BY status` per scrape (indexed).
- `consultant_messages_received_total{kind}`, `consultant_send_failures_total` and the
  histogram `consultant_draft_latency_seconds` (a case entering `received` → its draft,
  `awaiting_review`) are counters fed by *tailing* the `messages` and `case_events` tables by
  id: each scrape reads only the rows added since the last one, so its cost follows the
  traffic, not the size of the tables. The first scrape after start counts the history (in
  chunks, at most `catch_up_rows` rows a scrape), so the totals match the database and a
  restart of the console does not look like a counter reset. A row whose transaction
  commits after a later id was read is still counted: a skipped id is looked up again on
  each scrape for `settle_seconds` before it is given up (a rollback).
- `consultant_queue_depth{queue}`: tasks waiting in the broker (Redis `LLEN`, or the visible
  rows of the SQLAlchemy transport's table); `consultant_broker_up` says whether it answered.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from prometheus_client import CollectorRegistry, ProcessCollector
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session, aliased, sessionmaker

from consultant.models import Case, CaseEvent, CaseStatus, Message

# Seconds; the draft of a question normally takes well under one.
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 3600.0)
CELERY_QUEUE = "celery"
MAX_GAP = 1000


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


@dataclass
class Tail:
    """Reads a table's new rows by increasing id, exactly once each, even when ids commit
    out of order: an id skipped over (a transaction still open, or rolled back) is a gap,
    looked up again on each read until it appears or is `settle_seconds` old.
    `query(condition)` selects `(id, …)` rows matching the condition on `id_column`."""

    query: Callable[[Any], Select]
    id_column: Any
    settle_seconds: float = 60.0
    chunk: int = 5000
    high: int = 0
    gaps: dict[int, datetime] = field(default_factory=dict)

    def new_rows(self, session: Session, *, limit: int, now: datetime) -> Iterator[Any]:
        if self.gaps:
            filled = session.execute(self.query(self.id_column.in_(list(self.gaps)))).all()
            for row in filled:
                del self.gaps[row[0]]
            yield from filled
        read = 0
        while read < limit:
            rows = session.execute(
                self.query(self.id_column > self.high).order_by(self.id_column).limit(self.chunk)
            ).all()
            for row in rows:
                # Only the last MAX_GAP ids of a jump are waited for (a huge jump is a
                # rolled-back bulk insert, not transactions in flight).
                for missing in range(max(self.high + 1, row[0] - MAX_GAP), row[0]):
                    self.gaps[missing] = now
                self.high = row[0]
            yield from rows
            read += len(rows)
            if len(rows) < self.chunk:
                break
        horizon = now - timedelta(seconds=self.settle_seconds)
        self.gaps = {i: first for i, first in self.gaps.items() if first >= horizon}


def _message_rows(condition: Any) -> Select:
    return select(Message.id, Message.kind).where(condition, Message.direction == "in")


def _event_rows(condition: Any) -> Select:
    """Drafts (with the time their case last entered `received`) and final send failures."""
    entered = aliased(CaseEvent)
    received_at = (
        select(func.max(entered.at))
        .where(
            and_(
                entered.case_id == CaseEvent.case_id,
                entered.to_status == CaseStatus.RECEIVED,
                entered.id < CaseEvent.id,
            )
        )
        .scalar_subquery()
    )
    return select(CaseEvent.id, CaseEvent.at, CaseEvent.to_status, received_at).where(
        condition,
        CaseEvent.to_status.in_([CaseStatus.AWAITING_REVIEW, CaseStatus.SEND_FAILED]),
    )


class QueueDepth:
    """Tasks waiting in the broker, for the URL's kind of transport."""

    def __init__(self, broker_url: str, queue: str = CELERY_QUEUE) -> None:
        self.broker_url = broker_url
        self.queue = queue
        self._client: Any = None

    def __call__(self) -> int:
        if self.broker_url.startswith(("redis://", "rediss://")):
            if self._client is None:
                import redis

                self._client = redis.Redis.from_url(
                    self.broker_url, socket_timeout=2, socket_connect_timeout=2
                )
            return int(self._client.llen(self.queue))
        if self.broker_url.startswith("sqla+"):
            return self._sqla_depth()
        raise ValueError(f"no queue depth for broker {self.broker_url.split(':', 1)[0]}")

    def _sqla_depth(self) -> int:
        from sqlalchemy import text

        from consultant.db import make_engine

        if self._client is None:
            self._client = make_engine(self.broker_url.removeprefix("sqla+"))
        with self._client.connect() as connection:
            return connection.execute(
                text(
                    "SELECT COUNT(*) FROM kombu_message m JOIN kombu_queue q ON m.queue_id = q.id"
                    " WHERE m.visible AND q.name = :queue"
                ),
                {"queue": self.queue},
            ).scalar_one()


class DeskCollector:
    """A prometheus_client collector over the database and the broker (see module doc)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        queue_depth: Callable[[], int] | None = None,
        *,
        catch_up_rows: int = 200_000,
        settle_seconds: float = 60.0,
    ) -> None:
        self.sessions = sessions
        self.queue_depth = queue_depth
        self.catch_up_rows = catch_up_rows
        self._lock = threading.Lock()
        self._messages = Tail(_message_rows, Message.id, settle_seconds)
        self._events = Tail(_event_rows, CaseEvent.id, settle_seconds)
        self._kinds: dict[str, int] = {}
        self._send_failures = 0
        self._buckets = [0] * len(LATENCY_BUCKETS)
        self._latency_count = 0
        self._latency_sum = 0.0

    def collect(self) -> Iterable[Metric]:
        with self._lock:
            try:
                statuses = self._read_database()
                database_up = 1
            except Exception:  # noqa: BLE001 - reported as a metric, the scrape still answers
                statuses, database_up = None, 0
            yield GaugeMetricFamily(
                "consultant_database_up", "1 if the database answered this scrape", database_up
            )
            if statuses is not None:
                cases = GaugeMetricFamily(
                    "consultant_cases", "Cases in each status", labels=["status"]
                )
                for status in CaseStatus:
                    cases.add_metric([status.value], statuses.get(status.value, 0))
                yield cases
            yield from self._counters()
            yield from self._broker()

    def _read_database(self) -> dict[str, int]:
        now = datetime.now(UTC)
        with self.sessions() as session:
            statuses = dict(
                session.execute(select(Case.status, func.count()).group_by(Case.status)).all()
            )
            for _, kind in self._messages.new_rows(session, limit=self.catch_up_rows, now=now):
                self._kinds[kind] = self._kinds.get(kind, 0) + 1
            for _, at, to_status, entered in self._events.new_rows(
                session, limit=self.catch_up_rows, now=now
            ):
                if to_status == CaseStatus.SEND_FAILED:
                    self._send_failures += 1
                elif entered is not None:
                    self._observe((_aware(at) - _aware(entered)).total_seconds())
        return statuses

    def _observe(self, seconds: float) -> None:
        seconds = max(seconds, 0.0)
        self._latency_count += 1
        self._latency_sum += seconds
        for index, bound in enumerate(LATENCY_BUCKETS):
            if seconds <= bound:
                self._buckets[index] += 1

    def _counters(self) -> Iterator[Metric]:
        messages = CounterMetricFamily(
            "consultant_messages_received",
            "Incoming messages stored, by kind (question, bounce, auto-reply, list, own, …)",
            labels=["kind"],
        )
        for kind, count in sorted(self._kinds.items()):
            messages.add_metric([kind], count)
        yield messages
        yield CounterMetricFamily(
            "consultant_send_failures",
            "Replies whose sending failed for good (send_failed)",
            value=self._send_failures,
        )
        buckets = [(str(b), n) for b, n in zip(LATENCY_BUCKETS, self._buckets, strict=True)]
        buckets.append(("+Inf", self._latency_count))
        yield HistogramMetricFamily(
            "consultant_draft_latency_seconds",
            "From a case entering received (question or follow-up) to its draft",
            buckets=buckets,
            sum_value=self._latency_sum,
        )

    def _broker(self) -> Iterator[Metric]:
        if self.queue_depth is None:
            return
        try:
            depth, up = self.queue_depth(), 1
        except Exception:  # noqa: BLE001 - reported as a metric
            depth, up = None, 0
        yield GaugeMetricFamily("consultant_broker_up", "1 if the broker answered", up)
        if depth is not None:
            gauge = GaugeMetricFamily(
                "consultant_queue_depth", "Tasks waiting in the broker", labels=["queue"]
            )
            gauge.add_metric([CELERY_QUEUE], depth)
            yield gauge


def registry(sessions: sessionmaker[Session], broker_url: str | None) -> CollectorRegistry:
    """The web process's registry: the desk's metrics and the process's own (RSS, CPU)."""
    result = CollectorRegistry(auto_describe=False)
    depth = QueueDepth(broker_url) if broker_url else None
    result.register(DeskCollector(sessions, depth))
    ProcessCollector(namespace="consultant_web", registry=result)
    return result
