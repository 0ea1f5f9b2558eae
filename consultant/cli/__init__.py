"""The `consultant` command: one entry point for operators, coders and scripts."""

from __future__ import annotations

import sys

import typer

HELP = "An email desk for medical-coding questions."


def _new_app() -> typer.Typer:
    return typer.Typer(
        name="consultant",
        help=HELP,
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )


def build_app() -> typer.Typer:
    """The whole command tree (each group imports its heavy modules only when it runs)."""
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

    app = _new_app()
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
    return app


def main() -> None:
    # `consultant analyze` is run once per message by scripts and scorers: build only its
    # own command so that start-up stays short.
    if len(sys.argv) > 1 and sys.argv[1] == "analyze":
        from consultant.cli import analyze

        app = _new_app()
        analyze.register(app)
        app(args=sys.argv[2:], prog_name="consultant analyze")
        return
    build_app()()
