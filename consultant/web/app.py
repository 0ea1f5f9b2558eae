"""The review console's ASGI application: routes, static files, security headers, errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from consultant import metrics
from consultant.config import Settings
from consultant.web import api, auth, case_views, people, queue
from consultant.web.console import Console, console_of, current_actor
from consultant.web.security import SecurityHeaders
from consultant.web.sessions import CookieCodec, secret_key

STATIC_DIR = Path(__file__).with_name("static")


def create_app(
    settings: Settings,
    sessions: sessionmaker[Session],
    *,
    enqueue_send: Callable[[int], None] | None = None,
    enqueue_analysis: Callable[[int], None] | None = None,
) -> Starlette:
    """The console. `enqueue_send`/`enqueue_analysis` hand a committed case to the workers
    (the CLI passes the Celery ones; tests may pass functions that do the work directly)."""
    behind_tls = settings.public_url.startswith("https://")
    console = Console(
        settings=settings,
        sessions=sessions,
        cookies=CookieCodec(secret_key(settings), secure=behind_tls),
        enqueue_send=enqueue_send,
        enqueue_analysis=enqueue_analysis,
    )

    async def healthz(request: Request) -> JSONResponse:
        def ping(session: Session) -> None:
            session.execute(text("SELECT 1"))

        try:
            await console_of(request).db(ping)
        except Exception:  # noqa: BLE001 - reported as unhealthy, not raised
            return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    # Prometheus scrapes this without signing in, like /healthz: keep both off the public
    # proxy (see README, Observability).
    registry = metrics.registry(sessions, settings.resolved_broker_url)

    async def metrics_page(request: Request) -> Response:
        body = await run_in_threadpool(generate_latest, registry)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    async def http_error(request: Request, exc: Exception) -> Response:
        if not isinstance(exc, HTTPException):
            raise exc
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": exc.detail}, status_code=exc.status_code)
        actor = await current_actor(request)
        return console_of(request).render(
            request,
            "error.html.j2",
            {"status": exc.status_code, "message": exc.detail},
            actor=actor,
            status_code=exc.status_code,
        )

    app = Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/metrics", metrics_page, methods=["GET"]),
            *auth.routes,
            *queue.routes,
            *case_views.routes,
            *people.routes,
            *api.routes,
            Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
        ],
        middleware=[Middleware(SecurityHeaders, hsts=behind_tls)],
        exception_handlers={HTTPException: http_error},
    )
    app.state.console = console
    return app
