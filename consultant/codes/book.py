"""The CodeBook served from memory: open_codebook() builds it once per database and caches it."""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

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
from consultant.codes.normal import normalize
from consultant.codes.snapshot import Entry, State, load_state, versions_key

HIDDEN_PARENTS = ("chapter", "block", "table")
PUBLIC_CPT_FACTS = "CPT (public facts)"
_PTP_ANSWERS_KEPT = 2048


class MemoryCodeBook:
    """Implements consultant.codes.api.CodeBook over a State; PTP is read from the database."""

    def __init__(self, engine: Engine, state: State, snapshot_dir: Path | None = None):
        self._engine = engine
        self._state = state
        self._snapshot_dir = snapshot_dir
        self._dated: dict[date, MemoryCodeBook] = {}
        # PTP edits stay in the database; a case asks for the same code set more than once
        # (analysis, then drafting), so recent answers are kept, for this version only.
        self._ptp_answers: OrderedDict[tuple, list[PtpEdit]] = OrderedDict()
        self._ptp_lock = threading.Lock()

    # versions ------------------------------------------------------------------------

    def state_key(self) -> tuple[int, ...]:
        """The ids of the versions this book serves."""
        return self._state.key()

    def versions(self) -> dict[str, str]:
        return {system: row.version for system, row in sorted(self._state.versions.items())}

    def is_loaded(self, system: str) -> bool:
        if system == "modifier":
            return True
        return system in self._state.versions

    def _for_date(self, on: date | None) -> MemoryCodeBook:
        """The book of the versions in force on `on` (itself when they are the current ones)."""
        if on is None:
            return self
        if on not in self._dated:
            state = load_state(self._engine, None, on)
            same = {s: v.id for s, v in state.versions.items()} == {
                s: v.id for s, v in self._state.versions.items()
            }
            self._dated[on] = self if same else MemoryCodeBook(self._engine, state)
        return self._dated[on]

    # codes ---------------------------------------------------------------------------

    def lookup(self, system: str, code: str, on: date | None = None) -> CodeInfo | None:
        book = self._for_date(on)
        normal = normalize(system, code)
        entry = book._state.entries.get(system, {}).get(normal)
        if system == "ICD-10-CM" and normal in book._state.retired:
            return book._retired(normal, entry, on)
        if entry is None:
            return book._public_cpt(normal) if system == "CPT" else None
        if on is not None and entry[4] is not None and entry[4] > on:
            return None
        return book._info(system, normal, entry)

    def _info(self, system: str, code: str, entry: Entry) -> CodeInfo:
        title, billable, parent, _kind, effective, end, replaced = entry
        if parent is not None:
            parent_entry = self._state.entries[system].get(parent)
            if parent_entry is None or parent_entry[3] in HIDDEN_PARENTS:
                parent = None
        children = self._state.children.get(code, ()) if system == "ICD-10-CM" else ()
        return CodeInfo(
            system=system,
            code=code,
            title=title,
            billable=billable,
            parent=parent,
            children=children,
            effective=effective,
            end=end,
            replaced_by=tuple(replaced.split()),
        )

    def _retired(self, code: str, entry: Entry | None, on: date | None) -> CodeInfo:
        """A code the ICD-10-CM addenda deleted: as it was on a date of service up to its
        last day; otherwise as it is now (a header, or only the retired record), with the
        last day and the codes added in its family."""
        title, was_billable, end, replaced = self._state.retired[code]
        in_use = on is not None and (end is None or on <= end)
        if entry is None or in_use:
            return CodeInfo(
                system="ICD-10-CM",
                code=code,
                title=title,
                billable=was_billable and in_use,
                end=end,
                replaced_by=replaced,
            )
        return replace(self._info("ICD-10-CM", code, entry), end=end, replaced_by=replaced)

    def _public_cpt(self, code: str) -> CodeInfo | None:
        """A CPT code known from the public files (PFS, MUE, AOC) when no descriptors exist."""
        state = self._state
        if code in state.pfs or code in state.mue or code in state.addons:
            return CodeInfo(system="CPT", code=code, title=None, billable=None)
        return None

    def _ancestry(self, code: str) -> list[str]:
        entries = self._state.entries.get("ICD-10-CM", {})
        chain = []
        current: str | None = code
        while current is not None and current in entries and current not in chain:
            chain.append(current)
            current = entries[current][2]
        return chain

    def notes(self, code: str, *, inherited: bool = True) -> list[Note]:
        normal = normalize("ICD-10-CM", code)
        sources = self._ancestry(normal) if inherited else [normal]
        found = []
        for source in sources:
            for kind, text, codes in self._state.notes.get(source, ()):
                found.append(Note(kind=kind, text=text, codes=codes, source_code=source))
        return found

    def seventh_character(self, code: str) -> SeventhCharacterRule | None:
        for source in self._ancestry(normalize("ICD-10-CM", code)):
            characters = self._state.sevenths.get(source)
            if characters:
                return SeventhCharacterRule(category=source, characters=dict(characters))
        return None

    # modifiers -----------------------------------------------------------------------

    def is_modifier(self, modifier: str) -> bool:
        return modifier.strip().upper() in self._state.entries.get("modifier", {})

    def modifier_title(self, modifier: str) -> str | None:
        entry = self._state.entries.get("modifier", {}).get(modifier.strip().upper())
        return entry[0] if entry else None

    # NCCI and fee schedule -----------------------------------------------------------

    def addon(self, code: str) -> AddonRule | None:
        normal = code.strip().upper()
        found = self._state.addons.get(normal)
        if found is None:
            return None
        return AddonRule(code=normal, edit_type=found[0], primaries=found[1])

    def ptp(self, codes: Iterable[str], on: date | None = None) -> list[PtpEdit]:
        """Edits between any two of `codes` in the PTP version in force (dated editions:
        only edits not deleted on `on`, default today)."""
        from consultant.codes.ptp import pairs_among

        book = self._for_date(on)
        version = book._state.versions.get("PTP")
        if version is None:
            return []
        day = on or date.today()
        key = (version.id, day, tuple(sorted({c.strip().upper() for c in codes if c})))
        with self._ptp_lock:
            if key in self._ptp_answers:
                self._ptp_answers.move_to_end(key)
                return list(self._ptp_answers[key])
        edits = pairs_among(self._engine, version.id, version.dated, key[2], day)
        with self._ptp_lock:
            self._ptp_answers[key] = edits
            if len(self._ptp_answers) > _PTP_ANSWERS_KEPT:
                self._ptp_answers.popitem(last=False)
        return list(edits)

    def mue(self, code: str) -> MueLimit | None:
        normal = code.strip().upper()
        found = self._state.mue.get(normal)
        if found is None:
            return None
        return MueLimit(code=normal, value=found[0], mai=found[1], rationale=found[2])

    def pfs(self, code: str) -> PfsIndicators | None:
        normal = code.strip().upper()
        found = self._state.pfs.get(normal)
        if found is None:
            return None
        return PfsIndicators(normal, *found)

    # search --------------------------------------------------------------------------

    def search(self, text: str, system: str | None = None, limit: int = 10) -> list[SearchHit]:
        index = self._state.index
        if index is None:
            return []
        hits = []
        for hit_system, code, score, _phrase, matched in index.query(text, system, limit):
            entry = self._state.entries.get(hit_system, {}).get(code)
            hits.append(
                SearchHit(
                    system=hit_system,
                    code=code,
                    title=(entry[0] if entry else None) or "",
                    score=score,
                    billable=entry[1] if entry else None,
                    matched=matched,
                )
            )
        return hits


