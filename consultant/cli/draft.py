"""`consultant draft FILE`: the reply this product would write, without storing anything."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from consultant.cli.context import codebook, fail, print_json, settings


def _codebook():  # noqa: ANN202 - a CodeBook, or None while no code set is loaded
    """The loaded code sets, read-only; None when the database has none (or no database)."""
    try:
        book = codebook()
    except Exception as error:  # noqa: BLE001 - drafting still works without code sets
        typer.secho(f"note: no code sets loaded ({type(error).__name__})", err=True)
        return None
    return book if book.versions() else None


def register(app: typer.Typer) -> None:
    """Adds the `draft` command."""

    @app.command("draft")
    def draft(
        path: str = typer.Argument(..., help="An RFC 5322 message (.eml), or - for stdin."),
        as_html: bool = typer.Option(False, "--html", help="Print the HTML part."),
        as_json: bool = typer.Option(
            False, "--json", help="Print subject, text, html and reviewer_notes as JSON."
        ),
    ) -> None:
        """Print the draft reply for one message (nothing is stored)."""
        from consultant.analysis.analyze import analyze_message
        from consultant.drafting import draft_reply, reply_context
        from consultant.mail.parse import parse_message

        try:
            raw = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
        except OSError as error:
            fail(f"cannot read {path}: {error.strerror or error}", 2)
        parsed = parse_message(raw)
        book = _codebook()
        analysis = analyze_message(parsed.subject, parsed.reply, book).to_json()
        context = reply_context(
            case_id=None,
            requester_name=parsed.from_name,
            requester=parsed.from_address,
            subject=parsed.subject,
            question_text=parsed.reply,
            question_date=parsed.date,
            analysis=analysis,
            book=book,
        )
        result = draft_reply(context, analysis, template_dir=settings().template_dir)
        if as_json:
            print_json({key: result[key] for key in ("subject", "text", "html", "reviewer_notes")})
        elif as_html:
            typer.echo(result["html"], nl=False)
        else:
            typer.echo(f"Subject: {result['subject']}\n\n{result['text']}", nl=False)
