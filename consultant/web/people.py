"""The lead's page of accounts: who may sign in, adding and disabling accounts."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from consultant.errors import ConsultantError
from consultant.users import list_users
from consultant.web import actions
from consultant.web.console import Console, field_text, form_action, signed_in
from consultant.web.sessions import Actor


def users_data(session: Session) -> dict[str, Any]:
    return {
        "users": [
            {"id": u.id, "email": u.email, "name": u.name, "role": u.role, "active": u.active}
            for u in list_users(session)
        ]
    }


@signed_in
async def users_page(request: Request, console: Console, actor: Actor) -> Response:
    if not actor.lead:
        raise HTTPException(403, "only a lead can manage accounts")
    data = await console.db(users_data)
    extra = {"error": "", "link": "", "added": ""}
    return console.render(request, "users.html.j2", data | extra, actor=actor)


@form_action
async def add(request: Request, console: Console, actor: Actor, form: FormData) -> Response:
    email, name = field_text(form, "email", limit=320), field_text(form, "name", limit=200)
    role = field_text(form, "role", limit=16)
    error, link = "", ""
    try:
        token = await console.db(actions.add_user, actor, email, role, name)
        link = f"{console.settings.console_url}/set-password/{token}"
    except actions.Forbidden as exc:
        raise HTTPException(403, str(exc)) from None
    except ConsultantError as exc:
        error = str(exc)
    data = await console.db(users_data)
    extra = {"error": error, "link": link, "added": email.strip().lower() if link else ""}
    return console.render(
        request, "users.html.j2", data | extra, actor=actor, status_code=400 if error else 200
    )


@form_action
async def disable(request: Request, console: Console, actor: Actor, form: FormData) -> Response:
    try:
        await console.db(actions.disable, actor, request.path_params["user_id"])
    except actions.Forbidden as exc:
        raise HTTPException(403, str(exc)) from None
    except ConsultantError as exc:
        raise HTTPException(404, str(exc)) from None
    return RedirectResponse("/users", status_code=303)


routes = [
    Route("/users", users_page, methods=["GET"]),
    Route("/users/add", add, methods=["POST"]),
    Route("/users/{user_id:int}/disable", disable, methods=["POST"]),
]
