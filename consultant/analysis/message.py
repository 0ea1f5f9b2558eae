"""Raw message bytes → Analysis: the mail parser's subject and reply, then the analysis."""

from __future__ import annotations

import re

from consultant.analysis.analyze import Analysis, analyze_message
from consultant.codes.api import CodeBook

_HEADER = re.compile(
    rb"(?:from|to|cc|subject|date|message-id|mime-version|content-type|received|return-path|"
    rb"reply-to|sender|delivered-to|x-[a-z0-9-]+)[ \t]*:|from ",
    re.IGNORECASE,
)


def has_header_block(raw: bytes) -> bool:
    """Whether the input starts with RFC 5322 header fields (else it is all body)."""
    return _HEADER.match(raw.lstrip(b"\r\n")) is not None


def analyze_raw(raw: bytes, book: CodeBook | None) -> Analysis:
    if not has_header_block(raw):
        text = raw.decode("utf-8", "replace")
        return analyze_message("", text, book)
    from consultant.mail.parse import parse_message

    try:
        parsed = parse_message(raw)
    except Exception:  # noqa: BLE001 - fall back to the bytes as text
        return analyze_message("", raw.decode("utf-8", "replace"), book)
    return analyze_message(parsed.subject or "", parsed.reply or "", book)
