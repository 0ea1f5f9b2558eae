"""The case page and its actions: claim, release, reassign, save, approve, reject, note,
re-run analysis, resend; and attachment downloads."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from consultant import cases
from consultant.errors import ConsultantError, NotFound
from consultant.models import Message
from consultant.web import actions
from consultant.web.attachments import attachment_parts, download_name
from consultant.web.casepage import case_view
from consultant.web.console import Console, field_text, form_action, signed_in
from consultant.web.markup import text_to_html
from consultant.web.sessions import Actor

log = logging.getLogger(__name__)


def _case_id(request: Request) -> int:
    try:
        return int(request.path_params["case_id"])
    except ValueError:
        raise HTTPException(404, "no such case") from None


async def _page(
    request: Request,
    console: Console,
    actor: Actor,
    *,
    error: str = "",
    edited: str | None = None,
    status_code: int = 200,
) -> Response:
    case_id = _case_id(request)

    def build(session: Session) -> dict[str, Any]:
        return case_view(
            cases.get_case(session, case_id), actor, sla_hours=console.settings.sla_hours
        )

    try:
        data = await console.db(build)
    except NotFound:
        raise HTTPException(404, "no such case") from None
    data["error"] = error
    if edited is not None and data["draft"] is not None:
        data["draft"] = data["draft"] | {"text": edited, "preview": text_to_html(edited)}
        data["previewing"] = True
    else:
        data["previewing"] = False
    return console.render(request, "case.html.j2", data, actor=actor, status_code=status_code)


@signed_in
async def case_page(request: Request, console: Console, actor: Actor) -> Response:
    return await _page(request, console, actor)


async def _act(
    request: Request,
    console: Console,
    actor: Actor,
    work: Callable[..., Any],
    *args: Any,
    edited: str | None = None,
) -> Response:
    """Run one action in a transaction; success redirects back, refusal re-renders with why."""
    case_id = _case_id(request)
    try:
        await console.db(work, case_id, actor, *args)
    except NotFound:
        raise HTTPException(404, "no such case") from None
    except actions.Forbidden as exc:
        return await _page(request, console, actor, error=str(exc), status_code=403)
    except ConsultantError as exc:
        return await _page(request, console, actor, error=str(exc), edited=edited, status_code=409)
    name = getattr(work, "__name__", None) or work.func.__name__
    log.info("case %s: %s by user %s", case_id, name, actor.id)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@form_action
async def claim(request: Request, console: Console, actor: Actor, form: FormData) -> Response:
    work = functools.partial(actions.claim, minutes=console.settings.claim_minutes)
    return await _act(request, console, actor, work)


@form_action
async def release(request: Request, console: Console, actor: Actor, form: FormData) -> Response:
    return await _act(request, console, actor, actions.release)


@form_action
async def reassign(request: Request, console: Console, actor: Actor, form: FormData) -> Response:
    work = functools.partial(actions.reassign, minutes=console.settings.claim_minutes)
    return await _act(request, console, actor, work, field_text(form, "to", limit=320))


@form_action
async def save_draft(request: Request, console: Console, actor: Actor, form: FormData) -> Response:
    text = field_text(form, "text")
    if form.get("action") == "preview":
        return await _page(request, console, actor, edited=text)
    return await _act(request, console, actor, actions.save, text, edited=text)


@form_action
async def preview(request: Request, console: Console, actor: Actor, form: FormData) -> Response:
    """The HTML part an edited draft would be sent with (for the live preview)."""
    return HTMLResponse(text_to_html(field_text(form, "text")))


@form_action
async def approve(request: Request, console: Console, actor: Actor, form: FormData) -> Response:
    text = field_text(form, "text") if "text" in form else None
    response = await _act(request, console, actor, actions.approve, text, edited=text)
    if response.status_code == 303:
        await console.enqueue(console.enqueue_send, _case_id(request), "send")
    return response


@form_action
async def reject(request: Request, console: Console, actor: Actor, form: FormData) -> Response:
    return await _act(request, console, actor, actions.reject, field_text(form, "reason"))


@form_action
async def note(request: Request, console: Console, actor: Actor, form: FormData) -> Response:
    return await _act(request, console, actor, actions.note, field_text(form, "note"))


@form_action
async def reanalyze(request: Request, console: Console, actor: Actor, form: FormData) -> Response:
    response = await _act(request, console, actor, actions.reanalyze)
    if response.status_code == 303:
        await console.enqueue(console.enqueue_analysis, _case_id(request), "analysis")
    return response


@form_action
async def resend(request: Request, console: Console, actor: Actor, form: FormData) -> Response:
    response = await _act(request, console, actor, actions.resend)
    if response.status_code == 303:
        await console.enqueue(console.enqueue_send, _case_id(request), "send")
    return response


@signed_in
async def attachment(request: Request, console: Console, actor: Actor) -> Response:
    """One attachment, always as a download (never rendered by the browser)."""
    case_id, message_id = _case_id(request), int(request.path_params["message_id"])
    index = int(request.path_params["index"])

    def load(session: Session) -> bytes | None:
        message = session.get(Message, message_id)
        return message.raw if message is not None and message.case_id == case_id else None

    raw = await console.db(load)
    parts = attachment_parts(raw) if raw is not None else []
    if index >= len(parts):
        raise HTTPException(404, "no such attachment")
    part = parts[index]
    name = download_name(part.filename)
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_")
    return Response(
        part.payload,
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": f'attachment; filename="{ascii_name}"; '
            f"filename*=UTF-8''{quote(name, safe='')}",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )


routes = [
    Route("/cases/{case_id:int}", case_page, methods=["GET"]),
    Route("/cases/{case_id:int}/claim", claim, methods=["POST"]),
    Route("/cases/{case_id:int}/release", release, methods=["POST"]),
    Route("/cases/{case_id:int}/reassign", reassign, methods=["POST"]),
    Route("/cases/{case_id:int}/draft", save_draft, methods=["POST"]),
    Route("/cases/{case_id:int}/preview", preview, methods=["POST"]),
    Route("/cases/{case_id:int}/approve", approve, methods=["POST"]),
    Route("/cases/{case_id:int}/reject", reject, methods=["POST"]),
    Route("/cases/{case_id:int}/note", note, methods=["POST"]),
    Route("/cases/{case_id:int}/reanalyze", reanalyze, methods=["POST"]),
    Route("/cases/{case_id:int}/resend", resend, methods=["POST"]),
    Route(
        "/cases/{case_id:int}/messages/{message_id:int}/attachments/{index:int}",
        attachment,
        methods=["GET"],
    ),
]
