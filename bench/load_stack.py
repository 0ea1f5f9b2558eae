"""The real processes of a load run (SMTP listener, Celery workers), senders, and RSS readings."""

from __future__ import annotations

import os
import signal
import smtplib
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.conftest import free_port, port_open
from tests.stack import children

REPO = Path(__file__).resolve().parents[1]
DESK = "questions@desk.example"

# Questions of the shapes the desk answers; {n} keeps every message distinct.
QUESTIONS = (
    "Surgeon did 63047 with 63048 x2 for M48.062 at L3-4, L4-5 and L5-S1. Is that right, "
    "or should it be 63048 x3? Ref {n}.",
    "Type 2 diabetes with polyneuropathy: is E11.42 right, or E11.4? Also I10. Ref {n}.",
    "Can 99214-25 go with 20610 on the same day for the knee, M17.11? Ref {n}.",
    "Which ICD-10-CM code for a closed fracture of the left distal radius, initial "
    "encounter? We had S52.502 without a 7th character. Ref {n}.",
    "Patient seen for chest pain R07.9 and essential hypertension; is 93000 billable with "
    "99213? Ref {n}.",
    "Is J3301 x 4 units OK with 20610-RT for the right knee injection? Ref {n}.",
    "Which code for acute exacerbation of COPD with pneumonia, J44.1 and J18.9 together? Ref {n}.",
    "Screening colonoscopy 45378 turned diagnostic with polyp removal 45385, Z12.11 and "
    "K63.5: which modifier? Ref {n}.",
)


def question(n: int, run: str) -> bytes:
    body = QUESTIONS[n % len(QUESTIONS)].format(n=n)
    return (
        f"From: Clinic {n % 500} <billing{n % 500}@clinic{n % 7}.example>\r\n"
        f"To: {DESK}\r\nSubject: Coding question {run}-{n}\r\n"
        f"Message-ID: <{run}.{n}@clinic.example>\r\n"
        f"Date: Mon, 06 Apr 2026 08:14:00 -0500\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\n"
        f"Hello,\r\n\r\n{body}\r\n\r\nThanks,\r\nBilling office\r\n"
    ).encode()


class LoadStack:
    """`consultant smtp` and Celery workers as subprocesses of one product instance."""

    def __init__(self, data_dir: Path, database_url: str, broker_url: str) -> None:
        self.data_dir = data_dir
        self.smtp_port = free_port()
        self.env = os.environ | {
            "CONSULTANT_DATA_DIR": str(data_dir),
            "CONSULTANT_DATABASE_URL": database_url,
            "CONSULTANT_BROKER_URL": broker_url,
            "CONSULTANT_SMTP_HOST": "127.0.0.1",
            "CONSULTANT_SMTP_PORT": str(self.smtp_port),
            "CONSULTANT_FROM_ADDRESS": DESK,
            # One host floods the listener: lift the per-sender and per-peer limits.
            "CONSULTANT_SMTP_RATE_PER_MINUTE": "100000000",
            "PYTHONPATH": str(REPO),
        }
        self.processes: dict[str, subprocess.Popen] = {}

    def cli(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "consultant", *args],
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"consultant {' '.join(args)}: {result.stderr[-2000:]}")
        return result.stdout

    def spawn(self, name: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
        log = open(self.data_dir / f"{name}.log", "ab")  # noqa: SIM115 - lives with the process
        process = subprocess.Popen(
            [sys.executable, *args],
            env=env or self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=REPO,
        )
        self.processes[name] = process
        return process

    def start_smtp(self) -> None:
        process = self.spawn("smtp", "-m", "consultant", "smtp")
        deadline = time.monotonic() + 60
        while not port_open("127.0.0.1", self.smtp_port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((self.data_dir / "smtp.log").read_text()[-3000:])
            time.sleep(0.05)

    def start_worker(self, name: str, concurrency: int, app: str = "workers", **env: str) -> None:
        log = self.data_dir / f"{name}.log"
        log.unlink(missing_ok=True)
        process = self.spawn(
            name,
            "-m",
            "celery",
            "-A",
            app,
            "worker",
            f"--concurrency={concurrency}",
            "--loglevel=INFO",
            f"--hostname={name}@%h",
            "--without-gossip",
            "--without-mingle",
            env=self.env | env,
        )
        deadline = time.monotonic() + 60
        while b" ready." not in (log.read_bytes() if log.exists() else b""):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(log.read_text()[-3000:])
            time.sleep(0.05)

    def stop(self, name: str) -> None:
        process = self.processes.pop(name)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name)

    def pids(self) -> dict[str, int]:
        """Each process and, for workers, each prefork child (they do the work)."""
        result = {}
        for name, process in self.processes.items():
            kids = children(process.pid)
            result |= {f"{name}.child{i}": pid for i, pid in enumerate(kids, 1)}
            if not kids:
                result[name] = process.pid
        return result

    def rss(self) -> dict[str, float]:
        """Resident MB of each process and, for workers, of each prefork child."""
        result: dict[str, float] = {}
        for name, process in self.processes.items():
            result[name] = rss_mb(process.pid)
            for index, child in enumerate(children(process.pid), 1):
                result[f"{name}.child{index}"] = rss_mb(child)
        return result


def private_redis(data_dir: Path) -> tuple[subprocess.Popen, str]:
    """A redis-server of the run's own (no persistence), so that nothing else on the machine
    flushes or consumes its queues."""
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(data_dir)],
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while not port_open("127.0.0.1", port):
        if time.monotonic() > deadline:
            raise RuntimeError("redis-server did not start")
        time.sleep(0.02)
    return process, f"redis://127.0.0.1:{port}"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def send_burst(port: int, messages: list[bytes], clients: int) -> tuple[float, int]:
    """All messages over `clients` connections, as fast as they are taken: (seconds, 250s)."""
    accepted = [0] * clients

    def client(index: int) -> None:
        with smtplib.SMTP("127.0.0.1", port, timeout=120) as smtp:
            for raw in messages[index::clients]:
                smtp.sendmail("billing@clinic.example", [DESK], raw)
                accepted[index] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start, sum(accepted)


