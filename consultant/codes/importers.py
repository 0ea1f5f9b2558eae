"""Imports CMS/AMA code files into the store: detect the kind, version it, load it atomically."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from itertools import chain
from pathlib import Path

from sqlalchemy.orm import Session

from consultant.codes import versions
from consultant.codes.bulk import Progress, insert_rows
from consultant.codes.formats import Format, cpt, hcpcs, icd10cm_addenda, icd_index, ncci, pcs, pfs
from consultant.codes.sources import (
    HEADER_SPAN,
    ImportFormatError,
    RowChecker,
    is_xlsx,
    read_bytes_head,
    sha256_of,
    stacked,
    workbook_head,
)

FORMATS: dict[str, Format] = {
    f.kind: f
    for f in (
        pcs.FORMAT,
        hcpcs.FORMAT,
        ncci.AOC,
        ncci.PTP,
        ncci.MUE,
        pfs.FORMAT,
        cpt.FORMAT,
        icd_index.FORMAT,
        icd10cm_addenda.FORMAT,
    )
}
KINDS = tuple(FORMATS)
GROUPED_KINDS = ("ptp",)  # several files of one release make one version


def import_files(
    session: Session,
    kind: str,
    paths: Sequence[Path | str],
    *,
    progress: Progress | None = None,
    version: str | None = None,
) -> versions.ImportResult:
    """Import one release (one file, or the parts of one PTP release) as one version.

    Runs in the caller's transaction and never commits; any error leaves nothing behind once
    the caller rolls back. Re-importing files with the same content is a no-op."""
    if kind not in FORMATS:
        raise ImportFormatError(
            str(paths[0]) if paths else "?",
            None,
            None,
            f"a kind among {', '.join(KINDS)}, not {kind!r}",
        )
    spec = FORMATS[kind]
    files = [Path(p) for p in paths]
    for path in files:
        if not path.is_file():
            raise ImportFormatError(path, None, None, "an existing, readable file")
    sha = sha256_of(files)
    existing = versions.find_by_sha(session, spec.system, sha)
    if existing is not None:
        return versions.ImportResult(
            spec.system, existing.version, existing.rows, existing.id, already_loaded=True
        )
    found = spec.version(files)
    row = versions.create(
        session,
        system=spec.system,
        version=version or found.label,
        effective=found.effective,
        source=", ".join(p.name for p in files),
        sha256=sha,
        dated=found.dated,
    )
    rows = chain.from_iterable(spec.rows(p, row.id, RowChecker(p)) for p in files)
    count = insert_rows(session, spec.table, spec.columns, rows, progress)
    if count == 0:
        raise ImportFormatError(files[0], None, None, "at least one data row, found none")
    row.rows = count
    session.flush()
    return versions.ImportResult(spec.system, row.version, count, row.id)


def detect_kind(path: Path) -> str | None:
    """The kind of a code file judged from its content (None when not recognised)."""
    try:
        heads = workbook_head(path) if is_xlsx(path) else _text_head(path)
    except ImportFormatError:
        return None
    if heads and not is_xlsx(path):
        first = heads[0][0] if heads[0] else ""
        for spec in FORMATS.values():
            if spec.recognise_line is not None and spec.recognise_line(first):
                return spec.kind
    for end in range(1, len(heads) + 1):
        for span in range(1, min(end, HEADER_SPAN) + 1):
            header = stacked(heads[end - span : end])
            for spec in FORMATS.values():
                if spec.recognise(header):
                    return spec.kind
    return None


def _text_head(path: Path) -> list[list[str]]:
    text = read_bytes_head(path, 16384).decode("utf-8", errors="replace").lstrip("\ufeff")
    lines = text.splitlines()[:-1] or text.splitlines()
    if not lines:
        return []
    if any(f.recognise_line and f.recognise_line(lines[0]) for f in FORMATS.values()):
        return [[lines[0]]]
    delimiter = "\t" if "\t" in lines[0] else ","
    return list(csv.reader(lines[:20], delimiter=delimiter))


def plan_dir(folder: Path) -> list[tuple[str, list[Path]]]:
    """The imports a folder holds, in a sensible order: (kind, files) per release.

    The same release in two forms (e.g. `X.csv` and `X.xlsx`) is imported once, from the
    text form; the parts of a PTP release in one folder are imported together."""
    found: dict[tuple[str, str], list[Path]] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        kind = detect_kind(path)
        if kind is None:
            continue
        if kind in GROUPED_KINDS:
            key = (kind, str(path.parent))
        else:
            key = (kind, str(path.parent / path.name.split(".")[0]))
        found.setdefault(key, []).append(path)
    plan = []
    for (kind, _), paths in found.items():
        if kind not in GROUPED_KINDS:
            paths = sorted(paths, key=is_xlsx)[:1]
        plan.append((kind, paths))
    return sorted(plan, key=lambda item: KINDS.index(item[0]))
