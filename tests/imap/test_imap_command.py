"""`consultant imap` as a real process: takes mail from Dovecot, logs no bodies, stops on TERM."""

from __future__ import annotations

import os
import signal
import time

import pytest
from sqlalchemy import text

from tests.imap.test_imap_poller import all_marked, question
from tests.stack import Stack


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_imap_command_takes_mail_and_stops_cleanly(dovecot, database_url, tmp_path):
    stack = Stack(tmp_path, database_url, f"sqla+sqlite:///{tmp_path / 'broker.db'}", "smtp://x:1")
    stack.env |= {"CONSULTANT_IMAP_URL": dovecot.url(), "CONSULTANT_IMAP_POLL_SECONDS": "1"}
    body = "Secret patient detail: is M48.062 right?"
    dovecot.append(question(1, body))
    process = stack._spawn("-m", "consultant", "imap", log_name="imap.log")
    try:
        deadline = time.monotonic() + 30
        while not all_marked(dovecot, 1):
            assert process.poll() is None and time.monotonic() < deadline, stack.logs()
            time.sleep(0.05)
        dovecot.append(question(2))
        while not all_marked(dovecot, 2):
            assert time.monotonic() < deadline, stack.logs()
            time.sleep(0.05)
        with stack.engine.connect() as connection:
            sources = connection.execute(text("SELECT source FROM messages")).scalars().all()
        assert sources == ["imap", "imap"]
        started = time.monotonic()
        os.killpg(process.pid, signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        assert time.monotonic() - started < 5
    finally:
        stack.stop()
    log = (tmp_path / "imap.log").read_text()
    assert "uid 1 -> message 1 case 1" in log
    assert "Secret patient" not in log and dovecot.password not in log