def send_steady(port: int, messages: list[bytes], rate: float, clients: int = 4) -> int:
    """Message i leaves at start + i / rate (clients share the schedule): the 250s."""
    accepted = [0] * clients
    start = time.monotonic() + 0.2

    def client(index: int) -> None:
        with smtplib.SMTP("127.0.0.1", port, timeout=120) as smtp:
            for n in range(index, len(messages), clients):
                delay = start + n / rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                smtp.sendmail("billing@clinic.example", [DESK], messages[n])
                accepted[index] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(accepted)


def start_profiles(pids: dict[str, int], seconds: int, out_dir: Path) -> list[subprocess.Popen]:
    """py-spy (sampling, 100 Hz) on each process for `seconds`, as collapsed stacks."""
    return [
        subprocess.Popen(
            [
                str(Path(sys.executable).with_name("py-spy")),
                "record",
                "-r",
                "100",
                "-d",
                str(seconds),
                "-f",
                "raw",
                "-p",
                str(pid),
                "-o",
                str(out_dir / f"profile-{name}.txt"),
            ],  # fmt: skip
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for name, pid in pids.items()
    ]


def profile_summary(path: Path, top: int = 12) -> list[str]:
    """Where a process spent its samples: the product's functions by cumulative share
    (each counted once per stack), then the leaves (self time) anywhere."""
    inside: dict[str, int] = {}
    leaves: dict[str, int] = {}
    samples = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        samples += int(count)
        frames = [_frame_name(frame) for frame in stack.split(";")]
        for name, ours in set(frames):
            if ours:
                inside[name] = inside.get(name, 0) + int(count)
        leaves[frames[-1][0]] = leaves.get(frames[-1][0], 0) + int(count)
    if not samples:
        return []

    def ranked(totals: dict[str, int], label: str) -> list[str]:
        best = sorted(totals.items(), key=lambda item: -item[1])[:top]
        return [f"{label} {count / samples:5.0%}  {name}" for name, count in best]

    return ranked(inside, "cumulative") + ranked(leaves, "self      ")


def _frame_name(frame: str) -> tuple[str, bool]:
    """`function (path/to/module.py:line)` → (`package/module.py:function`, ours?)."""
    function, _, where = frame.partition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    parts = path.split("/")
    ours = any(part in ("consultant", "workers") for part in parts[:-1]) and (
        "site-packages" not in path
    )
    return f"{'/'.join(parts[-2:])}:{function}", ours
