"""Production load: questions over SMTP into PostgreSQL + Redis, drafted by real Celery workers.

    python bench/bench_load.py [--messages 10000] [--rate 20] [--steady-seconds 60]
    python bench/bench_load.py --soak-minutes 30 [--rate 20]

Real processes, as in production: `consultant smtp` and `celery -A workers worker
--concurrency=2`, over a fresh PostgreSQL database holding ICD-10-CM and the CMS files of
../shared/data/cms (loaded once into a template database, `consultant_bench_codes`), and
Redis (a private redis-server unless --redis is given). In the same run it measures the ceilings of the parts (a do-nothing aiosmtpd handler,
16 clients; a no-op Celery task over the same Redis with 2 worker processes) and prints:

- received (250 answers) == stored (messages) == drafted (cases with a draft), none twice,
  on a desk whose history holds `--answered` sent cases (each draft is compared with them);
- receipt → draft latency p50/p99 (case_events: opened → drafted) at a steady offered rate
  and at saturation; intake messages/s and drafted cases/s at saturation; the do-nothing
  listener once more right after the burst, while the workers still draft its backlog
  (the ceiling with the same neighbours as our listener had);
- scale-out: the same backlog drained by one worker process, then by two worker nodes with
  their own names (one process each), and the drafted events per case;
- the resident memory of every process after the load.

`--worker-cpus 1` runs the two workers on CPU 1 alone (CONSULTANT_WORKER_CPUS), leaving
the listener a CPU of its own, as a single host shared by intake and drafting would.

`--soak-minutes N` instead runs the stack at `--rate` for N minutes and prints RSS every
minute (the memory-growth check).
"""

from __future__ import annotations

import argparse
import multiprocessing
import multiprocessing.synchronize
import os
import platform
import socket
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import redis  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from aiosmtpd.controller import Controller  # noqa: E402

from bench.load_stack import (  # noqa: E402
    LoadStack,
    private_redis,
    profile_summary,
    question,
    send_burst,
    send_steady,
    start_profiles,
)
from consultant.db import make_engine  # noqa: E402
from tests.conftest import drop_postgres_database, free_port  # noqa: E402

CMS_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "cms"
TEMPLATE_DB = "consultant_bench_codes"
DRAFT_DB, NOOP_DB = 11, 12


# --- the ceilings -----------------------------------------------------------------------


class NullHandler:
    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802
        return "250 OK"


def serve_null(port: int, stop: multiprocessing.synchronize.Event) -> None:
    controller = Controller(NullHandler(), hostname="127.0.0.1", port=port, server_hostname="b")
    controller.start()
    stop.wait()
    controller.stop()


def smtp_ceiling(total: int, clients: int) -> float:
    """The do-nothing listener in a process of its own, sent to from this one, exactly as
    `consultant smtp` is (in one interpreter, clients and listener share one GIL)."""
    port = free_port()
    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    listener = context.Process(target=serve_null, args=(port, stop), daemon=True)
    listener.start()
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        send_burst(port, [question(n, "warm") for n in range(clients * 10)], clients)
        messages = [question(n, "null") for n in range(total)]
        seconds, accepted = send_burst(port, messages, clients)
        return accepted / seconds
    finally:
        stop.set()
        listener.join(30)


def busy_smtp_ceiling(ledger: Ledger, cases: int, messages: int, clients: int) -> tuple[float, str]:
    """The do-nothing listener measured while the workers still draft the burst's backlog:
    the same neighbours on the machine as our listener had during the burst. Returns the
    rate and the cases left to draft before and after (the workers were busy throughout
    only if the second is above zero)."""
    before = cases - ledger.drafted()
    rate = smtp_ceiling(messages, clients)
    after = cases - ledger.drafted()
    return rate, f"{before} → {after} cases left to draft"


def celery_ceiling(stack: LoadStack, redis_url: str, total: int) -> float:
    """No-op tasks through Redis and 2 worker processes: enqueue + execute, tasks/s."""
    broker = f"{redis_url}/{NOOP_DB}"
    client = redis.Redis.from_url(broker)
    client.flushdb()
    stack.start_worker("noop", 2, app="bench.noop_app", BENCH_NOOP_BROKER_URL=broker)
    os.environ["BENCH_NOOP_BROKER_URL"] = broker
    from bench.noop_app import COUNTER, noop

    for _ in range(50):  # warm the connections and both processes
        noop.delay()
    while int(client.get(COUNTER) or 0) < 50:
        time.sleep(0.01)
    client.set(COUNTER, 0)
    start = time.perf_counter()
    for _ in range(total):
        noop.delay()
    while int(client.get(COUNTER) or 0) < total:
        time.sleep(0.005)
    rate = total / (time.perf_counter() - start)
    stack.stop("noop")
    client.flushdb()
    return rate


