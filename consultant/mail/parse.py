"""MIME bytes → ParsedMessage: headers, readable text, the writer's new text, attachments."""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from datetime import UTC
from email import message_from_bytes, policy
from email.message import Message
from email.utils import parsedate_to_datetime

from consultant.mail.charsets import guess_decode
from consultant.mail.classify import classify
from consultant.mail.headers import addresses, decode_header, message_ids
from consultant.mail.html_text import html_to_text, looks_like_html
from consultant.mail.mime import Attachment, Body, body_text, walk
from consultant.mail.quotes import ReplyParts, split_reply

__all__ = ["Attachment", "ParsedMessage", "parse_message"]

# Header names that show a file starts with a header block rather than a bare body.
_KNOWN_HEADERS = frozenset(
    b"from to cc bcc subject date message-id received return-path mime-version content-type "
    b"content-transfer-encoding delivered-to reply-to sender in-reply-to references "
    b"dkim-signature x-mailer user-agent thread-topic thread-index authentication-results "
    b"arc-seal list-id precedence auto-submitted importance envelope-to x-original-to "
    b"resent-from resent-to resent-date content-disposition organization".split()
)
_HEADER_FIELD = re.compile(rb"^([!-9;-~]+)[ \t]*:")
# Headers that relays add or rewrite in transit: left out of the content hash.
_TRANSPORT = re.compile(
    rb"^(?:received|return-path|delivered-to|x-original-to|envelope-to|x-spam-[\w-]*|"
    rb"x-virus-[\w-]*|authentication-results|arc-[\w-]*|dkim-signature|x-received|"
    rb"x-forwarded-[\w-]*|x-google-[\w-]*|x-ms-exchange-[\w-]*|x-gm-[\w-]*|received-spf|"
    rb"x-rspamd-[\w-]*|status|x-status|x-uid|x-keywords|lines|content-length)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ParsedMessage:
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
    text: str
    html: str
    reply: str
    quoted: str
    signature: str
    attachments: list[Attachment] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    body_sha256: str = ""
    date_utc: str = ""  # the Date header as ISO 8601 in UTC, "" when missing or unreadable

    def to_json(self) -> dict:
        data = asdict(self)
        data["from"] = {"address": self.from_address, "name": self.from_name}
        return data


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


def _content_hash(raw: bytes) -> str:
    """SHA-256 of the message without transport headers, line endings normalised."""
    data = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    head, sep, rest = data.partition(b"\n\n")
    kept, keep = [], True
    for line in head.split(b"\n"):
        if line[:1] not in (b" ", b"\t"):
            match = _HEADER_FIELD.match(line)
            keep = not (match and _TRANSPORT.match(match.group(1))) and not line.startswith(
                b"From "
            )
        if keep:
            kept.append(line)
    return hashlib.sha256(b"\n".join(kept) + sep + rest.rstrip(b"\n")).hexdigest()


def _headers(msg: Message) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, value in msg.raw_items():
        found.setdefault(str(name).strip().lower(), []).append(decode_header(value))
    return found


def _raw_values(msg: Message, name: str) -> list[object]:
    wanted = name.lower()
    return [value for key, value in msg.raw_items() if str(key).strip().lower() == wanted]


def _date_utc(value: str) -> str:
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return ""
    if moment.tzinfo is None:
        return moment.isoformat()
    return moment.astimezone(UTC).isoformat()


def _separate(body: Body) -> tuple[str, str, ReplyParts]:
    """(text, html, reply parts) from a walked body: plain text first, else the HTML."""
    html = body.html[0] if body.html else ""
    text = body_text(body)
    if any(t.strip() for t in body.plain) or not html:
        return text, html, split_reply(text)
    rendered = html_to_text(html)
    parts = split_reply(rendered.reply)
    quoted = "\n\n".join(q for q in (parts.quoted, rendered.quoted, *body.forwarded) if q)
    return text, html, ReplyParts(parts.reply, quoted, parts.signature)


def _bare_body(raw: bytes) -> ParsedMessage:
    text, _ = guess_decode(raw)
    body = Body()
    (body.html if looks_like_html(text) else body.plain).append(text)
    text, html, parts = _separate(body)
    return ParsedMessage(
        message_id="", from_address="", from_name="", to=[], cc=[], subject="", date="",
        in_reply_to="", references=[], kind="question", reasons=[], text=text, html=html,
        reply=parts.reply, quoted=parts.quoted, signature=parts.signature,
        defects=["no header block"], body_sha256=_content_hash(raw),
    )  # fmt: skip


def _parse(raw: bytes, own_addresses: frozenset[str]) -> ParsedMessage:
    if not has_header_block(raw):
        return _bare_body(raw)
    msg = message_from_bytes(raw, policy=policy.compat32)
    headers = _headers(msg)
    senders = addresses(_raw_values(msg, "From")) or addresses(_raw_values(msg, "Sender"))
    from_name, from_address = senders[0] if senders else ("", "")
    body = Body()
    walk(msg, body)
    text, html, parts = _separate(body)
    subject = (headers.get("subject") or [""])[0]
    date = (headers.get("date") or [""])[0]
    try:
        report_type = str(msg.get_param("report-type") or "")
    except Exception:  # noqa: BLE001
        report_type = ""
    kind, reasons = classify(
        headers,
        from_address=from_address,
        from_name=from_name,
        subject=subject,
        content_types=body.content_types,
        report_type=report_type,
        own_addresses=frozenset(a.lower() for a in own_addresses),
    )
    in_reply_to = message_ids((headers.get("in-reply-to") or [""])[0])
    message_id = message_ids((headers.get("message-id") or [""])[0])
    return ParsedMessage(
        message_id=message_id[0] if message_id else "",
        from_address=from_address,
        from_name=from_name,
        to=[address for _, address in addresses(_raw_values(msg, "To"))],
        cc=[address for _, address in addresses(_raw_values(msg, "Cc"))],
        subject=subject,
        date=date,
        in_reply_to=in_reply_to[0] if in_reply_to else "",
        references=message_ids(" ".join(headers.get("references") or [])),
        kind=kind,
        reasons=reasons,
        text=text,
        html=html,
        reply=parts.reply,
        quoted=parts.quoted,
        signature=parts.signature,
        attachments=body.attachments,
        defects=list(dict.fromkeys(body.defects)),
        body_sha256=_content_hash(raw),
        date_utc=_date_utc(date) if date else "",
    )


def parse_message(raw: bytes, *, own_addresses: frozenset[str] = frozenset()) -> ParsedMessage:
    """Parse any bytes into a ParsedMessage; never raises on malformed mail."""
    try:
        return _parse(raw, own_addresses)
    except Exception as error:  # noqa: BLE001 - last resort: keep the text, flag the failure
        text, _ = guess_decode(raw)
        return ParsedMessage(
            message_id="", from_address="", from_name="", to=[], cc=[], subject="", date="",
            in_reply_to="", references=[], kind="question", reasons=[], text=text, html="",
            reply=text.strip(), quoted="", signature="",
            defects=[f"unparseable: {type(error).__name__}"], body_sha256=_content_hash(raw),
        )  # fmt: skip
