"""Rendering a reply from its context, wrapping its text, and checking template overrides."""

from __future__ import annotations

import logging
import textwrap
import threading
import traceback
from pathlib import Path
from typing import Any

from jinja2 import TemplateError, TemplateSyntaxError

from consultant.errors import ConsultantError
from consultant.templating import environment

log = logging.getLogger(__name__)

WRAP_COLUMNS = 72
TEXT_TEMPLATE = "replies/reply.txt.j2"
HTML_TEMPLATE = "replies/reply.html.j2"

_checked: set[Path | None] = set()
_check_lock = threading.Lock()


class TemplateCheckError(ConsultantError):
    """A template (usually an operator's override) does not compile or does not render."""


def render_draft(context: dict[str, Any], *, template_dir: Path | None = None) -> dict[str, Any]:
    """Subject, plain text (wrapped at 72 columns) and HTML of one reply. The first call for a
    template folder in a process checks every template of it (a worker's first use)."""
    if template_dir not in _checked:
        ensure_checked(template_dir)
    env = environment(template_dir)
    text = env.get_template(TEXT_TEMPLATE).render(context)
    html = env.get_template(HTML_TEMPLATE).render(context)
    return {"subject": context["subject"], "text": wrap_text(text), "html": html}


def ensure_checked(template_dir: Path | None) -> None:
    with _check_lock:
        if template_dir in _checked:
            return
        check_templates(template_dir)
        _checked.add(template_dir)


def check_templates(template_dir: Path | None) -> list[str]:
    """Compile every template (overrides first) and render the reply templates against the
    sample case; raise TemplateCheckError naming each broken one. Returns the names checked."""
    from consultant.drafting.context import reply_context
    from consultant.drafting.sample import (
        SAMPLE_ANALYSIS,
        SAMPLE_QUESTION,
        SAMPLE_SUBJECT,
        sample_book,
    )

    if template_dir is not None and not Path(template_dir).is_dir():
        raise TemplateCheckError(f"CONSULTANT_TEMPLATE_DIR {template_dir} is not a folder")
    env = environment(template_dir)
    names = env.list_templates(filter_func=lambda name: name.endswith(".j2"))
    problems = []
    for name in names:
        try:
            env.get_template(name)
        except TemplateSyntaxError as error:
            problems.append(f"{name}, line {error.lineno}: {error.message}")
    if not problems:
        context = reply_context(
            case_id=1,
            requester_name="Sample Requester",
            requester="sample@clinic.example",
            subject=SAMPLE_SUBJECT,
            question_text=SAMPLE_QUESTION,
            question_date="Tue, 07 Apr 2026 13:40:00 -0500",
            analysis=SAMPLE_ANALYSIS,
            book=sample_book(),
        )
        for name in (TEXT_TEMPLATE, HTML_TEMPLATE):
            try:
                env.get_template(name).render(context)
            except TemplateError as error:
                problems.append(f"{_where(error) or name}: {error}")
    if problems:
        where = f" in {template_dir}" if template_dir else ""
        log.error("broken reply templates%s: %d", where, len(problems))
        raise TemplateCheckError(f"broken templates{where}: " + "; ".join(problems))
    return names


def _where(error: BaseException) -> str:
    """'replies/sections/units.txt.j2, line 3': the template frame a render error came from."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename.endswith(".j2")]
    if not frames:
        return ""
    path = Path(frames[-1].filename)
    return f"{path.parent.parent.name}/{path.parent.name}/{path.name}, line {frames[-1].lineno}"


def wrap_text(text: str, width: int = WRAP_COLUMNS) -> str:
    """Wrap every line at `width` columns, keeping its indent, a list bullet's hanging indent
    and a '> ' quote prefix; a single word longer than the width (a URL) stays whole."""
    out = []
    for line in text.splitlines():
        if len(line) <= width:
            out.append(line if line == "-- " else line.rstrip())
            continue
        prefix = ""
        body = line
        while body.startswith(">"):
            prefix += ">"
            body = body[1:]
            if body.startswith(" "):
                prefix += " "
                body = body[1:]
        stripped = body.lstrip()
        indent = prefix + body[: len(body) - len(stripped)]
        hang = indent
        for bullet in ("- ", "* ", "• "):
            if stripped.startswith(bullet):
                hang = indent + " " * len(bullet)
                break
        wrapped = textwrap.wrap(
            stripped,
            width=width,
            initial_indent=indent,
            subsequent_indent=hang,
            break_long_words=False,
            break_on_hyphens=False,
        )
        out.extend(wrapped or [prefix.rstrip()])
    return "\n".join(out) + "\n"
