"""Cookie attributes, security headers, and a CSRF check on every form route of the app."""

from __future__ import annotations

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from consultant.config import load_settings
from consultant.db import make_engine, session_factory
from consultant.web.app import create_app


def make_client(tmp_path, sqlite_url, **settings) -> TestClient:
    config = load_settings(data_dir=tmp_path, database_url=sqlite_url, **settings)
    engine = make_engine(sqlite_url)
    return TestClient(create_app(config, session_factory(engine)), follow_redirects=False)


@pytest.mark.parametrize(("public_url", "secure"), [("", False), ("https://console.example", True)])
def test_session_cookie_is_httponly_lax_and_secure_behind_tls(
    tmp_path, sqlite_url, public_url, secure
):
    client = make_client(tmp_path, sqlite_url, public_url=public_url)
    response = client.get("/login")
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert ("secure" in cookie) is secure
    assert ("strict-transport-security" in response.headers) is secure
    assert response.headers["x-frame-options"] == "DENY"
    csp = response.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "unsafe" not in csp  # no inline script, ever
    assert response.headers["cache-control"] == "no-store"


def test_every_form_route_refuses_a_post_without_the_token(tmp_path, sqlite_url):
    client = make_client(tmp_path, sqlite_url)
    client.get("/login")  # a visitor's cookie with a CSRF secret, but no token in the form
    posts = [
        r.path.replace("{case_id:int}", "1").replace("{user_id:int}", "1").replace("{token}", "x")
        for r in client.app.routes
        if isinstance(r, Route) and "POST" in (r.methods or ()) and not r.path.startswith("/api")
    ]
    assert len(posts) >= 13
    for path in posts:
        assert client.post(path, data={"note": "x"}).status_code == 403, path