# --- the database -----------------------------------------------------------------------


def admin_engine(admin_url: str) -> sa.Engine:
    return sa.create_engine(
        admin_url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )


def ensure_codes_template(admin_url: str, data_dir: Path) -> None:
    """A database with the schema and every code set, copied for each run (loading takes
    longer than the run itself). Built under another name and renamed when complete."""
    admin = admin_engine(admin_url)
    building = f"{TEMPLATE_DB}_building"
    with admin.connect() as connection:
        if connection.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": TEMPLATE_DB}
        ).first():
            admin.dispose()
            return
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{building}"'))
        connection.execute(sa.text(f'CREATE DATABASE "{building}"'))
    loader = LoadStack(data_dir, admin_url.rsplit("/", 1)[0] + "/" + building, "memory://")
    print("# building the code-set template database (once)…", flush=True)
    loader.cli("db", "upgrade")
    loader.cli("codes", "load", "icd10cm")
    if CMS_DIR.exists():
        loader.cli("codes", "import-dir", str(CMS_DIR))
    with admin.connect() as connection:
        connection.execute(sa.text(f'ALTER DATABASE "{building}" RENAME TO "{TEMPLATE_DB}"'))
    admin.dispose()


def fresh_database(admin_url: str) -> str:
    name = f"consultant_bench_{uuid.uuid4().hex[:10]}"
    admin = admin_engine(admin_url)
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE_DB}"'))
    admin.dispose()
    return admin_url.rsplit("/", 1)[0] + "/" + name


class Ledger:
    """What the database says about the run."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)

    def scalar(self, sql: str, **params: object) -> int:
        with self.engine.connect() as connection:
            return connection.execute(sa.text(sql), params).scalar_one()

    def max_case(self) -> int:
        return self.scalar("SELECT COALESCE(MAX(id), 0) FROM cases")

    def drafted(self) -> int:
        return self.scalar("SELECT COUNT(*) FROM case_events WHERE action = 'drafted'")

    def wait_drafted(self, total: int, stall: float = 120) -> None:
        """Until `total` drafts exist; fails when no draft was added for `stall` seconds."""
        done, last_progress = self.drafted(), time.monotonic()
        while done < total:
            time.sleep(0.2)
            now_done = self.drafted()
            if now_done > done:
                done, last_progress = now_done, time.monotonic()
            elif time.monotonic() - last_progress > stall:
                raise RuntimeError(f"stalled: {done} of {total} drafted (see the worker logs)")

    def latencies(self, first: int, last: int) -> tuple[list[float], float]:
        """Receipt → draft seconds of cases first..last, and their drafts per second (first
        receipt to last draft)."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.text(
                    "SELECT o.at, d.at FROM case_events o JOIN case_events d"
                    " ON d.case_id = o.case_id AND d.action = 'drafted'"
                    " WHERE o.action = 'opened' AND o.case_id BETWEEN :a AND :b"
                ),
                {"a": first, "b": last},
            ).all()
        seconds = sorted((drafted - opened).total_seconds() for opened, drafted in rows)
        span = (max(d for _, d in rows) - min(o for o, _ in rows)).total_seconds()
        return seconds, len(rows) / span

    def drain_rate(self, first: int, last: int) -> float:
        """Drafts per second of cases first..last, first draft to last (worker start-up and
        code-set loading excluded)."""
        with self.engine.connect() as connection:
            count, start, end = connection.execute(
                sa.text(
                    "SELECT COUNT(*), MIN(at), MAX(at) FROM case_events"
                    " WHERE action = 'drafted' AND case_id BETWEEN :a AND :b"
                ),
                {"a": first, "b": last},
            ).one()
        return (count - 1) / (end - start).total_seconds()

    def totals(self) -> dict[str, int]:
        return {
            "stored": self.scalar("SELECT COUNT(*) FROM messages WHERE direction = 'in'"),
            "cases": self.scalar("SELECT COUNT(*) FROM cases"),
            "drafted": self.scalar(
                "SELECT COUNT(DISTINCT case_id) FROM case_events WHERE action = 'drafted'"
            ),
            "drafted twice": self.scalar(
                "SELECT COUNT(*) FROM (SELECT case_id FROM case_events WHERE action = 'drafted'"
                " GROUP BY case_id HAVING COUNT(*) > 1) AS twice"
            ),
        }


def percentile(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))]


def describe(values: list[float]) -> str:
    return (
        f"p50 {statistics.median(values) * 1000:6.0f} ms  p99 {percentile(values, 0.99) * 1000:6.0f}"
        f" ms  max {values[-1] * 1000:6.0f} ms"
    )


