"""The team's figures for one ISO week, each an SQL aggregate (SQLite and PostgreSQL)."""

from __future__ import annotations

import difflib
import statistics
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Float,
    and_,
    bindparam,
    case,
    cast,
    exists,
    extract,
    func,
    literal,
    select,
    text,
)
from sqlalchemy.orm import Session, aliased

from consultant.digest.weeks import Week
from consultant.models import Case, CaseEvent, CaseStatus, Draft

S = CaseStatus
# A case is waiting while a person still owes the requester something.
WAITING = (S.RECEIVED, S.ANALYZED, S.AWAITING_REVIEW, S.APPROVED, S.SEND_FAILED, S.QUARANTINED)
# Figures reported with their change from the previous week.
SCALARS = (
    "received",
    "answered",
    "rejected",
    "ignored",
    "waiting",
    "drafted",
    "median_seconds_to_draft",
    "p90_seconds_to_draft",
    "median_seconds_to_sent",
    "p90_seconds_to_sent",
    "sla_breaches",
    "approvals",
    "approved_unchanged_share",
    "median_edit_chars",
)


def team_figures(
    session: Session,
    week: Week,
    *,
    now: datetime,
    sla_hours: float,
    console_url: str,
    top: int = 10,
    oldest: int = 5,
) -> dict[str, Any]:
    """Every figure of the team digest for `week`, as plain JSON-able data. Figures of a
    week still running are counted up to `now`."""
    current = _week_scalars(session, week, now=now, sla_hours=sla_hours)
    previous = _week_scalars(session, week.previous(), now=now, sla_hours=sla_hours)
    figures: dict[str, Any] = {
        "week": week.label,
        "timezone": week.zone.key,
        "start": week.start.isoformat(),
        "end": week.end.isoformat(),
        "sla_hours": sla_hours,
        **{name: current[name] for name in SCALARS},
        "coders": current["coders"],
        "top_codes": _top_items(session, week, "codes", "code", top),
        "top_finding_kinds": _top_items(session, week, "findings", "kind", top),
        "daily": _daily(session, week),
        "oldest_waiting": _oldest_waiting(
            session, min(week.end, now), now=now, console_url=console_url, limit=oldest
        ),
        "previous": {"week": week.previous().label, **{n: previous[n] for n in SCALARS}},
        "change": {n: _change(current[n], previous[n]) for n in SCALARS},
    }
    figures["empty"] = not any(figures[n] for n in ("received", "answered", "rejected", "waiting"))
    return figures


def _change(now_value: float | None, before: float | None) -> float | None:
    if now_value is None or before is None:
        return None
    return round(now_value - before, 3)


def _week_scalars(
    session: Session, week: Week, *, now: datetime, sla_hours: float
) -> dict[str, Any]:
    start, end = week.start, week.end
    cutoff = min(end, now)
    counts = _event_counts(session, start, end)
    to_draft = _turnaround(session, S.AWAITING_REVIEW, start, end)
    to_sent = _turnaround(session, S.SENT, start, end)
    coders, approvals, unchanged, edits = _approvals(session, start, end)
    return {
        "received": _count_received(session, start, end),
        "answered": counts.get(S.SENT, 0),
        "rejected": counts.get(S.REJECTED, 0),
        "ignored": counts.get(S.IGNORED, 0),
        "waiting": _waiting_at(session, cutoff),
        "drafted": to_draft[0],
        "median_seconds_to_draft": to_draft[1],
        "p90_seconds_to_draft": to_draft[2],
        "median_seconds_to_sent": to_sent[1],
        "p90_seconds_to_sent": to_sent[2],
        "sla_breaches": _sla_breaches(session, start, cutoff, sla_hours),
        "approvals": approvals,
        "approved_unchanged_share": round(unchanged / approvals, 4) if approvals else None,
        "median_edit_chars": statistics.median(edits) if edits else None,
        "coders": coders,
    }


