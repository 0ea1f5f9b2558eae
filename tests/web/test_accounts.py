"""Sign-in safety: CSRF and cross-origin posts are refused, wrong passwords lock out, logout
ends the session, a disabled user is out."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

from sqlalchemy import func, select

from consultant.models import CaseEvent
from consultant.web.throttle import MAX_FAILURES
from tests.conftest import free_port
from tests.web.conftest import sign_in
from tests.web.server import PASSWORD, question


def notes(console, case_id: int) -> int:
    with console.sessions() as session:
        return session.scalar(
            select(func.count())
            .select_from(CaseEvent)
            .where(CaseEvent.case_id == case_id, CaseEvent.action == "note")
        )


def test_posts_without_csrf_token_or_from_another_origin_are_refused(console, new_page):
    case_id = console.ask(question("CSRF", "Is I10 billable?"))
    console.user("coder@desk.example")
    page = new_page()
    sign_in(page, "coder@desk.example")
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    same = {"Origin": console.url}
    post = page.request.post
    assert post(f"/cases/{case_id}/note", form={"note": "x"}, headers=same).status == 403
    bad = {"note": "x", "csrf_token": "forged"}
    assert post(f"/cases/{case_id}/note", form=bad, headers=same).status == 403
    good = {"note": "x", "csrf_token": token}
    evil = {"Origin": "http://evil.example"}
    assert post(f"/cases/{case_id}/note", form=good, headers=evil).status == 403
    cross = {"Origin": console.url, "Sec-Fetch-Site": "cross-site"}
    assert post(f"/cases/{case_id}/note", form=good, headers=cross).status == 403
    assert notes(console, case_id) == 0
    assert post(f"/cases/{case_id}/note", form=good, headers=same).status == 200
    assert notes(console, case_id) == 1


def test_a_form_on_another_site_cannot_post_into_the_console(console, new_page):
    case_id = console.ask(question("Cross-site", "Is I10 billable?"))
    console.user("coder@desk.example")
    target = f"{console.url}/cases/{case_id}/note"
    evil_page = (
        "<!DOCTYPE html><html><body>"
        f'<form method="post" action="{target}"><input name="note" value="pwned">'
        '<input name="csrf_token" value="guess"><button id="go">win a prize</button></form>'
        "</body></html>"
    ).encode()

    class Evil(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(evil_page)

        def log_message(self, *args):
            pass

    port = free_port()
    evil = HTTPServer(("127.0.0.1", port), Evil)
    threading.Thread(target=evil.serve_forever, daemon=True).start()
    try:
        page = new_page()
        sign_in(page, "coder@desk.example")
        page.goto(f"http://localhost:{port}/")  # another site than 127.0.0.1
        with page.expect_navigation():
            page.click("#go")
        assert notes(console, case_id) == 0
    finally:
        evil.shutdown()


def test_wrong_passwords_lock_the_account(console, new_page):
    console.user("coder@desk.example")
    page = new_page()
    for _ in range(MAX_FAILURES):
        sign_in(page, "coder@desk.example", "wrong password!")
        assert "Wrong email or password" in page.locator(".error").inner_text() or (
            "locked" in page.locator(".error").inner_text()
        )
    sign_in(page, "coder@desk.example", PASSWORD)  # the right one, too late
    assert "locked" in page.locator(".error").inner_text()
    assert page.locator("#logout").count() == 0


def test_logout_ends_the_session_and_disabled_users_are_out(console, new_page):
    console.user("lead@desk.example", role="lead")
    console.user("coder@desk.example")
    coder = new_page()
    sign_in(coder, "coder@desk.example")
    assert coder.locator("#logout").count() == 1
    lead = new_page()
    sign_in(lead, "lead@desk.example")
    lead.goto("/users")
    lead.locator("tr", has_text="coder@desk.example").locator("button").click()
    assert "disabled" in lead.locator("tr", has_text="coder@desk.example").inner_text()
    coder.goto("/")
    assert coder.url.endswith("/login")
    sign_in(coder, "coder@desk.example")
    assert coder.url.endswith("/login")

    lead.click("#logout")
    assert lead.url.endswith("/login")
    lead.goto("/")
    assert lead.url.endswith("/login")


def test_a_lead_adds_a_coder_who_sets_a_password_through_the_link(console, new_page):
    console.user("lead@desk.example", role="lead")
    console.user("coder@desk.example")
    lead = new_page()
    sign_in(lead, "lead@desk.example")
    lead.goto("/users")
    lead.fill("form.add-user input[name=email]", "New.Coder@desk.example")
    lead.fill("form.add-user input[name=name]", "New Coder")
    lead.click("#add-user")
    link = lead.locator("#new-user-link code").inner_text()
    assert "/set-password/" in link
    assert "coder" in lead.locator("tr", has_text="new.coder@desk.example").inner_text()
    lead.fill("form.add-user input[name=email]", "new.coder@desk.example")
    lead.click("#add-user")
    assert "already exists" in lead.locator("#users-error").inner_text()

    newcomer = new_page()
    newcomer.goto("/set-password/" + link.split("/set-password/", 1)[1])  # this test's port
    newcomer.fill("input[name=password]", "a long enough password")
    newcomer.fill("input[name=confirm]", "a long enough password")
    newcomer.click("button[type=submit]")
    sign_in(newcomer, "new.coder@desk.example", "a long enough password")
    assert newcomer.url.rstrip("/") == console.url

    coder = new_page()
    sign_in(coder, "coder@desk.example")
    response = coder.request.post(
        "/users/add",
        form={
            "csrf_token": coder.locator("input[name=csrf_token]").first.get_attribute("value"),
            "email": "sneaky@desk.example",
            "role": "lead",
        },
        headers={"Origin": console.url},
    )
    assert response.status == 403
