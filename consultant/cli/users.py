"""`consultant users …`: coder and lead accounts, password links and API tokens."""

from __future__ import annotations

import sys

import typer

from consultant.cli.context import fail, print_json, settings, unit_of_work

app = typer.Typer(help="Manage coder and lead accounts.", no_args_is_help=True)


def _console_url() -> str:
    config = settings()
    return (config.public_url or f"http://{config.web_host}:{config.web_port}").rstrip("/")


@app.command("add")
def add(
    email: str,
    role: str = typer.Option("coder", "--role", help="coder or lead"),
    name: str = typer.Option("", "--name", help="Display name used in reply signatures."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input."
    ),
) -> None:
    """Add a user. Prompts for a password on a terminal; otherwise (and never waiting on a
    pipe) prints a one-time link where the user sets it."""
    from consultant.users import add_user, issue_password_link, set_password

    password: str | None = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            fail("no password on standard input")
    elif sys.stdin.isatty():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with unit_of_work() as session:
        user = add_user(session, email, role=role, name=name)
        if password:
            set_password(session, user, password)
            typer.echo(f"added {user.email} ({user.role})")
        else:
            token = issue_password_link(session, user)
            typer.echo(f"added {user.email} ({user.role}), no password yet")
            typer.echo(f"set it once at: {_console_url()}/set-password/{token}")


@app.command("link")
def link(email: str) -> None:
    """Print a new one-time link to set (or reset) a user's password."""
    from consultant.users import get_user, issue_password_link

    with unit_of_work() as session:
        token = issue_password_link(session, get_user(session, email))
    typer.echo(f"{_console_url()}/set-password/{token}")


@app.command("disable")
def disable(email: str) -> None:
    """Disable a user: sessions end, API tokens stop working, history stays."""
    from consultant.users import disable_user, get_user

    with unit_of_work() as session:
        user = get_user(session, email)
        disable_user(session, user)
    typer.echo(f"disabled {user.email}")


@app.command("token")
def token(
    email: str, name: str = typer.Option("", "--name", help="What the token is for.")
) -> None:
    """Create an API token for the JSON API and print it (it is shown only once)."""
    from consultant.users import get_user, issue_api_token

    with unit_of_work() as session:
        user = get_user(session, email)
        if not user.active:
            fail(f"{user.email} is disabled")
        secret = issue_api_token(session, user, name=name)
    typer.echo(secret)


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
