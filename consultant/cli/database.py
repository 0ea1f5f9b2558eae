"""`consultant db …`: schema migrations."""

import typer

from consultant.cli.context import sessions

app = typer.Typer(help="Database schema.", no_args_is_help=True)


@app.command("upgrade")
def upgrade(revision: str = typer.Argument("head")) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from consultant.db import current_revision
    from consultant.db import upgrade as run_upgrade

    engine = sessions().kw["bind"]
    run_upgrade(engine, revision)
    typer.echo(f"database at revision {current_revision(engine)}")
