"""`consultant stats`: the counts an operator checks after an incident."""

import typer

from consultant.cli.context import print_json, unit_of_work


def register(app: typer.Typer) -> None:
    @app.command("stats")
    def stats(as_json: bool = typer.Option(False, "--json", help="Print one JSON object.")) -> None:
        """Messages by kind (and refused duplicates), replies sent, cases by status."""
        from consultant.stats import intake_stats

        with unit_of_work() as session:
            figures = intake_stats(session)
        if as_json:
            print_json(figures)
            return
        typer.echo("messages in: " + ", ".join(f"{k} {v}" for k, v in figures["messages"].items()))
        typer.echo(f"replies sent: {figures['sent']}")
        typer.echo("cases: " + ", ".join(f"{k} {v}" for k, v in sorted(figures["cases"].items())))
