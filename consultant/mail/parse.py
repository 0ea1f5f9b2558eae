"""MIME bytes → ParsedMessage: headers, readable text, the writer's new text, attachments."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from email import message_from_bytes, policy
from email.utils import getaddresses, parseaddr

from consultant.mail.quotes import split_reply


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    size: int


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

    def to_json(self) -> dict:
        data = asdict(self)
        data["from"] = {"address": self.from_address, "name": self.from_name}
        return data


def parse_message(raw: bytes, *, own_addresses: frozenset[str] = frozenset()) -> ParsedMessage:
    """Parse any bytes into a ParsedMessage; never raises on malformed mail."""
    msg = message_from_bytes(raw, policy=policy.compat32)
    name, address = parseaddr(str(msg.get("From", "")))
    body = msg.get_payload(decode=True) if not msg.is_multipart() else b""
    text = (body or b"").decode("utf-8", "replace")
    parts = split_reply(text)
    header_end = raw.find(b"\n\n")
    return ParsedMessage(
        message_id=str(msg.get("Message-ID", "")).strip(),
        from_address=address.lower(),
        from_name=name,
        to=[a for _, a in getaddresses(msg.get_all("To", []))],
        cc=[a for _, a in getaddresses(msg.get_all("Cc", []))],
        subject=str(msg.get("Subject", "")),
        date=str(msg.get("Date", "")),
        in_reply_to=str(msg.get("In-Reply-To", "")).strip(),
        references=str(msg.get("References", "")).split(),
        kind="own" if address.lower() in own_addresses else "question",
        reasons=[],
        text=text,
        html="",
        reply=parts.reply,
        quoted=parts.quoted,
        signature=parts.signature,
        body_sha256=hashlib.sha256(raw[header_end + 2 :] if header_end >= 0 else raw).hexdigest(),
    )
