"""Group commit in a writer process: the SMTP listener's messages, parsed and stored in batches.

Each sender still gets its 250 only after the transaction holding its message committed;
sharing one commit among the messages that arrived meanwhile is what lets one database keep
up with many connections. Parsing and the database work run in a process of their own, so
they never compete with the listener's protocol handling for one interpreter: the listener
only frames the raw bytes, and a hostile message that is slow to parse slows no session but
its own batch.

Requests and results travel over a socket pair as length-prefixed pickles. If the writer
process dies, every message it had not answered gets an error (the sender's 451: it will
retry, and a message that was in fact committed is then answered "Already stored"), and the
next message starts a new writer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import pickle
import queue
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from itertools import count
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from consultant.errors import TransientError
from consultant.mail.intake import (
    Enqueue,
    FollowOn,
    IntakeResult,
    Notify,
    follow_on,
    log_stored,
    prepare,
    store_batch,
)

log = logging.getLogger(__name__)

_LENGTH = struct.Struct("!I")
_RESTART_PAUSE = 1.0  # seconds between writer restarts, so a crash loop cannot spin
# Seconds from one round of enqueueing to the next: under load the commits of that time go
# out together, in fuller tasks (see `publish_rounds`).
_PUBLISH_GAP = 0.01


def _frame(payload: object) -> bytes:
    data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    return _LENGTH.pack(len(data)) + data


@dataclass(frozen=True)
class _Failure:
    """A message the writer could not commit: its sender gets a 451."""

    error: str


class GroupCommitStore:
    """The SMTP handler's `store`: `submit_async` resolves to the message's IntakeResult once
    a writer process has committed it; enqueue and notify run afterwards, in this process,
    on a thread of their own (a slow broker never holds up an acknowledgement).

    `writers` processes share the work, each message going to the one with the fewest
    unanswered. One is the default: SQLite has one writer at a time anyway, and on a
    2-core machine shared with PostgreSQL a second writer did no more, for more CPU."""

    def __init__(
        self, sessions: sessionmaker[Session], *, writers: int = 1, max_batch: int = 64
    ) -> None:
        engine = sessions.kw["bind"]
        self.url = engine.url.render_as_string(hide_password=False)
        self.max_batch = max_batch
        self._log_format = _log_format()
        self._seq = count(1)
        self._profiles: dict[tuple, int] = {}
        self._slots = [_Slot(self._start_child()) for _ in range(writers)]
        self._starting: tuple[asyncio.AbstractEventLoop, asyncio.Lock] | None = None
        self._after: queue.SimpleQueue[list[FollowOn] | None] = queue.SimpleQueue()
        self._after_thread = threading.Thread(
            target=self._run_after_commit, name="intake-after-commit", daemon=True
        )
        self._after_thread.start()

    async def submit_async(
        self,
        raw: bytes,
        *,
        enqueue: Enqueue | None = None,
        notify: Notify | None = None,
        **options: Any,
    ) -> IntakeResult:
        """Send the message to a writer and wait for its commit without holding a thread."""
        slot = await self._ready_slot()
        seq = next(self._seq)
        waiter = asyncio.get_running_loop().create_future()
        slot.pending[seq] = (waiter, enqueue, notify)
        envelope_from = options.pop("envelope_from", "")
        envelope_to = options.pop("envelope_to", ())
        profile = self._profile(options)
        if profile not in slot.child.profiles:  # what is the same for every message, once
            slot.child.send(_frame(("profile", profile, options)))
            slot.child.profiles.add(profile)
        slot.child.send(_frame(("message", seq, raw, envelope_from, envelope_to, profile)))
        if len(raw) > 256 * 1024:
            slot.child.flush()
            await slot.child.writer.drain()  # a big message: let the socket catch up
        result = await waiter
        if isinstance(result, _Failure):
            raise TransientError(result.error)
        return result

    def close(self) -> None:
        """Stop the writers after the messages they hold, and the after-commit thread."""
        for slot in self._slots:
            slot.child.stop()
        self._after.put(None)
        self._after_thread.join(timeout=30)

    def _profile(self, options: dict[str, Any]) -> int:
        """A number for the options that are the same for many messages (source, policy,
        own addresses), so that each message's frame carries only its own bytes."""
        key = tuple(sorted(options.items()))
        number = self._profiles.get(key)
        if number is None:
            number = self._profiles[key] = len(self._profiles) + 1
        return number

    def _start_child(self) -> _Child:
        return _Child.start(self.url, self.max_batch, self._log_format)

    async def _ready_slot(self) -> _Slot:
        """The least busy writer, attached to this loop; a writer that died is replaced."""
        slot = min(self._slots, key=lambda s: len(s.pending))
        if slot.child.attached and slot.child.alive:
            return slot
        loop = asyncio.get_running_loop()
        if self._starting is None or self._starting[0] is not loop:
            self._starting = (loop, asyncio.Lock())
        async with self._starting[1]:
            if not slot.child.alive:
                slot.child.discard()
                pause = slot.started_at + _RESTART_PAUSE - time.monotonic()
                if pause > 0:
                    await asyncio.sleep(pause)
                slot.child, slot.started_at = self._start_child(), time.monotonic()
            if not slot.child.attached:
                await slot.child.attach()
                slot.child.attached = True
                slot.reader = loop.create_task(self._read_results(slot, slot.child))
            return slot

    async def _read_results(self, slot: _Slot, child: _Child) -> None:
        try:
            while True:
                header = await child.reader.readexactly(_LENGTH.size)
                (length,) = _LENGTH.unpack(header)
                answers = pickle.loads(await child.reader.readexactly(length))  # noqa: S301 - our own child process
                follow_ons = [self._settle(slot, seq, result) for seq, result in answers]
                if any(follow_ons):
                    self._after.put([entry for entry in follow_ons if entry])
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            pass
        finally:
            child.end_requests()
            if slot.pending:
                log.error("an intake writer stopped; %d messages answered 451", len(slot.pending))
            for seq in list(slot.pending):
                self._settle(slot, seq, _Failure("the intake writer stopped"))

    def _settle(self, slot: _Slot, seq: int, result: IntakeResult | _Failure) -> FollowOn | None:
        """Answer the sender; returns the enqueue/notify work the result calls for."""
        entry = slot.pending.pop(seq, None)
        if entry is None:
            return None
        waiter, enqueue, notify = entry
        if not waiter.cancelled():
            waiter.set_result(result)
        if isinstance(result, IntakeResult) and (result.needs_analysis or result.notice):
            return (result, enqueue, notify)
        return None

    def _run_after_commit(self) -> None:
        publish_rounds(self._after, follow_on, _PUBLISH_GAP)


