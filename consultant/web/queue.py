"""The queue: cases by status with counts, filters, full-text search, paging, SLA colours."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from consultant import cases
from consultant.models import Case, CaseEvent, CaseStatus, utcnow
from consultant.web import search
from consultant.web.console import Console, signed_in
from consultant.web.sessions import Actor

PAGE_SIZE = 25
DEFAULT_STATUS = CaseStatus.AWAITING_REVIEW.value
# Cases still waiting on the desk: these get an SLA colour.
WAITING = frozenset(
    {"received", "analyzed", "awaiting_review", "approved", "send_failed", "quarantined"}
)
STATUS_ORDER = [s.value for s in CaseStatus]


@dataclass(frozen=True)
class Filters:
    status: str = DEFAULT_STATUS  # a status, or "all"
    requester: str = ""
    code: str = ""
    coder: str = ""
    q: str = ""
    page: int = 1

    @classmethod
    def from_query(cls, params: Any) -> Filters:
        status = params.get("status", DEFAULT_STATUS)
        if status not in STATUS_ORDER and status != "all":
            status = DEFAULT_STATUS
        try:
            page = max(1, min(int(params.get("page", "1")), 100_000))
        except ValueError:
            page = 1
        return cls(
            status=status,
            requester=params.get("requester", "").strip()[:320],
            code=params.get("code", "").strip()[:16],
            coder=params.get("coder", "").strip()[:320],
            q=params.get("q", "").strip()[:500],
            page=page,
        )

    def query_string(self, **changes: Any) -> str:
        """This filter set (with `changes`) as a URL query, leaving out empty fields."""
        data = asdict(self) | changes
        if data["page"] == 1:
            del data["page"]
        return "?" + urlencode({k: v for k, v in data.items() if v != ""})


def sla_colour(status: str, age_hours: float, sla_hours: float) -> str:
    """ "ok", "due" (past half the SLA), "late" (past the SLA), or "done" for closed cases."""
    if status not in WAITING:
        return "done"
    if age_hours >= sla_hours:
        return "late"
    return "due" if age_hours >= sla_hours / 2 else "ok"


def human_age(hours: float) -> str:
    if hours < 1:
        return f"{int(hours * 60)} min"
    if hours < 48:
        return f"{hours:.0f} h"
    return f"{hours / 24:.0f} d"


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def find_cases(session: Session, filters: Filters) -> tuple[list[Case], int]:
    """One page of cases matching the filters, oldest first, and how many match in all."""
    query = select(Case)
    if filters.status != "all":
        query = query.where(Case.status == filters.status)
    if filters.requester:
        needle = f"%{filters.requester.lower()}%"
        query = query.where(
            or_(
                func.lower(Case.requester).like(needle),
                func.lower(Case.requester_name).like(needle),
            )
        )
    if filters.code:
        query = query.where(Case.id.in_(search.cases_with_code(filters.code)))
    if filters.coder:
        coder = filters.coder.lower()
        touched = exists().where(CaseEvent.case_id == Case.id, CaseEvent.actor == coder)
        query = query.where(or_(Case.claimed_by == coder, touched))
    if filters.q:
        matched = search.matching_cases(session, filters.q)
        if matched is not None:
            query = query.where(Case.id.in_(matched))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = session.scalars(
        query.order_by(Case.created_at, Case.id)
        .limit(PAGE_SIZE)
        .offset((filters.page - 1) * PAGE_SIZE)
    )
    return list(page), total


def case_row(case: Case, codes: list[str], *, now: datetime, sla_hours: float) -> dict[str, Any]:
    age = (now - _aware(case.created_at)).total_seconds() / 3600
    holder = cases.claim_holder(case, now=now)
    return {
        "id": case.id,
        "subject": case.subject or "(no subject)",
        "requester": case.requester,
        "requester_name": case.requester_name,
        "status": case.status,
        "received_at": _aware(case.created_at).strftime("%Y-%m-%d %H:%M"),
        "age": human_age(age),
        "age_hours": round(age, 2),
        "sla": sla_colour(case.status, age, sla_hours),
        "claimed_by": holder,
        "claimed_until": _aware(case.claimed_until).isoformat() if holder else None,
        "codes": codes,
    }


def queue_data(session: Session, filters: Filters, *, sla_hours: float) -> dict[str, Any]:
    """Plain data for web/queue.html.j2 and the API's list."""
    found, total = find_cases(session, filters)
    codes = search.codes_of(session, [c.id for c in found])
    now = utcnow()
    counts = cases.counts_by_status(session)
    pages = max(1, -(-total // PAGE_SIZE))
    return {
        "filters": asdict(filters),
        "counts": [{"status": s, "count": counts.get(s, 0)} for s in STATUS_ORDER]
        + [{"status": "all", "count": sum(counts.values())}],
        "rows": [case_row(c, codes.get(c.id, []), now=now, sla_hours=sla_hours) for c in found],
        "total": total,
        "page_no": filters.page,
        "pages": pages,
        "sla_hours": sla_hours,
    }


@signed_in
async def queue_page(request: Request, console: Console, actor: Actor) -> Response:
    filters = Filters.from_query(request.query_params)
    await run_in_threadpool(search.catch_up, console.sessions)
    data = await console.db(queue_data, filters, sla_hours=console.settings.sla_hours)
    links = {
        "prev": filters.query_string(page=filters.page - 1) if filters.page > 1 else "",
        "next": filters.query_string(page=filters.page + 1) if filters.page < data["pages"] else "",
        "status": {
            c["status"]: filters.query_string(status=c["status"], page=1) for c in data["counts"]
        },
    }
    return console.render(request, "queue.html.j2", data | {"links": links}, actor=actor)


routes = [Route("/", queue_page, methods=["GET"])]
