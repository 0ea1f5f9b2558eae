"""Fixtures of the console tests: a migrated SQLite database, the console on a free port, a
relay sink, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from consultant.db import make_engine, upgrade
from tests.conftest import unavailable
from tests.stack import RelaySink
from tests.web.server import PASSWORD, ConsoleServer

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def relay() -> Iterator[RelaySink]:
    with RelaySink() as sink:
        yield sink


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'consultant.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture
def console(tmp_path: Path, sqlite_url: str, relay: RelaySink) -> Iterator[ConsoleServer]:
    server = ConsoleServer(tmp_path, sqlite_url, relay.url).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201 - playwright Browser
    if not Path(CHROMIUM).exists():
        unavailable(f"Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright for Python (pip install playwright)")
    home = tmp_path_factory.mktemp("chromium-home")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, env={**os.environ, "HOME": str(home)}
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, console):  # noqa: ANN001, ANN201
    """Opens a fresh browser context (its own cookies) and returns a page in it."""
    contexts = []

    def make():  # noqa: ANN202
        context = browser.new_context(base_url=console.url, viewport={"width": 1360, "height": 900})
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def sign_in(page, email: str, password: str = PASSWORD) -> None:  # noqa: ANN001
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
