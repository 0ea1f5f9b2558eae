"""Context rules: when a token shaped like a code is something else (zip, dosage, ID, level)."""

from __future__ import annotations

import re

from consultant.analysis.tokens import Token, TokenText
from consultant.analysis.vocabulary import (
    CARC_GROUPS,
    CODE_WORDS,
    DX_WORDS,
    EXPLICIT_FILLERS,
    IDENTIFIER_FILLERS,
    IDENTIFIER_WORDS,
    LAB_WORDS,
    REMARK_WORDS,
    UNIT_WORDS,
    US_STATES,
    WEAK_IDENTIFIER_WORDS,
)

_VERTEBRA = re.compile(r"([CTLS])(\d{1,2})", re.IGNORECASE)
_LIMITS = {"C": 7, "T": 12, "L": 5, "S": 5}
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_PHONE_SEP = re.compile(r"^[\s.\-)(]*$")


def _words_before(tt: TokenText, token: Token, count: int) -> list[str]:
    return [other.lower for other in tt.window_before(token, count)]


def followed_by_unit(tt: TokenText, token: Token) -> bool:
    """'60 mg', '500 units', '25%', '3-year-old'."""
    after = tt.after(token)
    if after.lstrip().startswith("%"):
        return True
    nxt = tt.next(token)
    if nxt is None or nxt.line != token.line or after.strip() not in {"", "-"}:
        return False
    return nxt.lower in UNIT_WORDS


def is_money(tt: TokenText, token: Token) -> bool:
    before = tt.before(token).rstrip()
    return before.endswith(("$", "USD", "\u20ac", "\xa3")) or (
        (nxt := tt.next(token)) is not None and nxt.lower in {"dollars", "usd"}
    )


def is_identifier(tt: TokenText, token: Token) -> bool:
    """Claim, member, NPI, auth, lot, phone … numbers: an identifier word just before."""
    if tt.before(token).rstrip().endswith("#"):
        prev = tt.prev(token)
        return prev is None or prev.lower not in CODE_WORDS
    explicit = ":" in tt.before(token)
    for other in tt.window_before(token, 4):
        word = other.lower
        if word in IDENTIFIER_WORDS:
            return True
        if word in WEAK_IDENTIFIER_WORDS:
            return explicit
        if word not in IDENTIFIER_FILLERS:
            return False
        explicit = explicit or word in EXPLICIT_FILLERS or ":" in tt.before(other)
    return False


def is_zip(tt: TokenText, token: Token) -> bool:
    if not token.text.isdigit() or len(token.text) != 5:
        return False
    prev = tt.prev(token)
    if prev is not None and prev.line == token.line and prev.text in US_STATES:
        return tt.before(token).strip() in {"", ","}
    after = tt.after(token)
    nxt = tt.next(token)
    return after == "-" and nxt is not None and len(nxt.text) == 4 and nxt.text.isdigit()


def is_phone_part(tt: TokenText, token: Token) -> bool:
    """A digit group joined to a 3- or 4-digit group by phone punctuation ('555-0148')."""
    pairs = ((tt.prev(token), tt.before(token)), (tt.next(token), tt.after(token)))
    for other, between in pairs:
        if other is None or not other.text.isdigit() or len(other.text) not in {3, 4}:
            continue
        if _PHONE_SEP.match(between) and between.strip():
            return True
    return False


def is_lab_value(tt: TokenText, token: Token) -> bool:
    words = _words_before(tt, token, 2)
    if not words:
        return False
    if words[0] in LAB_WORDS:
        return True
    return len(words) > 1 and words[1] in LAB_WORDS and words[0] in {"of", "is", "was", "at"}


def is_vertebral_level(tt: TokenText, token: Token) -> bool:
    match = _VERTEBRA.fullmatch(token.text)
    if not match or int(match.group(2)) > _LIMITS[match.group(1).upper()]:
        return False
    if int(match.group(2)) == 0:
        return False
    after, before = tt.after(token), tt.before(token)
    nxt, prev = tt.next(token), tt.prev(token)
    joined_after = (
        after.strip() in {"-", "/"}
        and nxt is not None
        and (nxt.text.isdigit() or _VERTEBRA.fullmatch(nxt.text) is not None)
    )
    joined_before = (
        before.strip() in {"-", "/"}
        and prev is not None
        and (_VERTEBRA.fullmatch(prev.text) is not None)
    )
    spine_words = {
        "level",
        "levels",
        "vertebra",
        "vertebrae",
        "vertebral",
        "at",
        "from",
        "disc",
        "spine",
        "body",
        "through",
        "thru",
        "to",
        "and",
        "of",
    }
    near = _words_before(tt, token, 1)
    return joined_after or joined_before or (bool(near) and near[0] in spine_words)


def is_remark_code(tt: TokenText, token: Token) -> bool:
    """RARC/CARC neighbourhood: 'remark N130', 'CO-16, N130'."""
    following = [] if re.search(r"[.?!;]", tt.after(token)) else tt.window_after(token, 1)
    for other in tt.window_before(token, 5, sentence=True) + following:
        if other.lower in REMARK_WORDS:
            return True
        if other.text in CARC_GROUPS and tt.after(other).strip() == "-":
            return True
    return False


def near_words(tt: TokenText, token: Token, words: frozenset[str], count: int = 6) -> bool:
    return any(other.lower in words for other in tt.window_before(token, count))


def has_dx_context(tt: TokenText, token: Token) -> bool:
    return near_words(tt, token, DX_WORDS, 8)


def is_number(text: str) -> bool:
    return _NUMBER.fullmatch(text) is not None
