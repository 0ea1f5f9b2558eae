"""SMTP intake throughput: our listener (store-then-ack) next to a do-nothing aiosmtpd handler.

    python bench/bench_smtp.py [--messages 4000] [--clients 16] [--postgres URL]

Prints messages/s for the ceiling and for the real listener on SQLite (and PostgreSQL when
a URL is given), each measured in this run, and the ratio.
"""

from __future__ import annotations

import argparse
import platform
import smtplib
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

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


def blast(port: int, total: int, clients: int) -> float:
    run = uuid.uuid4().hex[:8]
    per_client = total // clients

    def client(index: int) -> None:
        with smtplib.SMTP("127.0.0.1", port, timeout=60) as smtp:
            for k in range(per_client):
                n = index * per_client + k
                smtp.sendmail("renee@clinic.example", ["q@desk.example"], message(n, run))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return per_client * clients / (time.perf_counter() - start)


def serve(handler, total: int, clients: int) -> float:
    port = free_port()
    if isinstance(handler, IntakeHandler):
        controller = make_controller(
            handler, host="127.0.0.1", port=port, max_message_bytes=10_000_000
        )
    else:
        controller = Controller(handler, hostname="127.0.0.1", port=port, server_hostname="b")
    controller.start()
    try:
        return blast(port, total, clients)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=4000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    print(
        f"# {platform.node()} {platform.machine()} python {platform.python_version()} "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {args.messages} messages, "
        f"{args.clients} clients reusing connections"
    )
    ceiling = serve(NullHandler(), args.messages, args.clients)
    print(f"do-nothing aiosmtpd handler   {ceiling:8.0f} msg/s")
    with tempfile.TemporaryDirectory() as tmp:
        rate = serve(intake(f"sqlite:///{tmp}/bench.db"), args.messages, args.clients)
        print(f"store-then-ack, SQLite (WAL)  {rate:8.0f} msg/s  ({rate / ceiling:.0%} of ceiling)")
    if args.postgres:
        url = create_postgres_database(args.postgres)
        try:
            rate = serve(intake(url), args.messages, args.clients)
            print(
                f"store-then-ack, PostgreSQL    {rate:8.0f} msg/s  ({rate / ceiling:.0%} of ceiling)"
            )
        finally:
            drop_postgres_database(args.postgres, url)


if __name__ == "__main__":
    main()
