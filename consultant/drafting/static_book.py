"""StaticBook: a CodeBook over plain dictionaries, for template checks, tests and benchmarks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from consultant.codes.api import (
    AddonRule,
    CodeInfo,
    MueLimit,
    Note,
    PfsIndicators,
    PtpEdit,
    SearchHit,
    SeventhCharacterRule,
)


@dataclass
class StaticBook:
    """Implements consultant.codes.api.CodeBook from JSON-shaped data:
    entries {system: {code: {"title", "billable", "parent"}}}, notes {code: [{kind, text,
    codes}]}, sevenths {category: {char: meaning}}, modifiers {code: title}, addons {code:
    [type, [primaries]]}, ptp [[col1, col2, indicator, rationale]], mue {code: [value, mai,
    rationale]}, pfs {code: global_days}, versions {system: version}."""

    versions_: dict[str, str] = field(default_factory=dict)
    entries: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    notes_: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    sevenths: dict[str, dict[str, str]] = field(default_factory=dict)
    modifiers: dict[str, str] = field(default_factory=dict)
    addons: dict[str, list[Any]] = field(default_factory=dict)
    ptp_: list[list[str]] = field(default_factory=list)
    mue_: dict[str, list[Any]] = field(default_factory=dict)
    pfs_: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StaticBook:
        return cls(
            versions_=data.get("versions", {}),
            entries=data.get("entries", {}),
            notes_=data.get("notes", {}),
            sevenths=data.get("sevenths", {}),
            modifiers=data.get("modifiers", {}),
            addons=data.get("addons", {}),
            ptp_=data.get("ptp", []),
            mue_=data.get("mue", {}),
            pfs_=data.get("pfs", {}),
        )

    def versions(self) -> dict[str, str]:
        return dict(self.versions_)

    def is_loaded(self, system: str) -> bool:
        return system == "modifier" or system in self.versions_

    def lookup(self, system: str, code: str, on: date | None = None) -> CodeInfo | None:
        entry = self.entries.get(system, {}).get(code)
        if entry is None:
            return None
        children = tuple(
            c for c, e in self.entries.get(system, {}).items() if e.get("parent") == code
        )
        return CodeInfo(
            system=system,
            code=code,
            title=entry.get("title"),
            billable=entry.get("billable"),
            parent=entry.get("parent"),
            children=children,
        )

    def _ancestry(self, code: str) -> list[str]:
        chain, current = [], code
        while current and current not in chain:
            chain.append(current)
            entry = self.entries.get("ICD-10-CM", {}).get(current)
            current = (entry.get("parent") if entry else None) or _shorter(current)
        return chain

    def notes(self, code: str, *, inherited: bool = True) -> list[Note]:
        found = []
        for source in self._ancestry(code) if inherited else [code]:
            for note in self.notes_.get(source, ()):
                found.append(Note(note["kind"], note["text"], tuple(note.get("codes", ())), source))
        return found

    def seventh_character(self, code: str) -> SeventhCharacterRule | None:
        for source in self._ancestry(code):
            if source in self.sevenths:
                return SeventhCharacterRule(source, dict(self.sevenths[source]))
        return None

    def is_modifier(self, modifier: str) -> bool:
        return modifier in self.modifiers

    def modifier_title(self, modifier: str) -> str | None:
        return self.modifiers.get(modifier)

    def addon(self, code: str) -> AddonRule | None:
        found = self.addons.get(code)
        return AddonRule(code, int(found[0]), tuple(found[1])) if found else None

    def ptp(self, codes: Iterable[str]) -> list[PtpEdit]:
        wanted = set(codes)
        return [
            PtpEdit(row[0], row[1], row[2], row[3], dated=False)
            for row in self.ptp_
            if row[0] in wanted and row[1] in wanted
        ]

    def mue(self, code: str) -> MueLimit | None:
        found = self.mue_.get(code)
        return MueLimit(code, int(found[0]), int(found[1]), found[2]) if found else None

    def pfs(self, code: str) -> PfsIndicators | None:
        days = self.pfs_.get(code)
        return PfsIndicators(code, "A", days, "", "", "", "", "", "") if days else None

    def search(self, text: str, system: str | None = None, limit: int = 10) -> list[SearchHit]:
        return []


def _shorter(code: str) -> str | None:
    """The parent of an ICD-10-CM code by shape, when the code itself is not an entry."""
    if "." not in code:
        return None
    head, tail = code.split(".", 1)
    return f"{head}.{tail[:-1]}" if len(tail) > 1 else head