def print_rss(stack: LoadStack, when: str) -> None:
    readings = "  ".join(f"{name} {mb:.0f}" for name, mb in stack.rss().items())
    print(f"RSS MB {when:<14} {readings}", flush=True)


# --- the runs ---------------------------------------------------------------------------


def start_product(args: argparse.Namespace, data_dir: Path) -> tuple[LoadStack, Ledger, str]:
    ensure_codes_template(args.postgres, data_dir / "template")
    url = fresh_database(args.postgres)
    redis.Redis.from_url(f"{args.redis}/{DRAFT_DB}").flushdb()
    stack = LoadStack(data_dir, url, f"{args.redis}/{DRAFT_DB}")
    return stack, Ledger(url), url


def warm_up(stack: LoadStack, ledger: Ledger, run: str) -> int:
    """A few questions so every worker process has loaded the code sets."""
    before = ledger.drafted()
    send_burst(stack.smtp_port, [question(n, f"warm{run}") for n in range(40)], 4)
    ledger.wait_drafted(before + 40)
    return 40


def answer_history(stack: LoadStack, ledger: Ledger, count: int) -> int:
    """`count` questions drafted, then marked sent, before anything is measured: a desk
    with a history, with which every new draft is compared (similar past answers)."""
    first, before = ledger.max_case() + 1, ledger.drafted()
    send_burst(stack.smtp_port, [question(n, "history") for n in range(count)], 4)
    ledger.wait_drafted(before + count)
    with ledger.engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE cases SET status = 'sent' WHERE id >= :first"), {"first": first}
        )
    return count


def pinned(args: argparse.Namespace) -> dict[str, str]:
    """The workers' environment for `--worker-cpus`."""
    return {"CONSULTANT_WORKER_CPUS": args.worker_cpus} if args.worker_cpus else {}


