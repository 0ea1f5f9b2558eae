"""Tokens of a question's text: alphanumeric runs with their positions and separators."""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(r"[A-Za-z0-9]+(?:\.[A-Za-z0-9]+)?")
_SENTENCE_END = re.compile(r"[.?!;]\s")
_DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2012": "-", "\u2212": "-", "\xa0": " "})


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    start: int
    end: int
    index: int
    line: int

    @property
    def lower(self) -> str:
        return self.text.lower()


class TokenText:
    """A text split into tokens, with helpers to read around a token."""

    def __init__(self, text: str) -> None:
        self.text = text.translate(_DASHES)
        tokens: list[Token] = []
        line = 0
        last = 0
        for index, match in enumerate(_TOKEN.finditer(self.text)):
            line += self.text.count("\n", last, match.start())
            last = match.start()
            tokens.append(Token(match.group(), match.start(), match.end(), index, line))
        self.tokens = tokens
        self._by_start = {token.start: token for token in tokens}

    def at(self, start: int) -> Token | None:
        """The token that starts at this character offset."""
        return self._by_start.get(start)

    def before(self, token: Token) -> str:
        """The characters between the previous token and this one."""
        start = self.tokens[token.index - 1].end if token.index > 0 else 0
        return self.text[start : token.start]

    def after(self, token: Token) -> str:
        """The characters between this token and the next one."""
        nxt = token.index + 1
        end = self.tokens[nxt].start if nxt < len(self.tokens) else len(self.text)
        return self.text[token.end : end]

    def prev(self, token: Token, distance: int = 1) -> Token | None:
        index = token.index - distance
        return self.tokens[index] if index >= 0 else None

    def next(self, token: Token, distance: int = 1) -> Token | None:
        index = token.index + distance
        return self.tokens[index] if index < len(self.tokens) else None

    def window_before(self, token: Token, count: int, *, sentence: bool = False) -> list[Token]:
        """Up to `count` tokens before this one on the same line (or sentence), nearest first."""
        found = []
        current = token
        for distance in range(1, count + 1):
            other = self.prev(token, distance)
            if other is None or other.line != token.line:
                break
            if sentence and _SENTENCE_END.search(self.before(current)):
                break
            found.append(other)
            current = other
        return found

    def window_after(self, token: Token, count: int) -> list[Token]:
        """Up to `count` tokens after this one on the same line, nearest first."""
        found = []
        for distance in range(1, count + 1):
            other = self.next(token, distance)
            if other is None or other.line != token.line:
                break
            found.append(other)
        return found
