"""Exact team figures from seeded histories, in New York across the end of DST (2026-11-01)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from consultant.db import transaction
from consultant.digest.figures import edit_size, team_figures
from consultant.digest.weeks import parse_week
from tests.digest.seed import SYSTEM_TEXT, seed_case

NY = ZoneInfo("America/New_York")
EDITED = SYSTEM_TEXT.replace("billable.", "billable with polyneuropathy.")
URL = "https://desk.example"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def seed_weeks(session) -> None:
    s, h = timedelta(seconds=1), timedelta(hours=1)
    # 2026-W43 (ends 2026-10-26 04:00Z = midnight EDT).
    seed_case(session, received=at("2026-10-26 03:59:59"), ignored=True)
    r = at("2026-10-20 12:00:00")
    seed_case(session, received=r, drafted=r + 100 * s, approved=r + 900 * s, sent=r + 1000 * s)
    # 2026-W44 (2026-10-26 04:00Z to 2026-11-02 05:00Z: 169 hours).
    r = at("2026-10-26 04:00:00")
    seed_case(
        session,
        received=r,
        drafted=r + 60 * s,
        approved=r + 2 * h,
        sent=r + 7210 * s,
        codes=("E11.42", "I10"),
        findings=("non-billable",),
    )
    r = at("2026-10-27 12:00:00")
    seed_case(
        session,
        received=r,
        drafted=r + 120 * s,
        approved=r + 3 * h,
        approver="b@desk.example",
        approved_text=EDITED,
        sent=r + 10820 * s,
        codes=("E11.42",),
    )
    r = at("2026-10-28 12:00:00")
    seed_case(
        session,
        received=r,
        drafted=r + 180 * s,
        rejected=r + 30 * h,
        codes=("I10", "E11.42"),
        findings=("non-billable", "excludes1"),
    )
    r = at("2026-10-29 12:00:00")
    seed_case(session, received=r, drafted=r + 240 * s, codes=("Z00.00",))
    seed_case(session, received=at("2026-10-30 12:00:00"), ignored=True)
    r = at("2026-11-02 04:30:00")  # 23:30 EST on Sunday 1 November: still week 44
    seed_case(session, received=r, drafted=r + 300 * s, codes=("E11.42",))
    r = at("2026-11-01 05:30:00")  # 01:30 EDT, the first of the two 01:30s
    seed_case(
        session,
        received=r,
        drafted=r + 600 * s,
        approved=at("2026-11-01 06:00:00"),
        sent=at("2026-11-01 06:30:00"),
        codes=("M54.5",),
    )
    # 2026-W45 starts at 05:00Z (midnight EST).
    seed_case(session, received=at("2026-11-02 05:00:00"))


@pytest.fixture
def seeded(sessions):
    with transaction(sessions) as session:
        seed_weeks(session)
    return sessions


def test_week_figures_are_exact_across_the_dst_change(seeded) -> None:
    with transaction(seeded) as session:
        figures = team_figures(
            session,
            parse_week("2026-W44", NY),
            now=at("2026-11-02 12:00:00"),
            sla_hours=24,
            console_url=URL,
        )
    assert figures["start"] == "2026-10-26T04:00:00+00:00"
    assert figures["end"] == "2026-11-02T05:00:00+00:00"
    assert (figures["received"], figures["answered"], figures["rejected"]) == (7, 3, 1)
    assert (figures["ignored"], figures["waiting"], figures["drafted"]) == (1, 2, 6)
    # drafts at 60,120,180,240,300,600 s: linear interpolation between closest ranks
    assert figures["median_seconds_to_draft"] == 210
    assert figures["p90_seconds_to_draft"] == 450
    # sent at 3600, 7210, 10820 s
    assert figures["median_seconds_to_sent"] == 7210
    assert figures["p90_seconds_to_sent"] == 10098
    assert figures["sla_breaches"] == 2  # rejected after 30 h; never answered
    assert figures["approvals"] == 3
    assert figures["approved_unchanged_share"] == pytest.approx(0.6667)
    assert figures["median_edit_chars"] == 36
    assert figures["coders"] == [
        {
            "coder": "b@desk.example",
            "approvals": 1,
            "unchanged": 0,
            "unchanged_share": 0.0,
            "median_edit_chars": 36,
        },
        {
            "coder": "coder@desk.example",
            "approvals": 2,
            "unchanged": 2,
            "unchanged_share": 1.0,
            "median_edit_chars": None,
        },
    ]
    assert figures["top_codes"] == [
        {"code": "E11.42", "cases": 4},
        {"code": "I10", "cases": 2},
        {"code": "M54.5", "cases": 1},
        {"code": "Z00.00", "cases": 1},
    ]
    assert figures["top_finding_kinds"] == [
        {"kind": "non-billable", "cases": 2},
        {"kind": "excludes1", "cases": 1},
    ]
    assert [d["date"] for d in figures["daily"]] == [f"2026-10-{d}" for d in range(26, 32)] + [
        "2026-11-01"
    ]
    assert [d["received"] for d in figures["daily"]] == [1, 1, 1, 1, 1, 0, 2]
    assert [d["answered"] for d in figures["daily"]] == [1, 1, 0, 0, 0, 0, 1]
    assert [d["mean_hours_to_sent"] for d in figures["daily"]] == [
        2.0,
        3.01,
        None,
        None,
        None,
        None,
        1.0,
    ]
    assert [(c["id"], c["url"]) for c in figures["oldest_waiting"]] == [
        (6, f"{URL}/cases/6"),
        (8, f"{URL}/cases/8"),
    ]
    assert figures["oldest_waiting"][0]["waiting_seconds"] == 4 * 86400
    assert figures["previous"]["week"] == "2026-W43"
    assert figures["previous"]["received"] == 2
    assert figures["change"]["received"] == 5
    assert figures["change"]["waiting"] == 2
    assert figures["change"]["median_seconds_to_sent"] == 7210 - 1000
    assert figures["empty"] is False


def test_a_running_week_counts_waiting_up_to_now(seeded) -> None:
    with transaction(seeded) as session:
        figures = team_figures(
            session,
            parse_week("2026-W44", NY),
            now=at("2026-10-29 13:00:00"),
            sla_hours=24,
            console_url=URL,
        )
    assert figures["waiting"] == 2  # the case rejected later, and the one received at noon
    assert figures["sla_breaches"] == 1  # the rejected one was due at noon, still open


def test_an_empty_week_is_empty_not_an_error(sessions) -> None:
    with transaction(sessions) as session:
        figures = team_figures(
            session,
            parse_week("2026-W10", NY),
            now=at("2026-03-10 00:00:00"),
            sla_hours=24,
            console_url=URL,
        )
    assert figures["empty"] is True
    assert figures["median_seconds_to_draft"] is None
    assert figures["top_codes"] == [] and figures["coders"] == []
    assert figures["change"]["received"] == 0


def test_edit_size_counts_changed_characters_by_word() -> None:
    assert edit_size("a b c", "a b c") == 0
    assert edit_size("a bb c", "a dd c") == 4
    assert edit_size("", "four") == 4
