"""`consultant digest …`: preview and send the weekly digest."""

import typer

app = typer.Typer(help="Preview and send the weekly digest.", no_args_is_help=True)
