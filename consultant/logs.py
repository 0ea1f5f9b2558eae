"""Structured logging: one line per record, JSON or key=value, with ids and never bodies.

Every line carries `ts` (UTC, ISO 8601), `level`, `logger` and `message`, plus the ids
given with `extra=` (`case_id`, `message_id`, …) or bound for a stretch of code with
`log_context(case_id=…)` (the worker binds the case of the task it runs). Only the names in
`FIELDS` are copied from a record, so an `extra=` can never smuggle a message body into a log.
An exception is logged by type and stack frames only: exception texts may quote the input.
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TextIO

# The record attributes a line may carry besides the four standard fields.
FIELDS = (
    "case_id",
    "message_id",
    "draft_id",
    "task",
    "task_id",
    "status",
    "kind",
    "count",
    "duration_ms",
    "attempt",
)
# Libraries that log peers, senders or every migration step at INFO.
QUIET = ("mail.log", "alembic")

# The bound ids, as (name, value) pairs: a context variable's default must be immutable.
_context: ContextVar[tuple[tuple[str, Any], ...]] = ContextVar("consultant_log_ids", default=())


def _bound(**ids: Any) -> tuple[tuple[str, Any], ...]:
    return tuple((dict(_context.get()) | ids).items())


@contextmanager
def log_context(**ids: Any) -> Iterator[None]:
    """Add these ids (names from FIELDS) to every line logged inside the block."""
    token = _context.set(_bound(**ids))
    try:
        yield
    finally:
        _context.reset(token)


def bind(**ids: Any) -> object:
    """Like `log_context`, for code that cannot wrap a block (signal handlers): returns a
    token for `unbind`."""
    return _context.set(_bound(**ids))


def unbind(token: object) -> None:
    _context.reset(token)  # type: ignore[arg-type]


def record_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The fields of one line, in a stable order."""
    fields: dict[str, Any] = {
        "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
        "level": record.levelname,
        "logger": record.name,
        "message": record.getMessage(),
    }
    for name, value in _context.get():
        if name in FIELDS and value is not None:
            fields[name] = value
    for name in FIELDS:
        value = record.__dict__.get(name)
        if value is not None:
            fields[name] = value
    if record.exc_info and record.exc_info[0] is not None:
        fields["error"] = record.exc_info[0].__name__
        frames = traceback.extract_tb(record.exc_info[2])
        fields["stack"] = [f"{f.filename}:{f.lineno} {f.name}" for f in frames]
    return fields


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(record_fields(record), default=str, ensure_ascii=False)


class KeyValueFormatter(logging.Formatter):
    """`ts level logger: message key=value …`, for a person reading a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        fields = record_fields(record)
        head = f"{fields.pop('ts')} {fields.pop('level')} {fields.pop('logger')}: "
        head += fields.pop("message")
        rest = " ".join(f"{k}={json.dumps(v, default=str)}" for k, v in fields.items())
        return f"{head} {rest}" if rest else head


def configure_logging(
    level: int | str = logging.INFO, *, json_lines: bool | None = None, stream: TextIO | None = None
) -> None:
    """Send every logger's records to `stream` (stderr) as structured lines. `json_lines`
    None chooses JSON unless the stream is a terminal."""
    stream = stream or sys.stderr
    if json_lines is None:
        json_lines = not (hasattr(stream, "isatty") and stream.isatty())
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter() if json_lines else KeyValueFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
