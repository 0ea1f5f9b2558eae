"""Digest benchmark: build one week's digest (figures, previous week, chart, text and HTML)
over 100,000 seeded cases, on SQLite and on PostgreSQL. Target: ≤ 5 s each.

Run: .venv/bin/python bench/bench_digest.py [--cases 100000] [--postgres URL | --no-postgres]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from consultant.db import make_engine, session_factory, transaction, upgrade  # noqa: E402
from consultant.digest.figures import team_figures  # noqa: E402
from consultant.digest.render import render_team  # noqa: E402
from consultant.digest.weeks import last_complete_week  # noqa: E402
from consultant.models import Case, CaseEvent, Draft  # noqa: E402

ZONE = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
CODES = ["E11.42", "I10", "E11.9", "M54.5", "Z00.00", "J06.9", "63047", "63048", "99213", "J1100"]
KINDS = ["non-billable", "unknown-code", "excludes1", "ptp-pair", "addon-without-primary"]
CODERS = [f"coder{i}@desk.example" for i in range(8)]
TEXT = (
    "Hello,\n\nThank you for your question about {code}. According to ICD-10-CM 2026, "
    "{code} is billable and describes the condition you mention. Please make sure the record "
    "supports the specificity of the code, and report the underlying condition first where "
    "the tabular says so.\n\nSources: ICD-10-CM 2026-04-01 tabular.\n\nRegards,\nCoding desk\n"
)


def seed(engine: sa.Engine, count: int, span_days: int) -> None:
    """`count` cases spread over `span_days` before NOW, with events and drafts, bulk-inserted."""
    rng = random.Random(7)
    cases, events, drafts = [], [], []
    for case_id in range(1, count + 1):
        received = NOW - timedelta(seconds=rng.uniform(0, span_days * 86400))
        fate = rng.random()
        codes = rng.sample(CODES, rng.randint(1, 3))
        status = "ignored" if fate < 0.05 else "received"
        events.append((case_id, received, "opened", None, status, "system"))
        if status == "received":
            drafted = received + timedelta(seconds=rng.uniform(2, 120))
            events += [
                (case_id, drafted, "analyzed", "received", "analyzed", "system"),
                (case_id, drafted, "drafted", "analyzed", "awaiting_review", "system"),
            ]
            text = TEXT.format(code=codes[0])
            analysis = {
                "codes": [{"code": c, "system": "ICD-10-CM"} for c in codes],
                "findings": [
                    {"kind": k, "codes": []} for k in rng.sample(KINDS, rng.randint(0, 2))
                ],
            }
            drafts.append((case_id, drafted, "system", text, analysis))
            status = "awaiting_review"
            if fate > 0.08 and received < NOW - timedelta(hours=4):
                coder = rng.choice(CODERS)
                decided = drafted + timedelta(hours=rng.lognormvariate(1.5, 1.0))
                if fate < 0.12:
                    events.append((case_id, decided, "rejected", status, "rejected", coder))
                    status = "rejected"
                else:
                    if rng.random() < 0.3:
                        edited = text.replace("Please make sure", "Check that")
                        drafts.append((case_id, decided, coder, edited, analysis))
                    events.append((case_id, decided, "approved", status, "approved", coder))
                    sent = decided + timedelta(seconds=rng.uniform(1, 30))
                    events.append((case_id, sent, "sent", "approved", "sent", "system"))
                    status = "sent"
        cases.append({"id": case_id, "status": status, "created_at": received})
    with engine.begin() as connection:
        connection.execute(
            sa.insert(Case),
            [c | {"subject": "Question", "requester": "client@clinic.example"} for c in cases],
        )
        connection.execute(
            sa.insert(CaseEvent),
            [
                {"case_id": c, "at": at, "action": a, "from_status": f, "to_status": t, "actor": w}
                for c, at, a, f, t, w in events
            ],
        )
        connection.execute(
            sa.insert(Draft),
            [
                {"case_id": c, "created_at": at, "author": who, "text": text, "analysis": analysis}
                for c, at, who, text, analysis in drafts
            ],
        )


def build(engine: sa.Engine) -> tuple[float, dict]:
    sessions = session_factory(engine)
    week = last_complete_week(NOW, ZONE)
    started = time.perf_counter()
    with transaction(sessions) as session:
        figures = team_figures(
            session, week, now=NOW, sla_hours=24, console_url="https://desk.example"
        )
    rendered = render_team(figures, week, domain="desk.example")
    rendered.message(
        message_id="<bench@desk.example>", from_address="desk@desk.example", to_address="x@y.z"
    )
    return time.perf_counter() - started, figures


def run(label: str, url: str, count: int, span_days: int) -> float:
    engine = make_engine(url)
    upgrade(engine)
    started = time.perf_counter()
    seed(engine, count, span_days)
    print(f"{label}: seeded {count} cases in {time.perf_counter() - started:.1f} s")
    build(engine)  # warm: imports, templates, the database's caches
    times = sorted(build(engine)[0] for _ in range(3))
    _, figures = build(engine)
    keys = ("received", "answered", "rejected", "waiting", "sla_breaches", "approvals")
    print(f"{label}: week {figures['week']}: " + ", ".join(f"{k} {figures[k]}" for k in keys))
    print(
        f"{label}: to draft p50 {figures['median_seconds_to_draft']} s "
        f"p90 {figures['p90_seconds_to_draft']} s; to sent p50 {figures['median_seconds_to_sent']}"
        f" s p90 {figures['p90_seconds_to_sent']} s; top code {figures['top_codes'][0]}"
    )
    print(f"{label}: build digest median {times[1]:.2f} s (min {times[0]:.2f}, max {times[2]:.2f})")
    engine.dispose()
    return times[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=700, help="history the cases spread over")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        run("sqlite", f"sqlite:///{folder}/bench.db", args.cases, args.days)
    if args.no_postgres:
        return
    admin = sa.create_engine(
        args.postgres.replace("postgresql://", "postgresql+psycopg://", 1),
        isolation_level="AUTOCOMMIT",
    )
    name = f"consultant_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        run("postgresql", args.postgres.rsplit("/", 1)[0] + "/" + name, args.cases, args.days)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
