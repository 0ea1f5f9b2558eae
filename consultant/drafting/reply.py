"""A whole draft: rendered reply, reviewer notes, and the analysis annotated for later cases."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from consultant.drafting.context import DESK_SIGNATURE
from consultant.drafting.render import render_draft
from consultant.drafting.review import reviewer_notes
from consultant.templating import environment


def draft_reply(
    context: dict[str, Any],
    analysis: dict[str, Any],
    *,
    template_dir: Path | None = None,
    similar: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """{subject, text, html, reviewer_notes} for one reply context."""
    notes_context = context | {"similar": list(similar)}
    return render_draft(context, template_dir=template_dir) | {
        "reviewer_notes": reviewer_notes(analysis, notes_context)
    }


def annotate(
    analysis: dict[str, Any],
    context: dict[str, Any],
    *,
    similar: Sequence[Mapping[str, Any]] = (),
    keywords: Sequence[str] = (),
) -> dict[str, Any]:
    """The analysis as stored with the draft: plus the similar past answers, and what
    drafting added (the shapes answered, codes named from the code book, the wording)."""
    return analysis | {
        "similar": [dict(item) for item in similar],
        "drafting": {
            "shapes": list(context["shapes"]),
            "related_codes": list(context["related"]),
            "keywords": list(keywords),
        },
    }


def sign_reply(
    text: str,
    html: str,
    signer: Mapping[str, Any],
    *,
    previous: Mapping[str, Any] | None = None,
    template_dir: Path | None = None,
) -> tuple[str, str]:
    """Put the approving coder's signature block in place of the desk's placeholder (or of
    `previous`); text the coder edited away is left as it is."""
    env = environment(template_dir)
    old = {"signature": dict(previous or DESK_SIGNATURE)}
    new = {"signature": dict(signer)}
    for_text = env.get_template("replies/signature.txt.j2")
    for_html = env.get_template("replies/signature.html.j2")
    text = text.replace(for_text.render(old).strip(), for_text.render(new).strip(), 1)
    html = html.replace(for_html.render(old).strip(), for_html.render(new).strip(), 1)
    return text, html
