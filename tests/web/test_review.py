"""A coder's day in a real browser: sign in, filter, claim, edit, approve → the relay gets the
edited reply; claims lock others out and expire. Screenshots for the README land in docs/."""

from __future__ import annotations

import email
import os
from datetime import timedelta
from email import policy
from pathlib import Path

from sqlalchemy import update

from consultant.db import transaction
from consultant.models import Case, utcnow
from tests.web.conftest import sign_in
from tests.web.server import question

DOCS = Path(__file__).resolve().parents[2] / "docs"


def shot(page, name: str, tmp_path: Path) -> None:
    """docs/NAME, refreshed with UPDATE_SCREENSHOT=1 (else into tmp_path, still checked)."""
    target = DOCS / name if os.environ.get("UPDATE_SCREENSHOT") == "1" else tmp_path / name
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 10_000


def seed_queue(console) -> dict[str, int]:
    return {
        "diabetes": console.ask(
            question(
                "Diabetes with polyneuropathy",
                "Hi team,\n\nPatient has type 2 diabetes with polyneuropathy. Is E11.42 right, "
                "or should we bill E11.4? Also hypertension I10.\n\nThanks,\nRenee\n\n"
                "On Fri, Apr 3, 2026 Coding Desk wrote:\n> Earlier answer about I10.\n",
            )
        ),
        "knee": console.ask(
            question(
                "Knee injection and modifier 59",
                "Can we report 20610 with J1100 for a knee injection, fracture S52.521A?",
                sender="Marco Diaz <marco@ortho.example>",
            )
        ),
        "stenosis": console.ask(
            question(
                "Lumbar stenosis follow-up",
                "Spinal stenosis with neurogenic claudication, M48.062. Laminectomy planned.",
                sender="Priya Natarajan <priya@spine.example>",
            )
        ),
    }


def test_sign_in_filter_claim_edit_approve_sends_the_edited_reply(
    console, new_page, relay, tmp_path
):
    ids = seed_queue(console)
    console.user("coder@desk.example")
    page = new_page()
    sign_in(page, "coder@desk.example")
    assert page.url.rstrip("/") == console.url
    rows = page.locator("tr.case-row")
    assert rows.count() == 3
    assert page.locator(".tab.current .count").inner_text() == "3"
    # Oldest waiting first.
    assert [r.get_attribute("data-case") for r in rows.all()] == [str(i) for i in ids.values()]
    shot(page, "console-queue.png", tmp_path)

    page.fill("input[name=requester]", "ortho.example")
    page.click(".filters button[type=submit]")
    assert [r.get_attribute("data-case") for r in rows.all()] == [str(ids["knee"])]
    page.goto("/?code=m48.062")
    assert [r.get_attribute("data-case") for r in rows.all()] == [str(ids["stenosis"])]
    page.goto("/")
    page.fill("input[name=q]", "polyneuropathy")
    page.click(".filters button[type=submit]")
    assert [r.get_attribute("data-case") for r in rows.all()] == [str(ids["diabetes"])]

    page.click(f"tr[data-case='{ids['diabetes']}'] a.subject")
    assert "Is E11.42 right" in page.locator("pre.new-text").inner_text()
    assert "Earlier answer" not in page.locator("pre.new-text").inner_text()  # quoted: collapsed
    assert page.locator("#approve").count() == 0  # not claimed yet
    page.click("#claim")
    assert "coder@desk.example" in page.locator("#claim-state").inner_text()

    edited = "Hello Renee,\n\nE11.42 is the right code; E11.4 is not billable.\n\nThe desk"
    codes = page.locator("table.grid.compact").inner_text()
    assert "Type 2 diabetes mellitus with diabetic polyneuropathy" in codes
    assert "not billable" in codes
    # The HTML preview follows the typing (a same-origin script asks the server to render it),
    # and what the coder types is shown as text, never as markup.
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.fill("#draft-text", 'Hi <img src=x onerror="alert(1)"> there')
    page.locator("#live-preview", has_text="<img src=x").wait_for(timeout=5000)
    assert page.locator("#live-preview img").count() == 0 and dialogs == []
    page.fill("#draft-text", edited)
    page.locator("#live-preview", has_text="E11.4 is not billable").wait_for(timeout=5000)
    page.click("button[value=preview]")
    assert "E11.4 is not billable" in page.locator("#preview .html-body").inner_text()
    page.click("#save")
    assert page.locator("#draft-text").input_value() == edited

    page.click("#approve")
    assert "Sent" in page.locator("#send-state").inner_text()
    [(mail_from, rcpts, raw)] = relay.wait_for(1)
    reply = email.message_from_bytes(raw, policy=policy.default)
    assert rcpts == ["renee@clinic.example"]
    assert "E11.4 is not billable" in reply.get_body(("plain",)).get_content()
    history = page.locator("ol.history").inner_text()
    assert "claimed" in history and "edited" in history and "approved" in history

    # A later question like it shows the sent answer among the similar past answers.
    later = console.ask(
        question(
            "Polyneuropathy again",
            "Hello,\n\nAnother patient with type 2 diabetes and polyneuropathy: E11.42 or "
            "E11.4? Blood pressure is controlled, I10.\n\nThanks,\nRenee\n\n"
            "-- \nRenee Caldwell, CPC\nBilling office, Clinic Example\n",
        )
    )
    page.goto(f"/cases/{later}")
    page.click("#claim")
    assert f"#{ids['diabetes']}" in page.locator("ul.similar").inner_text()
    page.locator("textarea[name=note]").fill("Same answer as last week; check the A1c note.")
    page.click("form.note button")
    shot(page, "console-case.png", tmp_path)


