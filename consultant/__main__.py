"""Allows `python -m consultant …` as an alias of the `consultant` command."""

from consultant.cli import main

main()
