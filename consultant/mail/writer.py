"""Group commit: one writer thread stores the messages of many SMTP sessions per transaction.

Each sender still gets its 250 only after the transaction holding its message committed;
sharing the commit among the messages that arrived meanwhile is what lets a single database
keep up with many concurrent connections.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections import defaultdict
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


# Messages bigger than this are parsed and hashed off the event loop.
_PARSE_INLINE_BYTES = 256 * 1024


@dataclass
class _Pending:
    item: Incoming
    enqueue: Enqueue | None
    notify: Notify | None
    future: Future = field(default_factory=Future)
    waiter: asyncio.Future | None = None  # set for callers on an event loop


class _Outcomes:
    """Results of one batch, handed back together: one wake-up per event loop per batch
    instead of one per message."""

    def __init__(self) -> None:
        self._by_loop: dict[asyncio.AbstractEventLoop, list] = defaultdict(list)

    def settle(
        self, pending: _Pending, result: IntakeResult | None, error: BaseException | None
    ) -> None:
        if pending.waiter is None:
            if error is None:
                pending.future.set_result(result)
            else:
                pending.future.set_exception(error)
            return
        self._by_loop[pending.waiter.get_loop()].append((pending.waiter, result, error))

    def deliver(self) -> None:
        for loop, outcomes in self._by_loop.items():
            try:
                loop.call_soon_threadsafe(_resolve, outcomes)
            except RuntimeError:  # the loop closed: its senders are gone, their mail is stored
                log.warning("listener loop closed before %d acknowledgements", len(outcomes))


def _resolve(outcomes: list) -> None:
    for waiter, result, error in outcomes:
        if waiter.cancelled():
            continue
        if error is None:
            waiter.set_result(result)
        else:
            waiter.set_exception(error)


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

    async def submit_async(
        self,
        raw: bytes,
        *,
        enqueue: Enqueue | None = None,
        notify: Notify | None = None,
        **options: Any,
    ) -> IntakeResult:
        """For callers on an event loop: parse on the loop (off it for big messages), then
        wait for the commit without holding a thread."""
        loop = asyncio.get_running_loop()
        if len(raw) > _PARSE_INLINE_BYTES:
            item = await loop.run_in_executor(None, lambda: prepare(raw, **options))
        else:
            item = prepare(raw, **options)
        pending = _Pending(item, enqueue, notify, waiter=loop.create_future())
        self._queue.put(pending)
        return await pending.waiter

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
        outcomes = _Outcomes()
        try:
            with self.sessions() as session, session.begin():
                results = ingest_many(session, [pending.item for pending in batch])
        except Exception as exc:  # noqa: BLE001 - a race or one bad message: go one by one
            if len(batch) == 1:
                log.error("intake of one message failed to commit: %s", type(exc).__name__)
                outcomes.settle(batch[0], None, exc)
            else:
                log.warning("batch of %d failed (%s): one by one", len(batch), type(exc).__name__)
                for pending in batch:
                    self._commit_one(pending, outcomes)
            outcomes.deliver()
            return
        for pending, result in zip(batch, results, strict=True):
            outcomes.settle(pending, result, None)
        outcomes.deliver()
        for pending, result in zip(batch, results, strict=True):
            _after_commit(pending, result)

    def _commit_one(self, pending: _Pending, outcomes: _Outcomes) -> None:
        """One message in its own transaction; a failure is reported to that sender only."""
        try:
            result = store_once(self.sessions, pending.item)
        except Exception as exc:  # noqa: BLE001 - that sender gets a 451
            log.error("intake of one message failed to commit: %s", type(exc).__name__)
            outcomes.settle(pending, None, exc)
            return
        outcomes.settle(pending, result, None)
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