def test_second_coder_cannot_approve_a_case_claimed_by_the_first(console, new_page):
    case_id = console.ask(question("Claimed case", "Is I10 billable?"))
    console.user("first@desk.example")
    console.user("second@desk.example")
    first, second = new_page(), new_page()
    sign_in(first, "first@desk.example")
    first.goto(f"/cases/{case_id}")
    first.click("#claim")

    sign_in(second, "second@desk.example")
    second.goto(f"/cases/{case_id}")
    assert "first@desk.example" in second.locator("#claim-state").inner_text()
    assert second.locator("#approve").count() == 0 and second.locator("#claim").count() == 0
    token = second.locator("input[name=csrf_token]").first.get_attribute("value")
    for action in ("approve", "claim", "reject"):
        response = second.request.post(
            f"/cases/{case_id}/{action}",
            form={"csrf_token": token, "text": "mine now", "reason": "no"},
            headers={"Origin": console.url},
        )
        assert response.status == 409, action
    second.reload()
    assert "awaiting review" in second.locator("#case-status").inner_text()


def test_an_expired_claim_can_be_taken(console, new_page):
    case_id = console.ask(question("Stale claim", "Is E11.9 billable?"))
    console.user("first@desk.example")
    console.user("second@desk.example")
    first, second = new_page(), new_page()
    sign_in(first, "first@desk.example")
    first.goto(f"/cases/{case_id}")
    first.click("#claim")
    with transaction(console.sessions) as session:  # the claim's time runs out
        session.execute(
            update(Case)
            .where(Case.id == case_id)
            .values(claimed_until=utcnow() - timedelta(seconds=1))
        )
    sign_in(second, "second@desk.example")
    second.goto(f"/cases/{case_id}")
    assert "Not claimed" in second.locator("#claim-state").inner_text()
    second.click("#claim")
    assert "second@desk.example" in second.locator("#claim-state").inner_text()
    second.click("#approve")
    assert second.locator("#send-state").count() == 1


def test_failed_send_shows_the_error_and_can_be_resent(console, new_page, relay):
    case_id = console.ask(question("Relay trouble", "Is I10 billable?"))
    console.user("lead@desk.example", role="lead")
    console.user("coder@desk.example")
    page = new_page()
    sign_in(page, "lead@desk.example")
    page.goto(f"/cases/{case_id}")
    page.fill("input[name=to]", "coder@desk.example")  # a lead hands the case over
    page.click("form[action$='/reassign'] button")
    assert "coder@desk.example" in page.locator("#claim-state").inner_text()
    assert "reassigned" in page.locator("ol.history").inner_text()

    relay.refuse_with = "554 5.7.1 relay says no"
    page.fill("#draft-text", "Hello,\n\nI10 is valid and billable.\n\nThe desk")
    page.click("#approve")  # a lead may approve a case claimed by someone else
    assert "Sending failed" in page.locator("#send-state").inner_text()
    assert "relay answered 554" in page.locator("#send-state").inner_text()
    relay.refuse_with = None
    page.click("#send-state button")
    assert "Sent" in page.locator("#send-state").inner_text()
    assert len(relay.wait_for(1)) == 1
