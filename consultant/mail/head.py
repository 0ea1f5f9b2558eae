"""A message's head: the header facts intake needs (ids, sender, kind, content hash), fast.

`parse_message` builds its headers from the same functions, so intake, which reads only the
head, and analysis, which reads the whole message, always agree on every field they share.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email import message_from_bytes, policy
from email.message import Message
from email.parser import BytesParser
from email.utils import parsedate_to_datetime

from consultant.mail.classify import classify
from consultant.mail.headers import addresses, decode_header, message_ids
from consultant.mail.mime import content_types

# Header names that show a file starts with a header block rather than a bare body.
_KNOWN_HEADERS = frozenset(
    b"from to cc bcc subject date message-id received return-path mime-version content-type "
    b"content-transfer-encoding delivered-to reply-to sender in-reply-to references "
    b"dkim-signature x-mailer user-agent thread-topic thread-index authentication-results "
    b"arc-seal list-id precedence auto-submitted importance envelope-to x-original-to "
    b"resent-from resent-to resent-date content-disposition organization".split()
)
_HEADER_FIELD = re.compile(rb"^([!-9;-~]+)[ \t]*:")
# Fields that relays add or rewrite in transit, and an mbox "From " line, each with its
# folded continuation lines: left out of the content hash (line ends already "\n").
_TRANSPORT_FIELD = re.compile(
    rb"^(?:(?-i:From )|(?:received|return-path|delivered-to|x-original-to|envelope-to|"
    rb"x-spam-[\w-]*|x-virus-[\w-]*|authentication-results|arc-[\w-]*|dkim-signature|"
    rb"x-received|x-forwarded-[\w-]*|x-google-[\w-]*|x-ms-exchange-[\w-]*|x-gm-[\w-]*|"
    rb"received-spf|x-rspamd-[\w-]*|status|x-status|x-uid|x-keywords|lines|content-length)"
    rb"[ \t]*:).*(?:\n[ \t].*)*\n",
    re.IGNORECASE | re.MULTILINE,
)
NO_HEADER_BLOCK = "no header block"
_HEADERS_ONLY = BytesParser(policy=policy.compat32)
# A header line that the stdlib's parser stores without a defect: a name of printable
# characters but the colon, then the colon.
_PARSER_FIELD = re.compile(rb"[!-9;-~]+:")
# The first empty line, whichever line ends surround it (CRLF, LF or a bare CR).
_BLANK_LINE = re.compile(rb"\n\r?\n|\r\r|\n\r(?!\n)")
_MONTHS = {
    "Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "May": 5, "Jun": 6,
    "Jul": 7, "Aug": 8, "Sep": 9, "Oct": 10, "Nov": 11, "Dec": 12,
}  # fmt: skip
_PLAIN_DATE = re.compile(
    r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?(\d{1,2}) (" + "|".join(_MONTHS) + r") ([1-9]\d{3}) "
    r"(\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)"
)


@dataclass(frozen=True)
class MessageHead:
    message_id: str
    from_address: str
    from_name: str
    to: list[str]
    cc: list[str]
    subject: str
    date: str
    in_reply_to: str
    references: list[str]
    kind: str  # question, bounce, auto-reply, list, own
    reasons: list[str]
    body_sha256: str
    date_utc: str = ""  # the Date header as ISO 8601 in UTC, "" when missing or unreadable
    defects: list[str] = field(default_factory=list)


def has_header_block(raw: bytes) -> bool:
    """Whether `raw` starts with RFC 5322 headers (or an mbox "From " line) at all."""
    lines = raw[:16384].lstrip(b"\r\n").splitlines()
    if lines and lines[0].startswith(b"From "):
        return True
    for line in lines[:200]:
        if not line.strip():
            return False
        if line[:1] in (b" ", b"\t"):
            continue
        match = _HEADER_FIELD.match(line)
        if not match:
            return False
        name = match.group(1).lower()
        if name in _KNOWN_HEADERS or name.startswith(b"x-"):
            return True
    return False


def content_hash(raw: bytes) -> str:
    """SHA-256 of the message without transport headers, line endings normalised."""
    data = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    head, sep, rest = data.partition(b"\n\n")
    kept = _TRANSPORT_FIELD.sub(b"", head + b"\n")[:-1]
    return hashlib.sha256(kept + sep + rest.rstrip(b"\n")).hexdigest()


def bare_head(raw: bytes) -> MessageHead:
    """The head of a file with no header block: a question from nobody in particular."""
    return MessageHead(
        message_id="", from_address="", from_name="", to=[], cc=[], subject="", date="",
        in_reply_to="", references=[], kind="question", reasons=[],
        body_sha256=content_hash(raw), defects=[NO_HEADER_BLOCK],
    )  # fmt: skip


class _Headers(Mapping[str, list[str]]):
    """A message's headers by lower-cased name, each value decoded the first time it is
    read: classification asks whether most headers exist, and reads only a few."""

    def __init__(self, msg: Message) -> None:
        self.raw: dict[str, list[object]] = {}
        for name, value in msg.raw_items():
            self.raw.setdefault(str(name).strip().lower(), []).append(value)
        self._decoded: dict[str, list[str]] = {}

    def __getitem__(self, name: str) -> list[str]:
        decoded = self._decoded.get(name)
        if decoded is None:
            decoded = self._decoded[name] = [decode_header(v) for v in self.raw[name]]
        return decoded

    def get(self, name: str, default: list[str] | None = None) -> list[str] | None:
        """Without raising and catching KeyError for each absent header, as Mapping's would."""
        return self[name] if name in self.raw else default

    def __contains__(self, name: object) -> bool:
        return name in self.raw

    def __iter__(self) -> Iterator[str]:
        return iter(self.raw)

    def __len__(self) -> int:
        return len(self.raw)

    def values_of(self, name: str) -> list[object]:
        """The raw values of one header (lower-case name), as the parser stored them."""
        return self.raw.get(name, [])


