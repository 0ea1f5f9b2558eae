"""The version registry: which imports exist, which is in force, and no-op re-imports."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from consultant.codes.tables import CodeSetVersion


@dataclass(frozen=True)
class ImportResult:
    """What one import did: the version it created, or the one it found already loaded."""

    system: str
    version: str
    rows: int
    version_id: int
    already_loaded: bool = False

    def to_json(self) -> dict:
        return {
            "system": self.system,
            "version": self.version,
            "rows": self.rows,
            "version_id": self.version_id,
            "already_loaded": self.already_loaded,
        }


def find_by_sha(session: Session, system: str, sha256: str) -> CodeSetVersion | None:
    query = select(CodeSetVersion).where(
        CodeSetVersion.system == system, CodeSetVersion.sha256 == sha256
    )
    return session.scalars(query).first()


def create(
    session: Session,
    *,
    system: str,
    version: str,
    effective: date | None,
    source: str,
    sha256: str,
    dated: bool = True,
) -> CodeSetVersion:
    """A new version row (flushed, so it has an id); rows are counted when the import ends."""
    row = CodeSetVersion(
        system=system,
        version=version,
        effective=effective,
        source=source,
        sha256=sha256,
        rows=0,
        dated=dated,
    )
    session.add(row)
    session.flush()
    return row


class VersionLike(Protocol):
    id: int
    system: str
    effective: date | None


T = TypeVar("T", bound=VersionLike)


def _rank(row: VersionLike) -> tuple[date, int]:
    return (row.effective or date.min, row.id)


def all_versions(session: Session) -> list[CodeSetVersion]:
    query = select(CodeSetVersion).order_by(CodeSetVersion.system, CodeSetVersion.id)
    return list(session.scalars(query))


def in_force(session: Session, on: date | None = None) -> dict[str, CodeSetVersion]:
    """Per system, the version in force on `on` (default: the newest one loaded)."""
    return pick_in_force(all_versions(session), on)


def pick_in_force(rows: Iterable[T], on: date | None = None) -> dict[str, T]:
    """A version is in force from its effective date until a later-effective version of the
    same system starts; an undated version counts as in force since ever; among versions of
    the same effective date the last imported wins."""
    chosen: dict[str, T] = {}
    for row in rows:
        if on is not None and row.effective is not None and row.effective > on:
            continue
        best = chosen.get(row.system)
        if best is None or _rank(row) > _rank(best):
            chosen[row.system] = row
    return chosen
