"""Drafting: a case's analysis → the reply a coder reviews (plain text and HTML, via Jinja2)."""

from consultant.drafting.context import DESK_SIGNATURE, reply_context, signature
from consultant.drafting.history import answered_cases, earlier_codes, keywords, similar_cases
from consultant.drafting.render import (
    WRAP_COLUMNS,
    TemplateCheckError,
    check_templates,
    render_draft,
    wrap_text,
)
from consultant.drafting.reply import annotate, draft_reply, sign_reply
from consultant.drafting.review import reviewer_notes

__all__ = [
    "DESK_SIGNATURE",
    "WRAP_COLUMNS",
    "TemplateCheckError",
    "annotate",
    "answered_cases",
    "check_templates",
    "draft_reply",
    "earlier_codes",
    "keywords",
    "render_draft",
    "reply_context",
    "reviewer_notes",
    "sign_reply",
    "signature",
    "similar_cases",
    "wrap_text",
]