def _report_type(msg: Message, headers: _Headers) -> str:
    """The Content-Type's report-type parameter; the parameters are parsed only when the
    header names it (a costly step that nearly all mail does not need)."""
    if not any("report-type" in str(v).lower() for v in headers.values_of("content-type")):
        return ""
    try:
        return str(msg.get_param("report-type") or "")
    except Exception:  # noqa: BLE001 - hostile parameters read as none
        return ""


def _date_utc(value: str) -> str:
    try:
        moment = _plain_date(value) or parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return ""
    if moment.tzinfo is None:
        return moment.isoformat()
    return moment.astimezone(UTC).isoformat()


def _plain_date(value: str) -> datetime | None:
    """A Date in RFC 5322's own form ("Mon, 06 Apr 2026 08:14:00 -0500"), read as
    `parsedate_to_datetime` reads it ("-0000", no known zone, gives a naive time); None for
    any other form, which goes to it."""
    match = _PLAIN_DATE.fullmatch(value)
    if match is None:
        return None
    day, month, year, hour, minute, second, sign, zone_hours, zone_minutes = match.groups()
    offset = int(zone_hours) * 3600 + int(zone_minutes) * 60
    if offset == 0 and sign == "-":
        zone = None
    else:
        zone = timezone(timedelta(seconds=-offset if sign == "-" else offset))
    return datetime(
        int(year), _MONTHS[month], int(day), int(hour), int(minute), int(second), tzinfo=zone
    )


def read_head(
    msg: Message, raw: bytes, types: list[str], own_addresses: frozenset[str]
) -> MessageHead:
    """The head of a parsed message whose MIME parts have the content types `types`."""
    headers = _Headers(msg)
    senders = addresses(headers.values_of("from")) or addresses(headers.values_of("sender"))
    from_name, from_address = senders[0] if senders else ("", "")
    subject = (headers.get("subject") or [""])[0]
    date = (headers.get("date") or [""])[0]
    report_type = _report_type(msg, headers)
    kind, reasons = classify(
        headers,
        from_address=from_address,
        from_name=from_name,
        subject=subject,
        content_types=types,
        report_type=report_type,
        own_addresses=frozenset(a.lower() for a in own_addresses),
    )
    in_reply_to = message_ids((headers.get("in-reply-to") or [""])[0])
    message_id = message_ids((headers.get("message-id") or [""])[0])
    return MessageHead(
        message_id=message_id[0] if message_id else "",
        from_address=from_address,
        from_name=from_name,
        to=[address for _, address in addresses(headers.values_of("to"))],
        cc=[address for _, address in addresses(headers.values_of("cc"))],
        subject=subject,
        date=date,
        in_reply_to=in_reply_to[0] if in_reply_to else "",
        references=message_ids(" ".join(headers.get("references") or [])),
        kind=kind,
        reasons=reasons,
        body_sha256=content_hash(raw),
        date_utc=_date_utc(date) if date else "",
    )


def _plain_header_block(block: bytes) -> Message | None:
    """The headers of `block` (ending with its blank line) as the stdlib's compat32 parser
    stores them, for a block it would read without a defect: every line a `name:` field or
    a folded continuation of one. Anything else (a "From " line, a line that is neither,
    a block that opens folded) returns None, for the stdlib's parser to read as it does.

    For a single-part message the stdlib's parser was a third of `parse_head`; this finds
    and splits the same lines and stores them with `set_raw`, as that parser does."""
    lines = block.splitlines(keepends=True)
    if not lines or lines.pop().strip(b"\r\n") or not lines or lines[0][:1] in (b" ", b"\t"):
        return None
    msg = Message(policy.compat32)
    fields: list[list[str]] = []
    for line in lines:
        if line[:1] in (b" ", b"\t"):
            fields[-1].append(line.decode("ascii", "surrogateescape"))
        elif line.startswith(b"From ") or not _PARSER_FIELD.match(line):
            return None
        else:
            fields.append([line.decode("ascii", "surrogateescape")])
    for field_lines in fields:
        name, value = field_lines[0].split(":", 1)
        value = value.lstrip(" \t") + "".join(field_lines[1:])
        msg.set_raw(name, value.rstrip("\r\n"))
    return msg


def parse_head(raw: bytes, *, own_addresses: frozenset[str] = frozenset()) -> MessageHead:
    """The head of any bytes, without decoding bodies or separating replies. Raises only
    when the bytes cannot be read as a message at all."""
    if not has_header_block(raw):
        return bare_head(raw)
    # Most mail is a single part: its headers say all intake needs, so the body is left
    # unparsed; multipart and message/* mail is parsed whole for the types of its parts.
    end = _BLANK_LINE.search(raw)
    block = raw[: end.end()] if end else raw
    msg = _plain_header_block(block) if end else None
    if msg is None:
        msg = _HEADERS_ONLY.parsebytes(block, headersonly=True)
    if msg.get_content_maintype() in ("multipart", "message"):
        msg = message_from_bytes(raw, policy=policy.compat32)
    return read_head(msg, raw, content_types(msg), own_addresses)
