"""Digest rendering: figures → template data → text, HTML (chart inline by CID) → MIME bytes."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from consultant.digest.chart import daily_chart
from consultant.digest.weeks import Week
from consultant.mail import outbound
from consultant.templating import environment


@dataclass(frozen=True)
class Rendered:
    """One digest ready to address: subject, both parts and the images the HTML names."""

    subject: str
    text: str
    html: str
    images: dict[str, bytes] = field(default_factory=dict)

    def message(self, *, message_id: str, from_address: str, to_address: str) -> bytes:
        return outbound.build_digest(
            message_id=message_id,
            from_address=from_address,
            to_address=to_address,
            subject=self.subject,
            text=self.text,
            html=self.html,
            images=self.images,
        )

    def html_with_data_urls(self) -> str:
        """The HTML with each cid: reference replaced by its image, for a browser preview."""
        html = self.html
        for content_id, png in self.images.items():
            data = base64.b64encode(png).decode()
            html = html.replace(f"cid:{content_id}", f"data:image/png;base64,{data}")
        return html


# --- Formatting -------------------------------------------------------------------------


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    magnitude = abs(seconds)
    if magnitude < 90:
        return f"{seconds:.0f} s"
    if magnitude < 90 * 60:
        return f"{seconds / 60:.1f} min"
    if magnitude < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def _number(value: float | None, kind: str) -> str:
    if value is None:
        return "–"
    if kind == "seconds":
        return duration(value)
    if kind == "share":
        return f"{value * 100:.0f} %"
    if kind == "chars":
        return f"{value:g} chars"
    return f"{value:g}"


def _change(delta: float | None, kind: str) -> str:
    if delta is None:
        return "n/a"
    if delta == 0:
        return "±0"
    sign = "+" if delta > 0 else "−"
    return sign + _number(abs(delta), kind)


# (figure, label, kind, True when a rise is good news)
_ROWS = {
    "volume": [
        ("received", "Received", "count", None),
        ("answered", "Answered (sent)", "count", True),
        ("rejected", "Rejected", "count", None),
        ("ignored", "Ignored (not questions)", "count", None),
        ("waiting", "Still waiting at week's end", "count", False),
        ("sla_breaches", "SLA breaches", "count", False),
    ],
    "turnaround": [
        ("median_seconds_to_draft", "Receipt → draft, median", "seconds", False),
        ("p90_seconds_to_draft", "Receipt → draft, 90th percentile", "seconds", False),
        ("median_seconds_to_sent", "Receipt → sent, median", "seconds", False),
        ("p90_seconds_to_sent", "Receipt → sent, 90th percentile", "seconds", False),
    ],
    "review": [
        ("approvals", "Approvals", "count", None),
        ("approved_unchanged_share", "Sent as drafted", "share", None),
        ("median_edit_chars", "Median edit size", "chars", None),
    ],
}


def _rows(figures: dict[str, Any], group: str) -> list[dict[str, Any]]:
    rows = []
    for name, label, kind, rise_is_good in _ROWS[group]:
        delta = figures["change"][name]
        trend = "same"
        if delta and rise_is_good is not None:
            trend = "good" if (delta > 0) == rise_is_good else "bad"
        rows.append(
            {
                "label": label,
                "value": _number(figures[name], kind),
                "previous": _number(figures["previous"][name], kind),
                "change": _change(delta, kind),
                "trend": trend,
            }
        )
    return rows


def _span(week: Week) -> str:
    first, last = week.monday, week.monday + timedelta(days=6)
    return f"{_day(first)} – {_day(last)} {last.year}"


def _day(day: date) -> str:
    return f"{day.day} {day.strftime('%b')}"


# --- Team digest --------------------------------------------------------------------------


def team_context(figures: dict[str, Any], week: Week, chart_cid: str | None) -> dict[str, Any]:
    """Plain data for templates/digest/team.*: every value already formatted."""
    return {
        "week": figures["week"],
        "span": _span(week),
        "timezone": figures["timezone"],
        "empty": figures["empty"],
        "previous_week": figures["previous"]["week"],
        "sla_hours": f"{figures['sla_hours']:g}",
        "volume": _rows(figures, "volume"),
        "turnaround": _rows(figures, "turnaround"),
        "review": _rows(figures, "review"),
        "drafted": figures["drafted"],
        "coders": [
            {
                "coder": c["coder"],
                "approvals": c["approvals"],
                "unchanged": _number(c["unchanged_share"], "share"),
                "edit": _number(c["median_edit_chars"], "chars"),
            }
            for c in figures["coders"]
        ],
        "top_codes": figures["top_codes"],
        "top_finding_kinds": figures["top_finding_kinds"],
        "oldest_waiting": [
            {
                "id": c["id"],
                "status": c["status"].replace("_", " "),
                "waiting": duration(c["waiting_seconds"]),
                "url": c["url"],
            }
            for c in figures["oldest_waiting"]
        ],
        "daily": [
            {
                "day": _day(date.fromisoformat(d["date"])),
                "received": d["received"],
                "answered": d["answered"],
                "hours": "–"
                if d["mean_hours_to_sent"] is None
                else f"{d['mean_hours_to_sent']:g} h",
            }
            for d in figures["daily"]
        ],
        "chart_cid": chart_cid,
    }


def render_team(
    figures: dict[str, Any], week: Week, *, domain: str, template_dir: Path | None = None
) -> Rendered:
    """The team digest for `figures` (an empty week renders the short "no cases" form)."""
    images: dict[str, bytes] = {}
    chart_cid = None
    if not figures["empty"]:
        chart_cid = f"chart.{week.label}@{domain}"
        images[chart_cid] = daily_chart(figures["daily"])
    context = team_context(figures, week, chart_cid)
    env = environment(template_dir)
    if figures["empty"]:
        subject = f"Coding desk, week {week.label}: no cases"
    else:
        subject = (
            f"Coding desk, week {week.label}: {figures['received']} received, "
            f"{figures['answered']} answered, {figures['waiting']} waiting"
        )
    return Rendered(
        subject=subject,
        text=env.get_template("digest/team.txt.j2").render(context),
        html=env.get_template("digest/team.html.j2").render(context),
        images=images,
    )


# --- Requester digest ---------------------------------------------------------------------


def requester_context(address: str, week: Week, questions: list[dict[str, Any]]) -> dict:
    return {"address": address, "week": week.label, "span": _span(week), "questions": questions}


def render_requester(
    address: str, week: Week, questions: list[dict[str, Any]], *, template_dir: Path | None = None
) -> Rendered:
    context = requester_context(address, week, questions)
    env = environment(template_dir)
    count = len(questions)
    return Rendered(
        subject=f"Your coding questions, week {week.label}: {count} "
        + ("question" if count == 1 else "questions"),
        text=env.get_template("digest/requester.txt.j2").render(context),
        html=env.get_template("digest/requester.html.j2").render(context),
    )
