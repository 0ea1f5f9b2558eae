"""What extraction finds: code mentions (with modifiers, units, ranges) and modifier mentions."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class CodeMention:
    code: str
    system: str
    position: int
    modifiers: list[str] = field(default_factory=list)
    units: int | None = None
    range_with: str | None = None  # the other end, when written as a range


@dataclass(frozen=True)
class ModifierMention:
    code: str
    attached_to: str | None
    position: int


@dataclass
class Extraction:
    codes: list[CodeMention]
    modifiers: list[ModifierMention]