# --- Dialect helpers -------------------------------------------------------------------


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _seconds(session: Session, later: Any, earlier: Any) -> ColumnElement[float]:
    """Seconds from `earlier` to `later` as an SQL expression."""
    if _dialect(session) == "sqlite":
        return (func.julianday(later) - func.julianday(earlier)) * 86400.0
    return cast(extract("epoch", later - earlier), Float)


def _percentiles(session: Session, values: Any) -> tuple[int, float | None, float | None]:
    """(count, median, 90th percentile) of a one-column subquery, linearly interpolated
    between the closest ranks (PostgreSQL's percentile_cont). SQLite has no percentile
    aggregate: it sorts and reads the two neighbouring rows of each rank by OFFSET."""
    column = values.c.value
    if _dialect(session) == "postgresql":
        row = session.execute(
            select(
                func.count(),
                func.percentile_cont(0.5).within_group(column),
                func.percentile_cont(0.9).within_group(column),
            ).select_from(values)
        ).one()
        return row[0], _seconds_value(row[1]), _seconds_value(row[2])
    count = session.scalar(select(func.count()).select_from(values)) or 0
    if count == 0:
        return 0, None, None
    results = []
    for fraction in (0.5, 0.9):
        rank = fraction * (count - 1)
        low = int(rank)
        pair = session.scalars(select(column).order_by(column).offset(low).limit(2)).all()
        upper = pair[1] if len(pair) > 1 else pair[0]
        results.append(_seconds_value(pair[0] + (upper - pair[0]) * (rank - low)))
    return count, results[0], results[1]


def _seconds_value(value: Any) -> float | None:
    return None if value is None else round(float(value), 3)


# --- Counts ----------------------------------------------------------------------------


def _count_received(session: Session, start: datetime, end: datetime) -> int:
    query = select(func.count()).where(Case.created_at >= start, Case.created_at < end)
    return session.scalar(query) or 0


def _event_counts(session: Session, start: datetime, end: datetime) -> dict[str, int]:
    """Cases that reached sent, rejected or ignored during the week (each case once)."""
    query = (
        select(CaseEvent.to_status, func.count(CaseEvent.case_id.distinct()))
        .where(
            CaseEvent.to_status.in_([S.SENT, S.REJECTED, S.IGNORED]),
            CaseEvent.at >= start,
            CaseEvent.at < end,
        )
        .group_by(CaseEvent.to_status)
    )
    return {status: count for status, count in session.execute(query)}


def _waiting_at(session: Session, moment: datetime) -> int:
    """Cases in a waiting state at `moment`, replayed from the event log: every status
    event enters one state and leaves another, so entries minus exits is the count."""
    waiting = [s.value for s in WAITING]
    entered = case((CaseEvent.to_status.in_(waiting), 1), else_=0)
    left = case((CaseEvent.from_status.in_(waiting), 1), else_=0)
    query = select(func.coalesce(func.sum(entered - left), 0)).where(
        CaseEvent.to_status.is_not(None), CaseEvent.at < moment
    )
    return int(session.scalar(query) or 0)


def _first_events(status: CaseStatus, start: datetime, end: datetime):  # noqa: ANN202
    """Events during the week that took a case to `status` for the first time ever: the
    week's few events, each checked against its case's earliest such event by index."""
    earliest = aliased(CaseEvent)
    first_id = (
        select(earliest.id)
        .where(earliest.case_id == CaseEvent.case_id, earliest.to_status == status)
        .order_by(earliest.at, earliest.id)
        .limit(1)
        .scalar_subquery()
    )
    return and_(
        CaseEvent.to_status == status,
        CaseEvent.at >= start,
        CaseEvent.at < end,
        CaseEvent.id == first_id,
    )


