"""Overrides, start-up checks, form (wrapping, order, subject, greeting) and escaping."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from consultant.drafting import (
    TemplateCheckError,
    check_templates,
    draft_reply,
    sign_reply,
    signature,
    wrap_text,
)
from consultant.drafting.context import greeting_name, reply_subject
from tests.drafting.conftest import CASES, context_of, draft_of, load_case

REPO = Path(__file__).resolve().parents[2]


def test_package_templates_pass_the_check() -> None:
    names = check_templates(None)
    assert "replies/reply.txt.j2" in names and "replies/sections/units.html.j2" in names


def test_override_replaces_one_section(tmp_path: Path, book) -> None:  # noqa: ANN001
    (tmp_path / "replies" / "sections").mkdir(parents=True)
    (tmp_path / "replies" / "sections" / "lookup.txt.j2").write_text(
        "OUR OWN LOOKUP: {{ section['items'] | map(attribute='code') | join(', ') }}\n"
    )
    check_templates(tmp_path)
    draft = draft_reply(context_of(load_case("lookup-m545"), book), {}, template_dir=tmp_path)
    assert "OUR OWN LOOKUP: M54.5" in draft["text"]
    assert "IS THE CODE VALID?" not in draft["text"]
    assert "Is the code valid?" in draft["html"]  # the HTML section is still the package's


@pytest.mark.parametrize(
    "body",
    ["{% if greeting_name %}unclosed", "{{ no_such_variable }}", "{{ section.nope.deeper }}"],
)
def test_broken_override_is_reported(tmp_path: Path, body: str) -> None:
    (tmp_path / "replies" / "sections").mkdir(parents=True)
    (tmp_path / "replies" / "sections" / "units.txt.j2").write_text(body)
    with pytest.raises(TemplateCheckError, match="units.txt.j2|undefined"):
        check_templates(tmp_path)


def test_broken_override_stops_smtp_start_up(tmp_path: Path) -> None:
    (tmp_path / "replies").mkdir()
    (tmp_path / "replies" / "reply.html.j2").write_text("{% for x in %}")
    env = os.environ | {
        "CONSULTANT_TEMPLATE_DIR": str(tmp_path),
        "CONSULTANT_DATA_DIR": str(tmp_path / "var"),
    }
    run = subprocess.run(
        [sys.executable, "-m", "consultant", "smtp"],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 2
    assert "reply.html.j2" in run.stderr


@pytest.mark.parametrize("name", CASES)
def test_form(name: str, book) -> None:  # noqa: ANN001
    case = load_case(name)
    draft = draft_of(case, book)
    text = draft["text"]
    assert all(len(line) <= 72 for line in text.splitlines()), "text is wrapped at 72"
    assert draft["subject"].startswith("Re: ") and draft["subject"].endswith("[Case #3]")
    assert draft["subject"].count("Re:") == 1 and draft["subject"].count("[Case #") == 1
    assert text.startswith("Hello ")
    order = ["CAUTIONS", "REFERENCES", "\n-- \nThe Coding Desk", " wrote:\n> "]
    if case["analysis"]["codes"]:
        order.insert(0, "DETAILS: THE CODES IN YOUR QUESTION")
    positions = [text.index(marker) for marker in order]
    assert positions == sorted(positions)
    has_cpt = any(c["system"] == "CPT" for c in case["analysis"]["codes"])
    assert ("American Medical Association" in text) == has_cpt
    assert ("American Medical Association" in draft["html"]) == has_cpt
    html = draft["html"]
    assert html.index("Cautions") < html.index("References") < html.index('class="signature"')


def test_question_markup_is_escaped(book) -> None:  # noqa: ANN001
    draft = draft_of(load_case("escaping"), book)
    html = draft["html"]
    assert "<script>" not in html and "<img" not in html and "<b>bold" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "M54.5 &lt;is&gt; a heading &amp; not billable." in html
    assert "{{ subject }}" in draft["text"]  # the writer's braces are quoted, not rendered


def test_subject_and_greeting() -> None:
    assert reply_subject("RE: Re: Fwd: knee [Case #9]", 9) == "Re: knee [Case #9]"
    assert reply_subject("", 4) == "Re: your coding question [Case #4]"
    assert greeting_name("Renee Caldwell") == "Renee"
    assert greeting_name("Caldwell, Renee") == "Renee"
    assert greeting_name("Dr. Anil Patel") == "Dr. Patel"
    assert greeting_name("") == ""


def test_wrap_keeps_quote_prefix_and_bullets() -> None:
    text = wrap_text("> " + "word " * 30 + "\n- " + "item " * 30 + "\n-- \n")
    lines = text.splitlines()
    assert all(len(line) <= 72 for line in lines)
    assert all(line.startswith(">") for line in lines[:3])
    assert any(line.startswith("  item") for line in lines)
    assert "-- " in lines


def test_approving_coder_signs(book) -> None:  # noqa: ANN001
    draft = draft_of(load_case("lookup-m545"), book)
    coder = signature("Maria Chen", "Maria Chen, CPC\nCoding Desk, Lakeview")
    text, html = sign_reply(draft["text"], draft["html"], coder)
    assert "\n-- \nMaria Chen, CPC\nCoding Desk, Lakeview\n" in text
    assert "The Coding Desk" not in text and "The Coding Desk" not in html
    assert "Maria Chen, CPC<br>Coding Desk, Lakeview" in html
