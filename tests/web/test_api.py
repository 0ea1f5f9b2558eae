"""The JSON API on SQLite and PostgreSQL: token auth, list with filters and full-text search,
show, claim (locked to others), approve (enqueues the send), reject, note."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.web.server import ConsoleServer, question


@pytest.fixture
def api(tmp_path, database_url, relay):
    server = ConsoleServer(tmp_path, database_url, relay.url)
    server.user("coder@desk.example", password=None)
    server.user("other@desk.example", password=None)
    server.user("lead@desk.example", role="lead", password=None)
    client = TestClient(server.app)
    server.client = client
    server.auth = {
        who: {"Authorization": f"Bearer {server.token(f'{who}@desk.example')}"}
        for who in ("coder", "other", "lead")
    }
    yield server
    client.close()
    server.stop()


def test_tokens_are_required(api):
    assert api.client.get("/api/cases").status_code == 401
    bad = {"Authorization": "Bearer cst_nope"}
    assert api.client.get("/api/cases", headers=bad).status_code == 401
    # A browser session cookie is no substitute for a token.
    assert api.client.get("/api/cases", cookies={"consultant_session": "x"}).status_code == 401


def test_list_filters_and_full_text_search(api):
    first = api.ask(question("Diabetes", "Type 2 diabetes with polyneuropathy, E11.42?"))
    second = api.ask(
        question("Knee", "Injection of the knee joint, S52.521A.", sender="m@ortho.example")
    )

    def get(**params):
        return api.client.get("/api/cases", params=params, headers=api.auth["coder"])

    listed = get().json()
    assert [c["id"] for c in listed["cases"]] == [first, second]
    assert listed["counts"]["awaiting_review"] == 2 and listed["total"] == 2
    assert listed["cases"][0]["sla"] == "ok" and listed["cases"][0]["codes"] == ["E11.42"]
    assert [c["id"] for c in get(q="polyneuropathy").json()["cases"]] == [first]
    assert [c["id"] for c in get(q="knee joint").json()["cases"]] == [second]
    assert get(q="nothing-like-this").json()["cases"] == []
    assert [c["id"] for c in get(code="s52.521a").json()["cases"]] == [second]
    assert [c["id"] for c in get(requester="ortho").json()["cases"]] == [second]
    assert get(status="sent").json()["cases"] == []


def test_claim_approve_reject_note(api):
    case_id = api.ask(question("Hypertension", "Is I10 billable?"))
    post = api.client.post
    shown = api.client.get(f"/api/cases/{case_id}", headers=api.auth["coder"]).json()
    assert shown["status"] == "awaiting_review" and "I10" in shown["draft"]["text"]

    refused = post(f"/api/cases/{case_id}/approve", headers=api.auth["coder"])
    assert refused.status_code == 409  # claim first
    claimed = post(f"/api/cases/{case_id}/claim", headers=api.auth["coder"]).json()
    assert claimed["claimed_by"] == "coder@desk.example"
    assert post(f"/api/cases/{case_id}/claim", headers=api.auth["other"]).status_code == 409
    assert (
        post(
            f"/api/cases/{case_id}/reject", json={"reason": "mine"}, headers=api.auth["other"]
        ).status_code
        == 409
    )
    note = post(f"/api/cases/{case_id}/note", json={"note": "checked"}, headers=api.auth["other"])
    assert note.status_code == 201 and note.json()["events"][-1]["note"] == "checked"

    approved = post(
        f"/api/cases/{case_id}/approve",
        json={"text": "I10 is billable."},
        headers=api.auth["coder"],
    )
    assert approved.status_code == 202
    assert api.sent == [case_id]
    shown = api.client.get(f"/api/cases/{case_id}", headers=api.auth["coder"]).json()
    assert shown["status"] == "sent" and shown["draft"]["text"] == "I10 is billable."

    other = api.ask(question("Another", "Is E11.9 billable?", sender="b@x.example"))
    rejected = post(
        f"/api/cases/{other}/reject", json={"reason": "not ours"}, headers=api.auth["lead"]
    )
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert post("/api/cases/999/claim", headers=api.auth["lead"]).status_code == 404
    bad = post(f"/api/cases/{other}/note", content=b"[1]", headers=api.auth["lead"])
    assert bad.status_code == 400
