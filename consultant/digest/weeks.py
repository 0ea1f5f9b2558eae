"""ISO weeks in a time zone, and the weekly schedule ("mon 07:00") across DST changes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True)
class Week:
    """One ISO week in a zone: its label and its bounds as UTC instants, [start, end)."""

    year: int
    number: int
    zone: ZoneInfo

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.number, 1)

    def day_starts(self) -> list[datetime]:
        """The eight local midnights from this Monday to next Monday, as UTC instants.
        A day is 23 or 25 hours long across a DST change; local midnights stay exact."""
        return [
            datetime.combine(self.monday + timedelta(days=i), time(0), self.zone).astimezone(UTC)
            for i in range(8)
        ]

    @property
    def start(self) -> datetime:
        return self.day_starts()[0]

    @property
    def end(self) -> datetime:
        return self.day_starts()[7]

    def previous(self) -> Week:
        return week_of(self.monday - timedelta(days=7), self.zone)


def week_of(day: date, zone: ZoneInfo) -> Week:
    year, number, _ = day.isocalendar()
    return Week(year, number, zone)


def parse_week(label: str, zone: ZoneInfo) -> Week:
    """ "2026-W47" → Week; raises ValueError naming the expected form."""
    match = _WEEK.match(label.strip())
    if not match:
        raise ValueError(f"{label!r} is not an ISO week such as 2026-W47")
    year, number = int(match[1]), int(match[2])
    try:
        date.fromisocalendar(year, number, 1)
    except ValueError:
        raise ValueError(f"{label!r}: {year} has no week {number}") from None
    return Week(year, number, zone)


def last_complete_week(now: datetime, zone: ZoneInfo) -> Week:
    """The week a digest sent at `now` reports on: the last one that has ended."""
    return week_of(now.astimezone(zone).date(), zone).previous()


@dataclass(frozen=True)
class Schedule:
    """A weekly moment in local time: a day of the week and a wall-clock time."""

    weekday: int  # 0 = Monday
    at: time

    @classmethod
    def parse(cls, text: str) -> Schedule:
        day, _, clock = text.strip().lower().partition(" ")
        hour, _, minute = clock.partition(":")
        if day not in DAYS or not hour.isdigit() or not minute.isdigit():
            raise ValueError(f"{text!r} is not a schedule such as 'mon 07:00'")
        return cls(DAYS.index(day), time(int(hour), int(minute)))

    def crontab_fields(self) -> dict[str, str]:
        """Arguments for celery.schedules.crontab (day_of_week counts from Sunday = 0)."""
        return {
            "minute": str(self.at.minute),
            "hour": str(self.at.hour),
            "day_of_week": str((self.weekday + 1) % 7),
        }

    def next_run(self, after: datetime, zone: ZoneInfo) -> datetime:
        """The first scheduled instant strictly after `after`, as UTC. Wall-clock times that
        a spring-forward skips resolve forward (fold=0 of a gap in zoneinfo is the later
        offset's reading); repeated ones take their first occurrence."""
        local = after.astimezone(zone)
        day = local.date() + timedelta(days=(self.weekday - local.weekday()) % 7)
        while True:
            moment = datetime.combine(day, self.at, zone).astimezone(UTC)
            if moment > after:
                return moment
            day += timedelta(days=7)
