"""Structured logs of the real processes: JSON lines with the case id, never the body.

A real `consultant smtp` and a Celery worker take a question whose body carries a marker
string; every log line they write is JSON with ts/level/logger/message, the worker's lines
about the case carry its `case_id`, and the marker appears in no log at all."""

from __future__ import annotations

import io
import json
import logging
import smtplib
from email.message import EmailMessage

import pytest

from consultant.logs import configure_logging, log_context
from tests.stack import DESK, RelaySink, Stack

MARKER = "Zebrafish-Marmalade-4417"


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


@pytest.mark.slow
def test_process_logs_carry_case_ids_and_never_a_body(tmp_path, redis_server):
    import redis

    redis.Redis.from_url(f"{redis_server}/13").flushdb()
    with RelaySink() as relay:
        stack = Stack(
            tmp_path, f"sqlite:///{tmp_path / 'desk.db'}", f"{redis_server}/13", relay.url
        )
        try:
            stack.start_smtp()
            stack.start_worker(beat=False)
            msg = EmailMessage()
            msg["From"] = "Renee Caldwell <renee@clinic.example>"
            msg["To"] = DESK
            msg["Subject"] = "Hypertension"
            msg["Message-ID"] = "<log-test-1@clinic.example>"
            msg.set_content(f"Is I10 right for essential hypertension? {MARKER}")
            with smtplib.SMTP("127.0.0.1", stack.smtp_port, timeout=30) as client:
                client.send_message(msg)
            stack.wait_for_status(1, "awaiting_review", timeout=60)
        finally:
            stack.stop()
    smtp_log = (tmp_path / "smtp.log").read_text()
    worker_log = (tmp_path / "worker-w1.log").read_text()
    assert MARKER not in smtp_log + worker_log
    smtp_lines, worker_lines = json_lines(smtp_log), json_lines(worker_log)
    assert smtp_lines and worker_lines
    for line in smtp_lines + worker_lines:
        assert {"ts", "level", "logger", "message"} <= line.keys()
    about_case = [line for line in worker_lines if line.get("case_id") == 1]
    assert {line["logger"] for line in about_case} >= {"consultant.casework", "workers.timing"}
    timing = next(line for line in about_case if line["logger"] == "workers.timing")
    assert timing["task"] == "workers.tasks.analyze_case"
    assert timing["status"] == "SUCCESS" and timing["duration_ms"] > 0


def test_only_known_fields_leave_a_record():
    """An `extra=` cannot carry a body into a line; an exception keeps its type and frames
    but not its text (exception texts may quote the input)."""
    stream = io.StringIO()
    configure_logging(json_lines=True, stream=stream)
    log = logging.getLogger("consultant.test")
    try:
        with log_context(case_id=7):
            log.info("stored", extra={"message_id": 3, "body": MARKER})
            try:
                raise ValueError(f"cannot parse {MARKER}")
            except ValueError:
                log.exception("parse failed")
        log.info("outside")
    finally:
        logging.getLogger().handlers.clear()
    first, second, third = json_lines(stream.getvalue())
    assert first["case_id"] == 7 and first["message_id"] == 3 and "body" not in first
    assert second["error"] == "ValueError" and second["stack"]
    assert "case_id" not in third
    assert MARKER not in stream.getvalue()
