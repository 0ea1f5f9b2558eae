"""parse_message never raises, whatever the bytes."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consultant.mail.parse import parse_message

FIXTURES = sorted((Path(__file__).resolve().parents[1] / "fixtures" / "mail").iterdir())
SEEDS = [path.read_bytes() for path in FIXTURES]

_PIECES = st.sampled_from(
    [b"From: ", b"Subject: =?utf-8?B?", b"?=", b"Content-Type: multipart/mixed; boundary=", b"--",
     b"\r\n", b"\n", b"\r", b"Content-Transfer-Encoding: base64\n", b"charset=x-unknown",
     b"<blockquote>", b"On Mon wrote:", b"> ", b"\xff\xfe", b"=?", b"\x00", b"begin 644 x\n"]
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_random_bytes(raw):
    parse_message(raw)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(SEEDS), st.lists(st.tuples(st.integers(0, 4000), _PIECES), max_size=8))
def test_mutated_messages(seed, edits):
    raw = bytearray(seed)
    for position, piece in edits:
        raw[position:position] = piece
    parsed = parse_message(bytes(raw))
    assert isinstance(parsed.reply, str)
