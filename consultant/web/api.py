"""The JSON API: the queue operations (list, show, claim, release, approve, reject, note) for
scripts, authenticated by a bearer token from `consultant users token EMAIL`. No cookies are
read here, so a browser's session can never be replayed cross-site against it."""

from __future__ import annotations

import functools
import json
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from consultant import cases
from consultant.errors import ConsultantError, IllegalTransition, NotFound
from consultant.users import user_for_api_token
from consultant.web import actions, search
from consultant.web.console import Console, console_of
from consultant.web.queue import Filters, queue_data
from consultant.web.sessions import Actor, actor_of

ApiView = Callable[[Request, Console, Actor], Awaitable[Response]]


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def token_required(view: ApiView) -> Callable[[Request], Awaitable[Response]]:
    @functools.wraps(view)
    async def endpoint(request: Request) -> Response:
        console = console_of(request)
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return _error(401, "send Authorization: Bearer <token>")

        def lookup(session: Session) -> Actor | None:
            user = user_for_api_token(session, token.strip())
            return actor_of(user) if user else None

        actor = await console.db(lookup)
        if actor is None:
            return _error(401, "unknown, revoked or disabled token")
        try:
            return await view(request, console, actor)
        except NotFound as exc:
            return _error(404, str(exc))
        except actions.Forbidden as exc:
            return _error(403, str(exc))
        except (cases.ClaimConflict, IllegalTransition) as exc:
            return _error(409, str(exc))
        except ConsultantError as exc:
            return _error(400, str(exc))

    return endpoint


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        raise ConsultantError("the body is not JSON") from None
    if not isinstance(data, dict):
        raise ConsultantError("the body must be a JSON object")
    return data


def _text(data: dict[str, Any], name: str, *, required: bool = True) -> str | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise ConsultantError(f"{name} must be a string")
    return value


def _detail(session: Session, case_id: int) -> dict[str, Any]:
    case = cases.get_case(session, case_id)
    holder = cases.claim_holder(case)
    return cases.case_detail(case) | {
        "claimed_by": holder,
        "claimed_until": case.claimed_until.isoformat() if holder and case.claimed_until else None,
    }


@token_required
async def list_cases(request: Request, console: Console, actor: Actor) -> Response:
    """GET /api/cases?status=&requester=&code=&coder=&q=&page="""
    await run_in_threadpool(search.catch_up, console.sessions)
    filters = Filters.from_query(request.query_params)
    data = await console.db(queue_data, filters, sla_hours=console.settings.sla_hours)
    return JSONResponse(
        {
            "cases": data["rows"],
            "total": data["total"],
            "page": data["page_no"],
            "pages": data["pages"],
            "counts": {c["status"]: c["count"] for c in data["counts"]},
        }
    )


@token_required
async def show_case(request: Request, console: Console, actor: Actor) -> Response:
    return JSONResponse(await console.db(_detail, request.path_params["case_id"]))


async def _then_show(console: Console, case_id: int, status: int = 200) -> JSONResponse:
    return JSONResponse(await console.db(_detail, case_id), status_code=status)


@token_required
async def claim(request: Request, console: Console, actor: Actor) -> Response:
    case_id = request.path_params["case_id"]
    work = functools.partial(actions.claim, minutes=console.settings.claim_minutes)
    await console.db(work, case_id, actor)
    return await _then_show(console, case_id)


@token_required
async def release(request: Request, console: Console, actor: Actor) -> Response:
    case_id = request.path_params["case_id"]
    await console.db(actions.release, case_id, actor)
    return await _then_show(console, case_id)


@token_required
async def approve(request: Request, console: Console, actor: Actor) -> Response:
    """Body (optional): {"text": "the edited reply"}. 202: the send is queued."""
    case_id = request.path_params["case_id"]
    text = _text(await _body(request), "text", required=False)
    await console.db(actions.approve, case_id, actor, text)
    await console.enqueue(console.enqueue_send, case_id, "send")
    return await _then_show(console, case_id, 202)


@token_required
async def reject(request: Request, console: Console, actor: Actor) -> Response:
    """Body: {"reason": "why"}."""
    case_id = request.path_params["case_id"]
    reason = _text(await _body(request), "reason") or ""
    await console.db(actions.reject, case_id, actor, reason)
    return await _then_show(console, case_id)


@token_required
async def note(request: Request, console: Console, actor: Actor) -> Response:
    """Body: {"note": "internal note"}."""
    case_id = request.path_params["case_id"]
    text = _text(await _body(request), "note") or ""
    await console.db(actions.note, case_id, actor, text)
    return await _then_show(console, case_id, 201)


routes = [
    Route("/api/cases", list_cases, methods=["GET"]),
    Route("/api/cases/{case_id:int}", show_case, methods=["GET"]),
    Route("/api/cases/{case_id:int}/claim", claim, methods=["POST"]),
    Route("/api/cases/{case_id:int}/release", release, methods=["POST"]),
    Route("/api/cases/{case_id:int}/approve", approve, methods=["POST"]),
    Route("/api/cases/{case_id:int}/reject", reject, methods=["POST"]),
    Route("/api/cases/{case_id:int}/note", note, methods=["POST"]),
]
