"""HTML that reaches a coder's browser from email: sanitised by nh3, or built from escaped text."""

from __future__ import annotations

import nh3
from markupsafe import Markup, escape

# Structure and emphasis only: no style (CSS expressions), no images (tracking, data: SVG),
# no forms or media; links keep http(s)/mailto and get rel=noopener noreferrer.
_TAGS = {
    "a", "b", "blockquote", "br", "code", "dd", "div", "dl", "dt", "em", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "s", "small", "span", "strong",
    "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}


def sanitize_html(html: str) -> Markup:
    """Email HTML reduced to inert structure: safe to place in a page."""
    cleaned = nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
        clean_content_tags={"script", "style", "svg", "math", "title", "noscript", "template"},
    )
    return Markup(cleaned)  # noqa: S704 - nh3 output is the sanitised form


def text_to_html(text: str) -> str:
    """A plain-text reply as simple HTML: escaped, paragraphs at blank lines, line breaks kept."""
    paragraphs = [p for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "\n".join(
        "<p>" + "<br>\n".join(str(escape(line)) for line in p.split("\n")) + "</p>"
        for p in paragraphs
    )
