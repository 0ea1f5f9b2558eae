"""The HTML part in headless Debian Chromium: no template syntax, no markup from the question."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import unavailable
from tests.drafting.conftest import CASES, draft_of, load_case

CHROMIUM = Path("/usr/bin/chromium")
DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201 - a Playwright Browser
    if not CHROMIUM.exists():
        unavailable("/usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    home = tmp_path_factory.mktemp("chromium-home")
    old_home = os.environ.get("HOME")
    os.environ["HOME"] = str(home)
    try:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
            yield browser
            browser.close()
    finally:
        if old_home is not None:
            os.environ["HOME"] = old_home


@pytest.mark.parametrize("name", CASES)
def test_html_renders_clean(browser, book, name: str) -> None:  # noqa: ANN001
    draft = draft_of(load_case(name), book)
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.set_content(draft["html"])
    ours = page.evaluate(
        "() => { const b = document.body.cloneNode(true);"
        " b.querySelectorAll('blockquote').forEach(q => q.remove()); return b.innerText; }"
    )
    assert "{{" not in ours and "{%" not in ours and "%}" not in ours
    assert page.locator("script").count() == 0
    assert page.locator("img").count() == 0
    assert page.locator("b").count() == 0
    assert dialogs == []
    quote = page.locator("blockquote").inner_text()
    assert quote.strip()
    if name == "escaping":
        assert "<script>alert(1)</script>" in quote and "<img src=x onerror=alert(2)>" in quote
    page.close()


def test_screenshot_of_a_draft(browser, book, tmp_path: Path) -> None:  # noqa: ANN001
    """docs/draft.png; refreshed with UPDATE_SCREENSHOT=1 after a template change."""
    draft = draft_of(load_case("modifier-25-57"), book)
    page = browser.new_page(viewport={"width": 900, "height": 1200})
    page.set_content(draft["html"])
    target = (
        DOCS / "draft.png" if os.environ.get("UPDATE_SCREENSHOT") == "1" else tmp_path / "d.png"
    )
    page.screenshot(path=str(target), full_page=True)
    page.close()
    assert target.stat().st_size > 10_000
