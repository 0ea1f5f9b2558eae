"""Attachments of a stored message: listed by name, type and size; served only as downloads."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import Message as EmailPart

_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f\"\\/]")


@dataclass(frozen=True)
class AttachmentPart:
    index: int
    filename: str
    content_type: str
    size: int
    payload: bytes


def _parts(raw: bytes) -> list[EmailPart]:
    try:
        message = message_from_bytes(raw, policy=policy.default)
        return list(message.walk())
    except Exception:  # noqa: BLE001 - fall back to the lenient parser
        return list(message_from_bytes(raw, policy=policy.compat32).walk())


def _filename(part: EmailPart) -> str | None:
    try:
        name = part.get_filename()
    except Exception:  # noqa: BLE001 - a malformed parameter is treated as no name
        name = None
    return str(name) if name else None


def attachment_parts(raw: bytes) -> list[AttachmentPart]:
    """Every part that is a file rather than the message's text, in MIME order."""
    found: list[AttachmentPart] = []
    for part in _parts(raw):
        if part.is_multipart():
            continue
        name = _filename(part)
        disposition = (part.get("Content-Disposition") or "").split(";")[0].strip().lower()
        maintype = part.get_content_maintype()
        if not name and disposition != "attachment" and maintype in ("text", "message"):
            continue
        try:
            payload = part.get_payload(decode=True) or b""
        except Exception:  # noqa: BLE001 - undecodable content is offered as it is
            payload = str(part.get_payload()).encode("utf-8", "replace")
        found.append(
            AttachmentPart(
                index=len(found),
                filename=name or f"attachment-{len(found) + 1}",
                content_type=part.get_content_type(),
                size=len(payload),
                payload=payload,
            )
        )
    return found


def download_name(filename: str) -> str:
    """A file name safe to put in a Content-Disposition header's quoted form."""
    cleaned = _UNSAFE_NAME.sub("_", filename).strip(" .") or "attachment"
    return cleaned[:200]
