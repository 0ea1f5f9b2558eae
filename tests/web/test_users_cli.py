"""`consultant users …` with no terminal: add never waits and prints a one-time link that
works once in the browser; token gives API access; disable takes it away."""

from __future__ import annotations

import os
import subprocess
import sys
from urllib.parse import urlsplit

from tests.web.conftest import sign_in


def cli(console, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = os.environ | {
        "CONSULTANT_DATA_DIR": str(console.settings.data_dir),
        "CONSULTANT_DATABASE_URL": console.settings.database_url,
        "CONSULTANT_PUBLIC_URL": console.url,
    }
    return subprocess.run(
        [sys.executable, "-m", "consultant", "users", *args],
        env=env,
        input=stdin,
        stdin=subprocess.DEVNULL if stdin is None else None,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


def test_add_prints_a_one_time_link_that_sets_the_password(console, new_page):
    added = cli(console, "add", "new@desk.example", "--role", "coder")
    assert "no password yet" in added.stdout
    link = added.stdout.strip().splitlines()[-1].split()[-1]
    assert link.startswith(f"{console.url}/set-password/")
    page = new_page()
    page.goto(urlsplit(link).path)
    page.fill("input[name=password]", "a brand new passphrase")
    page.fill("input[name=confirm]", "a brand new passphrase")
    page.click("button[type=submit]")
    assert page.url.endswith("/login")
    sign_in(page, "new@desk.example", "a brand new passphrase")
    assert page.locator("#logout").count() == 1
    assert page.goto(urlsplit(link).path).status == 404  # used once


def test_password_stdin_token_and_disable(console, new_page):
    cli(console, "add", "lead@desk.example", "--role", "lead", "--password-stdin",
        stdin="a lead's passphrase\n")  # fmt: skip
    token = cli(console, "token", "lead@desk.example").stdout.strip()
    page = new_page()
    headers = {"Authorization": f"Bearer {token}"}
    assert page.request.get("/api/cases", headers=headers).status == 200
    sign_in(page, "lead@desk.example", "a lead's passphrase")
    assert page.locator("#logout").count() == 1
    cli(console, "disable", "lead@desk.example")
    assert page.request.get("/api/cases", headers=headers).status == 401
    page.goto("/")
    assert page.url.endswith("/login")
