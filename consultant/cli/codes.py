"""`consultant codes …`: load, import, look up and search code sets."""

import typer

app = typer.Typer(help="Load, import, look up and search code sets.", no_args_is_help=True)
