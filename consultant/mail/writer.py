"""Group commit: one writer thread stores the messages of many SMTP sessions per transaction.

Each sender still gets its 250 only after the transaction holding its message committed;
sharing the commit among the messages that arrived meanwhile is what lets a single database
keep up with many concurrent connections.
"""

from __future__ import annotations

import logging
import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from consultant.mail.intake import (
    Enqueue,
    Incoming,
    IntakeResult,
    Notify,
    ingest_many,
    prepare,
    store_once,
)

log = logging.getLogger(__name__)


@dataclass
class _Pending:
    item: Incoming
    enqueue: Enqueue | None
    notify: Notify | None
    future: Future = field(default_factory=Future)


class GroupCommitStore:
    """A drop-in `store` for the SMTP handler that batches up to `max_batch` messages."""

    def __init__(self, sessions: sessionmaker[Session], *, max_batch: int = 64) -> None:
        self.sessions = sessions
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="intake-writer", daemon=True)
        self._thread.start()

    def __call__(
        self,
        _sessions: sessionmaker[Session],
        raw: bytes,
        *,
        enqueue: Enqueue | None = None,
        notify: Notify | None = None,
        **options: Any,
    ) -> IntakeResult:
        return self.submit(_sessions, raw, enqueue=enqueue, notify=notify, **options).result()

    def submit(
        self,
        _sessions: sessionmaker[Session],
        raw: bytes,
        *,
        enqueue: Enqueue | None = None,
        notify: Notify | None = None,
        **options: Any,
    ) -> Future:
        """Queue the message; the future resolves to its IntakeResult after the commit."""
        # Parse and hash here, in the caller's thread: the writer only talks to the database.
        pending = _Pending(prepare(raw, **options), enqueue, notify)
        self._queue.put(pending)
        return pending.future

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < self.max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._queue.put(None)
                    break
                batch.append(item)
            self._commit(batch)

    def _commit(self, batch: list[_Pending]) -> None:
        try:
            with self.sessions() as session, session.begin():
                results = ingest_many(session, [pending.item for pending in batch])
        except Exception as exc:  # noqa: BLE001 - a race or one bad message: go one by one
            if len(batch) == 1:
                log.error("intake of one message failed to commit: %s", type(exc).__name__)
                batch[0].future.set_exception(exc)
                return
            log.warning("batch of %d failed (%s): one by one", len(batch), type(exc).__name__)
            for pending in batch:
                self._commit_one(pending)
            return
        for pending, result in zip(batch, results, strict=True):
            pending.future.set_result(result)
            _after_commit(pending, result)

    def _commit_one(self, pending: _Pending) -> None:
        """One message in its own transaction; a failure is reported to that sender only."""
        try:
            result = store_once(self.sessions, pending.item)
        except Exception as exc:  # noqa: BLE001 - that sender gets a 451
            log.error("intake of one message failed to commit: %s", type(exc).__name__)
            pending.future.set_exception(exc)
            return
        pending.future.set_result(result)
        _after_commit(pending, result)


def _after_commit(item: _Pending, result: IntakeResult) -> None:
    if result.case_id is None:
        return
    try:
        if result.notice and item.notify is not None:
            item.notify(result.case_id, result.notice)
        if result.needs_analysis and item.enqueue is not None:
            item.enqueue(result.case_id)
    except Exception:  # noqa: BLE001 - the sweep re-enqueues what is stuck
        log.warning("could not enqueue work for case %s; the sweep will retry", result.case_id)
