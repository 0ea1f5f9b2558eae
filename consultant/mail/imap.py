"""IMAP poller: takes every new message of one folder into intake, and marks a message done
(flags or moves it) only after intake has committed it."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence

from imapclient import IMAPClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from consultant.db import transaction
from consultant.mail.imap_url import ImapTarget, connect
from consultant.mail.intake import IntakeResult
from consultant.models import ImapPosition, utcnow

log = logging.getLogger(__name__)

DONE_KEYWORD = "$Consultant"
SEEN = b"\\Seen"
DELETED = b"\\Deleted"
LONGEST_IDLE = 25 * 60.0  # RFC 2177: re-issue IDLE well before 29 minutes

Store = Callable[[bytes], IntakeResult]
Connect = Callable[[ImapTarget], IMAPClient]


class ConnectionDropped(Exception):
    """The server ended the session (an untagged BYE)."""


class Backoff:
    """Exponential delays between reconnects (and between retries of failed messages)."""

    def __init__(self, initial: float = 1.0, ceiling: float = 300.0) -> None:
        self.initial, self.ceiling = initial, ceiling
        self.current = initial

    def next(self) -> float:
        delay = self.current
        self.current = min(self.current * 2, self.ceiling)
        return delay

    def reset(self) -> None:
        self.current = self.initial


class ImapPoller:
    """Reads one folder: backfills from the remembered UID, then waits with IDLE (or polls).

    `store(raw)` must commit the message before returning (intake's `store_and_enqueue`, with
    its arguments bound); a re-delivered message must come back as a duplicate, not an error.
    `connect(target)` returns a logged-in IMAPClient. Both are arguments so that tests can hand
    in failing versions.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        target: ImapTarget,
        *,
        store: Store,
        connect: Connect = connect,
        done_folder: str = "",
        poll_seconds: float = 60.0,
        backoff: Backoff | None = None,
        idle_tick: float = 1.0,
        fetch_batch: int = 20,
    ) -> None:
        self.sessions = sessions
        self.target = target
        self.store = store
        self.connect = connect
        self.done_folder = done_folder
        self.poll_seconds = poll_seconds
        self.backoff = backoff or Backoff()
        self.idle_tick = idle_tick
        self.fetch_batch = fetch_batch
        self._keywords = True  # whether the selected folder keeps DONE_KEYWORD

    # The loop -----------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Serve until `stop` is set; every failure ends in a reconnect after a backoff."""
        account = self.target.account
        while not stop.is_set():
            try:
                client = self.connect(self.target)
            except Exception as exc:  # noqa: BLE001 - any failure to connect is retried
                delay = self.backoff.next()
                log.warning(
                    "IMAP %s: connect failed (%s); retry in %.1f s", account, _name(exc), delay
                )
                stop.wait(delay)
                continue
            log.info("IMAP %s: connected", account)
            try:
                self._serve(client, stop)
            except Exception as exc:  # noqa: BLE001 - drops, timeouts, protocol errors
                delay = self.backoff.next()
                log.warning(
                    "IMAP %s: connection lost (%s); reconnect in %.1f s", account, _name(exc), delay
                )
                _close(client, logout=False)
                stop.wait(delay)
                continue
            _close(client, logout=True)
        log.info("IMAP %s: stopped", account)

    def _serve(self, client: IMAPClient, stop: threading.Event) -> None:
        idle = client.has_capability("IDLE")
        if self.done_folder and not client.folder_exists(self.done_folder):
            client.create_folder(self.done_folder)
        while not stop.is_set():
            failed = self.sync(client, stop)
            if failed:
                wait = self.backoff.next()
            else:
                self.backoff.reset()
                wait = self.poll_seconds
            if stop.is_set():
                return
            if _new_mail_announced(client):
                continue  # arrived during the pass; IDLE would not announce it again
            if idle:
                self._idle(client, stop, min(wait, LONGEST_IDLE))
            else:
                stop.wait(wait)

    def _idle(self, client: IMAPClient, stop: threading.Event, seconds: float) -> None:
        """IDLE until new mail, `seconds` or `stop`; a BYE raises ConnectionDropped."""
        client.idle()
        deadline = time.monotonic() + seconds
        # Mail that arrived between our last command and IDLE is announced before the
        # server's "+ idling", where idle_check never sees it.
        if _new_mail_announced(client):
            deadline = 0.0
        while not stop.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            tick = min(self.idle_tick, remaining)
            started = time.monotonic()
            responses = client.idle_check(timeout=tick)
            if any(_is_bye(r) for r in responses):
                raise ConnectionDropped("BYE while idling")
            if any(len(r) > 1 and r[1] == b"EXISTS" for r in responses):
                break
            if not responses and time.monotonic() - started < tick / 2:
                break  # readable but nothing to read: most likely EOF; resync to find out
        client.idle_done()

    # One pass -----------------------------------------------------------------------

    def sync(self, client: IMAPClient, stop: threading.Event | None = None) -> int:
        """Take every message above the remembered UID; returns how many failed to store
        (left unmarked, taken again on a later pass)."""
        info = client.select_folder(self.target.folder)
        uidvalidity = int(info[b"UIDVALIDITY"])
        # A folder that keeps no custom keywords gets \Seen alone; the UID position then
        # carries the whole state, and intake's dedupe absorbs any re-reads.
        self._keywords = b"\\*" in info.get(b"PERMANENTFLAGS", (b"\\*",))
        _new_mail_announced(client)  # SELECT's own EXISTS: the SEARCH below covers it
        last = self._position(uidvalidity)
        criteria = ["UID", f"{last + 1}:*", "UNKEYWORD", DONE_KEYWORD]
        uids = sorted(uid for uid in client.search(criteria) if uid > last)
        failed = taken = 0
        for chunk in _batches(uids, self.fetch_batch):
            fetched = client.fetch(chunk, ["BODY.PEEK[]"])
            for uid in chunk:
                if stop is not None and stop.is_set():
                    return failed  # the rest stays unmarked for the next start
                raw = fetched.get(uid, {}).get(b"BODY[]")
                if raw is None:
                    log.info("IMAP %s: uid %s vanished before its fetch", self.target.account, uid)
                elif self._take(uid, raw):
                    self._mark_done(client, uid)
                    taken += 1
                else:
                    failed += 1
                    continue
                if not failed:
                    self._advance(uidvalidity, uid)
        if not failed and info.get(b"UIDNEXT"):
            # Everything below UIDNEXT was either marked before or taken in this pass.
            self._advance(uidvalidity, int(info[b"UIDNEXT"]) - 1)
        if taken or failed:
            log.info(
                "IMAP %s: pass took %d, %d failed (uidvalidity %s)",
                self.target.account,
                taken,
                failed,
                uidvalidity,
            )
        return failed

    def _take(self, uid: int, raw: bytes) -> bool:
        """Hand one message to intake; False when it could not be stored."""
        try:
            result = self.store(raw)
        except Exception as exc:  # noqa: BLE001 - one bad message must not stop the rest
            log.error(
                "IMAP %s: uid %s not stored (%s); left for the next pass",
                self.target.account,
                uid,
                _name(exc),
            )
            return False
        log.info(
            "IMAP %s: uid %s -> %s",
            self.target.account,
            uid,
            "duplicate"
            if result.duplicate
            else f"message {result.message_id} case {result.case_id}",
        )
        return True

    def _mark_done(self, client: IMAPClient, uid: int) -> None:
        """Only ever called after the commit: move to the done folder, or flag in place."""
        if not self.done_folder:
            client.add_flags([uid], [SEEN, DONE_KEYWORD] if self._keywords else [SEEN])
        elif client.has_capability("MOVE"):
            client.move([uid], self.done_folder)
        else:
            client.copy([uid], self.done_folder)
            client.add_flags([uid], [DELETED, DONE_KEYWORD] if self._keywords else [DELETED])
            if client.has_capability("UIDPLUS"):
                client.uid_expunge([uid])

    # The remembered position --------------------------------------------------------

    def _position(self, uidvalidity: int) -> int:
        """The last UID taken; 0 on a first look or after a UIDVALIDITY change (a rescan, in
        which intake's dedupe turns what it already has into no-ops)."""
        account, folder = self.target.account, self.target.folder
        with transaction(self.sessions) as session:
            position = session.scalar(
                select(ImapPosition).where(
                    ImapPosition.account == account, ImapPosition.folder == folder
                )
            )
            if position is None:
                session.add(
                    ImapPosition(
                        account=account, folder=folder, uidvalidity=uidvalidity, last_uid=0
                    )
                )
                log.info("IMAP %s: first pass over %s", account, folder)
                return 0
            if position.uidvalidity != uidvalidity:
                log.warning(
                    "IMAP %s: UIDVALIDITY of %s changed from %s to %s; rescanning the folder",
                    account,
                    folder,
                    position.uidvalidity,
                    uidvalidity,
                )
                position.uidvalidity = uidvalidity
                position.last_uid = 0
                position.updated_at = utcnow()
            return position.last_uid

    def _advance(self, uidvalidity: int, uid: int) -> None:
        with transaction(self.sessions) as session:
            session.execute(
                update(ImapPosition)
                .where(
                    ImapPosition.account == self.target.account,
                    ImapPosition.folder == self.target.folder,
                    ImapPosition.uidvalidity == uidvalidity,
                    ImapPosition.last_uid < uid,
                )
                .values(last_uid=uid, updated_at=utcnow())
            )


def _batches(items: Sequence[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _new_mail_announced(client: IMAPClient) -> bool:
    """Whether an EXISTS came in with the replies to our commands since the last call, and
    forget it. imaplib files such unsolicited replies away where IMAPClient has no accessor;
    without this, mail arriving between our SEARCH and IDLE waits for the next resync."""
    pending = getattr(getattr(client, "_imap", None), "untagged_responses", None)
    return bool(pending is not None and pending.pop("EXISTS", None))


def _is_bye(response: tuple) -> bool:
    return bool(response) and response[0] == b"BYE"


def _name(exc: BaseException) -> str:
    return type(exc).__name__


def _close(client: IMAPClient, *, logout: bool) -> None:
    try:
        if logout:
            client.logout()
        else:
            client.shutdown()
    except Exception:  # noqa: BLE001, S110 - the connection is being discarded anyway
        pass