CHECK_SECONDS = 30.0
log = logging.getLogger(__name__)


@dataclass
class _Cached:
    book: MemoryCodeBook
    checked: float  # time.monotonic() of the last look at the versions in force


_books: dict[str, _Cached] = {}
_lock = threading.Lock()


def default_snapshot_dir(engine: Engine) -> Path | None:
    """Next to a SQLite database file (the settings data dir); none for other databases."""
    url = make_url(str(engine.url))
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).resolve().parent / "codebook-cache"
    return None


def open_codebook(
    engine: Engine, *, snapshot_dir: Path | None = None, max_age: float = CHECK_SECONDS
) -> MemoryCodeBook:
    """The process-wide CodeBook of this database (built on first use, then cached).

    A long-running process (worker, web) calls this per task or request: at most every
    `max_age` seconds it reads the version list (one small SELECT) and, when another
    process has imported a version that is now in force, swaps in a book of the new
    versions (from the snapshot file the importing command wrote, else from the database).
    While the database cannot be read the cached book keeps serving."""
    key = engine.url.render_as_string(hide_password=True)
    folder = snapshot_dir or default_snapshot_dir(engine)
    with _lock:
        cached = _books.get(key)
        now = time.monotonic()
        if cached is None:
            cached = _Cached(MemoryCodeBook(engine, load_state(engine, folder), folder), now)
            _books[key] = cached
        elif now - cached.checked >= max_age:
            cached.checked = now
            try:
                current = versions_key(engine)
            except SQLAlchemyError as exc:
                log.warning("code-set version check failed (%s); serving the cached book", exc)
                return cached.book
            if current != cached.book.state_key():
                log.info("code-set versions changed to %s; reloading", current)
                cached.book = MemoryCodeBook(engine, load_state(engine, folder), folder)
        return cached.book


def invalidate() -> None:
    """Forget every cached CodeBook (call after an import commits)."""
    with _lock:
        _books.clear()
