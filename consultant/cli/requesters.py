"""`consultant requesters …`: the clients the desk serves."""

from __future__ import annotations

import typer

from consultant.cli.context import print_json, unit_of_work

app = typer.Typer(
    help="Register the clients (addresses or domains) the desk serves.", no_args_is_help=True
)


@app.command("add")
def add(
    pattern: str = typer.Argument(..., help="An address, or a whole domain as @clinic.example."),
    name: str = typer.Option("", "--name", help="The client's name."),
    monthly_quota: int | None = typer.Option(
        None, "--monthly-quota", min=0, help="Questions per calendar month (default: no limit)."
    ),
) -> None:
    """Register a requester."""
    from consultant.requesters import add_requester

    with unit_of_work() as session:
        requester = add_requester(session, pattern, name=name, monthly_quota=monthly_quota)
        typer.echo(f"registered {requester.pattern}")


@app.command("list")
def list_(as_json: bool = typer.Option(False, "--json", help="Print a JSON array.")) -> None:
    """List registered requesters with this month's question counts."""
    from consultant.requesters import list_requesters, questions_this_month

    with unit_of_work() as session:
        rows = [
            {
                "pattern": r.pattern,
                "name": r.name,
                "monthly_quota": r.monthly_quota,
                "questions_this_month": questions_this_month(session, r.pattern)
                if not r.pattern.startswith("@")
                else None,
            }
            for r in list_requesters(session)
        ]
    if as_json:
        print_json(rows)
        return
    if not rows:
        typer.echo("no requesters registered")
    for row in rows:
        quota = "no limit" if row["monthly_quota"] is None else f"quota {row['monthly_quota']}"
        used = (
            ""
            if row["questions_this_month"] is None
            else f", {row['questions_this_month']} this month"
        )
        typer.echo(f"{row['pattern']:40} {row['name'][:30]:30} {quota}{used}")
