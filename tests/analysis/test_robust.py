"""Robustness: any text or bytes give a valid Analysis; the CLI's exits and timing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consultant.analysis.analyze import analyze_message
from consultant.analysis.message import analyze_raw
from tests.analysis.fakebook import FakeBook

SHARED = Path("/work/shared")
DEV = SHARED / "eval" / "dev"
KEYS = {"codes", "modifiers", "findings", "suggestions", "code_sets"}


def shared_or_skip() -> None:
    if not SHARED.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("/work/shared is missing under CI")
        pytest.skip("/work/shared is not available")


ALPHABET = st.sampled_from(list("0123456789ABCDEFJMSXZ .-/x,:$#()>\n\tmodifier units") + ["é"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(ALPHABET, max_size=300), st.text(max_size=60))
def test_any_text_gives_an_analysis(body, subject):
    data = analyze_message(subject, body, FakeBook()).to_json()  # type: ignore[arg-type]
    assert set(data) >= KEYS
    json.dumps(data)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_give_an_analysis(raw):
    assert set(analyze_raw(raw, None).to_json()) >= KEYS


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_real_emails(data):
    shared_or_skip()
    files = sorted(DEV.glob("*.eml"))
    raw = bytearray(files[data.draw(st.integers(0, len(files) - 1))].read_bytes())
    for _ in range(data.draw(st.integers(1, 20))):
        position = data.draw(st.integers(0, max(len(raw) - 1, 0)))
        raw[position : position + 1] = data.draw(st.binary(min_size=0, max_size=3))
    assert set(analyze_raw(bytes(raw), FakeBook()).to_json()) >= KEYS  # type: ignore[arg-type]


def _cli(
    args: list[str], tmp_path: Path, stdin: bytes | None = None
) -> subprocess.CompletedProcess:
    env = {**os.environ, "CONSULTANT_DATA_DIR": str(tmp_path)}
    env.pop("CONSULTANT_DATABASE_URL", None)
    command = [sys.executable, "-m", "consultant", "analyze", *args]
    return subprocess.run(command, input=stdin, capture_output=True, env=env, timeout=60)


def test_cli_stdin_without_headers_and_empty_database(tmp_path):
    started = time.monotonic()
    done = _cli(["-", "--json"], tmp_path, b"Can 63053 go with 63052? Dx M48.062.\n")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert [c["code"] for c in data["codes"]] == ["63053", "63052", "M48.062"]
    assert time.monotonic() - started < 10


def test_cli_missing_file_exits_2(tmp_path):
    done = _cli([str(tmp_path / "nope.eml"), "--json"], tmp_path)
    assert done.returncode == 2
    assert done.stderr.decode().strip().count("\n") == 0


def test_cli_summary_without_json(tmp_path):
    done = _cli(["-"], tmp_path, b"Subject: knee\n\nWe billed 20610-RT x1.\n")
    assert done.returncode == 0 and "20610" in done.stdout.decode()
