"""`consultant run`: one command, nothing else installed, answers mail and stops on Ctrl-C."""

from __future__ import annotations

import os
import signal
import smtplib
import subprocess
import sys
import time
import urllib.request
from email.message import EmailMessage

import pytest
from sqlalchemy import text

from consultant.db import make_engine
from tests.conftest import free_port, port_open
from tests.stack import RelaySink

pytestmark = pytest.mark.slow


def test_run_takes_a_question_to_a_draft_and_stops_cleanly(tmp_path):
    smtp_port, web_port = free_port(), free_port()
    with RelaySink() as relay:
        env = os.environ | {
            "CONSULTANT_DATA_DIR": str(tmp_path / "var"),
            "CONSULTANT_SMTP_PORT": str(smtp_port),
            "CONSULTANT_WEB_PORT": str(web_port),
            "CONSULTANT_RELAY_URL": relay.url,
        }
        env.pop("CONSULTANT_DATABASE_URL", None)
        env.pop("CONSULTANT_BROKER_URL", None)
        log = open(tmp_path / "run.log", "wb")  # noqa: SIM115 - closed below
        process = subprocess.Popen(
            [sys.executable, "-m", "consultant", "run"],
            env=env,
            cwd=tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 120  # the first run loads ICD-10-CM
            while not (port_open("127.0.0.1", smtp_port) and port_open("127.0.0.1", web_port)):
                assert process.poll() is None, (tmp_path / "run.log").read_text()
                assert time.monotonic() < deadline, (tmp_path / "run.log").read_text()
                time.sleep(0.2)
            printed = (tmp_path / "run.log").read_text()
            assert f"SMTP listener   127.0.0.1:{smtp_port}" in printed
            assert f"review console  http://127.0.0.1:{web_port}/" in printed

            msg = EmailMessage()
            msg["From"] = "Renee Caldwell <renee@clinic.example>"
            msg["To"] = "coding-desk@consultant.localhost"
            msg["Subject"] = "Diabetes coding"
            msg["Message-ID"] = "<run-1@clinic.example>"
            msg.set_content("Is E11.42 right, or E11.4?")
            with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as client:
                client.send_message(msg)

            engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'consultant.db'}")
            deadline = time.monotonic() + 60
            status = None
            while status != "awaiting_review":
                assert time.monotonic() < deadline, (tmp_path / "run.log").read_text()
                time.sleep(0.3)
                with engine.connect() as connection:
                    status = connection.execute(text("SELECT status FROM cases")).scalar()
            engine.dispose()
            with urllib.request.urlopen(f"http://127.0.0.1:{web_port}/healthz", timeout=5) as r:
                assert r.status == 200
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal sends
            try:
                code = process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                raise
            log.close()
        assert code == 0, (tmp_path / "run.log").read_text()
        assert "stopping" in (tmp_path / "run.log").read_text()
