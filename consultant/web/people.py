"""The lead's page of accounts: who may sign in, and disabling an account."""

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
from consultant.web.console import Console, form_action, signed_in
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
    return console.render(request, "users.html.j2", data | {"error": ""}, actor=actor)


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
    Route("/users/{user_id:int}/disable", disable, methods=["POST"]),
]
