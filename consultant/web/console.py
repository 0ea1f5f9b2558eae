"""The console's shared plumbing: its dependencies, page rendering, and the checks every
request passes (who is signed in; for forms, same origin and a matching CSRF token)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from consultant.config import Settings
from consultant.db import transaction
from consultant.templating import environment
from consultant.web.security import same_origin
from consultant.web.sessions import Actor, CookieCodec, CookieState, csrf_matches, session_actor
from consultant.web.throttle import RateLimiter

log = logging.getLogger(__name__)
Enqueue = Callable[[int], None]
T = TypeVar("T")


@dataclass
class Console:
    settings: Settings
    sessions: sessionmaker[Session]
    cookies: CookieCodec
    enqueue_send: Enqueue | None = None
    enqueue_analysis: Enqueue | None = None
    login_limiter: RateLimiter = field(default_factory=RateLimiter)

    async def db(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run `work(session, *args, **kwargs)` in one transaction, off the event loop."""

        def unit() -> T:
            with transaction(self.sessions) as session:
                return work(session, *args, **kwargs)

        return await run_in_threadpool(unit)

    async def enqueue(self, which: Enqueue | None, case_id: int, what: str) -> None:
        """Hand a committed case to the workers; a lost enqueue is left to the sweep."""
        if which is None:
            log.warning("case %s: no %s queue wired; the sweep will pick it up", case_id, what)
            return
        try:
            await run_in_threadpool(which, case_id)
        except Exception:  # noqa: BLE001 - the case is committed; the sweep retries
            log.warning("case %s: could not enqueue %s; the sweep will retry", case_id, what)

    def render(
        self,
        request: Request,
        template: str,
        data: dict[str, Any],
        *,
        actor: Actor | None = None,
        status_code: int = 200,
    ) -> HTMLResponse:
        state: CookieState | None = request.state.cookie
        page = {
            "me": None
            if actor is None
            else {"email": actor.email, "name": actor.name, "lead": actor.lead},
            "csrf": state.csrf if state else "",
        }
        html = (
            environment(self.settings.template_dir)
            .get_template(f"web/{template}")
            .render(page=page, **data)
        )
        return HTMLResponse(html, status_code=status_code)


def console_of(request: Request) -> Console:
    return request.app.state.console


async def current_actor(request: Request) -> Actor | None:
    """The signed-in user (cached on the request), None for a visitor."""
    if not hasattr(request.state, "actor"):
        console = console_of(request)
        state = console.cookies.read(request)
        request.state.cookie = state
        request.state.actor = (
            await console.db(session_actor, state.token) if state and state.token else None
        )
    return request.state.actor


Page = Callable[[Request, Console, Actor], Awaitable[Response]]
Action = Callable[[Request, Console, Actor, FormData], Awaitable[Response]]


def signed_in(view: Page) -> Callable[[Request], Awaitable[Response]]:
    """A page for signed-in users; visitors are sent to /login."""

    @functools.wraps(view)
    async def endpoint(request: Request) -> Response:
        actor = await current_actor(request)
        if actor is None:
            return RedirectResponse("/login", status_code=303)
        return await view(request, console_of(request), actor)

    return endpoint


async def checked_form(request: Request) -> FormData:
    """The posted form, after refusing cross-site posts and posts without the CSRF token."""
    await current_actor(request)
    if not same_origin(request, console_of(request).settings.public_url):
        raise HTTPException(403, "cross-origin request refused")
    form = await request.form()
    submitted = form.get("csrf_token")
    if not isinstance(submitted, str) or not csrf_matches(request.state.cookie, submitted):
        raise HTTPException(403, "missing or stale form token; reload the page")
    return form


def form_action(view: Action) -> Callable[[Request], Awaitable[Response]]:
    """A POST by a signed-in user, with the origin and CSRF checks passed."""

    @functools.wraps(view)
    async def endpoint(request: Request) -> Response:
        form = await checked_form(request)
        actor = request.state.actor
        if actor is None:
            return RedirectResponse("/login", status_code=303)
        return await view(request, console_of(request), actor, form)

    return endpoint


def field_text(form: FormData, name: str, *, limit: int = 100_000) -> str:
    value = form.get(name, "")
    if not isinstance(value, str):
        raise HTTPException(400, f"{name} must be text")
    return value[:limit]
