"""The code sets in force as plain in-memory data: read from the database, cached as a file."""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.engine import Connection

from consultant.codes.modifiers import CPT_MODIFIERS
from consultant.codes.search import Document, SearchIndex
from consultant.codes.tables import (
    AddonEdit,
    CodeEntry,
    CodeNote,
    CodeSetVersion,
    CodeTerm,
    MueRow,
    PfsRow,
    SeventhCharacter,
)
from consultant.codes.versions import pick_in_force

FORMAT_VERSION = 2
HISTORY_SYSTEMS = ("ICD-10-CM addenda",)  # every version counts, not only the newest
ENTRY_SYSTEMS = {"ICD-10-CM", "ICD-10-PCS", "HCPCS", "CPT"}
SEARCH_SYSTEMS = ("ICD-10-CM", "HCPCS", "ICD-10-PCS", "CPT")
INCLUSION_WEIGHT = 0.95
INDEX_WEIGHT = 0.9

# entry tuple: title, billable, parent, kind, effective, end, replaced_by
Entry = tuple[str | None, bool | None, str | None, str, date | None, date | None, str]
# retired ICD-10-CM code: title, was reportable, last day, codes added in its family
Retired = tuple[str | None, bool, date | None, tuple[str, ...]]


@dataclass(frozen=True)
class VersionRow:
    id: int
    system: str
    version: str
    effective: date | None
    sha256: str
    dated: bool


@dataclass
class State:
    """Everything a CodeBook serves from memory (PTP stays in the database)."""

    versions: dict[str, VersionRow]
    history: tuple[VersionRow, ...] = ()
    entries: dict[str, dict[str, Entry]] = field(default_factory=dict)
    children: dict[str, tuple[str, ...]] = field(default_factory=dict)
    notes: dict[str, tuple[tuple[str, str, tuple[str, ...]], ...]] = field(default_factory=dict)
    sevenths: dict[str, dict[str, str]] = field(default_factory=dict)
    addons: dict[str, tuple[int, tuple[str, ...]]] = field(default_factory=dict)
    mue: dict[str, tuple[int, int, str]] = field(default_factory=dict)
    pfs: dict[str, tuple[str, ...]] = field(default_factory=dict)
    retired: dict[str, Retired] = field(default_factory=dict)
    index: SearchIndex | None = None

    def key(self) -> tuple[int, ...]:
        """The ids of the versions this state was built from (to notice a newer import)."""
        return state_key(self.versions, self.history)


def state_key(chosen: dict[str, VersionRow], history: tuple[VersionRow, ...]) -> tuple[int, ...]:
    return tuple(sorted({v.id for v in chosen.values()} | {v.id for v in history}))


def pick(rows: list[VersionRow], on: date | None) -> tuple[dict[str, VersionRow], tuple]:
    """The versions in force on `on`, and every version of the cumulative systems (their
    rows carry their own dates, so a date of service does not filter them here)."""
    history = tuple(
        sorted(
            (v for v in rows if v.system in HISTORY_SYSTEMS),
            key=lambda v: (v.effective or date.min, v.id),
        )
    )
    return pick_in_force(rows, on), history


def read_versions(connection: Connection) -> list[VersionRow]:
    table = CodeSetVersion.__table__
    query = select(
        table.c.id,
        table.c.system,
        table.c.version,
        table.c.effective,
        table.c.sha256,
        table.c.dated,
    ).order_by(table.c.id)
    return [VersionRow(*row) for row in connection.execute(query)]


def versions_key(engine: Engine) -> tuple[int, ...]:
    """The ids of the versions a fresh state would be built from: one small SELECT."""
    with engine.connect() as connection:
        return state_key(*pick(read_versions(connection), None))


