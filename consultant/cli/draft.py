"""`consultant draft FILE`: the reply this product would write, without storing anything."""

import typer


def register(app: typer.Typer) -> None:
    """Adds the `draft` command."""
