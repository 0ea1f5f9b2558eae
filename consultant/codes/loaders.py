"""Loads the ICD-10-CM tabular (codes, hierarchy, notes, 7th characters) from simple-icd-10-cm."""

from __future__ import annotations

import re
from datetime import date, datetime
from importlib import resources
from pathlib import Path

from sqlalchemy.orm import Session

from consultant.codes import versions
from consultant.codes.bulk import Progress, insert_rows
from consultant.codes.normal import codes_in_note
from consultant.codes.sources import sha256_of
from consultant.codes.tables import CodeEntry, CodeNote, SeventhCharacter

SYSTEM = "ICD-10-CM"
PACKAGE = "simple_icd_10_cm"
ENTRY_COLUMNS = (
    "version_id",
    "system",
    "code",
    "title",
    "billable",
    "kind",
    "parent",
    "seq",
    "replaced_by",
)
NOTE_COLUMNS = ("version_id", "code", "kind", "text", "codes")
SEVENTH_COLUMNS = ("version_id", "category", "character", "meaning")
LIST_NOTES = (
    ("excludes1", "get_excludes1"),
    ("excludes2", "get_excludes2"),
    ("includes", "get_includes"),
    ("inclusion_term", "get_inclusion_term"),
)
TEXT_NOTES = (
    ("code_first", "get_code_first"),
    ("use_additional_code", "get_use_additional_code"),
    ("code_also", "get_code_also"),
    ("note", "get_notes"),
    ("seventh_character_note", "get_seven_chr_note"),
)


def package_files() -> tuple[Path, Path]:
    """The tabular XML and the code list that the installed simple-icd-10-cm carries."""
    folder = Path(str(resources.files(PACKAGE) / "data"))
    tabular = next(folder.glob("icd10c*-tabular-*.xml"))
    code_list = next(folder.glob("code-list-*.txt"))
    return tabular, code_list


def tabular_date(tabular: Path) -> date:
    """`icd10c-tabular-April-1-2026.xml` → 2026-04-01."""
    match = re.search(r"([A-Za-z]+)-(\d{1,2})-(\d{4})", tabular.stem)
    if not match:
        raise ValueError(f"no date in {tabular.name}")
    return datetime.strptime(f"{match[1]} {match[2]} {match[3]}", "%B %d %Y").date()


def load_icd10cm(session: Session, progress: Progress | None = None) -> versions.ImportResult:
    """Copy the package's tabular into the store as one version; a no-op when already loaded.

    Imports simple_icd_10_cm (≈190 MB resident): call it from a short-lived process."""
    tabular, code_list = package_files()
    sha = sha256_of([tabular, code_list])
    effective = tabular_date(tabular)
    existing = versions.find_by_sha(session, SYSTEM, sha)
    if existing is not None:
        return versions.ImportResult(SYSTEM, existing.version, existing.rows, existing.id, True)
    icd = __import__(PACKAGE)
    row = versions.create(
        session,
        system=SYSTEM,
        version=effective.isoformat(),
        effective=effective,
        source=f"{PACKAGE} {tabular.name}",
        sha256=sha,
    )
    entries, notes, sevenths = _read_package(icd, row.id)
    count = insert_rows(session, CodeEntry.__table__, ENTRY_COLUMNS, entries, progress)
    insert_rows(session, CodeNote.__table__, NOTE_COLUMNS, notes)
    insert_rows(session, SeventhCharacter.__table__, SEVENTH_COLUMNS, sevenths)
    row.rows = count
    session.flush()
    return versions.ImportResult(SYSTEM, row.version, count, row.id)


def _kind(icd: object, code: str) -> str:
    if icd.is_chapter(code):  # type: ignore[attr-defined]
        return "chapter"
    if "-" in code and icd.is_block(code):  # type: ignore[attr-defined]
        return "block"
    if icd.is_category(code):  # type: ignore[attr-defined]
        return "category"
    return "code"


def _read_package(icd: object, version_id: int) -> tuple[list[tuple], list[tuple], list[tuple]]:
    entries: list[tuple] = []
    notes: list[tuple] = []
    sevenths: list[tuple] = []
    seen: set[str] = set()
    for seq, code in enumerate(icd.get_all_codes(True)):  # type: ignore[attr-defined]
        if code in seen:
            continue
        seen.add(code)
        kind = _kind(icd, code)
        leaf = icd.is_leaf(code)  # type: ignore[attr-defined]
        parent = icd.get_parent(code) or None  # type: ignore[attr-defined]
        billable = leaf and kind in ("category", "code")
        title = icd.get_description(code)  # type: ignore[attr-defined]
        entries.append((version_id, SYSTEM, code, title, billable, kind, parent, seq, ""))
        for note_kind, getter in LIST_NOTES:
            for text in getattr(icd, getter)(code):
                notes.append((version_id, code, note_kind, text, " ".join(codes_in_note(text))))
        for note_kind, getter in TEXT_NOTES:
            text = getattr(icd, getter)(code)
            if text:
                notes.append((version_id, code, note_kind, text, " ".join(codes_in_note(text))))
        for character, meaning in icd.get_seven_chr_def(code).items():  # type: ignore[attr-defined]
            sevenths.append((version_id, code, character, " ".join(meaning.split())))
    return entries, notes, sevenths