def load_state(engine: Engine, snapshot_dir: Path | None, on: date | None = None) -> State:
    """The state of the versions in force (on `on`), from the snapshot file when it matches."""
    with engine.connect() as connection:
        chosen, history = pick(read_versions(connection), on)
        key = _snapshot_key(chosen, history)
        path = snapshot_dir / f"codebook-{key}.pickle" if snapshot_dir else None
        if path is not None and path.is_file():
            try:
                with path.open("rb") as handle:
                    state = pickle.load(handle)  # noqa: S301 - our own file, keyed by content
                if isinstance(state, State):
                    state.versions, state.history = chosen, history
                    return state
            except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
                path.unlink(missing_ok=True)
        state = _read_state(connection, chosen, history)
    if path is not None:
        _write_atomically(path, state)
    return state


def _snapshot_key(chosen: dict[str, VersionRow], history: tuple[VersionRow, ...]) -> str:
    parts = [f"v{FORMAT_VERSION}"]
    every = {v.id: v for v in (*chosen.values(), *history)}
    parts += [f"{v.system}:{v.id}:{v.sha256}" for _id, v in sorted(every.items())]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]


def _write_atomically(path: Path, state: State) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            pickle.dump(state, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except OSError:
        return  # a snapshot is only a speed-up; the database stays the source of truth
    for stale in path.parent.glob("codebook-*.pickle"):
        if stale != path:
            stale.unlink(missing_ok=True)


def _read_state(
    connection: Connection, chosen: dict[str, VersionRow], history: tuple[VersionRow, ...] = ()
) -> State:
    state = State(versions=chosen, history=history)
    ids = {system: row.id for system, row in chosen.items()}
    _read_entries(connection, state, ids)
    _read_addenda(connection, state, [v.id for v in history if v.system == "ICD-10-CM addenda"])
    if "ICD-10-CM" in ids:
        _read_notes(connection, state, ids["ICD-10-CM"])
    if "AOC" in ids:
        _read_addons(connection, state, ids["AOC"])
    if "MUE" in ids:
        table = MueRow.__table__
        query = select(table.c.code, table.c.value, table.c.mai, table.c.rationale)
        for code, value, mai, rationale in connection.execute(
            query.where(table.c.version_id == ids["MUE"])
        ):
            state.mue[code] = (value, mai, rationale)
    if "PFS" in ids:
        _read_pfs(connection, state, ids["PFS"])
    state.index = SearchIndex.build(_documents(connection, state, ids))
    return state


def _read_entries(connection: Connection, state: State, ids: dict[str, int]) -> None:
    table = CodeEntry.__table__
    wanted = [ids[s] for s in ENTRY_SYSTEMS if s in ids]
    modifiers: dict[str, Entry] = {}
    query = (
        select(
            table.c.system,
            table.c.code,
            table.c.title,
            table.c.billable,
            table.c.parent,
            table.c.kind,
            table.c.effective,
            table.c.end_date,
            table.c.replaced_by,
        )
        .where(table.c.version_id.in_(wanted))
        .order_by(table.c.version_id, table.c.seq)
    )
    children: dict[str, list[str]] = {}
    for system, code, title, billable, parent, kind, effective, end, replaced in connection.execute(
        query
    ):
        entry = (title, billable, parent, kind, effective, end, replaced)
        if system == "modifier":
            modifiers[code] = entry
            continue
        state.entries.setdefault(system, {})[code] = entry
        if system == "ICD-10-CM" and parent:
            children.setdefault(parent, []).append(code)
    for code, title in CPT_MODIFIERS.items():
        modifiers[code] = (title, True, None, "cpt-modifier", None, None, "")
    state.entries["modifier"] = modifiers
    state.children = {code: tuple(found) for code, found in children.items()}


def _read_addenda(connection: Connection, state: State, version_ids: list[int]) -> None:
    """Dates from the ICD-10-CM addenda, oldest release first: an added code gets its
    effective date (when the tabular has none), a deleted one becomes a retired code
    (dropped again if a later release adds it back)."""
    if not version_ids:
        return
    table = CodeEntry.__table__
    query = select(
        table.c.version_id,
        table.c.code,
        table.c.title,
        table.c.billable,
        table.c.kind,
        table.c.effective,
        table.c.end_date,
        table.c.replaced_by,
    ).where(table.c.version_id.in_(version_ids), table.c.system == "ICD-10-CM")
    order = {version_id: position for position, version_id in enumerate(version_ids)}
    found = sorted(connection.execute(query), key=lambda row: order[row[0]])
    icd = state.entries.setdefault("ICD-10-CM", {})
    for _version, code, title, billable, kind, effective, end, replaced in found:
        if kind == "deleted":
            state.retired[code] = (title, bool(billable), end, tuple(replaced.split()))
            continue
        state.retired.pop(code, None)
        entry = icd.get(code)
        if entry is not None and entry[4] is None:
            icd[code] = (*entry[:4], effective, *entry[5:])


def _read_notes(connection: Connection, state: State, version_id: int) -> None:
    table = CodeNote.__table__
    query = (
        select(table.c.code, table.c.kind, table.c.text, table.c.codes)
        .where(table.c.version_id == version_id)
        .order_by(table.c.id)
    )
    notes: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {}
    for code, kind, text, codes in connection.execute(query):
        notes.setdefault(code, []).append((kind, text, tuple(codes.split())))
    state.notes = {code: tuple(found) for code, found in notes.items()}
    sevenths = SeventhCharacter.__table__
    query = select(sevenths.c.category, sevenths.c.character, sevenths.c.meaning).where(
        sevenths.c.version_id == version_id
    )
    for category, character, meaning in connection.execute(query):
        state.sevenths.setdefault(category, {})[character] = meaning


def _read_addons(connection: Connection, state: State, version_id: int) -> None:
    table = AddonEdit.__table__
    query = (
        select(
            table.c.addon,
            table.c.primary_code,
            table.c.edit_type,
            table.c.primary_deleted,
            table.c.deleted,
        )
        .where(table.c.version_id == version_id)
        .order_by(table.c.id)
    )
    active: dict[str, list[str]] = {}
    types: dict[str, Counter[int]] = {}
    for addon, primary, edit_type, primary_deleted, deleted in connection.execute(query):
        active.setdefault(addon, [])
        if deleted is None and primary_deleted is None:
            active[addon].append(primary)
            types.setdefault(addon, Counter())[edit_type] += 1
        else:
            types.setdefault(addon, Counter())[edit_type] += 0
    for addon, primaries in active.items():
        edit_type = types[addon].most_common(1)[0][0]
        state.addons[addon] = (edit_type, tuple(dict.fromkeys(primaries)))


def _read_pfs(connection: Connection, state: State, version_id: int) -> None:
    table = PfsRow.__table__
    query = select(
        table.c.code,
        table.c.modifier,
        table.c.status,
        table.c.global_days,
        table.c.mult_proc,
        table.c.bilateral,
        table.c.assistant,
        table.c.co_surgeon,
        table.c.team,
        table.c.pctc,
    ).where(table.c.version_id == version_id)
    for code, modifier, *indicators in connection.execute(query):
        if modifier == "" or code not in state.pfs:
            state.pfs[code] = tuple(indicators)


def _documents(connection: Connection, state: State, ids: dict[str, int]) -> list[Document]:
    documents: list[Document] = []
    for system in SEARCH_SYSTEMS:
        for code, (title, billable, _p, kind, *_rest) in state.entries.get(system, {}).items():
            if title and kind not in ("chapter", "block", "table"):
                documents.append(Document(system, code, title, billable))
    icd = state.entries.get("ICD-10-CM", {})
    for code, notes in state.notes.items():
        entry = icd.get(code)
        if entry is None or entry[3] in ("chapter", "block"):
            continue
        for kind, text, _codes in notes:
            if kind == "inclusion_term":
                documents.append(Document("ICD-10-CM", code, text, entry[1], INCLUSION_WEIGHT))
    if "ICD-10-CM index" in ids:
        table = CodeTerm.__table__
        query = select(table.c.code, table.c.term).where(
            table.c.version_id == ids["ICD-10-CM index"]
        )
        for code, term in connection.execute(query):
            entry = icd.get(code)
            if entry is not None:
                documents.append(Document("ICD-10-CM", code, term, entry[1], INDEX_WEIGHT))
    return documents