def _turnaround(
    session: Session, status: CaseStatus, start: datetime, end: datetime
) -> tuple[int, float | None, float | None]:
    """Seconds from receipt to a case's first `status`, over cases that first reached it
    during the week: (count, median, 90th percentile)."""
    values = (
        select(_seconds(session, CaseEvent.at, Case.created_at).label("value"))
        .join(Case, Case.id == CaseEvent.case_id)
        .where(_first_events(status, start, end))
        .subquery()
    )
    return _percentiles(session, values)


def _sla_breaches(session: Session, start: datetime, cutoff: datetime, sla_hours: float) -> int:
    """Questions whose deadline (receipt + SLA) fell in the week, up to `cutoff`, with no
    answer or rejection by then. Ignored messages were never questions."""
    sla = timedelta(hours=sla_hours)
    resolved = aliased(CaseEvent)
    query = select(func.count()).where(
        Case.created_at >= start - sla,
        Case.created_at < cutoff - sla,
        Case.status != S.IGNORED,
        ~exists().where(
            resolved.case_id == Case.id,
            resolved.to_status.in_([S.SENT, S.REJECTED]),
            _seconds(session, resolved.at, Case.created_at) <= sla.total_seconds(),
        ),
    )
    return session.scalar(query) or 0


# --- Approvals and edits -----------------------------------------------------------------


def _draft_text_at(system_only: bool):  # noqa: ANN202
    """The text of the case's latest draft (or latest system draft) at the approval."""
    draft = aliased(Draft)
    query = select(draft.text).where(
        draft.case_id == CaseEvent.case_id, draft.created_at <= CaseEvent.at
    )
    if system_only:
        query = query.where(draft.author == "system")
    return query.order_by(draft.created_at.desc(), draft.id.desc()).limit(1).scalar_subquery()


def _approvals(
    session: Session, start: datetime, end: datetime
) -> tuple[list[dict[str, Any]], int, int, list[int]]:
    """Per coder: approvals, how many went out exactly as the system drafted them, and the
    median edit size of the rest. Counts are SQL aggregates; the edit sizes are measured on
    the week's edited drafts only (SQL has no text diff)."""
    pairs = (
        select(
            CaseEvent.actor.label("actor"),
            _draft_text_at(system_only=False).label("approved"),
            _draft_text_at(system_only=True).label("system"),
        )
        .where(
            CaseEvent.to_status == S.APPROVED,
            CaseEvent.action == "approved",
            CaseEvent.at >= start,
            CaseEvent.at < end,
        )
        .subquery()
    )
    same = case((pairs.c.approved == pairs.c.system, 1), else_=0)
    totals = session.execute(
        select(pairs.c.actor, func.count(), func.sum(same))
        .group_by(pairs.c.actor)
        .order_by(pairs.c.actor)
    ).all()
    edited = session.execute(
        select(pairs.c.actor, pairs.c.approved, pairs.c.system).where(
            (pairs.c.approved != pairs.c.system) | pairs.c.system.is_(None)
        )
    ).all()
    sizes: dict[str, list[int]] = {}
    for actor, approved, system in edited:
        sizes.setdefault(actor, []).append(edit_size(system or "", approved or ""))
    coders = [
        {
            "coder": actor,
            "approvals": count,
            "unchanged": int(unchanged or 0),
            "unchanged_share": round(int(unchanged or 0) / count, 4),
            "median_edit_chars": statistics.median(sizes[actor]) if actor in sizes else None,
        }
        for actor, count, unchanged in totals
    ]
    approvals = sum(c["approvals"] for c in coders)
    unchanged_total = sum(c["unchanged"] for c in coders)
    return coders, approvals, unchanged_total, [s for group in sizes.values() for s in group]


def edit_size(before: str, after: str) -> int:
    """Characters a coder removed plus characters added, over a word-level diff."""
    old, new = before.split(), after.split()
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    size = 0
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            size += sum(len(w) for w in old[i1:i2]) + sum(len(w) for w in new[j1:j2])
    return size


# --- Lists: codes, finding kinds, oldest waiting, daily volume ---------------------------

