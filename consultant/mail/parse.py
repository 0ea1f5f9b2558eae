"""MIME bytes → ParsedMessage: headers, readable text, the writer's new text, attachments."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from email import message_from_bytes, policy

from consultant.mail.charsets import guess_decode
from consultant.mail.head import (
    MessageHead,
    bare_head,
    content_hash,
    has_header_block,
    read_head,
)
from consultant.mail.html_text import html_to_text, looks_like_html
from consultant.mail.mime import Attachment, Body, body_text, walk
from consultant.mail.quotes import ReplyParts, split_reply

__all__ = ["Attachment", "ParsedMessage", "parse_message"]


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


def _assemble(head: MessageHead, body: Body) -> ParsedMessage:
    text, html, parts = _separate(body)
    return ParsedMessage(
        message_id=head.message_id,
        from_address=head.from_address,
        from_name=head.from_name,
        to=head.to,
        cc=head.cc,
        subject=head.subject,
        date=head.date,
        in_reply_to=head.in_reply_to,
        references=head.references,
        kind=head.kind,
        reasons=head.reasons,
        text=text,
        html=html,
        reply=parts.reply,
        quoted=parts.quoted,
        signature=parts.signature,
        attachments=body.attachments,
        defects=list(dict.fromkeys(head.defects + body.defects)),
        body_sha256=head.body_sha256,
        date_utc=head.date_utc,
    )


def _parse(raw: bytes, own_addresses: frozenset[str]) -> ParsedMessage:
    body = Body()
    if not has_header_block(raw):
        text, _ = guess_decode(raw)
        (body.html if looks_like_html(text) else body.plain).append(text)
        return _assemble(bare_head(raw), body)
    msg = message_from_bytes(raw, policy=policy.compat32)
    walk(msg, body)
    return _assemble(read_head(msg, raw, body.content_types, own_addresses), body)


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
            defects=[f"unparseable: {type(error).__name__}"], body_sha256=content_hash(raw),
        )  # fmt: skip
