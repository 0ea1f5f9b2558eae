"""The `consultant` command: one entry point for operators, coders and scripts."""

from __future__ import annotations

import typer

from consultant.cli import (
    analyze,
    cases,
    codes,
    database,
    digest,
    draft,
    mail,
    operations,
    requesters,
    serve,
    stats,
    users,
)

app = typer.Typer(
    name="consultant",
    help="An email desk for medical-coding questions.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(cases.app, name="cases")
app.add_typer(users.app, name="users")
app.add_typer(database.app, name="db")
app.add_typer(codes.app, name="codes")
app.add_typer(mail.app, name="mail")
app.add_typer(digest.app, name="digest")
app.add_typer(requesters.app, name="requesters")
analyze.register(app)
draft.register(app)
serve.register(app)
stats.register(app)
operations.register(app)


def main() -> None:
    app()
