"""The HTML part in headless Chromium: the chart resolves from its CID and shows; screenshot."""

from __future__ import annotations

import base64
import email
import os
import shutil
from datetime import UTC, datetime
from email import policy
from pathlib import Path
from zoneinfo import ZoneInfo

from consultant.db import make_engine, session_factory, transaction, upgrade
from consultant.digest.figures import team_figures
from consultant.digest.render import render_team
from consultant.digest.weeks import parse_week
from tests.conftest import REPO, unavailable
from tests.digest.test_figures import seed_weeks

CHROMIUM = "/usr/bin/chromium"


def resolve_cids(raw: bytes) -> str:
    """What a mail client does: find the HTML part and inline each image it names by CID."""
    message = email.message_from_bytes(raw, policy=policy.default)
    html_part = message.get_body(("html",))
    html = html_part.get_content()
    related = next(p for p in message.walk() if p.get_content_type() == "multipart/related")
    for part in related.iter_parts():
        if part.get_content_maintype() == "image":
            cid = part["Content-ID"].strip("<>")
            data = base64.b64encode(part.get_payload(decode=True)).decode()
            html = html.replace(f"cid:{cid}", f"data:{part.get_content_type()};base64,{data}")
    return html


def test_chart_loads_from_its_cid(tmp_path, monkeypatch) -> None:
    if not Path(CHROMIUM).exists():
        unavailable("Chromium at /usr/bin/chromium")
    try:
        from playwright import sync_api
    except ImportError:
        unavailable("Playwright for Python")
    engine = make_engine(f"sqlite:///{tmp_path / 'c.db'}")
    upgrade(engine)
    sessions = session_factory(engine)
    with transaction(sessions) as session:
        seed_weeks(session)
    week = parse_week("2026-W44", ZoneInfo("America/New_York"))
    with transaction(sessions) as session:
        figures = team_figures(
            session,
            week,
            now=datetime(2026, 11, 2, 12, tzinfo=UTC),
            sla_hours=24,
            console_url="https://desk.example",
        )
    raw = render_team(figures, week, domain="desk.example").message(
        message_id="<digest@desk.example>",
        from_address="desk@desk.example",
        to_address="lead@desk.example",
    )
    assert b'src="cid:' in raw or b'src=3D"cid:' in raw
    html = resolve_cids(raw)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))  # Chromium writes crash reports and dconf there
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page(viewport={"width": 720, "height": 900})
        page.set_content(html, wait_until="load")
        chart = page.locator("img").first
        assert chart.get_attribute("src").startswith("data:image/png;base64,")
        assert chart.evaluate("img => img.complete && img.naturalWidth") == 640
        assert chart.evaluate("img => img.naturalHeight") == 240
        assert page.locator("a[href='https://desk.example/cases/6']").count() == 1
        page.screenshot(path=str(tmp_path / "digest.png"), full_page=True)
        browser.close()
    if os.environ.get("CI") != "true":
        shutil.copy(tmp_path / "digest.png", REPO / "docs" / "digest.png")
