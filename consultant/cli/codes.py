"""`consultant codes …`: load, import, look up and search code sets.

JSON forms (stable): `status --json` → {"versions": [{system, version, effective, dated,
source, sha256, rows, loaded_at, in_force}]}; `show --json` → the object described in
consultant.codes.report.code_json; `search --json` → {"query", "hits": [{system, code, title,
score, billable, matched}]}; `import`/`load` `--json` → {"imports": [{system, version, rows,
version_id, already_loaded}]}; `import-dir --json` adds "failures": [{kind, files, error}]
(exit status 1 when it is not empty).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from consultant.cli.context import codebook, fail, print_json, unit_of_work

if TYPE_CHECKING:
    from consultant.codes.book import MemoryCodeBook
    from consultant.codes.bulk import Progress

app = typer.Typer(help="Load, import, look up and search code sets.", no_args_is_help=True)


@contextmanager
def _progress(label: str) -> Iterator[Progress]:
    """A rich progress display on stderr showing rows and rows/s."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, ProgressColumn, TextColumn, TimeElapsedColumn
    from rich.text import Text

    class RowsPerSecond(ProgressColumn):
        def render(self, task) -> Text:  # noqa: ANN001 - rich's Task
            return Text(f"{task.speed or 0:,.0f} rows/s")

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,.0f} rows"),
        RowsPerSecond(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)
        yield lambda count: bar.advance(task, count)


def _refresh_book() -> None:
    """Drop cached books and build the snapshot of what is now in force."""
    from consultant.codes.book import invalidate

    invalidate()
    codebook()


def _book() -> MemoryCodeBook:
    return codebook()


def _report(results: list, as_json: bool) -> None:
    if as_json:
        print_json({"imports": [r.to_json() for r in results]})
        return
    for r in results:
        state = "already loaded" if r.already_loaded else f"{r.rows:,} rows"
        typer.echo(f"{r.system} {r.version}: {state}")


@app.command("load")
def load(
    what: str = typer.Argument(..., help="What to load: icd10cm"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Load ICD-10-CM (codes, notes, 7th characters) from the simple-icd-10-cm package."""
    if what != "icd10cm":
        fail(f"cannot load {what!r}; only icd10cm (use `codes import` for CMS files)")
    from consultant.codes.loaders import load_icd10cm

    with _progress("ICD-10-CM") as progress, unit_of_work() as session:
        result = load_icd10cm(session, progress)
    _refresh_book()
    _report([result], as_json)


@app.command("import")
def import_(
    kind: str = typer.Argument(
        ..., help="icd10pcs, hcpcs, addon, ptp, mue, pfs, cpt, icd10cm-index, icd10cm-addenda"
    ),
    files: list[Path] = typer.Argument(..., help="The file(s) of one release"),
    version: str | None = typer.Option(None, help="Version label instead of the detected one"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Import one release of a code file (several files only for the parts of one PTP release)."""
    from consultant.codes.importers import import_files

    with _progress(kind) as progress, unit_of_work() as session:
        result = import_files(session, kind, files, progress=progress, version=version)
    _refresh_book()
    _report([result], as_json)


@app.command("import-dir")
def import_dir(
    folder: Path = typer.Argument(..., help="A folder such as shared/data/cms"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Detect and import every recognised code file in a folder, each in its own transaction.

    A bad file does not stop the others: every good file is imported, every bad one is
    reported with its error, and the exit status is 1 when any failed."""
    from sqlalchemy.exc import SQLAlchemyError

    from consultant.cli.context import sessions
    from consultant.codes.importers import import_files, plan_dir
    from consultant.db import transaction
    from consultant.errors import ConsultantError

    if not folder.is_dir():
        fail(f"{folder} is not a folder")
    results, failures = [], []
    for kind, files in plan_dir(folder):
        try:
            with (
                _progress(f"{kind} {files[0].name}") as progress,
                transaction(sessions()) as session,
            ):
                results.append(import_files(session, kind, files, progress=progress))
        except (ConsultantError, SQLAlchemyError) as exc:
            failures.append(
                {"kind": kind, "files": [str(p) for p in files], "error": str(exc).strip()}
            )
    _refresh_book()
    if as_json:
        print_json({"imports": [r.to_json() for r in results], "failures": failures})
    else:
        _report(results, False)
        for failure in failures:
            typer.secho(
                f"failed {failure['kind']} {', '.join(failure['files'])}: {failure['error']}",
                fg=typer.colors.RED,
                err=True,
            )
    if failures:
        raise typer.Exit(1)


@app.command("status")
def status(as_json: bool = typer.Option(False, "--json")) -> None:
    """List every loaded version; the ones in force are marked."""
    from consultant.codes import versions
    from consultant.codes.report import version_json

    with unit_of_work() as session:
        rows = versions.all_versions(session)
        current = {row.id for row in versions.in_force(session).values()}
        data = [version_json(row, row.id in current) for row in rows]
    if as_json:
        print_json({"versions": data})
        return
    if not data:
        typer.echo("No code sets loaded. Try: consultant codes load icd10cm")
    for item in data:
        mark = "*" if item["in_force"] else " "
        typer.echo(
            f"{mark} {item['system']:<16} {item['version']:<12} {item['rows']:>10,} rows  "
            f"{item['source']}"
        )


@app.command("show")
def show(
    code: str = typer.Argument(...),
    system: str | None = typer.Option(None, help="ICD-10-CM, CPT, HCPCS, ICD-10-PCS, modifier"),
    on: str | None = typer.Option(None, help="Date of service, YYYY-MM-DD"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Everything known about one code."""
    from consultant.codes.report import code_json, find_code

    day = _date(on)
    book = _book()
    info = find_code(book, code, system, day)
    if info is None:
        fail(f"{code} is not in the loaded code sets", 3)
    data = code_json(book, info)
    if as_json:
        print_json(data)
        return
    typer.echo(f"{data['code']} ({data['system']}): {data['title'] or '(descriptor not loaded)'}")
    for key in ("billable", "parent", "effective", "end"):
        if data[key] not in (None, ""):
            typer.echo(f"  {key}: {data[key]}")
    if data["replaced_by"]:
        typer.echo(f"  replaced by: {', '.join(data['replaced_by'])}")
    if data["children"]:
        typer.echo(f"  children: {', '.join(data['children'])}")
    for note in data["notes"]:
        typer.echo(f"  {note['kind']} [{note['source_code']}]: {note['text']}")
    for key in ("seventh_character", "addon", "mue", "pfs"):
        if data[key]:
            typer.echo(f"  {key}: {data[key]}")


@app.command("search")
def search(
    text: str = typer.Argument(...),
    system: str | None = typer.Option(None),
    limit: int = typer.Option(10, min=1, max=100),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Codes whose titles, inclusion terms or index entries best match TEXT."""
    from consultant.codes.report import hit_json

    hits = _book().search(text, system=system, limit=limit)
    if as_json:
        print_json({"query": text, "hits": [hit_json(h) for h in hits]})
        return
    for hit in hits:
        flag = "" if hit.billable is not False else "  (not billable)"
        typer.echo(f"{hit.code:<9} {hit.score:7.2f}  {hit.title}{flag}")


def _date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"--on {text!r}: expected a date such as 2026-04-01", 2)
