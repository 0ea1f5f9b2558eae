"""Modifiers the writer names on their own: 'mod XS', 'modifier 59', 'a 25', '25 or 57', 'KX'."""

from __future__ import annotations

import re

from consultant.analysis.context import followed_by_unit
from consultant.analysis.evidence import Evidence
from consultant.analysis.mentions import ModifierMention
from consultant.analysis.tokens import Token, TokenText
from consultant.analysis.vocabulary import (
    BARE_MODIFIERS,
    CPT_MODIFIERS,
    MODIFIER_WORDS,
    NOT_BARE_MODIFIERS,
)

_SHAPE = re.compile(r"[A-Za-z0-9]{2}")
_CONNECTORS = frozenset({"or", "and", "vs", "versus", "v", "nor", "plus"})
_LEADS = frozenset(
    {
        "a",
        "the",
        "add",
        "added",
        "append",
        "appended",
        "use",
        "used",
        "using",
        "with",
        "without",
        "need",
        "needs",
        "put",
        "attach",
        "apply",
        "applied",
        "drop",
        "remove",
    }
)
_NOT_AFTER_LEAD = frozenset({"pos", "place", "of", "and", "or", "to", "-"})
_SHOUT = re.compile(r"[A-Z]{3,}")


def named_modifiers(tt: TokenText, evidence: Evidence, skip: set[int]) -> list[ModifierMention]:
    """Modifier mentions not attached to a code (attached_to is None)."""
    accepted: dict[int, str] = {}
    for token in tt.tokens:
        if token.lower in MODIFIER_WORDS:
            for other in _list_after(tt, token, evidence) + _list_before(tt, token):
                if other.index not in skip:
                    accepted[other.index] = other.text.upper()
    for token in tt.tokens:
        if token.index in skip or token.index in accepted:
            continue
        if _bare_alpha(tt, token, evidence) or _bare_number(tt, token):
            accepted[token.index] = token.text
    for _ in range(2):  # '59 vs XS', '25 or 57': a pair joined to an accepted modifier
        for index in list(accepted):
            for other in _joined(tt, tt.tokens[index]):
                if (
                    other.index not in skip
                    and other.index not in accepted
                    and _plausible(other, evidence)
                ):
                    accepted[other.index] = other.text.upper()
    return [
        ModifierMention(code, None, tt.tokens[index].start)
        for index, code in sorted(accepted.items())
    ]


def _is_modifier_shape(token: Token) -> bool:
    return _SHAPE.fullmatch(token.text) is not None


def _listable(token: Token, evidence: Evidence) -> bool:
    """A token in a list after 'modifier': digits, capitals, or a known lower-case pair."""
    text = token.text
    if not _is_modifier_shape(token):
        return False
    if text.isupper() or any(ch.isdigit() for ch in text):
        return True
    upper = text.upper()
    return upper not in NOT_BARE_MODIFIERS and evidence.modifier_known(upper) is True


def _list_after(tt: TokenText, word: Token, evidence: Evidence) -> list[Token]:
    """'modifier 59', 'modifiers 25 and 59', 'mod -XS', 'modifier(s): 25, 57'."""
    found: list[Token] = []
    token = tt.next(word)
    while token is not None and token.line == word.line:
        between = tt.before(token).strip()
        if between not in {"", "-", ":", ",", "/", "(s):", "(s)", "&", "#"}:
            break
        if token.lower in _CONNECTORS:
            token = tt.next(token)
            continue
        if not _listable(token, evidence) or followed_by_unit(tt, token):
            break
        found.append(token)
        token = tt.next(token)
    return found


def _list_before(tt: TokenText, word: Token) -> list[Token]:
    """'a 25 modifier', '-59 modifier', '25 or 57 modifier'."""
    found: list[Token] = []
    token = tt.prev(word)
    while token is not None and token.line == word.line:
        between = tt.after(token).strip()
        if between not in {"", "-", ",", "/", "&"}:
            break
        if token.lower in _CONNECTORS and found:
            token = tt.prev(token)
            continue
        if not _is_modifier_shape(token) or token.text.islower():
            break
        found.append(token)
        token = tt.prev(token)
    return found


