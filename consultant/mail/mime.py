"""The MIME walk: a parsed message's parts → body texts, HTML, forwards and attachments."""

from __future__ import annotations

from dataclasses import dataclass, field
from email.message import Message

from consultant.mail.charsets import decode_bytes
from consultant.mail.headers import decode_header, safe_filename
from consultant.mail.html_text import html_to_text

_MAX_DEPTH = 40
_TNEF_TYPES = {"application/ms-tnef", "application/vnd.ms-tnef"}


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    size: int


@dataclass
class Body:
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    forwarded: list[str] = field(default_factory=list)  # rendered message/rfc822 parts
    attachments: list[Attachment] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    content_types: list[str] = field(default_factory=list)

    def absorb(self, other: Body, *, text: bool = True) -> None:
        if text:
            self.plain += other.plain
            self.forwarded += other.forwarded
        self.html += other.html
        self.attachments += other.attachments
        self.defects += other.defects
        self.content_types += other.content_types


def _content_type(part: Message) -> str:
    try:
        return part.get_content_type()
    except Exception:  # noqa: BLE001 - any malformed Content-Type reads as text/plain
        return "text/plain"


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or part.get_param("name") or ""
    except Exception:  # noqa: BLE001
        return ""
    if isinstance(name, tuple):  # an RFC 2231 value the stdlib left undecoded
        name = str(name[2])
    return safe_filename(str(name))


def _disposition(part: Message) -> str:
    try:
        return (part.get_content_disposition() or "").lower()
    except Exception:  # noqa: BLE001
        return ""


def _payload(part: Message, body: Body) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001 - malformed base64 / quoted-printable
        data = None
        body.defects.append("undecodable transfer encoding")
    if isinstance(data, bytes):
        return data
    raw = part.get_payload()
    if isinstance(raw, str):
        return raw.encode("utf-8", "surrogateescape")
    return b""


def _charset(part: Message) -> str | None:
    try:
        return part.get_content_charset()
    except Exception:  # noqa: BLE001
        return None


def decode_text(part: Message, body: Body) -> str:
    """A text part's payload as text, best-effort under its declared charset."""
    text, defect = decode_bytes(_payload(part, body), _charset(part))
    if defect:
        body.defects.append(defect)
    return text.replace("\x00", "")


def _tnef(part: Message, body: Body) -> None:
    from tnefparse.tnef import TNEF  # imported lazily: only for Outlook's winmail.dat

    data = _payload(part, body)
    try:
        tnef = TNEF(data, do_checksum=False)
    except Exception:  # noqa: BLE001 - the library raises anything on bad input
        body.defects.append("unreadable TNEF part")
        body.attachments.append(
            Attachment(_filename(part) or "winmail.dat", _content_type(part), len(data))
        )
        return
    for text, target in ((tnef.body, body.plain), (tnef.htmlbody, body.html)):
        if text:
            target.append(text if isinstance(text, str) else decode_bytes(text, None)[0])
    if not (tnef.body or tnef.htmlbody) and tnef.has_body():
        body.defects.append("TNEF body is RTF only")
    for item in tnef.attachments:
        try:
            name, size = safe_filename(item.long_filename() or ""), len(item.data or b"")
        except Exception:  # noqa: BLE001
            body.defects.append("unreadable TNEF attachment")
            continue
        body.attachments.append(Attachment(name or "attachment", "application/octet-stream", size))


def _size(part: Message) -> int:
    try:
        return len(part.as_bytes())
    except Exception:  # noqa: BLE001
        return len(str(part.get_payload()))


def _forward(part: Message, body: Body, depth: int) -> None:
    inner = part.get_payload()
    message = inner[0] if isinstance(inner, list) and inner else None
    if not isinstance(message, Message):
        body.attachments.append(Attachment(_filename(part), _content_type(part), _size(part)))
        return
    sub = Body()
    walk(message, sub, depth + 1)
    subject = decode_header(message.get("Subject", ""))
    lines = ["---------- Forwarded message ----------"]
    for name in ("From", "Date", "Subject", "To", "Cc"):
        value = decode_header(message.get(name, ""))
        if value:
            lines.append(f"{name}: {value}")
    lines += ["", body_text(sub)]
    body.forwarded.append("\n".join(lines).strip())
    name = _filename(part) or safe_filename(subject or "message")
    if not name.lower().endswith(".eml"):
        name += ".eml"
    body.attachments.append(Attachment(name, "message/rfc822", _size(message)))
    body.absorb(Body(attachments=sub.attachments, defects=sub.defects), text=False)


def body_text(body: Body) -> str:
    """The readable text of a walked body: plain parts, else HTML rendered, then forwards."""
    main = "\n\n".join(t.strip("\n") for t in body.plain if t.strip())
    if not main and body.html:
        main = "\n\n".join(html_to_text(h).text for h in body.html)
    return "\n\n".join(t for t in [main, *body.forwarded] if t.strip())


def _alternative(children: list[Message], body: Body, depth: int) -> None:
    subs = []
    for child in children:
        sub = Body()
        walk(child, sub, depth + 1)
        subs.append(sub)
    chosen = next((s for s in subs if any(t.strip() for t in s.plain)), None)
    chosen = chosen or next((s for s in subs if s.html), None) or (subs[-1] if subs else None)
    for sub in subs:
        body.absorb(sub, text=sub is chosen)


def content_types(part: Message, depth: int = 0) -> list[str]:
    """The content types `walk` records for `part`, without decoding anything: the parts of
    a forwarded message and of a message/* report are not its own."""
    if depth > _MAX_DEPTH:
        return []
    ctype = _content_type(part)
    found = [ctype]
    if part.is_multipart() and not ctype.startswith("message/"):
        for child in part.get_payload():
            if isinstance(child, Message):
                found += content_types(child, depth + 1)
    return found


def walk(part: Message, body: Body, depth: int = 0) -> None:
    """Collect a part's texts, attachments and defects into `body`."""
    if depth > _MAX_DEPTH:
        body.defects.append("MIME nesting too deep")
        return
    body.defects += [type(d).__name__ for d in getattr(part, "defects", [])]
    ctype = _content_type(part)
    body.content_types.append(ctype)
    if ctype in ("message/rfc822", "message/global") and part.is_multipart():
        _forward(part, body, depth)
        return
    if part.is_multipart():
        children = [c for c in part.get_payload() if isinstance(c, Message)]
        if ctype.startswith("message/"):  # delivery-status, disposition-notification
            body.attachments.append(Attachment("", ctype, _size(part)))
        elif ctype == "multipart/alternative":
            _alternative(children, body, depth)
        else:
            for child in children:
                walk(child, body, depth + 1)
        return
    name, disposition = _filename(part), _disposition(part)
    if ctype in _TNEF_TYPES or name.lower() == "winmail.dat":
        _tnef(part, body)
        return
    is_body = ctype.startswith("text/") and disposition != "attachment" and not name
    if is_body and ctype == "text/html":
        body.html.append(decode_text(part, body))
    elif (
        (
            is_body
            and ctype in ("text/plain", "text/enriched", "text/richtext")
            or (
                ctype.startswith("multipart/")  # a multipart whose boundary never came
            )
        )
        or is_body
        and ctype not in ("text/calendar", "text/rfc822-headers", "text/x-vcard")
    ):
        body.plain.append(decode_text(part, body))
    else:
        body.attachments.append(Attachment(name, ctype, len(_payload(part, body))))
