"""Drafts per second in a warm process: reply_context + draft_reply over the drafting fixtures.

.venv/bin/python bench/bench_drafting.py [--seconds 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from consultant.drafting import draft_reply, reply_context  # noqa: E402
from consultant.drafting.static_book import StaticBook  # noqa: E402

FIXTURES = REPO / "tests" / "fixtures" / "drafting"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    book = StaticBook.from_json(json.loads((FIXTURES / "book.json").read_text()))
    cases = [json.loads(p.read_text()) for p in sorted((FIXTURES / "cases").glob("*.json"))]

    def one(case: dict) -> None:
        context = reply_context(
            case_id=1,
            requester_name=case["from_name"],
            requester=case["from_address"],
            subject=case["subject"],
            question_text=case["question"],
            question_date=case["date"],
            analysis=case["analysis"],
            book=book,
            earlier_codes=case.get("earlier", ()),
        )
        draft_reply(context, case["analysis"])

    for case in cases:  # warm: templates compiled, start-up check done
        one(case)
    timings = []
    count = 0
    started = time.perf_counter()
    while time.perf_counter() - started < args.seconds:
        for case in cases:
            t0 = time.perf_counter()
            one(case)
            timings.append(time.perf_counter() - t0)
            count += 1
    elapsed = time.perf_counter() - started
    timings.sort()
    print(f"drafts: {count} in {elapsed:.2f} s, one process (one core)")
    print(f"drafts/s: {count / elapsed:.0f}")
    print(
        f"per draft: median {statistics.median(timings) * 1000:.2f} ms, "
        f"p99 {timings[int(len(timings) * 0.99)] * 1000:.2f} ms"
    )


if __name__ == "__main__":
    main()