def _bare_alpha(tt: TokenText, token: Token, evidence: Evidence) -> bool:
    """'Does the brace need a KX too?': a known Level II modifier written in capitals."""
    text = token.text
    if len(text) != 2 or not text.isalpha() or not text.isupper() or text in NOT_BARE_MODIFIERS:
        return False
    if evidence.modifier_known(text) is not True:
        return False
    after, nxt, prev = tt.after(token), tt.next(token), tt.prev(token)
    led = prev is not None and prev.lower in _LEADS and not tt.before(token).strip()
    if (
        not led
        and text not in BARE_MODIFIERS
        and not any(t.lower in MODIFIER_WORDS for t in tt.tokens if t.line == token.line)
    ):
        return False
    if after.startswith("-") and nxt is not None and nxt.text[:1].isdigit():
        return False  # 'CO-97': a claim adjustment group, not a modifier
    if nxt is not None and nxt.text.isdigit() and len(nxt.text) == 5:
        return False  # 'GA 30301': a state before a zip code
    if prev is not None and tt.before(token).strip() == "," and prev.text[:1].isupper():
        return False  # 'Atlanta, GA'
    neighbours = [t for t in (prev, nxt) if t is not None and t.line == token.line]
    return not any(_SHOUT.fullmatch(t.text) for t in neighbours)


def _bare_number(tt: TokenText, token: Token) -> bool:
    """'add a 25 to the visit', 'the 25 covered us', ' -59 '."""
    if token.text not in CPT_MODIFIERS or not token.text.isdigit() or followed_by_unit(tt, token):
        return False
    nxt = tt.next(token)
    if nxt is not None and nxt.line == token.line and tt.after(token).strip() in {"-", "/", "."}:
        return False
    before = tt.before(token)
    prev = tt.prev(token)
    if (
        before.endswith("-")
        and before[:-1].endswith((" ", "\n", "("))
        and (prev is None or not prev.text[:1].isdigit())
    ):
        return True
    if _paired_numeral(tt, token):
        return True
    if prev is None or prev.line != token.line or before.strip():
        return False
    if prev.lower not in _LEADS:
        return False
    earlier = tt.prev(prev)
    return earlier is None or earlier.lower not in _NOT_AFTER_LEAD


def _paired_numeral(tt: TokenText, token: Token) -> bool:
    """'25 or 57', '59 vs 91': two modifier numerals offered as alternatives."""
    connector, other = tt.next(token), tt.next(token, 2)
    if connector is None or other is None or connector.lower not in {"or", "vs", "versus"}:
        return False
    if tt.after(token).strip() or tt.after(connector).strip() or other.line != token.line:
        return False
    return other.text in CPT_MODIFIERS and other.text.isdigit() and not followed_by_unit(tt, other)


def _joined(tt: TokenText, token: Token) -> list[Token]:
    """Tokens joined to this one by 'or', 'vs', 'and' or a comma or slash."""
    found = []
    for step in (1, -1):
        first = tt.next(token) if step == 1 else tt.prev(token)
        if first is None or first.line != token.line:
            continue
        between = tt.after(token) if step == 1 else tt.before(token)
        if first.lower in _CONNECTORS and between.strip() in {"", ","}:
            second = tt.next(first) if step == 1 else tt.prev(first)
            gap = tt.after(first) if step == 1 else tt.before(first)
            if second is not None and second.line == token.line and gap.strip() in {"", "-"}:
                found.append(second)
        elif between.strip() in {"/", ","} and _is_modifier_shape(first):
            found.append(first)
    return found


def _plausible(token: Token, evidence: Evidence) -> bool:
    text = token.text
    if text.isdigit():
        return text in CPT_MODIFIERS
    return text.isupper() and len(text) == 2 and evidence.modifier_known(text) is True
