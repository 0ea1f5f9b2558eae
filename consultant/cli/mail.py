"""`consultant mail …`: inspect how a message is parsed."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from consultant.mail.parse import ParsedMessage, parse_message

app = typer.Typer(help="Inspect how messages are parsed.", no_args_is_help=True)

_JSON_KEYS = (
    "message_id", "from", "to", "cc", "subject", "date", "in_reply_to", "references", "kind",
    "reasons", "text", "reply", "quoted", "signature", "attachments", "html", "defects",
    "body_sha256", "date_utc", "from_address", "from_name",
)  # fmt: skip


def _read(file: str) -> bytes:
    if file == "-":
        return sys.stdin.buffer.read()
    return Path(file).read_bytes()


def message_json(parsed: ParsedMessage) -> dict:
    """The JSON object `consultant mail parse --json` prints."""
    data = parsed.to_json()
    return {key: data[key] for key in _JSON_KEYS}


def _summary(parsed: ParsedMessage) -> str:
    sender = (
        f"{parsed.from_name} <{parsed.from_address}>" if parsed.from_name else parsed.from_address
    )
    lines = [
        f"From:     {sender}",
        f"To:       {', '.join(parsed.to)}",
        f"Subject:  {parsed.subject}",
        f"Date:     {parsed.date}",
        f"Kind:     {parsed.kind}" + (f" ({'; '.join(parsed.reasons)})" if parsed.reasons else ""),
    ]
    if parsed.attachments:
        names = ", ".join(
            f"{a.filename or '(unnamed)'} [{a.content_type}, {a.size} B]"
            for a in parsed.attachments
        )
        lines.append(f"Attached: {names}")
    if parsed.defects:
        lines.append(f"Defects:  {'; '.join(parsed.defects)}")
    lines += ["", "--- reply ---", parsed.reply]
    if parsed.signature:
        lines += ["--- signature ---", parsed.signature]
    if parsed.quoted:
        lines.append(f"--- quoted: {len(parsed.quoted.splitlines())} lines ---")
    return "\n".join(lines)


@app.command("parse")
def parse(
    file: str = typer.Argument(..., help="A message file (RFC 5322 or a bare body), or '-'."),
    as_json: bool = typer.Option(False, "--json", help="Print every field as one JSON object."),
) -> None:
    """Parse one message and show its headers, kind, reply, quote and signature."""
    try:
        raw = _read(file)
    except OSError as error:
        typer.echo(f"cannot read {file}: {error.strerror}", err=True)
        raise typer.Exit(2) from error
    parsed = parse_message(raw)
    if as_json:
        typer.echo(json.dumps(message_json(parsed), ensure_ascii=False))
    else:
        typer.echo(_summary(parsed))