_ITEMS_SQL = {
    "sqlite": """
        SELECT json_extract(item.value, '$.{field}') AS name, COUNT(DISTINCT d.case_id) AS n
        FROM cases c
        JOIN drafts d ON d.case_id = c.id AND d.author = 'system'
        JOIN json_each(d.analysis, '$.{array}') AS item
        WHERE c.created_at >= :start AND c.created_at < :end
        GROUP BY name HAVING name IS NOT NULL
        ORDER BY n DESC, name LIMIT :top
    """,
    "postgresql": """
        SELECT item.value ->> '{field}' AS name, COUNT(DISTINCT d.case_id) AS n
        FROM cases c
        JOIN drafts d ON d.case_id = c.id AND d.author = 'system'
        CROSS JOIN LATERAL json_array_elements(
            CASE WHEN json_typeof(d.analysis -> '{array}') = 'array'
                 THEN d.analysis -> '{array}' ELSE '[]'::json END
        ) AS item(value)
        WHERE c.created_at >= :start AND c.created_at < :end
        GROUP BY name HAVING item.value ->> '{field}' IS NOT NULL
        ORDER BY n DESC, name LIMIT :top
    """,
}


def _top_items(
    session: Session, week: Week, array: str, field: str, top: int
) -> list[dict[str, Any]]:
    """The most frequent `field` of the analysis' `array` over the week's received cases,
    each counted once per case (the system's drafts carry the analysis)."""
    query = text(_ITEMS_SQL[_dialect(session)].format(array=array, field=field)).bindparams(
        bindparam("start", type_=DateTime(timezone=True)),
        bindparam("end", type_=DateTime(timezone=True)),
    )
    rows = session.execute(query, {"start": week.start, "end": week.end, "top": top})
    return [{field: name, "cases": n} for name, n in rows]


def _oldest_waiting(
    session: Session, cutoff: datetime, *, now: datetime, console_url: str, limit: int
) -> list[dict[str, Any]]:
    """The longest-waiting open cases (as they stand now) received before `cutoff`."""
    query = (
        select(Case.id, Case.status, Case.created_at)
        .where(Case.status.in_([s.value for s in WAITING]), Case.created_at < cutoff)
        .order_by(Case.created_at, Case.id)
        .limit(limit)
    )
    return [
        {
            "id": case_id,
            "status": status,
            "received_at": _aware(created).isoformat(),
            "waiting_seconds": round((now - _aware(created)).total_seconds()),
            "url": f"{console_url}/cases/{case_id}",
        }
        for case_id, status, created in session.execute(query)
    ]


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _daily(session: Session, week: Week) -> list[dict[str, Any]]:
    """Per local day: cases received, replies first sent, and their mean hours from receipt."""
    days = week.day_starts()
    received = session.execute(
        select(
            *[
                func.sum(case(((Case.created_at >= a) & (Case.created_at < b), 1), else_=0))
                for a, b in zip(days, days[1:], strict=False)
            ]
        ).where(Case.created_at >= week.start, Case.created_at < week.end)
    ).one()
    hours = _seconds(session, CaseEvent.at, Case.created_at) / 3600.0
    sent_columns = []
    for a, b in zip(days, days[1:], strict=False):
        in_day = (CaseEvent.at >= a) & (CaseEvent.at < b)
        sent_columns += [
            func.sum(case((in_day, 1), else_=0)),
            func.avg(case((in_day, cast(hours, Float)), else_=literal(None))),
        ]
    sent = session.execute(
        select(*sent_columns)
        .join(Case, Case.id == CaseEvent.case_id)
        .where(_first_events(S.SENT, week.start, week.end))
    ).one()
    zone = week.zone
    return [
        {
            "date": days[i].astimezone(zone).date().isoformat(),
            "received": int(received[i] or 0),
            "answered": int(sent[2 * i] or 0),
            "mean_hours_to_sent": None if sent[2 * i + 1] is None else round(sent[2 * i + 1], 2),
        }
        for i in range(7)
    ]
