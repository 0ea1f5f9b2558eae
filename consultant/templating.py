"""The one Jinja2 environment: package templates, overridable from an operator's folder."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape


def package_templates_dir() -> Path:
    """templates/ beside the package in a checkout, or share/consultant/templates when installed."""
    beside = Path(__file__).resolve().parents[1] / "templates"
    if beside.is_dir():
        return beside
    return Path(sys.prefix) / "share" / "consultant" / "templates"


@cache
def environment(override_dir: Path | None = None) -> Environment:
    loaders = [FileSystemLoader(str(override_dir))] if override_dir else []
    loaders.append(FileSystemLoader(str(package_templates_dir())))
    return Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
