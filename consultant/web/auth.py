"""Signing in and out, and setting a password from a one-time link."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from consultant.errors import ConsultantError
from consultant.users import check_credentials, password_link_user, redeem_password_link
from consultant.web import throttle
from consultant.web.console import checked_form, console_of, current_actor, field_text
from consultant.web.sessions import end_session, fresh_state, start_session

log = logging.getLogger(__name__)


async def _with_form_token(request: Request, template: str, data: dict, status: int = 200):
    """Render a page for a visitor, giving them a CSRF secret if they have none yet."""
    console = console_of(request)
    await current_actor(request)
    new_state = None
    if request.state.cookie is None:
        new_state = request.state.cookie = fresh_state()
    response = console.render(request, template, data, status_code=status)
    if new_state is not None:
        console.cookies.write(response, new_state, request)
    return response


async def login_page(request: Request) -> Response:
    if await current_actor(request) is not None:
        return RedirectResponse("/", status_code=303)
    return await _with_form_token(request, "login.html.j2", {"error": "", "email": ""})


def _attempt(session: Session, email: str, password: str) -> tuple[str | None, str]:
    """(session token, "") on success, (None, reason) otherwise."""
    if throttle.locked_until(session, email) is not None:
        return None, "locked"
    user = check_credentials(session, email, password)
    if user is None:
        return None, "locked" if throttle.record_failure(session, email) else "wrong"
    throttle.record_success(session, email)
    return start_session(session, user), ""


async def login(request: Request) -> Response:
    console = console_of(request)
    form = await checked_form(request)
    email = field_text(form, "email", limit=320).strip().lower()
    password = field_text(form, "password", limit=1024)
    client = request.client.host if request.client else "?"
    if not console.login_limiter.allow(client):
        log.warning("login rate limit reached for a client")
        return await _with_form_token(
            request,
            "login.html.j2",
            {"error": "Too many sign-in attempts. Wait a minute and try again.", "email": email},
            429,
        )
    token, reason = await console.db(_attempt, email, password)
    if token is None:
        message = (
            "Too many failed attempts: this account is locked for a while."
            if reason == "locked"
            else "Wrong email or password."
        )
        status = 429 if reason == "locked" else 401
        return await _with_form_token(
            request, "login.html.j2", {"error": message, "email": email}, status
        )
    response = RedirectResponse("/", status_code=303)
    console.cookies.write(response, fresh_state(token), request)
    return response


async def logout(request: Request) -> Response:
    console = console_of(request)
    await checked_form(request)
    state = request.state.cookie
    if state and state.token:
        await console.db(end_session, state.token)
    response = RedirectResponse("/login", status_code=303)
    console.cookies.clear(response)
    return response


async def set_password_page(request: Request) -> Response:
    console = console_of(request)
    token = request.path_params["token"]
    user = await console.db(lambda s: getattr(password_link_user(s, token), "email", None))
    if user is None:
        raise HTTPException(404, "This link has expired or was already used.")
    return await _with_form_token(request, "set_password.html.j2", {"email": user, "error": ""})


async def set_password(request: Request) -> Response:
    console = console_of(request)
    form = await checked_form(request)
    token = request.path_params["token"]
    password = field_text(form, "password", limit=1024)
    if password != field_text(form, "confirm", limit=1024):
        error = "The two passwords differ."
    else:
        try:
            await console.db(redeem_password_link, token, password)
            return RedirectResponse("/login", status_code=303)
        except ConsultantError as exc:
            error = str(exc)
    email = await console.db(lambda s: getattr(password_link_user(s, token), "email", None))
    if email is None:
        raise HTTPException(404, "This link has expired or was already used.")
    return await _with_form_token(
        request, "set_password.html.j2", {"email": email, "error": error}, 400
    )


routes = [
    Route("/login", login_page, methods=["GET"]),
    Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/set-password/{token}", set_password_page, methods=["GET"]),
    Route("/set-password/{token}", set_password, methods=["POST"]),
]
