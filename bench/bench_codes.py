"""Code-set benchmark: import speeds, CodeBook open, lookup, PTP, search and memory.

Run: .venv/bin/python bench/bench_codes.py [--shared ../shared/data/cms] [--skip-ptp]
Prints one line per figure; compares lookup with simple-icd-10-cm's own calls (in a child
process, so its ~190 MB stays out of this process's RSS figure).
"""

from __future__ import annotations

import argparse
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from consultant.codes.book import invalidate, open_codebook
from consultant.codes.importers import import_files
from consultant.db import make_engine, session_factory, transaction, upgrade

IMPORTS = [
    ("hcpcs", "hcpcs/HCPC2025_OCT_ANWEB.csv.gz"),
    ("addon", "ncci_aoc/AOC_V2026Q2-MCR.csv"),
    ("mue", "ncci_mue/mue_practitioner_derived.csv"),
    ("pfs", "pfs/PPRRVU2025_Oct_indicators.csv.gz"),
    ("icd10pcs", "icd10pcs/icd10pcs_order_2026.txt.gz"),
    ("icd10cm-index", "icd10cm/ICD10CM_2025_Index_flattened.csv.gz"),
]
PTP = ("ptp", "ncci_ptp/ptp_practitioner_undated_derived.tsv.gz")
LOOKUPS = ["E11.42", "S52.521A", "I10", "M48.062", "F41.1", "Z79.4", "J44.1", "N18.30"]
PTP_SET = ["63047", "63048", "20610", "99213", "22551", "22552", "64483", "64484", "96372", "J1100"]
QUERIES = [
    "type 2 diabetes with diabetic polyneuropathy",
    "torus fracture right distal radius initial encounter",
    "lumbar stenosis with neurogenic claudication",
    "chronic systolic heart failure exacerbation",
    "stage 4 pressure ulcer of sacrum",
]
PEER = """
import statistics, time, simple_icd_10_cm as c
codes = {codes!r}
for code in codes: c.get_description(code); c.is_leaf(code)
samples = []
for _ in range(2000):
    for code in codes:
        t = time.perf_counter(); c.get_description(code); c.is_leaf(code); c.get_parent(code)
        samples.append(time.perf_counter() - t)
print(statistics.median(samples) * 1e6)
"""


def timed(label: str, func):  # noqa: ANN001, ANN201
    start = time.perf_counter()
    result = func()
    print(f"{label}: {time.perf_counter() - start:.2f} s")
    return result


def median_us(func, repeat: int = 2000) -> float:  # noqa: ANN001
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", type=Path, default=Path("../shared/data/cms"))
    parser.add_argument("--skip-ptp", action="store_true")
    args = parser.parse_args()
    print(f"machine: {platform.node()} {platform.machine()} python {platform.python_version()}")
    print(f"date: {date.today().isoformat()}")
    folder = Path(tempfile.mkdtemp(prefix="bench-codes-"))
    engine = make_engine(f"sqlite:///{folder / 'consultant.db'}")
    upgrade(engine)
    factory = session_factory(engine)
    load_child = (
        "import sys, time; from consultant.db import make_engine, session_factory, transaction;"
        "from consultant.codes.loaders import load_icd10cm; t=time.perf_counter();"
        "f=session_factory(make_engine(sys.argv[1]));\n"
        "with transaction(f) as s: load_icd10cm(s)\n"
        "print(time.perf_counter()-t)"
    )
    seconds = subprocess.run(
        [sys.executable, "-c", load_child, str(engine.url)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    print(
        f"load ICD-10-CM with notes (child process, incl. package import): {float(seconds):.2f} s"
    )
    plan = IMPORTS + ([] if args.skip_ptp else [PTP])
    for kind, relative in plan:
        path = args.shared / relative

        def run(kind=kind, path=path):  # noqa: ANN001, ANN202
            with transaction(factory) as session:
                return import_files(session, kind, [path])

        result = timed(f"import {kind} ({path.name})", run)
        print(f"  rows: {result.rows:,}")
    invalidate()
    snap = folder / "snap"
    timed(
        "open CodeBook, cold (DB read + index build + snapshot write)",
        lambda: open_codebook(engine, snapshot_dir=snap),
    )
    invalidate()
    book = timed("open CodeBook, from snapshot", lambda: open_codebook(engine, snapshot_dir=snap))
    codes = iter(LOOKUPS * 1000)
    ours = median_us(lambda: book.lookup("ICD-10-CM", next(codes)), repeat=5000)
    print(f"lookup median (ours): {ours:.2f} µs")
    peer = subprocess.run(
        [sys.executable, "-c", PEER.format(codes=LOOKUPS)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    print(
        f"lookup median (simple-icd-10-cm get_description+is_leaf+get_parent): {float(peer):.2f} µs"
    )
    book.ptp(PTP_SET)
    print(f"PTP check of a 10-code set, median: {median_us(lambda: book.ptp(PTP_SET), 300):.0f} µs")
    for query in QUERIES:
        book.search(query)
    queries = iter(QUERIES * 200)
    print(
        f"search median (5-word queries): {median_us(lambda: book.search(next(queries)), 500) / 1000:.2f} ms"
    )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"max RSS of this process (incl. the cold build's temporaries): {rss:.0f} MB")
    worker = (
        "import sys, time; from pathlib import Path; t=time.perf_counter();"
        "from consultant.db import make_engine; from consultant.codes.book import open_codebook;"
        "b=open_codebook(make_engine(sys.argv[1]), snapshot_dir=Path(sys.argv[2]));"
        "b.search('essential hypertension'); b.lookup('ICD-10-CM','I10');"
        "rss=[l for l in open('/proc/self/status') if l.startswith('VmRSS')][0].split()[1];"
        "print(time.perf_counter()-t, int(rss)/1024)"
    )
    out = subprocess.run(
        [sys.executable, "-c", worker, str(engine.url), str(snap)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    print(
        f"fresh worker process: imports + open from snapshot + first search {float(out[0]):.2f} s,"
    )
    print(f"  RSS {float(out[1]):.0f} MB (ICD-10-CM, PCS, HCPCS, AOC, MUE, PFS, search index)")


if __name__ == "__main__":
    main()
