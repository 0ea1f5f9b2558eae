"""Every real-world message of the shared corpus goes through the SMTP listener: stored once,
ending as a received case, ignored with a reason or quarantined with the error; twice is once."""

from __future__ import annotations

import re
import smtplib
import threading
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from consultant.db import transaction
from consultant.mail.intake import prepare
from consultant.mail.smtp import IntakeHandler, make_controller
from consultant.mail.writer import GroupCommitStore
from consultant.models import Case, DuplicateDelivery, Message
from tests.conftest import free_port, shared_path

LIMIT = 25 * 1024 * 1024  # the configured default
CLIENTS = 8
LINE_END = re.compile(rb"\r\n|\r|\n")


@pytest.fixture
def listener(sessions):
    store = GroupCommitStore(sessions)
    handler = IntakeHandler(
        sessions,
        accept_domains=frozenset({"desk.example"}),
        enqueue=None,
        own_addresses=frozenset({"questions@desk.example"}),
        rate_per_minute=10**9,  # the corpus arrives faster than any real sender
        store=store,
    )
    controller = make_controller(
        handler, host="127.0.0.1", port=free_port(), max_message_bytes=LIMIT
    )
    controller.start()
    yield controller
    controller.stop()
    store.close()


def on_the_wire(path: Path) -> bytes:
    """The file's bytes as an SMTP client sends them: CRLF line ends (smtplib leaves bare LF
    and CR alone in bytes, which SMTP does not allow), everything else unchanged."""
    return LINE_END.sub(b"\r\n", path.read_bytes())


def deliver(controller, files: list[Path]) -> dict[Path, tuple[int, str]]:
    """Each file over SMTP; the DATA reply (or the refusal) per file."""
    replies: dict[Path, tuple[int, str]] = {}
    chunks = [files[i::CLIENTS] for i in range(CLIENTS)]

    def client(chunk: list[Path]) -> None:
        with smtplib.SMTP(controller.hostname, controller.port, timeout=60) as smtp:
            smtp.ehlo()
            for path in chunk:
                raw = on_the_wire(path)
                try:
                    smtp.mail("corpus@sender.example", [f"size={len(raw)}"])
                    smtp.rcpt("questions@desk.example")
                    code, text = smtp.data(raw)
                except smtplib.SMTPResponseException as refused:
                    code, text = refused.smtp_code, refused.smtp_error
                    smtp.rset()
                replies[path] = (code, text.decode("utf-8", "replace"))

    threads = [threading.Thread(target=client, args=(chunk,)) for chunk in chunks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return replies


def refusals(replies: dict[Path, tuple[int, str]]) -> dict[str, tuple[int, str]]:
    """Every reply other than 250, except a 552 for a message that really is too big."""
    return {
        path.name: reply
        for path, reply in replies.items()
        if reply[0] != 250 and not (reply[0] == 552 and path.stat().st_size > LIMIT)
    }


def totals(sessions) -> tuple[int, int, int]:
    with transaction(sessions) as session:
        return tuple(
            session.scalar(select(func.count()).select_from(model))
            for model in (Message, Case, DuplicateDelivery)
        )


def test_the_whole_corpus_is_stored_once_and_accounted_for(listener, sessions):
    files = sorted(shared_path("data", "emails", "corpus").glob("*.eml"))
    assert len(files) >= 950

    first = deliver(listener, files)
    assert len(first) == len(files)
    assert refusals(first) == {}
    stored = sum("Stored as case" in text for _, text in first.values())
    messages, case_count, duplicates = totals(sessions)
    assert messages == stored and duplicates == len(files) - stored
    keys = {prepare(on_the_wire(path), source="smtp").key for path in files}
    assert len(keys) == stored  # the copies refused as "Already stored" really are copies

    with transaction(sessions) as session:
        rows = session.execute(
            select(Message.kind, Message.parse_error, Case.status, Case.status_reason).join(
                Case, Message.case_id == Case.id
            )
        ).all()
    assert len(rows) == messages  # every message is on a case
    for kind, parse_error, status, reason in rows:
        assert status in ("received", "ignored", "quarantined")
        if status == "ignored":
            assert reason
        if kind == "quarantined":
            assert parse_error and status == "quarantined" and reason

    second = deliver(listener, files)
    assert refusals(second) == {}
    assert all(text.endswith("Already stored") for _, text in second.values())
    assert totals(sessions) == (messages, case_count, duplicates + len(files))

    kinds = Counter(kind for kind, *_ in rows)
    statuses = Counter(status for _, _, status, _ in rows)
    print(
        f"\ncorpus: {len(files)} files, {messages} stored, {duplicates} identical copies; "
        f"kinds {dict(sorted(kinds.items()))}; message outcomes {dict(sorted(statuses.items()))}; "
        f"{case_count} cases"
    )
