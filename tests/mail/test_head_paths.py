"""The head's own readers of the common forms agree with the stdlib's parsers they stand in
for: header blocks, the content hash (dedupe keys already stored depend on it), dates."""

from __future__ import annotations

from datetime import UTC
from email.utils import parsedate_to_datetime

import pytest

from consultant.mail.head import _HEADERS_ONLY, _date_utc, _plain_header_block, content_hash
from tests.mail.test_head import SEEDS

BLOCKS = [
    b"From: Renee <renee@clinic.example>\r\nSubject: 63047\r\n\r\n",
    b"Subject: folded\r\n over two\r\n\tand three lines\r\nTo: q@desk.example\r\n\r\n",
    b"Subject: bare CR\rTo: q@desk.example\r\r",
    b"Subject:no space\nX-Empty:\n\n",
    b"Subject: caf\xc3\xa9 \xe9t\xe9\nFrom: \xff <a@b.example>\n\n",
    b"Subject: trailing blanks \t \nReceived: a\n  b\n\n",
]


@pytest.mark.parametrize("block", BLOCKS + [seed[: seed.find(b"\n\n") + 2] for seed in SEEDS])
def test_header_blocks_read_as_the_stdlib_reads_them(block):
    ours = _plain_header_block(block)
    if ours is None:  # left to the stdlib: fine, as long as the plain forms are ours
        assert block not in BLOCKS
        return
    theirs = _HEADERS_ONLY.parsebytes(block, headersonly=True)
    assert not theirs.defects
    assert list(ours.raw_items()) == list(theirs.raw_items())


@pytest.mark.parametrize(
    "block",
    [
        b"From renee@clinic.example Mon Apr  6 08:14:00 2026\nSubject: x\n\n",  # mbox line
        b" folded first\nSubject: x\n\n",
        b"Subject: x\nno colon here\n\n",
        b"Subject : x\n\n",  # a blank before the colon is no field name to the stdlib
        b"Subject: x\n:nameless\n\n",
        b"Subject: x\n",  # no blank line: not a whole block
    ],
)
def test_blocks_the_stdlib_reads_with_a_defect_are_left_to_it(block):
    assert _plain_header_block(block) is None


RELAYED = (
    b"From renee@clinic.example Mon Apr  6 08:14:00 2026\r\n"
    b"Received: from mx.clinic.example\r\n\tby desk.example; Mon, 6 Apr 2026 08:14:01 -0500\r\n"
    b"From: Renee <renee@clinic.example>\r\nDKIM-Signature: v=1; a=rsa-sha256;\r\n b=abc\r\n"
    b"Subject: 63047 with 63048 x2?\r\nX-Spam-Score: 0.1\r\n\r\nIs that right?\r\n\r\n"
)


def test_content_hash_is_the_one_stored_dedupe_keys_were_made_with():
    assert content_hash(RELAYED) == (
        "45849673b27f7f48b78d4582b4c2756453f5e82acbe2a693ee3cb954f3436c93"
    )


def test_content_hash_leaves_out_transport_fields_and_their_folded_lines():
    bare = b"From: Renee <renee@clinic.example>\nSubject: 63047 with 63048 x2?\n\nIs that right?\n"
    assert content_hash(RELAYED) == content_hash(bare)
    assert content_hash(bare.replace(b"\n", b"\r")) == content_hash(bare)
    restamped = b"RECEIVED: elsewhere\n  folded\nX-Spam-Flag: YES\nStatus: RO\n" + bare
    assert content_hash(restamped) == content_hash(bare)


@pytest.mark.parametrize(
    "extra",
    [b"from: someone@else.example\n", b"X-Spam.Score: 3\n", b"Received-By: a\n", b"Status-X: 1\n"],
)
def test_content_hash_keeps_every_other_field(extra):
    bare = b"Subject: 63047\n\nIs that right?\n"
    assert content_hash(extra + bare) != content_hash(bare)


def _stdlib_date(value: str) -> str:
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return ""
    return moment.isoformat() if moment.tzinfo is None else moment.astimezone(UTC).isoformat()


@pytest.mark.parametrize(
    "value",
    [
        "Mon, 06 Apr 2026 08:14:00 -0500",
        "6 Apr 2026 08:14:00 +0530",
        "Mon, 06 Apr 2026 08:14:00 -0000",  # no known zone: a naive time
        "Mon, 06 Apr 2026 08:14:00 +0000",
        "Tue, 12 Dec 0080 21:46:34 -0821",  # the stdlib's two-digit year rule
        "Mon, 31 Feb 2026 08:14:00 +0100",  # no such day
        "Mon, 06 Apr 2026 08:14:00 +2400",  # no such offset
        "Mon, 06 Apr 2026 08:14 -0500",
        "Mon, 6 Apr 26 08:14:00 EST",
        "06 apr 2026 08:14:00 -0500 (CDT)",
        "not a date",
    ],
)
def test_dates_read_as_the_stdlib_reads_them(value):
    assert _date_utc(value) == _stdlib_date(value)
