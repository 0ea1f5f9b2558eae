"""Separate the writer's new text from quoted history and signature (plain text)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from consultant.mail.quote_markers import (
    ATTRIBUTION,
    ATTRIBUTION_START,
    EVIDENCE,
    HEADER_LINE,
    ISO_ATTRIBUTION,
    MOBILE_FOOTER,
    RULE,
    SEPARATOR,
    SIGNATURE_RULE,
)

_NEWLINES = re.compile(r"\r\n|\r")
_QUOTED = re.compile(r"^\s{0,3}>")
# How many lines an attribution or a header block may be spread over.
_ATTRIBUTION_SPAN = 3
_HEADER_WINDOW = 6
# Mobile footers are looked for among the last lines of the reply only.
_FOOTER_WINDOW = 4


@dataclass(frozen=True)
class ReplyParts:
    reply: str
    quoted: str
    signature: str


def _is_attribution(lines: list[str], index: int) -> bool:
    line = lines[index]
    if ATTRIBUTION.match(line) and (ATTRIBUTION_START.match(line) or EVIDENCE.search(line)):
        return True
    if ISO_ATTRIBUTION.match(line):
        return True
    if not (ATTRIBUTION_START.match(line) or re.match(r"^\s*\d{4}[-/.]", line)):
        return False
    joined = line.strip()
    for following in lines[index + 1 : index + _ATTRIBUTION_SPAN]:
        if not following.strip() or _QUOTED.match(following):
            return False
        joined = f"{joined} {following.strip()}"
        if (ATTRIBUTION.match(joined) and EVIDENCE.search(joined)) or ISO_ATTRIBUTION.match(joined):
            return True
    return False


def _header_fields(line: str) -> set[str]:
    return {field for field, pattern in HEADER_LINE.items() if pattern.match(line)}


def _is_header_block(lines: list[str], index: int) -> bool:
    first = _header_fields(lines[index])
    if not first:
        return False
    fields = set(first)
    for following in lines[index + 1 : index + _HEADER_WINDOW]:
        fields |= _header_fields(following)
    return "from" in fields and len(fields) >= 2 and bool(first & {"from", "sent"})


def _history_start(lines: list[str]) -> int:
    """Index of the first line of trailing quoted history, or len(lines) if none."""
    for index, line in enumerate(lines):
        if not line.strip() or _QUOTED.match(line):
            continue
        if SEPARATOR.match(line) or _is_attribution(lines, index) or _is_header_block(lines, index):
            before = index - 1
            while before >= 0 and not lines[before].strip():
                before -= 1
            return before if before >= 0 and RULE.match(lines[before]) else index
    return len(lines)


def _introduces_quote(lines: list[str], index: int) -> bool:
    """A line like "Ann wrote:" just above a block of '>' lines."""
    line = lines[index].strip()
    if not line.endswith((":", "：")):
        return False
    following = next((nxt for nxt in lines[index + 1 :] if nxt.strip()), "")
    if not _QUOTED.match(following):
        return False
    return bool(ATTRIBUTION.match(line) or "@" in line or ISO_ATTRIBUTION.match(line))


def _signature_start(lines: list[str]) -> int:
    """Index where the signature begins in the writer's lines, or len(lines)."""
    for index, line in enumerate(lines):
        if SIGNATURE_RULE.match(line.rstrip()) and index > 0:
            return index
    filled = [i for i, line in enumerate(lines) if line.strip()]
    for index in filled[-_FOOTER_WINDOW:]:
        if MOBILE_FOOTER.match(lines[index]):
            return index
    return len(lines)


def _join(lines: list[str]) -> str:
    return "\n".join(lines).strip("\n")


def split_reply(text: str) -> ReplyParts:
    """Split a plain-text body into the writer's new text, quoted history and signature."""
    lines = _NEWLINES.sub("\n", text).split("\n")
    start = _history_start(lines)
    own, quoted = [], []
    for index, line in enumerate(lines[:start]):
        if _QUOTED.match(line) or _introduces_quote(lines, index):
            quoted.append(line)
        else:
            own.append(line)
    quoted.extend(lines[start:])
    cut = _signature_start(own)
    reply = _join(own[:cut]).strip()
    return ReplyParts(reply, _join(quoted), _join(own[cut:]).strip())
