"""`consultant mail …`: inspect how a message is parsed."""

import typer

app = typer.Typer(help="Inspect how messages are parsed.", no_args_is_help=True)
