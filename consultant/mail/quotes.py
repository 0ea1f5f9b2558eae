"""Separate the writer's new text from quoted history and signature (plain text)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from consultant.mail.quote_markers import (
    ATTRIBUTION,
    ATTRIBUTION_START,
    DASH_SIGN_OFF,
    DATE_TIME_START,
    DATED_ADDRESS,
    EVIDENCE,
    FRAMED,
    HEADER_LINE,
    INLINE_ATTRIBUTION,
    ISO_ATTRIBUTION,
    MOBILE_FOOTER,
    RULE,
    SEPARATOR,
    SIGNATURE_RULE,
)

_NEWLINES = re.compile(r"\r\n|\r")
_QUOTED = re.compile(r"^\s{0,3}>(?!.*<<<\s*$)")  # not a ">>> banner <<<"
_ADDRESS = re.compile(r"<[^<>\s]*@|^[^<>@]{1,60}<?[\w.+-]+@[\w-]+\.[\w.-]+>?\s+\S")
# Invisible characters some mailers add at the end (Gmail's tracking "ᐧ").
_INVISIBLE = "\u1427\u200b\ufeff"
# How many lines an attribution or a header block may be spread over.
_ATTRIBUTION_SPAN = 5
_LONGEST_ATTRIBUTION = 300
_HEADER_WINDOW = 6
# Mobile footers are looked for among the last lines of the reply only.
_FOOTER_WINDOW = 4


@dataclass(frozen=True)
class ReplyParts:
    reply: str
    quoted: str
    signature: str


def _one_line_attribution(line: str) -> bool:
    tail = line.rstrip(" \t*_")
    if len(tail) > _LONGEST_ATTRIBUTION or not tail:
        return False
    if not (tail[-1] in ":：-" or tail.lstrip(" >")[:1].isdigit() or ATTRIBUTION_START.match(tail)):
        return False  # cheap test first: the patterns below are slow on long prose
    match = ATTRIBUTION.match(line)
    if match:
        if match.group("colon"):
            if ATTRIBUTION_START.match(line) or EVIDENCE.search(line):
                return True
        elif FRAMED.match(line):
            return True
        elif ATTRIBUTION_START.match(line) and EVIDENCE.search(line):
            tail = match.group("tail").strip(" -*_")
            return not tail or "@" in tail
    return bool(DATED_ADDRESS.match(line) or ISO_ATTRIBUTION.match(line))


def _attribution_end(lines: list[str], index: int) -> int | None:
    """The index after an attribution that starts at `index`, or None."""
    line = lines[index]
    if _one_line_attribution(line) or DATE_TIME_START.match(line):
        return index + 1
    if not (
        ATTRIBUTION_START.match(line)
        or line.lstrip()[:1].isdigit()
        or ("@" in line and _ADDRESS.search(line))
    ):
        return None
    joined = line.strip()
    for offset, following in enumerate(lines[index + 1 : index + _ATTRIBUTION_SPAN], start=1):
        if _QUOTED.match(following):
            return None
        if not following.strip():
            continue
        joined = f"{joined} {following.strip()}"
        if _one_line_attribution(joined):
            return index + offset + 1
    return None


def _header_fields(line: str) -> set[str]:
    if ":" not in line[:40] and "：" not in line[:40]:
        return set()
    return {field for field, pattern in HEADER_LINE.items() if pattern.match(line)}


def _header_block_end(lines: list[str], index: int) -> int | None:
    """The index after an Outlook-style "From: … Sent: …" block starting at `index`."""
    first = _header_fields(lines[index])
    if not first & {"from", "sent"}:
        return None
    fields, end = set(first), index + 1
    for offset, following in enumerate(lines[index + 1 : index + _HEADER_WINDOW], start=1):
        found = _header_fields(following)
        if found:
            fields |= found
            end = index + offset + 1
    return end if len(fields) >= 2 else None


def _marker_end(lines: list[str], index: int) -> int | None:
    """The index after a marker of quoted history starting at `index`, or None."""
    if SEPARATOR.match(lines[index]):
        return index + 1
    return _attribution_end(lines, index) or _header_block_end(lines, index)


def _next_filled(lines: list[str], index: int) -> int | None:
    return next((i for i in range(index, len(lines)) if lines[i].strip()), None)


def _wrapped_quote_line(lines: list[str], index: int) -> bool:
    """A line its mailer wrapped out of a quote: '>' lines directly above and below."""
    return 0 < index < len(lines) - 1 and all(
        _QUOTED.match(lines[i]) and lines[i].strip(" >") for i in (index - 1, index + 1)
    )


def _history(lines: list[str]) -> tuple[list[bool], int]:
    """Which lines are quoted, and where trailing quoted history begins (len(lines): none).

    A marker ("On … wrote:", "From: … Sent: …", "-----Original Message-----") followed by
    '>' lines only introduces that quote; otherwise everything from it on is history.
    """
    quoted = [False] * len(lines)
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line.strip():
            index += 1
            continue
        if _QUOTED.match(line):
            quoted[index] = True
            index += 1
            continue
        end = _marker_end(lines, index)
        ends_with_colon = line.rstrip().endswith(":")
        split = INLINE_ATTRIBUTION.search(line) if end is None and ends_with_colon else None
        if split and split.start() > 0 and line[: split.start()].strip():
            lines[index : index + 1] = [line[: split.start()], line[split.start() :].strip()]
            quoted.insert(index, False)
            index += 1
            continue
        if _wrapped_quote_line(lines, index):
            quoted[index] = True
            index += 1
            continue
        if end is None:
            if MOBILE_FOOTER.match(line) and _next_filled(lines, index + 1) is not None:
                return quoted, index + 1
            index += 1
            continue
        following = _next_filled(lines, end)
        if following is not None and _QUOTED.match(lines[following]):
            quoted[index:end] = [True] * (end - index)
            index = end
            continue
        before = index - 1
        while before >= 0 and not lines[before].strip():
            before -= 1
        return quoted, before if before >= 0 and RULE.match(lines[before]) else index
    return quoted, len(lines)


def _signature_start(lines: list[str]) -> int:
    """Index where the signature begins in the writer's lines, or len(lines)."""
    for index, line in enumerate(lines):
        if SIGNATURE_RULE.match(line.rstrip()) and index > 0:
            return index
    filled = [i for i, line in enumerate(lines) if line.strip(" \t" + _INVISIBLE)]
    for index in filled[-_FOOTER_WINDOW:]:
        if MOBILE_FOOTER.match(lines[index]):
            return index
    if len(filled) > 1 and DASH_SIGN_OFF.match(lines[filled[-1]]):
        return filled[-1]
    return len(lines)


def _join(lines: list[str]) -> str:
    return "\n".join(lines).strip("\n")


def split_reply(text: str) -> ReplyParts:
    """Split a plain-text body into the writer's new text, quoted history and signature."""
    lines = _NEWLINES.sub("\n", text).split("\n")
    is_quoted, start = _history(lines)
    own: list[str] = []
    quoted: list[str] = []
    after_quote = False  # blank lines around a removed quote collapse into one
    for line, is_quote in zip(lines[:start], is_quoted[:start], strict=True):
        if is_quote:
            quoted.append(line)
            after_quote = True
        elif line.strip():
            own.append(line)
            after_quote = False
        elif not (after_quote and own and not own[-1].strip()):
            own.append(line)
    quoted.extend(lines[start:])
    cut = _signature_start(own)
    reply = _join(own[:cut]).strip().strip(_INVISIBLE).strip()
    return ReplyParts(reply, _join(quoted), _join(own[cut:]).strip())
