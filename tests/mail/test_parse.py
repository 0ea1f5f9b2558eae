"""parse_message on small messages written for these tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from consultant.mail.parse import parse_message

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mail"


def parse(name: str, **kwargs):
    return parse_message((FIXTURES / name).read_bytes(), **kwargs)


def test_alternative_prefers_plain_and_decodes_headers():
    msg = parse("gmail_alternative.eml")
    assert msg.subject == "Re: 63047 – levels"
    assert msg.from_address == "rcaldwell@northgate.example"
    assert msg.from_name == "Renee Caldwell"
    assert msg.to == ["questions@codingdesk.example", "two@codingdesk.example"]
    assert msg.cc == ["boss@northgate.example"]
    assert msg.message_id == "<abc123@northgate.example>"
    assert msg.in_reply_to == "<q1@codingdesk.example>"
    assert msg.references == ["<q0@codingdesk.example>", "<q1@codingdesk.example>"]
    assert msg.date_utc == "2026-04-06T13:14:00+00:00"
    assert msg.reply == "Is 63048 x2 right?\n\nRenee"
    assert msg.signature == "-- \nRenee Caldwell, CPC"
    assert "22612" in msg.quoted and "22612" not in msg.reply
    assert "<blockquote>" in msg.html
    assert msg.kind == "question"


def test_html_only_keeps_lists_and_tables_and_drops_quote():
    msg = parse("html_only_qp.eml")
    assert "- first level\n- second level" in msg.text
    assert "64484 | 1" in msg.text
    assert "62323" in msg.quoted and "62323" not in msg.reply
    assert msg.reply.startswith("Do we bill 64483-50?")


def test_mislabelled_latin1_and_raw_8bit_header():
    msg = parse("latin1_mislabel.eml")
    assert msg.text.strip() == "It’s “quoted” € 5."
    assert msg.from_name == "José"
    assert msg.subject == "café mén salade"


def test_attachments_sanitised_and_forward_quoted():
    msg = parse("attachments_forward.eml")
    names = [(a.filename, a.content_type) for a in msg.attachments]
    assert names == [("op noteé.pdf", "application/pdf"), ("nail care.eml", "message/rfc822")]
    assert msg.attachments[0].size == 9
    assert msg.reply == "See the attached note, 11721 or G0127?"
    assert "Debrided nails" in msg.quoted


@pytest.mark.parametrize(
    ("name", "kind"),
    [("dsn_bounce.eml", "bounce"), ("out_of_office.eml", "auto-reply"), ("list_post.eml", "list")],
)
def test_kinds_with_reasons(name, kind):
    msg = parse(name)
    assert msg.kind == kind
    assert msg.reasons


def test_own_address():
    msg = parse("gmail_alternative.eml", own_addresses=frozenset({"rcaldwell@northgate.example"}))
    assert msg.kind == "own"


def test_bare_bodies():
    html = parse("bare.html")
    assert html.reply == "Bare HTML 99213" and "99214" in html.quoted
    text = parse("bare.txt")
    assert text.reply == "One: not a header at all"
    assert "no header block" in text.defects


def test_bare_cr_and_missing_boundary():
    msg = parse("broken_cr.eml")
    assert msg.subject == "bare CR"
    assert "99213" in msg.reply
    assert msg.defects


def test_hash_ignores_transport_headers():
    raw = (FIXTURES / "gmail_alternative.eml").read_bytes()
    relayed = b"Received: from mx by mx2; Mon, 6 Apr 2026\r\nReturn-Path: <x@y>\r\n" + raw
    assert parse_message(relayed).body_sha256 == parse_message(raw).body_sha256
    assert parse_message(raw.replace(b"63048 x2", b"63048 x3")).body_sha256 != (
        parse_message(raw).body_sha256
    )


def test_to_json_has_the_cli_keys():
    data = parse("gmail_alternative.eml").to_json()
    assert data["from"] == {"address": "rcaldwell@northgate.example", "name": "Renee Caldwell"}
