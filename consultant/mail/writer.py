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

from consultant.mail.intake import Enqueue, IntakeResult, Notify, ingest, safe_parse

log = logging.getLogger(__name__)


@dataclass
class _Pending:
    raw: bytes
    options: dict[str, Any]
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
        # Parse here, in the caller's thread, so the writer thread only talks to the database.
        parsed, _ = safe_parse(raw, options.get("own_addresses", frozenset()))
        if parsed is not None:
            options["parsed"] = parsed
        pending = _Pending(raw, options, enqueue, notify)
        self._queue.put(pending)
        return pending.future.result()

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
        results: list[IntakeResult | BaseException] = []
        try:
            with self.sessions() as session, session.begin():
                for item in batch:
                    results.append(self._ingest_one(session, item))
        except Exception as exc:  # noqa: BLE001 - every sender of the batch gets a 451
            log.error("intake batch of %d failed to commit: %s", len(batch), type(exc).__name__)
            for item in batch:
                item.future.set_exception(exc)
            return
        for item, result in zip(batch, results, strict=True):
            if isinstance(result, BaseException):
                item.future.set_exception(result)
                continue
            item.future.set_result(result)
            _after_commit(item, result)

    @staticmethod
    def _ingest_one(session: Session, item: _Pending) -> IntakeResult | BaseException:
        """One message in its own savepoint, so that a failure spares the rest of the batch."""
        try:
            with session.begin_nested():
                return ingest(session, item.raw, **item.options)
        except Exception as exc:  # noqa: BLE001 - reported to that sender only
            return exc


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
