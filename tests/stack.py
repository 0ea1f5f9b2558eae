"""Runs the product's real processes (SMTP listener, Celery worker, CLI) for end-to-end tests."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from aiosmtpd.controller import Controller
from sqlalchemy import text

from consultant.db import make_engine
from tests.conftest import free_port, port_open

DESK = "questions@desk.example"


class RelaySink:
    """An aiosmtpd server standing in for the outbound relay; keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.refuse_with: str | None = None
        self.controller = Controller(
            self, hostname="127.0.0.1", port=free_port(), server_hostname="relay.test"
        )

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802
        if self.refuse_with:
            return self.refuse_with
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.controller.port}"

    def __enter__(self) -> RelaySink:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    def wait_for(self, count: int, timeout: float = 30) -> list[tuple[str, list[str], bytes]]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages


class Stack:
    """Environment and processes of one product instance."""

    def __init__(self, data_dir: Path, database_url: str, broker_url: str, relay_url: str):
        self.smtp_port = free_port()
        self.env = os.environ | {
            "CONSULTANT_DATA_DIR": str(data_dir),
            "CONSULTANT_DATABASE_URL": database_url,
            "CONSULTANT_BROKER_URL": broker_url,
            "CONSULTANT_SMTP_HOST": "127.0.0.1",
            "CONSULTANT_SMTP_PORT": str(self.smtp_port),
            "CONSULTANT_WEB_PORT": str(free_port()),
            "CONSULTANT_RELAY_URL": relay_url,
            "CONSULTANT_FROM_ADDRESS": DESK,
            "CONSULTANT_SWEEP_SECONDS": "2",
            "CONSULTANT_SEND_RETRIES": "2",
            "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
        }
        self.data_dir = data_dir
        self.engine = make_engine(database_url)
        self.processes: list[subprocess.Popen] = []

    def cli(self, *args: str, input_text: str | None = None, check: bool = True):
        result = subprocess.run(
            [sys.executable, "-m", "consultant", *args],
            env=self.env,
            input=input_text,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"consultant {' '.join(args)} failed:\n{result.stderr}")
        return result

    def cli_json(self, *args: str):
        return json.loads(self.cli(*args, "--json").stdout)

    def _spawn(self, *args: str, log_name: str) -> subprocess.Popen:
        log = open(self.data_dir / log_name, "wb")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            [sys.executable, *args],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def start_smtp(self) -> None:
        process = self._spawn("-m", "consultant", "smtp", log_name="smtp.log")
        deadline = time.monotonic() + 30
        while not port_open("127.0.0.1", self.smtp_port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError((self.data_dir / "smtp.log").read_text())
            time.sleep(0.05)

    def start_worker(self, *, beat: bool = True, name: str = "w1") -> subprocess.Popen:
        args = [
            "-m",
            "celery",
            "-A",
            "workers",
            "worker",
            "--concurrency=1",
            "--loglevel=INFO",
            f"--hostname={name}@%h",
            "--without-gossip",
            "--without-mingle",
        ]
        if beat:
            args += ["--beat", f"--schedule={self.data_dir / 'beat-schedule'}"]
        return self._spawn(*args, log_name=f"worker-{name}.log")

    def wait_for_workers(self, names: list[str], timeout: float = 30) -> None:
        """Until the log of each named worker (`start_worker(name=…)`) says it is ready."""
        deadline = time.monotonic() + timeout
        for name in names:
            log = self.data_dir / f"worker-{name}.log"
            while not (log.exists() and " ready." in log.read_text(errors="replace")):
                if time.monotonic() > deadline:
                    raise AssertionError(self.logs())
                time.sleep(0.05)

    def start_beat(self, name: str) -> subprocess.Popen:
        """A Celery beat scheduler of its own (own schedule file), as on a second machine."""
        return self._spawn(
            "-m", "celery", "-A", "workers", "beat", "--loglevel=INFO",
            f"--schedule={self.data_dir / f'beat-{name}'}",
            log_name=f"beat-{name}.log",
        )  # fmt: skip

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 5
        for process in self.processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes.clear()
        self.engine.dispose()

    def logs(self) -> str:
        return "\n".join(
            f"--- {p.name} ---\n{p.read_text(errors='replace')[-4000:]}"
            for p in sorted(self.data_dir.glob("*.log"))
        )

    def case_status(self, case_id: int) -> str:
        with self.engine.connect() as connection:
            return connection.execute(
                text("SELECT status FROM cases WHERE id = :id"), {"id": case_id}
            ).scalar_one()

    def wait_for_status(self, case_id: int, status: str, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while (current := self.case_status(case_id)) != status:
            if time.monotonic() > deadline:
                with self.engine.connect() as connection:
                    reason = connection.execute(
                        text("SELECT status_reason FROM cases WHERE id = :id"), {"id": case_id}
                    ).scalar_one()
                raise AssertionError(
                    f"case {case_id} is {current} ({reason}), not {status}\n{self.logs()}"
                )
            time.sleep(0.1)
        return self.cli_json("cases", "show", str(case_id))


def children(pid: int) -> list[int]:
    """The process ids that `pid` has started (by any of its threads), in order."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found.extend(int(child) for child in (task / "children").read_text().split())
    return sorted(found)
