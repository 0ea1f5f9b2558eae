"""`consultant draft FILE.eml --json` prints the draft without storing anything."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
QUESTION = (
    b"From: Renee Caldwell <renee@clinic.example>\r\nTo: desk@consultant.localhost\r\n"
    b"Subject: Diabetes coding\r\nDate: Tue, 07 Apr 2026 13:40:00 -0500\r\n\r\n"
    b"Is M54.5 still valid? And 20610 with 99213 -- modifier 25?\r\n"
)


def _draft(tmp_path: Path, *flags: str) -> subprocess.CompletedProcess:
    path = tmp_path / "q.eml"
    path.write_bytes(QUESTION)
    env = os.environ | {"CONSULTANT_DATA_DIR": str(tmp_path / "var")}
    return subprocess.run(
        [sys.executable, "-m", "consultant", "draft", str(path), *flags],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_json_has_the_four_parts_and_nothing_is_stored(tmp_path: Path) -> None:
    run = _draft(tmp_path, "--json")
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert set(data) == {"subject", "text", "html", "reviewer_notes"}
    assert data["subject"] == "Re: Diabetes coding"
    assert "M54.5" in data["text"] and "Hello Renee," in data["text"]
    assert "<html" in data["html"]
    text = _draft(tmp_path)
    assert text.returncode == 0 and text.stdout.startswith("Subject: Re: Diabetes coding")
    html = _draft(tmp_path, "--html")
    assert html.returncode == 0 and html.stdout.lstrip().startswith("<!DOCTYPE html>")


def test_unreadable_file_exits_2(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "consultant", "draft", str(tmp_path / "missing.eml")],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 2 and "cannot read" in run.stderr