def publish_rounds(
    committed: queue.SimpleQueue[list[FollowOn] | None],
    publish: Callable[[list[FollowOn]], None],
    gap: float,
) -> None:
    """Enqueue the analyses and notices of committed batches, in rounds at least `gap`
    seconds apart, until None arrives.

    A publish costs the broker client 0.3–0.4 ms of the listener's CPU whatever it
    carries, and the listener's protocol work needs the same interpreter. A batch that
    commits `gap` or more after the last round goes out at once (an idle desk waits for
    nothing); one that commits sooner waits for the rest of the gap, and goes out with every
    batch committed meanwhile."""
    last_round = time.monotonic() - gap
    stopping = False
    while not stopping and (batch := committed.get()) is not None:
        wait = last_round + gap - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        while True:
            try:
                more = committed.get_nowait()
            except queue.Empty:
                break
            if more is None:
                stopping = True
                break
            batch.extend(more)
        publish(batch)
        last_round = time.monotonic()


class _Slot:
    """One writer process and the messages it has not answered yet."""

    def __init__(self, child: _Child) -> None:
        self.child = child
        self.started_at = time.monotonic()
        self.pending: dict[int, tuple[asyncio.Future, Enqueue | None, Notify | None]] = {}
        self.reader: asyncio.Task | None = None  # held: the loop keeps tasks weakly


