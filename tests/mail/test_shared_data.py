"""parse_message over ../shared: every corpus message, and reply separation vs peer fixtures."""

from __future__ import annotations

import csv
import re
from collections import Counter

import pytest

from consultant.mail.parse import parse_message
from tests.conftest import SHARED, unavailable

EMAILS = SHARED / "data" / "emails"
DEV = SHARED / "eval" / "dev"
# talon, the best peer, scores 0.674 on the same cases.
REPLY_SCORE_FLOOR = 0.80


def _folder(path):
    if not path.is_dir():
        unavailable(f"{path}")
    return path


def test_whole_corpus_parses():
    corpus = _folder(EMAILS / "corpus")
    kinds = Counter()
    for path in sorted(corpus.glob("*.eml")):
        parsed = parse_message(path.read_bytes())
        kinds[parsed.kind] += 1
        assert isinstance(parsed.reply, str) and parsed.body_sha256
    assert sum(kinds.values()) >= 950
    assert kinds["bounce"] >= 150 and kinds["auto-reply"] >= 10 and kinds["list"] >= 10


def _normalise(text: str, *, no_space: bool) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(line.rstrip() for line in text.split("\n")).strip()
    return re.sub(r"\s+", "", text) if no_space else text


def test_reply_separation_beats_the_peers():
    folder = _folder(EMAILS / "reply-stripping")
    hits = total = 0
    with (folder / "MANIFEST.tsv").open(encoding="utf-8", newline="") as manifest:
        for row in csv.DictReader(manifest, delimiter="\t"):
            path = folder / row["file"]
            if path.suffix not in (".txt", ".eml", ".html"):
                continue
            expected = (folder / row["expected_file"]).read_bytes().decode("utf-8", "replace")
            reply = parse_message(path.read_bytes()).reply
            no_space = path.suffix == ".html" or row["assertion_basis"].startswith("whitespace")
            total += 1
            hits += _normalise(reply, no_space=no_space) == _normalise(expected, no_space=no_space)
    assert total >= 280
    assert hits / total >= REPLY_SCORE_FLOOR


@pytest.mark.parametrize("quote_marker", ["\n> ", "wrote:", "-----Original Message-----"])
def test_dev_replies_hold_no_quoted_history(quote_marker):
    folder = _folder(DEV)
    for path in sorted(folder.glob("*.eml")):
        parsed = parse_message(path.read_bytes())
        assert parsed.reply.strip(), path.name
        assert quote_marker not in "\n" + parsed.reply, path.name
