"""The IMAP poller against a real Dovecot: every message stored once, marked only after commit,
through IDLE, polling, restarts, UIDVALIDITY changes, dropped connections and store failures."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from functools import partial

import pytest
from sqlalchemy import func, select

from consultant.db import transaction
from consultant.mail.imap import DONE_KEYWORD, Backoff, ImapPoller
from consultant.mail.imap_url import connect
from consultant.mail.intake import store_and_enqueue
from consultant.models import Case, ImapPosition, Message

DONE = DONE_KEYWORD.encode()
# PostgreSQL costs ~3.5 s of set-up per test: it runs the no-loss/no-dup core, SQLite all.
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def question(n: int, body: str = "") -> bytes:
    msg = EmailMessage()
    msg["From"] = "Renee Caldwell <renee@clinic.example>"
    msg["To"] = "questions@desk.example"
    msg["Subject"] = f"Question {n}"
    msg["Date"] = "Mon, 06 Apr 2026 08:14:00 -0500"
    msg["Message-ID"] = f"<q{n}@clinic.example>"
    msg.set_content(body or f"Is M48.062 right for patient number {n}?")
    return msg.as_bytes().replace(b"\n", b"\r\n")


def count(sessions, model) -> int:
    with transaction(sessions) as session:
        return session.scalar(select(func.count()).select_from(model))


def position(sessions) -> ImapPosition:
    with transaction(sessions) as session:
        return session.scalars(select(ImapPosition)).one()


def last_uid(sessions) -> int:
    with transaction(sessions) as session:
        return session.scalar(select(ImapPosition.last_uid)) or 0


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0, what: str = "") -> float:
    started = time.monotonic()
    while not predicate():
        assert time.monotonic() - started < timeout, f"timed out waiting for {what}"
        time.sleep(0.02)
    return time.monotonic() - started


def folder_flags(dovecot, folder: str = "INBOX") -> dict[int, tuple[bytes, ...]]:
    with dovecot.client() as client:
        if not client.folder_exists(folder):
            return {}
        client.select_folder(folder, readonly=True)
        return client.get_flags(client.search("ALL"))


def all_marked(dovecot, n: int, folder: str = "INBOX") -> bool:
    flags = folder_flags(dovecot, folder)
    return len(flags) == n and all(DONE in f and b"\\Seen" in f for f in flags.values())


def assert_stored_once(sessions, n: int) -> None:
    assert count(sessions, Message) == n
    assert count(sessions, Case) == n
    with transaction(sessions) as session:
        ids = session.scalars(select(Message.message_id)).all()
    assert len(set(ids)) == n


@contextmanager
def running(poller: ImapPoller) -> Iterator[threading.Thread]:
    """The poller in a thread; stopping it must end the thread promptly."""
    stop = threading.Event()
    thread = threading.Thread(target=poller.run, args=(stop,), name="imap-test", daemon=True)
    thread.start()
    try:
        yield thread
    finally:
        stop.set()
        thread.join(timeout=5)
        assert not thread.is_alive(), "the poller did not stop within 5 s"


def first_pass_done(sessions) -> Callable[[], bool]:
    return lambda: count(sessions, ImapPosition) == 1


class ClientProxy:
    """Wraps a real IMAPClient to change one behaviour; everything else goes through."""

    def __init__(self, client) -> None:
        self.client = client

    def __getattr__(self, name: str):
        return getattr(self.client, name)


class DropsOnFetch(ClientProxy):
    """The connection goes away under the n-th FETCH (the socket is closed, as on a drop)."""

    def __init__(self, client, fetches_before_drop: int) -> None:
        super().__init__(client)
        self.left = fetches_before_drop

    def fetch(self, *args, **kwargs):
        if self.left == 0:
            self.client.shutdown()
        self.left -= 1
        return self.client.fetch(*args, **kwargs)


class WithoutKeywords(ClientProxy):
    """A server whose folders keep only the system flags (no `\\*` in PERMANENTFLAGS)."""

    def select_folder(self, *args, **kwargs):
        info = self.client.select_folder(*args, **kwargs)
        info[b"PERMANENTFLAGS"] = tuple(f for f in info[b"PERMANENTFLAGS"] if f != b"\\*")
        return info


class WithoutIdle(ClientProxy):
    def has_capability(self, capability: str) -> bool:
        return capability.upper() != "IDLE" and self.client.has_capability(capability)


# Arrival -------------------------------------------------------------------------------


@sqlite_only
def test_new_mail_is_stored_then_flagged_never_before(dovecot, sessions, make_poller):
    observer = {}
    flagged_before_commit: list[bytes] = []
    store = partial(store_and_enqueue, sessions, source="imap", enqueue=None)

    def watching_store(raw: bytes):
        # Runs in the poller's thread, between FETCH and the flag: the message must be unmarked.
        client = observer.setdefault("client", dovecot.client())
        client.select_folder("INBOX", readonly=True)
        mid = raw.split(b"Message-ID: ", 1)[1].split(b"\r\n", 1)[0].decode()
        flags = client.get_flags(client.search(["HEADER", "Message-ID", mid]))
        if any(DONE in f or b"\\Seen" in f for f in flags.values()):
            flagged_before_commit.append(mid.encode())
        return store(raw)

    with running(make_poller(store=watching_store)):
        wait_until(first_pass_done(sessions), what="the first pass")
        dovecot.append(*(question(n) for n in range(3)))
        wait_until(lambda: all_marked(dovecot, 3), what="three flagged messages")
    observer["client"].logout()

    assert flagged_before_commit == []
    assert_stored_once(sessions, 3)
    with transaction(sessions) as session:
        assert set(session.scalars(select(Message.source))) == {"imap"}
    assert position(sessions).last_uid == 3


@sqlite_only
def test_idle_takes_a_message_appended_while_idling(dovecot, sessions, make_poller):
    # poll_seconds=30: only IDLE can bring the message in within the timeout.
    with running(make_poller(poll_seconds=30.0)):
        wait_until(first_pass_done(sessions), what="the first pass")
        time.sleep(0.3)  # the poller is now in IDLE
        dovecot.append(question(1))
        latency = wait_until(lambda: count(sessions, Message) == 1, timeout=5, what="IDLE")
        wait_until(lambda: all_marked(dovecot, 1), what="the flag")
    assert latency < 3.0
    assert_stored_once(sessions, 1)


@sqlite_only
def test_polls_when_the_server_has_no_idle(dovecot, sessions, make_poller):
    poller = make_poller(poll_seconds=0.2, connect=lambda target: WithoutIdle(connect(target)))
    with running(poller):
        wait_until(first_pass_done(sessions), what="the first pass")
        dovecot.append(question(1), question(2))
        wait_until(lambda: all_marked(dovecot, 2), what="two flagged messages")
    assert_stored_once(sessions, 2)


@sqlite_only
def test_server_without_keywords_gets_seen_and_the_position(dovecot, sessions, make_poller):
    dovecot.append(question(1), question(2))
    poller = make_poller(connect=lambda target: WithoutKeywords(connect(target)))
    with running(poller):
        wait_until(lambda: last_uid(sessions) == 2, what="the position")
        dovecot.append(question(3))
        wait_until(lambda: last_uid(sessions) == 3, what="the next message")
    flags = folder_flags(dovecot)
    assert all(b"\\Seen" in f and DONE not in f for f in flags.values())
    assert_stored_once(sessions, 3)


@sqlite_only
def test_done_folder_receives_processed_messages(dovecot, sessions, make_poller):
    dovecot.append(question(1), question(2))
    with running(make_poller(done_folder="Processed")):
        wait_until(lambda: len(folder_flags(dovecot, "Processed")) == 2, what="the move")
    assert folder_flags(dovecot, "INBOX") == {}
    assert_stored_once(sessions, 2)


@sqlite_only
def test_unparseable_message_is_kept_and_the_poller_goes_on(dovecot, sessions, make_poller):
    broken = b"\xff\xfe not a header\r\n\t\x01\x02 garbage \xc3\x28\r\n\r\n\xe2\x82"
    dovecot.append(broken, question(2))
    with running(make_poller()):
        wait_until(lambda: all_marked(dovecot, 2), what="both messages marked")
    assert count(sessions, Message) == 2
    with transaction(sessions) as session:
        raws = session.scalars(select(Message.raw)).all()
    assert any(raw.startswith(b"\xff\xfe not a header") for raw in raws)


# Downtime and resets --------------------------------------------------------------------


def test_restart_backfills_the_backlog_once(dovecot, sessions, make_poller):
    with running(make_poller()):
        dovecot.append(question(0))
        wait_until(lambda: all_marked(dovecot, 1), what="the first message")
    dovecot.append(*(question(n) for n in range(1, 21)))  # while the poller is down
    assert count(sessions, Message) == 1
    with running(make_poller()):
        wait_until(lambda: all_marked(dovecot, 21), what="the backlog")
    assert_stored_once(sessions, 21)
    assert position(sessions).last_uid == 21


@sqlite_only
def test_uidvalidity_change_on_inbox_is_followed(dovecot, sessions, make_poller):
    with running(make_poller()):
        dovecot.append(*(question(n) for n in range(3)))
        wait_until(lambda: all_marked(dovecot, 3), what="three messages")
        old = position(sessions).uidvalidity
        dovecot.doveadm("mailbox", "update", "-u", dovecot.user, "--uid-validity", "4242", "INBOX")
        dovecot.append(question(3), question(4))
        wait_until(lambda: all_marked(dovecot, 5), what="the messages after the reset")
        wait_until(lambda: position(sessions).uidvalidity == 4242, what="the new UIDVALIDITY")
    assert old != 4242
    assert_stored_once(sessions, 5)


def test_recreated_folder_is_rescanned_without_duplicates(dovecot, sessions, make_poller):
    first = [question(n) for n in range(3)]
    dovecot.append(*first, folder="Questions")
    # IDLE says nothing when the selected folder is deleted; the periodic resync finds out.
    with running(make_poller("Questions", poll_seconds=0.5)):
        wait_until(lambda: all_marked(dovecot, 3, "Questions"), what="three messages")
        old = position(sessions).uidvalidity
        # The folder comes back from a restore: new UIDVALIDITY, same messages, no flags.
        with dovecot.client() as client:
            client.delete_folder("Questions")
        dovecot.append(*first, question(3), folder="Questions")
        wait_until(lambda: all_marked(dovecot, 4, "Questions"), what="the rescan")
    assert position(sessions).uidvalidity != old
    assert_stored_once(sessions, 4)


# Failures -------------------------------------------------------------------------------


def test_connection_dropped_mid_fetch_loses_and_doubles_nothing(dovecot, sessions, make_poller):
    dovecot.append(*(question(n) for n in range(10)))
    connections = []

    def flaky_connect(target):
        client = connect(target)
        connections.append(client)
        return DropsOnFetch(client, 1) if len(connections) == 1 else client

    with running(make_poller(connect=flaky_connect, fetch_batch=3)):
        wait_until(lambda: all_marked(dovecot, 10), what="all ten after the drop")
    assert len(connections) >= 2
    assert_stored_once(sessions, 10)


@sqlite_only
def test_kicked_connection_reconnects_and_takes_new_mail(dovecot, sessions, make_poller):
    with running(make_poller()):
        wait_until(first_pass_done(sessions), what="the first pass")
        time.sleep(0.3)
        dovecot.kick()  # the server ends the poller's session (its imap process exits)
        dovecot.append(question(1))
        wait_until(lambda: all_marked(dovecot, 1), what="the message after the kick")
    assert_stored_once(sessions, 1)


@sqlite_only
def test_store_failure_leaves_the_message_for_the_next_pass(dovecot, sessions, make_poller):
    store = partial(store_and_enqueue, sessions, source="imap", enqueue=None)
    failures = []

    def fails_once_on_q1(raw: bytes):
        if b"<q1@clinic.example>" in raw and not failures:
            failures.append(1)
            raise RuntimeError("database went away")
        return store(raw)

    dovecot.append(question(0), question(1), question(2))
    poller = make_poller(store=fails_once_on_q1, backoff=Backoff(initial=1.0, ceiling=2.0))
    with running(poller):
        wait_until(lambda: count(sessions, Message) == 2, what="the two good messages")
        wait_until(lambda: sum(DONE in f for f in folder_flags(dovecot).values()) == 2)
        assert DONE not in folder_flags(dovecot)[2]  # q1 failed: not marked
        assert position(sessions).last_uid == 1  # the position stops before it
        wait_until(lambda: all_marked(dovecot, 3), what="the retry")
    assert failures == [1]
    assert_stored_once(sessions, 3)
    assert position(sessions).last_uid == 3
