"""The weekly schedule in a zone: our next-run arithmetic and Celery's crontab agree across DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from celery import Celery
from celery.schedules import crontab

from consultant.config import load_settings
from consultant.digest.weeks import Schedule, last_complete_week, parse_week
from consultant.errors import ConfigError

NY = ZoneInfo("America/New_York")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("last_run", "expected"),
    [
        (utc("2026-10-26 11:00"), utc("2026-11-02 12:00")),  # 07:00 EDT, then 07:00 EST
        (utc("2026-03-02 12:00"), utc("2026-03-09 11:00")),  # 07:00 EST, then 07:00 EDT
    ],
)
def test_monday_seven_stays_seven_local_across_dst(last_run, expected) -> None:
    schedule = Schedule.parse("mon 07:00")
    assert schedule.next_run(last_run, NY) == expected
    app = Celery(set_as_current=False)
    app.conf.timezone = "America/New_York"
    now = last_run + timedelta(days=1)
    cron = crontab(**schedule.crontab_fields(), app=app, nowfun=lambda: now.astimezone(NY))
    remaining = cron.remaining_estimate(last_run.astimezone(NY))
    assert now + remaining == expected


def test_schedule_and_week_parsing() -> None:
    assert Schedule.parse("Sun 23:30").crontab_fields() == {
        "minute": "30",
        "hour": "23",
        "day_of_week": "0",
    }
    with pytest.raises(ValueError, match="2026-W47"):
        parse_week("2026-47", NY)
    assert parse_week("2026-W53", NY).label == "2026-W53"  # 2026 has 53 ISO weeks
    # Monday 00:30 local in New York is still Sunday in UTC+0 terms of the week before.
    assert last_complete_week(utc("2026-11-02 05:30"), NY).label == "2026-W44"
    assert last_complete_week(utc("2026-11-02 04:30"), NY).label == "2026-W43"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("digest_schedule", "monday at 7"),
        ("digest_empty", "sometimes"),
        ("digest_recipients", "ops@desk.example, nobody"),
        ("timezone", "Mars/Olympus_Mons"),
    ],
)
def test_bad_digest_settings_name_their_variable(variable, value) -> None:
    with pytest.raises(ConfigError, match=f"CONSULTANT_{variable.upper()}"):
        load_settings(**{variable: value})
