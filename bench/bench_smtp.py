"""SMTP intake throughput: our listener (store-then-ack) next to a do-nothing aiosmtpd handler.

    python bench/bench_smtp.py [--messages 4000] [--clients 16] [--rounds 3] [--postgres URL]

Prints messages/s for the ceiling (a do-nothing handler on stock aiosmtpd, and on our
listener's SMTP class) and for the real listener on SQLite (and PostgreSQL when a URL is
given), measured in turn in each round (fresh databases each time), with the ratios, then
the medians over the rounds: the machine is shared, single runs are noisy.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import smtplib
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from statistics import median

from aiosmtpd.controller import Controller

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from consultant.db import make_engine, session_factory, upgrade  # noqa: E402
from consultant.mail.smtp import IntakeHandler, make_controller  # noqa: E402
from consultant.mail.writer import GroupCommitStore  # noqa: E402
from tests.conftest import create_postgres_database, drop_postgres_database, free_port  # noqa: E402

BODY = (
    "Hi,\n\nSurgeon did 63047 with 63048 x2 for M48.062 at L3-4, L4-5 and L5-S1.\n"
    "Is that right, or should it be 63048 x3?\n\nThanks,\nRenee\n"
) * 6


class NullHandler:
    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802
        return "250 OK"


def message(n: int, run: str) -> bytes:
    return (
        f"From: Renee <renee{n % 50}@clinic.example>\r\nTo: q@desk.example\r\n"
        f"Subject: question {n}\r\nMessage-ID: <{run}.{n}@clinic.example>\r\n"
        f"Date: Mon, 06 Apr 2026 08:14:00 -0500\r\n\r\n{BODY}"
    ).encode()


def blast(port: int, total: int, clients: int) -> tuple[float, float]:
    """(messages/s acknowledged, client CPU seconds), sent by `clients` threads in a
    separate process, as real senders are: in the listener's own interpreter they would
    compete for its GIL."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(blast_here, port, total, clients).result()


def blast_here(port: int, total: int, clients: int) -> tuple[float, float]:
    run = uuid.uuid4().hex[:8]
    per_client = total // clients

    def client(index: int) -> None:
        with smtplib.SMTP("127.0.0.1", port, timeout=60) as smtp:
            for k in range(per_client):
                n = index * per_client + k
                smtp.sendmail("renee@clinic.example", ["q@desk.example"], message(n, run))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    start, cpu = time.perf_counter(), time.process_time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return per_client * clients / (time.perf_counter() - start), time.process_time() - cpu


_TICK = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK


def _postgres_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().startswith("postgres"):
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


class CpuUse:
    """CPU seconds per part while a blast runs: this process (the listener), the intake
    writer processes, PostgreSQL's backends, and the senders (measured in their process)."""

    def __init__(self, handler: object) -> None:
        store = getattr(handler, "store", None)
        self.writers = [slot.child.process.pid for slot in getattr(store, "_slots", [])]
        self.postgres = _postgres_pids()

    def __enter__(self) -> CpuUse:
        self.start = self._sample()
        return self

    def __exit__(self, *_: object) -> None:
        end = self._sample()
        self.used = {part: end[part] - self.start[part] for part in end}

    def _sample(self) -> dict[str, float]:
        return {
            "listener": time.process_time(),
            "writer": sum(_cpu_seconds(pid) for pid in self.writers),
            "postgres": sum(_cpu_seconds(pid) for pid in self.postgres),
        }


CPU_PER_MESSAGE: list[dict[str, float]] = []  # CPU seconds by part, one entry per serve()


def serve(handler, total: int, clients: int, *, our_protocol: bool = False) -> float:
    """Messages/s through `handler`: on our listener's SMTP class for the intake handler
    (or with `our_protocol`), else on aiosmtpd's own."""
    port = free_port()
    if isinstance(handler, IntakeHandler) or our_protocol:
        controller = make_controller(
            handler, host="127.0.0.1", port=port, max_message_bytes=10_000_000
        )
    else:
        controller = Controller(handler, hostname="127.0.0.1", port=port, server_hostname="b")
    controller.start()
    try:
        blast(port, clients * 10, clients)  # warm up: connections, caches, the writer process
        with CpuUse(handler) as cpu:
            rate, client_cpu = blast(port, total, clients)
        CPU_PER_MESSAGE.append({**cpu.used, "senders": client_cpu})
        return rate
    finally:
        controller.stop()


