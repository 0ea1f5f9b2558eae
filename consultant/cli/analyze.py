"""`consultant analyze FILE --json`: the analysis contract, runnable from outside."""

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def analyze(path: str, as_json: bool = typer.Option(False, "--json")) -> None:
        """Analyse one message (PATH or - for standard input)."""
