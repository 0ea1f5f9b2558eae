"""Benchmark of the analysis: analyses/s in one warm process, and `consultant analyze` end to end.

Usage: CONSULTANT_DATA_DIR=... python bench/bench_analyze.py [--shared /work/shared]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path


def _book():  # noqa: ANN202
    from consultant.codes.book import open_codebook
    from consultant.config import load_settings
    from consultant.db import make_engine

    return open_codebook(make_engine(load_settings().resolved_database_url))


def warm_rate(
    files: list[Path], book: object, rounds: int, *, cached: bool = True
) -> tuple[float, int]:
    """Analyses per second over the messages under 5 KB; with cached=False the per-process
    search cache is emptied before each round (every description searched afresh)."""
    from consultant.analysis.message import analyze_raw
    from consultant.analysis.suggest import clear_cache

    raws = [path.read_bytes() for path in files]
    raws = [raw for raw in raws if len(raw) < 5 * 1024]
    for raw in raws:
        analyze_raw(raw, book)  # warm caches
    elapsed = 0.0
    for _ in range(rounds):
        if not cached:
            clear_cache()
        started = time.perf_counter()
        for raw in raws:
            analyze_raw(raw, book)
        elapsed += time.perf_counter() - started
    return rounds * len(raws) / elapsed, len(raws)


def end_to_end(files: list[Path], count: int) -> list[float]:
    times = []
    for path in files[:count]:
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "consultant", "analyze", str(path), "--json"],
            capture_output=True,
            check=True,
        )
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", default="/work/shared")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    shared = Path(args.shared)
    dev = sorted((shared / "eval" / "dev").glob("*.eml"))
    corpus = sorted((shared / "data" / "emails" / "corpus").glob("*.eml"))
    book = _book()
    for name, files in (("dev", dev), ("corpus", corpus)):
        rate, used = warm_rate(files, book, args.rounds)
        print(f"warm {name}: {rate:,.0f} analyses/s over {used} messages < 5 KB (one process)")
        rate, used = warm_rate(files, book, args.rounds, cached=False)
        print(f"warm {name}, search cache emptied each round: {rate:,.0f} analyses/s")
    times = end_to_end(dev, 10)
    print(
        f"end to end (consultant analyze --json, 10 dev emails): median "
        f"{statistics.median(times):.2f} s, max {max(times):.2f} s"
    )


if __name__ == "__main__":
    main()
