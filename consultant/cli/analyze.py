"""`consultant analyze FILE --json`: the analysis contract, runnable from outside."""

from __future__ import annotations

import sys
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def analyze(
        path: str = typer.Argument(..., help="An RFC 5322 message, or - for standard input."),
        as_json: bool = typer.Option(False, "--json", help="Print the contract's JSON."),
    ) -> None:
        """Analyse one message (PATH or - for standard input)."""
        raw = _read(path)
        from consultant.analysis.message import analyze_raw

        analysis = analyze_raw(raw, _codebook())
        if as_json:
            from consultant.cli.context import print_json

            print_json(analysis.to_json())
        else:
            _summary(analysis.to_json())


def _read(path: str) -> bytes:
    try:
        return sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        typer.echo(f"error: cannot read {path}: {exc.strerror or exc}", err=True)
        raise typer.Exit(2) from None


def _codebook():  # noqa: ANN202 - CodeBook | None, imported lazily
    """The loaded code sets, or None when the database has none (never an exception)."""
    from consultant.cli.context import codebook

    try:
        return codebook()
    except Exception as exc:  # noqa: BLE001 - no schema or no code sets: analyse without them
        typer.echo(f"warning: analysing without code sets ({type(exc).__name__})", err=True)
        return None


def _summary(data: dict) -> None:
    out = typer.echo
    out("Codes:")
    for code in data["codes"]:
        known = {True: "known", False: "NOT FOUND", None: "not checked"}[code["known"]]
        extra = ""
        if code.get("modifiers"):
            extra += " -" + "-".join(code["modifiers"])
        if code.get("units"):
            extra += f" x{code['units']}"
        title = f"  {code['title']}" if code.get("title") else ""
        out(f"  {code['system']:<10} {code['code']}{extra}  [{known}]{title}")
    if data["modifiers"]:
        out("Modifiers: " + ", ".join(m["code"] for m in data["modifiers"]))
    out("Findings:" if data["findings"] else "Findings: none")
    for finding in data["findings"]:
        out(f"  [{finding['severity']}] {finding['kind']}: {finding['message']}")
    for suggestion in data["suggestions"]:
        best = ", ".join(f"{c['code']} {c['title']}" for c in suggestion["candidates"][:3])
        out(f"Suggested for '{suggestion['for']}': {best}")
    if data["code_sets"]:
        out("Code sets: " + ", ".join(f"{k} {v}" for k, v in sorted(data["code_sets"].items())))
