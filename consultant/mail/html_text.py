"""HTML mail → readable text, with lists and tables kept and quoted history set apart."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

_SKIP = {"script", "style", "head", "title", "template", "noscript", "xml", "svg", "object"}
_VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr",
}  # fmt: skip
_PARAGRAPH = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "pre", "blockquote", "ul", "ol"}
_LINE = {
    "div", "tr", "li", "dl", "dt", "dd", "section", "article", "header", "footer", "address",
    "center", "form", "fieldset", "figure", "caption", "tbody", "thead", "tfoot", "body",
}  # fmt: skip
# Class names (or parts of them, as webmail prefixes them: "x_gmail_quote") of elements
# that hold quoted history.
_QUOTE_CLASSES = (
    "gmail_quote", "gmail_attr", "yahoo_quoted", "moz-cite-prefix", "protonmail_quote",
    "zmail_extra", "tutanota_quote", "replyheader",
)  # fmt: skip
# Ids of elements from which everything to the end of the message is quoted history.
_CUT_IDS = (
    "divrplyfwdmsg", "olk_src_body_section", "appendonsend", "stopspelling",
    "mail-editor-reference-message-container", "reply-intro", "isforwardcontent",
)  # fmt: skip
_BORDER_TOP = re.compile(r"border-top\s*:\s*solid")
_HIDDEN = re.compile(r"display\s*:\s*none")
_SPACES = re.compile(r"[ \t\r\n\f\v\xa0\u200b\u200c\u200d\ufeff]+")


@dataclass(frozen=True)
class HtmlText:
    text: str  # everything, blockquoted parts prefixed with "> "
    reply: str  # only what is outside quoted history
    quoted: str  # the quoted history


class _Renderer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[tuple[int, bool, str]] = []  # (blockquote depth, quoted, line)
        self._line: list[str] = []
        self._stack: list[tuple[str, bool, bool]] = []  # (tag, opens quote, hides)
        self._lists: list[list[int]] = []  # per open list: [next number] or [] for bullets
        self._cells = 0
        self._pre = 0
        self._cut = False
        self._pending_blank = False

    # -- state ---------------------------------------------------------------------------
    def _quote_depth(self) -> int:
        return sum(1 for _, quote, _ in self._stack if quote)

    def _hidden(self) -> bool:
        return any(hide for _, _, hide in self._stack)

    def _flush(self, *, force: bool = False) -> None:
        line = "".join(self._line).rstrip()
        self._line = []
        if line or force:
            if self._pending_blank and self.lines and self.lines[-1][2]:
                self.lines.append((self._quote_depth(), self._quoted(), ""))
            self._pending_blank = False
            self.lines.append((self._quote_depth(), self._quoted(), line))

    def _quoted(self) -> bool:
        return self._cut or self._quote_depth() > 0

    def _paragraph(self) -> None:
        self._flush()
        self._pending_blank = True

    def _write(self, text: str) -> None:
        if self._hidden():
            return
        if not self._pre:
            text = _SPACES.sub(" ", text)
            if not "".join(self._line).strip() or "".join(self._line).endswith(" "):
                text = text.lstrip(" ")
        if text:
            self._line.append(text)

    # -- parser callbacks ----------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {name.lower(): (value or "") for name, value in attrs}
        classes, ident = attr.get("class", "").lower(), attr.get("id", "").lower()
        style = attr.get("style", "").lower()
        if tag == "br":
            self._flush(force=True)
            return
        if tag == "hr":
            self._flush()
            if ident in _CUT_IDS or attr.get("tabindex") == "-1":
                self._cut = True
            elif not self._hidden():
                self.lines.append((self._quote_depth(), self._quoted(), "---"))
            return
        if tag == "img":
            return
        if tag in _VOID:
            return
        opens_quote = tag == "blockquote" or any(name in classes for name in _QUOTE_CLASSES)
        if any(cut in ident for cut in _CUT_IDS) or (
            tag in ("div", "p") and _BORDER_TOP.search(style.replace(" ", "").replace(":", ": "))
        ):
            self._flush()
            self._cut = True
        hides = tag in _SKIP or bool(_HIDDEN.search(style))
        if opens_quote or (tag in _PARAGRAPH and not (tag in ("ul", "ol") and self._lists)):
            self._paragraph()
        elif tag in _LINE or tag in ("ul", "ol"):
            self._flush()
        self._stack.append((tag, opens_quote, hides))
        if tag == "pre":
            self._pre += 1
        elif tag in ("ul", "ol"):
            self._lists.append([1] if tag == "ol" else [])
        elif tag == "li":
            self._list_item()
        elif tag == "tr":
            self._cells = 0
        elif tag in ("td", "th"):
            if self._cells:
                self._write(" | ")
            self._cells += 1

    def _list_item(self) -> None:
        indent = "  " * max(len(self._lists) - 1, 0)
        if self._lists and self._lists[-1]:
            number = self._lists[-1][0]
            self._lists[-1][0] += 1
            marker = f"{number}. "
        else:
            marker = "- "
        self._flush()
        if not self._hidden():
            self._line.append(indent + marker)

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or not any(open_tag == tag for open_tag, _, _ in self._stack):
            return
        while self._stack:
            open_tag, opens_quote, _ = self._stack[-1]
            self._close(open_tag, opens_quote)
            if open_tag == tag:
                break

    def _close(self, tag: str, opens_quote: bool) -> None:
        if opens_quote or (
            tag in _PARAGRAPH and not (tag in ("ul", "ol") and len(self._lists) > 1)
        ):
            self._paragraph()
        elif tag in _LINE or tag in ("ul", "ol"):
            self._flush()
        self._stack.pop()
        if tag == "pre":
            self._pre = max(self._pre - 1, 0)
        elif tag in ("ul", "ol") and self._lists:
            self._lists.pop()

    def handle_data(self, data: str) -> None:
        self._write(data)

    def close(self) -> None:
        super().close()
        self._flush()


def _join(lines: list[str]) -> str:
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


def html_to_text(html: str) -> HtmlText:
    """Render HTML as plain text; keep quoted history apart from the writer's own text."""
    renderer = _Renderer()
    try:
        renderer.feed(html)
        renderer.close()
    except (AssertionError, ValueError, IndexError):  # html.parser on hopeless markup
        renderer._flush()
    everything, reply, quoted = [], [], []
    for depth, is_quoted, line in renderer.lines:
        everything.append(("> " * depth + line).rstrip() if depth else line)
        (quoted if is_quoted else reply).append(line)
    return HtmlText(_join(everything), _join(reply), _join(quoted))


def looks_like_html(text: str) -> bool:
    """Whether a bare body is HTML: it starts with a tag or a doctype."""
    head = text.lstrip()[:200].lower()
    return head.startswith(
        (
            "<!doctype",
            "<html",
            "<?xml",
            "<head",
            "<body",
            "<div",
            "<p",
            "<meta",
            "<table",
            "<span",
            "<br",
            "<font",
            "<blockquote",
            "<!--",
        )
    )