def load_run(args: argparse.Namespace, data_dir: Path) -> None:
    null_rate = smtp_ceiling(min(args.messages, 4000), args.clients)
    print(f"ceiling: do-nothing aiosmtpd, {args.clients} clients      {null_rate:8.0f} msg/s")
    stack, ledger, url = start_product(args, data_dir)
    try:
        noop_rate = celery_ceiling(stack, args.redis, min(args.messages, 5000))
        print(f"ceiling: no-op Celery task, Redis, 2 processes  {noop_rate:8.0f} tasks/s")
        stack.start_smtp()
        stack.start_worker("worker", 2, **pinned(args))
        sent = warm_up(stack, ledger, "a") + answer_history(stack, ledger, args.answered)
        print(f"history: {args.answered} answered cases to compare new drafts with")
        print_rss(stack, "after warm-up")
        run = uuid.uuid4().hex[:6]

        steady_count = min(int(args.rate * args.steady_seconds), args.messages // 2)
        first = ledger.max_case() + 1
        accepted = send_steady(
            stack.smtp_port, [question(n, run) for n in range(steady_count)], args.rate
        )
        ledger.wait_drafted(sent + steady_count)
        steady, _ = ledger.latencies(first, ledger.max_case())
        print(
            f"steady {args.rate:g} q/s, {steady_count} questions: receipt→draft {describe(steady)}"
        )

        burst = [question(n, run) for n in range(steady_count, args.messages)]
        first = ledger.max_case() + 1
        profilers = []
        if args.profile:
            profilers = start_profiles(stack.pids(), args.profile, data_dir)
        seconds, burst_accepted = send_burst(stack.smtp_port, burst, args.clients)
        accepted += burst_accepted
        intake_rate = burst_accepted / seconds
        busy_null_rate, backlog = busy_smtp_ceiling(
            ledger, sent + args.messages, min(args.messages, 4000), args.clients
        )
        ledger.wait_drafted(sent + args.messages)
        saturated, drafted_rate = ledger.latencies(first, ledger.max_case())
        print(
            f"saturation, {len(burst)} questions over {args.clients} connections: intake "
            f"{intake_rate:.0f} msg/s ({intake_rate / null_rate:.0%} of the do-nothing listener); "
            f"drafted {drafted_rate:.0f} cases/s ({drafted_rate / noop_rate:.0%} of no-op tasks)"
        )
        print(
            f"ceiling beside the drafting: do-nothing aiosmtpd while both workers drain the "
            f"backlog ({backlog}) {busy_null_rate:.0f} msg/s; saturation intake is "
            f"{intake_rate / busy_null_rate:.0%} of it"
        )
        print(f"saturation receipt→draft {describe(saturated)}")
        for profiler in profilers:
            profiler.wait()
        for path in sorted(data_dir.glob("profile-*.txt")):
            print(f"profile {path.stem.removeprefix('profile-')} (share of samples, cumulative):")
            print("\n".join(f"    {line}" for line in profile_summary(path)))
        totals = ledger.totals()
        print(
            f"received {accepted + sent} == stored {totals['stored']} == cases {totals['cases']}"
            f" == drafted {totals['drafted']}; drafted twice: {totals['drafted twice']}"
        )
        print_rss(stack, "after the load")
        stack.stop("worker")
        scale_out(args, stack, ledger)
    finally:
        stack.stop_all()
        ledger.engine.dispose()
        if not args.keep:
            drop_postgres_database(args.postgres, url)


def scale_out(args: argparse.Namespace, stack: LoadStack, ledger: Ledger) -> None:
    """The same backlog, queued while no worker runs, drained by 1 process, then by 2 nodes."""
    rates = []
    for nodes in (1, 2):
        run = f"scale{nodes}-{uuid.uuid4().hex[:4]}"
        before = ledger.drafted()
        first = ledger.max_case() + 1
        seconds, accepted = send_burst(
            stack.smtp_port, [question(n, run) for n in range(args.scale_messages)], args.clients
        )
        print(
            f"intake with no worker running, {args.clients} connections: {accepted / seconds:.0f}"
            " msg/s"
        )
        for node in range(1, nodes + 1):
            stack.start_worker(f"node{node}", 1)
        ledger.wait_drafted(before + args.scale_messages)
        rate = ledger.drain_rate(first, ledger.max_case())
        rates.append(rate)
        print(
            f"scale-out: {nodes} worker node(s) × 1 process drained {args.scale_messages} queued "
            f"questions at {rate:.0f} cases/s"
        )
        for node in range(1, nodes + 1):
            stack.stop(f"node{node}")
    totals = ledger.totals()
    print(
        f"scale-out: 2 nodes / 1 node = {rates[1] / rates[0]:.2f}×; cases {totals['cases']},"
        f" drafted {totals['drafted']}, drafted twice {totals['drafted twice']}"
    )


def soak(args: argparse.Namespace, data_dir: Path) -> None:
    stack, ledger, url = start_product(args, data_dir)
    try:
        stack.start_smtp()
        stack.start_worker("worker", 2, **pinned(args))
        history = warm_up(stack, ledger, "soak") + answer_history(stack, ledger, args.answered)
        print_rss(stack, "start")
        per_minute = int(args.rate * 60)
        for minute in range(1, args.soak_minutes + 1):
            run = f"soak{minute}-{uuid.uuid4().hex[:4]}"
            send_steady(stack.smtp_port, [question(n, run) for n in range(per_minute)], args.rate)
            print_rss(stack, f"minute {minute}")
        ledger.wait_drafted(history + per_minute * args.soak_minutes)
        totals = ledger.totals()
        print(
            f"soak: stored {totals['stored']}, drafted {totals['drafted']}, drafted twice "
            f"{totals['drafted twice']}"
        )
    finally:
        stack.stop_all()
        ledger.engine.dispose()
        if not args.keep:
            drop_postgres_database(args.postgres, url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=20.0, help="steady offered questions/s")
    parser.add_argument("--steady-seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--scale-messages", type=int, default=2000)
    parser.add_argument("--soak-minutes", type=int, default=0)
    parser.add_argument(
        "--answered", type=int, default=500, help="answered cases in the desk's history"
    )
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis", default="", help="default: a private redis-server")
    parser.add_argument(
        "--profile", type=int, default=0, metavar="SECONDS", help="py-spy the saturation phase"
    )
    parser.add_argument("--keep", action="store_true", help="keep the run's database")
    parser.add_argument(
        "--worker-cpus",
        default="",
        metavar="CPUS",
        help="CONSULTANT_WORKER_CPUS of the two workers (not of the scale-out nodes, which "
        "stand for hosts of their own); default: all CPUs",
    )
    args = parser.parse_args()
    print(
        f"# {platform.node()} {platform.machine()} python {platform.python_version()} "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {args.messages} messages; "
        f"workers on CPUs {args.worker_cpus or 'all'}"
    )
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        redis_server = None
        if not args.redis:
            redis_server, args.redis = private_redis(Path(tmp))
        try:
            if args.soak_minutes:
                soak(args, Path(tmp))
            else:
                load_run(args, Path(tmp))
        except RuntimeError:
            for log in sorted(Path(tmp).glob("*.log")):
                print(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}")
            raise
        finally:
            if redis_server is not None:
                redis_server.terminate()
                redis_server.wait()


if __name__ == "__main__":
    main()
