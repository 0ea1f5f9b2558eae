"""Bench: parse_message throughput over the shared corpus (messages/s and MB/s)."""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from consultant.mail.parse import parse_message

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "emails" / "corpus"
ROUNDS = 3


def main() -> int:
    messages = [path.read_bytes() for path in sorted(CORPUS.glob("*.eml"))]
    if not messages:
        print(f"no corpus at {CORPUS}", file=sys.stderr)
        return 2
    size = sum(len(raw) for raw in messages)
    parse_message(messages[0])  # warm up imports
    rates, latencies = [], []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for raw in messages:
            begin = time.perf_counter()
            parse_message(raw)
            latencies.append(time.perf_counter() - begin)
        rates.append(len(messages) / (time.perf_counter() - start))
    latencies.sort()
    best = max(rates)
    print(f"parse_message: {len(messages)} corpus messages ({size / 1e6:.1f} MB), {ROUNDS} rounds")
    print(f"  messages/s: median {statistics.median(rates):.0f}, best {best:.0f}")
    print(f"  MB/s (best round): {best * size / len(messages) / 1e6:.1f}")
    p50 = latencies[len(latencies) // 2] * 1e3
    p99 = latencies[int(len(latencies) * 0.99)] * 1e3
    print(f"  per message: p50 {p50:.2f} ms, p99 {p99:.1f} ms, max {latencies[-1] * 1e3:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
