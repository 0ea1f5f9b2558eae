"""parse_head (what intake reads) agrees with parse_message on every field they share."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consultant.mail.head import MessageHead
from consultant.mail.intake import safe_parse
from consultant.mail.parse import parse_message

FIXTURES = sorted((Path(__file__).resolve().parents[1] / "fixtures" / "mail").iterdir())
SEEDS = [path.read_bytes() for path in FIXTURES]
SHARED = [f.name for f in fields(MessageHead) if f.name != "defects"]
_PIECES = st.sampled_from(
    [b"From: ", b"Subject: =?utf-8?B?", b"?=", b"Content-Type: multipart/report; boundary=",
     b"--", b"\r\n", b"\n", b"\r", b"report-type=delivery-status", b"In-Reply-To: <",
     b"Content-Type: message/rfc822\n\n", b"\xff\xfe", b"\x00", b"References: <a@b> <c@d>\n"]
)  # fmt: skip


def agree(raw: bytes) -> None:
    head, error = safe_parse(raw, frozenset({"questions@desk.example"}))
    full = parse_message(raw, own_addresses=frozenset({"questions@desk.example"}))
    if head is None:  # intake quarantines it; the full parse must have failed as well
        assert any(d.startswith("unparseable") for d in full.defects), error
        return
    for name in SHARED:
        assert getattr(head, name) == getattr(full, name), name


def test_fixtures():
    for seed in SEEDS:
        agree(seed)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SEEDS), st.lists(st.tuples(st.integers(0, 4000), _PIECES), max_size=8))
def test_mutated_messages(seed, edits):
    raw = bytearray(seed)
    for position, piece in edits:
        raw[position:position] = piece
    agree(bytes(raw))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=1500))
def test_random_bytes(raw):
    agree(raw)