class _Child:
    """The writer process and this side of its socket."""

    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter

    def __init__(self, process: multiprocessing.process.BaseProcess, sock: socket.socket) -> None:
        self.process, self.sock = process, sock
        self.control = sock.dup()  # ends the requests from any thread, whatever the loop does
        self.alive = True
        self.attached = False
        self.profiles: set[int] = set()  # the option profiles this writer has been sent
        self._outbox: list[bytes] = []

    def send(self, frame: bytes) -> None:
        """Queue a frame; the frames of one turn of the event loop go in one write (one
        wake-up of the writer rather than one per message)."""
        if not self._outbox:
            asyncio.get_running_loop().call_soon(self.flush)
        self._outbox.append(frame)

    def flush(self) -> None:
        if self._outbox:
            frames, self._outbox = self._outbox, []
            self.writer.write(b"".join(frames))

    @classmethod
    def start(cls, url: str, max_batch: int, log_format: str | None) -> _Child:
        """Start the process; `attach` connects its socket to the caller's event loop."""
        ours, theirs = socket.socketpair()
        context = multiprocessing.get_context("spawn")
        process = context.Process(
            target=run_writer,
            args=(theirs, url, max_batch, log_format),
            name="consultant-intake-writer",
            daemon=True,
        )
        process.start()
        theirs.close()
        log.info("intake writer started")
        return cls(process, ours)

    async def attach(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(sock=self.sock)

    def end_requests(self) -> None:
        """The writer stores what it has received, answers, and exits."""
        self.alive = False
        with contextlib.suppress(OSError):
            self.control.shutdown(socket.SHUT_WR)

    def discard(self) -> None:
        """Let go of a writer that stopped answering (its senders had their 451s)."""
        self.end_requests()
        if self.process.is_alive():
            self.process.terminate()
        self.control.close()

    def stop(self, timeout: float = 30.0) -> None:
        self.end_requests()
        self.process.join(timeout)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(5)
        self.control.close()


def _log_format() -> str | None:
    """How this process logs, so the writer's lines look the same ("json", "keyvalue")."""
    from consultant.logs import JsonFormatter, KeyValueFormatter

    for handler in logging.getLogger().handlers:
        if isinstance(handler.formatter, JsonFormatter):
            return "json"
        if isinstance(handler.formatter, KeyValueFormatter):
            return "keyvalue"
    return None


# The writer process.


def run_writer(sock: socket.socket, url: str, max_batch: int, log_format: str | None) -> None:
    """Read messages, store each batch that arrived during the previous commit, answer."""
    if log_format is not None:
        from consultant.logs import configure_logging

        configure_logging(logging.INFO, json_lines=log_format == "json")
    from consultant.db import make_engine, session_factory

    # A dropped connection fails one batch, which is then retried message by message. Each
    # transaction opens with the batch's lookups, which carry its BEGIN (`begin_in_sql`).
    sessions = session_factory(make_engine(url, pool_size=2, pre_ping=False, begin_in_sql=True))
    frames = _Frames(sock)
    while batch := frames.next_batch(max_batch):
        results = _store_batch(sessions, batch)
        sock.sendall(_frame(results))
        log_stored(result for _, result in results if isinstance(result, IntakeResult))


class _Frames:
    """Length-prefixed requests from the socket: every complete one that has arrived."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = bytearray()
        self.closed = False
        self.profiles: dict[int, dict[str, Any]] = {}

    def next_batch(self, limit: int) -> list[tuple[int, bytes, dict]]:
        """Up to `limit` requests; waits for the first; [] once the listener has gone."""
        batch = self._complete(limit)
        while not batch and not self.closed:
            self._receive(blocking=True)
            batch = self._complete(limit)
        if batch and len(batch) < limit:
            self._receive(blocking=False)
            batch += self._complete(limit - len(batch))
        return batch

    def _receive(self, *, blocking: bool) -> None:
        try:
            data = self.sock.recv(1 << 20, 0 if blocking else socket.MSG_DONTWAIT)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if data:
            self.buffer += data
        elif blocking:
            self.closed = True

    def _complete(self, limit: int) -> list[tuple[int, bytes, dict]]:
        found = []
        view = self.buffer
        offset = 0
        while len(found) < limit and len(view) - offset >= _LENGTH.size:
            (length,) = _LENGTH.unpack_from(view, offset)
            end = offset + _LENGTH.size + length
            if len(view) < end:
                break
            request = pickle.loads(view[offset + _LENGTH.size : end])  # noqa: S301 - our listener
            offset = end
            if request[0] == "profile":
                self.profiles[request[1]] = request[2]
                continue
            _, seq, raw, envelope_from, envelope_to, profile = request
            options = {
                **self.profiles[profile],
                "envelope_from": envelope_from,
                "envelope_to": envelope_to,
            }
            found.append((seq, raw, options))
        del self.buffer[:offset]
        return found


def _store_batch(
    sessions: sessionmaker[Session], batch: list[tuple[int, bytes, dict]]
) -> list[tuple[int, IntakeResult | _Failure]]:
    items = [prepare(raw, **options) for _, raw, options in batch]
    results = store_batch(sessions, items)
    return [
        (seq, _Failure(f"storage failed: {type(result).__name__}"))
        if isinstance(result, Exception)
        else (seq, result)
        for (seq, _, _), result in zip(batch, results, strict=True)
    ]
