"""`consultant digest …` as an operator runs it: preview (text, JSON, HTML), send twice, status."""

from __future__ import annotations

from consultant.db import make_engine, session_factory, transaction, upgrade
from tests.digest.test_delivery import add_people
from tests.digest.test_figures import seed_weeks
from tests.stack import RelaySink, Stack


def test_preview_send_status_and_opt_out(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'consultant.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with transaction(session_factory(engine)) as session:
        seed_weeks(session)
        add_people(session)
    engine.dispose()
    with RelaySink() as sink:
        stack = Stack(tmp_path, url, f"sqla+sqlite:///{tmp_path / 'broker.db'}", sink.url)
        stack.env |= {"CONSULTANT_TIMEZONE": "America/New_York", "CONSULTANT_DIGEST_EMPTY": "skip"}
        try:
            figures = stack.cli_json("digest", "preview", "--week", "2026-W44")
            page = tmp_path / "digest.html"
            text = stack.cli("digest", "preview", "--week", "2026-W44", "--html", str(page))
            mine = stack.cli(
                "digest", "preview", "--week", "2026-W44", "--recipient", "client@clinic.example"
            )
            bad = stack.cli("digest", "preview", "--week", "2026-47", check=False)
            quiet = stack.cli("digest", "opt-out", "b@desk.example")
            first = stack.cli("digest", "send", "--week", "2026-W44")
            second = stack.cli("digest", "send", "--week", "2026-W44")
            empty = stack.cli("digest", "send", "--week", "2026-W10")
            status = stack.cli_json("digest", "status", "--week", "2026-W44")
        finally:
            stack.stop()
    for key, value in {
        "week": "2026-W44",
        "received": 7,
        "answered": 3,
        "rejected": 1,
        "ignored": 1,
        "waiting": 2,
        "median_seconds_to_draft": 210,
        "median_seconds_to_sent": 7210,
    }.items():
        assert figures[key] == value
    assert figures["top_codes"][0] == {"code": "E11.42", "cases": 4}
    assert text.stdout == ""  # --html alone writes the file and prints nothing
    assert 'src="data:image/png;base64,' in page.read_text()
    assert "Case #3 (2026-10-26): Question" in mine.stdout
    assert bad.returncode == 2 and "2026-W47" in bad.stderr
    assert "no longer" in quiet.stdout
    assert "sent 2, already sent 0" in first.stdout  # the lead, and the requester
    assert "sent 0, already sent 2" in second.stdout
    assert "empty week, not sent" in empty.stdout
    assert len(sink.messages) == 2
    assert [(row["recipient"], row["state"]) for row in status] == [
        ("client@clinic.example", "sent"),
        ("lead@desk.example", "sent"),
    ]
