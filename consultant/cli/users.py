"""`consultant users …`: coder and lead accounts."""

from __future__ import annotations

import sys

import typer

from consultant.cli.context import fail, print_json, unit_of_work

app = typer.Typer(help="Manage coder and lead accounts.", no_args_is_help=True)


@app.command("add")
def add(
    email: str,
    role: str = typer.Option("coder", "--role", help="coder or lead"),
    name: str = typer.Option("", "--name", help="Display name used in reply signatures."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input."
    ),
) -> None:
    """Add a user. Prompts for a password on a terminal; never waits on a pipe."""
    from consultant.users import add_user

    password: str | None = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            fail("no password on standard input")
    elif sys.stdin.isatty():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with unit_of_work() as session:
        user = add_user(session, email, role=role, password=password, name=name)
        typer.echo(f"added {user.email} ({user.role})" + ("" if password else ", no password yet"))


@app.command("list")
def list_(as_json: bool = typer.Option(False, "--json", help="Print a JSON array.")) -> None:
    """List users."""
    from consultant.users import list_users

    with unit_of_work() as session:
        rows = [
            {"email": u.email, "role": u.role, "active": u.active, "name": u.name}
            for u in list_users(session)
        ]
    if as_json:
        print_json(rows)
        return
    for row in rows:
        typer.echo(f"{row['email']:40} {row['role']:6} {'active' if row['active'] else 'disabled'}")