def intake(url: str) -> IntakeHandler:
    engine = make_engine(url, pool_size=20)
    upgrade(engine)
    sessions = session_factory(engine)
    return IntakeHandler(
        sessions,
        accept_domains=frozenset({"desk.example"}),
        enqueue=lambda case_id: None,
        rate_per_minute=10**9,
        store=GroupCommitStore(sessions),
    )


def sqlite_rate(total: int, clients: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        return serve(intake(f"sqlite:///{tmp}/bench.db"), total, clients)


def postgres_rate(admin_url: str, total: int, clients: int) -> float:
    url = create_postgres_database(admin_url)
    try:
        return serve(intake(url), total, clients)
    finally:
        drop_postgres_database(admin_url, url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=4000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    print(
        f"# {platform.node()} {platform.machine()} {os.cpu_count()} CPUs, python "
        f"{platform.python_version()}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {args.messages} "
        f"messages, {args.clients} clients reusing connections, {args.rounds} rounds"
    )
    # Two ceilings: the do-nothing handler on stock aiosmtpd (the target's reference), and
    # on our listener's SMTP class, whose faster path parsing isolates the cost of storing.
    rows: dict[str, list[float]] = {"ceiling": [], "ours": [], "SQLite": [], "PostgreSQL": []}
    ratios: dict[str, list[float]] = {"SQLite": [], "PostgreSQL": []}
    own_ratios: dict[str, list[float]] = {"SQLite": [], "PostgreSQL": []}
    cpu: dict[str, list[dict[str, float]]] = {}
    for round_ in range(1, args.rounds + 1):
        CPU_PER_MESSAGE.clear()
        ceiling = serve(NullHandler(), args.messages, args.clients)
        ours = serve(NullHandler(), args.messages, args.clients, our_protocol=True)
        rates = {"SQLite": sqlite_rate(args.messages, args.clients)}
        if args.postgres:
            rates["PostgreSQL"] = postgres_rate(args.postgres, args.messages, args.clients)
        for name, used in zip(["stock", "ours", *rates], CPU_PER_MESSAGE, strict=True):
            cpu.setdefault(name, []).append(used)
        rows["ceiling"].append(ceiling)
        rows["ours"].append(ours)
        line = f"round {round_}: do-nothing {ceiling:5.0f} msg/s (on our SMTP class {ours:5.0f})"
        for name, rate in rates.items():
            rows[name].append(rate)
            ratios[name].append(rate / ceiling)
            own_ratios[name].append(rate / ours)
            line += f"; {name} {rate:5.0f} msg/s ({rate / ceiling:.0%}; {rate / ours:.0%})"
        print(line, flush=True)
    print("CPU per message, µs (median of rounds; PostgreSQL: every backend on the machine):")
    for name, samples in cpu.items():
        parts = ", ".join(
            f"{part} {median(s[part] for s in samples) / args.messages * 1e6:4.0f}"
            for part in ("senders", "listener", "writer", "postgres")
        )
        print(f"  {name:<11} {parts}")
    print(f"median do-nothing aiosmtpd handler  {median(rows['ceiling']):6.0f} msg/s")
    print(f"median do-nothing, our SMTP class   {median(rows['ours']):6.0f} msg/s")
    for name in ratios:
        if rows[name]:
            print(
                f"median store-then-ack, {name:<11} {median(rows[name]):6.0f} msg/s  "
                f"(median ratio {median(ratios[name]):.0%} of the stock ceiling, "
                f"{median(own_ratios[name]):.0%} of our class's)"
            )


if __name__ == "__main__":
    main()
