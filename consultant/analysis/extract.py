"""Code mentions in a question: the codes the writer means, with their modifiers and units."""

from __future__ import annotations

import re

from consultant.analysis.classify import classify
from consultant.analysis.context import followed_by_unit
from consultant.analysis.evidence import Evidence
from consultant.analysis.mentions import CodeMention, Extraction, ModifierMention
from consultant.analysis.modifiers import named_modifiers
from consultant.analysis.shapes import CPT, HCPCS
from consultant.analysis.tokens import Token, TokenText
from consultant.analysis.vocabulary import CPT_MODIFIERS, RANGE_WORDS

_HYPHEN_MODIFIER = re.compile(r"[ \t]?-[ \t]?([A-Za-z0-9]{2})(?![A-Za-z0-9])")
_SPACED_MODIFIER = re.compile(r"[ \t]+([A-Z0-9]{2})(?![A-Za-z0-9.])")
_UNITS_AFTER = re.compile(
    r"[ \t]*(?:[x\u00d7*][ \t]*(\d{1,4})(?![\d.])|\(?[ \t]*(\d{1,4})[ \t]*(?:units?|u)\b)",
    re.IGNORECASE,
)
_UNITS_BEFORE = re.compile(r"(\d{1,4})[ \t]*units?[ \t]+(?:of[ \t]+)?$", re.IGNORECASE)
MAX_UNITS = 9999


def writer_text(subject: str, body: str) -> str:
    """Subject and body as one text, without quoted ('>') lines."""
    lines = [line for line in body.splitlines() if not line.lstrip().startswith(">")]
    return f"{subject}\n\n" + "\n".join(lines)


def extract(subject: str, body: str, evidence: Evidence) -> Extraction:
    tt = TokenText(writer_text(subject, body))
    mentions: list[tuple[Token, CodeMention]] = []
    for token in tt.tokens:
        found = classify(tt, token, evidence)
        if found is not None:
            mentions.append((token, CodeMention(found[1], found[0], token.start)))
    attached: list[ModifierMention] = []
    taken: set[int] = set()
    for token, mention in mentions:
        if mention.system in (CPT, HCPCS):
            attached.extend(_attach(tt, token, mention, evidence, taken))
    _mark_ranges(tt, mentions)
    code_positions = {token.index for token, _ in mentions}
    named = named_modifiers(tt, evidence, taken | code_positions)
    return Extraction(_merge([m for _, m in mentions]), _unique(attached + named))


def _attach(
    tt: TokenText, token: Token, mention: CodeMention, evidence: Evidence, taken: set[int]
) -> list[ModifierMention]:
    """Modifiers ('-25', ' 25', '-26-LT') and units ('x2', '3 units') right after a code."""
    found: list[ModifierMention] = []
    pos = token.end
    text = tt.text
    for _ in range(6):
        match = _HYPHEN_MODIFIER.match(text, pos)
        if match and _attachable(match.group(1), evidence, hyphen=True):
            code = match.group(1).upper()
        else:
            match = _SPACED_MODIFIER.match(text, pos)
            code = match.group(1) if match else ""
            if match and not _spaced_ok(tt, match, evidence):
                match = None
        if match:
            mention.modifiers.append(code)
            found.append(ModifierMention(code, mention.code, match.start(1)))
            modifier_token = tt.at(match.start(1))
            if modifier_token is not None:
                taken.add(modifier_token.index)
            pos = match.end()
            continue
        units = _UNITS_AFTER.match(text, pos)
        if units and mention.units is None:
            mention.units = int(units.group(1) or units.group(2))
            pos = units.end()
            continue
        break
    if mention.units is None:
        line_start = text.rfind("\n", 0, token.start) + 1
        before = _UNITS_BEFORE.search(text, line_start, token.start)
        if before:
            mention.units = int(before.group(1))
    if mention.units is not None and not 0 < mention.units <= MAX_UNITS:
        mention.units = None
    return found


def _attachable(code: str, evidence: Evidence, *, hyphen: bool) -> bool:
    upper = code.upper()
    if upper in CPT_MODIFIERS or evidence.modifier_known(upper):
        return True
    if not hyphen:
        return False
    # An unfamiliar pair written like a modifier still is one ('99214-21'), but not a word.
    return code.isdigit() or (code.isupper() and not code.isdigit())


def _spaced_ok(tt: TokenText, match: re.Match[str], evidence: Evidence) -> bool:
    code = match.group(1)
    if not _attachable(code, evidence, hyphen=False):
        return False
    token = tt.at(match.start(1))
    return token is not None and not followed_by_unit(tt, token)


def _mark_ranges(tt: TokenText, mentions: list[tuple[Token, CodeMention]]) -> None:
    by_index = {token.index: mention for token, mention in mentions}
    for token, mention in mentions:
        nxt = tt.next(token)
        if nxt is None:
            continue
        between = tt.after(token).strip()
        other = by_index.get(nxt.index)
        if between == "" and nxt.lower in RANGE_WORDS:
            after_word = tt.next(nxt)
            other = by_index.get(after_word.index) if after_word is not None else None
        elif between != "-":
            continue
        if other is None or other.system != mention.system or len(other.code) != len(mention.code):
            continue
        if other.code > mention.code:
            mention.range_with, other.range_with = other.code, mention.code


def _merge(mentions: list[CodeMention]) -> list[CodeMention]:
    """One entry per code, in order of first mention; later mentions add what they state."""
    merged: dict[tuple[str, str], CodeMention] = {}
    for mention in mentions:
        key = (mention.system, mention.code)
        first = merged.setdefault(key, mention)
        if first is mention:
            continue
        first.modifiers.extend(m for m in mention.modifiers if m not in first.modifiers)
        if first.units is None:
            first.units = mention.units
        first.range_with = first.range_with or mention.range_with
    return list(merged.values())


def _unique(modifiers: list[ModifierMention]) -> list[ModifierMention]:
    seen: set[tuple[str, str | None]] = set()
    attached_codes = {m.code for m in modifiers if m.attached_to}
    result = []
    for modifier in sorted(modifiers, key=lambda m: m.position):
        key = (modifier.code, modifier.attached_to)
        if key in seen or (modifier.attached_to is None and modifier.code in attached_codes):
            continue
        seen.add(key)
        result.append(modifier)
    return result
