"""The intake writer's cycle in one process: parse and store batches, timed by step.

    python bench/bench_intake_batch.py [--batch 8] [--batches 400] [--postgres URL]

For batches of new questions (the shape of `bench_smtp.py`'s messages), prints the
milliseconds a batch spends parsing (`prepare`) and storing (`store_batch`, the writer's
call), on SQLite and on PostgreSQL, and for PostgreSQL the wall time of each round trip
to the server, as the writer's connection makes them (`begin_in_sql`). No sockets and no
listener: this is the part of `bench_smtp.py`'s latency that the writer owns.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from statistics import median

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_smtp import message  # noqa: E402

from consultant.db import make_engine, session_factory, upgrade  # noqa: E402
from consultant.mail.intake import prepare, store_batch  # noqa: E402
from tests.conftest import create_postgres_database, drop_postgres_database  # noqa: E402

OPTIONS = {"source": "smtp", "envelope_from": "renee@clinic.example"}


@contextmanager
def round_trips() -> Iterator[dict[str, list[float]]]:
    """Wall seconds of every statement and commit on psycopg, by the statement's start."""
    spent: dict[str, list[float]] = defaultdict(list)

    def timed(original: Callable, label: Callable[..., str]) -> Callable:
        def call(*args: object, **kwargs: object) -> object:
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent[label(*args)].append(time.perf_counter() - start)

        return call

    execute, commit = psycopg.Cursor.execute, psycopg.Connection.commit
    psycopg.Cursor.execute = timed(execute, lambda _cursor, query, *_: str(query)[:24])
    psycopg.Connection.commit = timed(commit, lambda _connection: "COMMIT")
    try:
        yield spent
    finally:
        psycopg.Cursor.execute, psycopg.Connection.commit = execute, commit


def run(url: str, size: int, batches: int) -> tuple[float, float]:
    """Median milliseconds per batch: (parse, store)."""
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    engine = make_engine(url, pool_size=2, pre_ping=False, begin_in_sql=True)  # as the writer
    sessions = session_factory(engine)
    parsing, storing = [], []
    try:
        for number in range(batches):
            raws = [message(number * size + n, "batch") for n in range(size)]
            start = time.perf_counter()
            items = [prepare(raw, **OPTIONS) for raw in raws]
            parsed = time.perf_counter()
            results = store_batch(sessions, items)
            storing.append(time.perf_counter() - parsed)
            parsing.append(parsed - start)
            if any(isinstance(result, Exception) or result.duplicate for result in results):
                raise SystemExit(f"batch {number}: not every message was stored as new")
    finally:
        engine.dispose()
    return median(parsing) * 1e3, median(storing) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=8, help="messages a batch")
    parser.add_argument("--batches", type=int, default=400)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    print(f"# {args.batches} batches of {args.batch} new questions; median ms per batch")
    with tempfile.TemporaryDirectory() as folder:
        parse_ms, store_ms = run(f"sqlite:///{folder}/bench.db", args.batch, args.batches)
    print(f"SQLite      parse {parse_ms:5.2f}  store {store_ms:5.2f}")
    url = create_postgres_database(args.postgres)
    try:
        with round_trips() as spent:
            parse_ms, store_ms = run(url, args.batch, args.batches)
    finally:
        drop_postgres_database(args.postgres, url)
    print(f"PostgreSQL  parse {parse_ms:5.2f}  store {store_ms:5.2f}; round trips a batch:")
    for statement, seconds in spent.items():
        if len(seconds) >= args.batches:  # the batch's own, not the setup's
            each = len(seconds) / args.batches
            print(f"  {statement:<26} {median(seconds) * 1e3:5.2f} ms  × {each:.0f}")


if __name__ == "__main__":
    main()
