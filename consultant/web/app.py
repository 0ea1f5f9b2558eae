"""The review console's ASGI application."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route

from consultant import cases
from consultant.config import Settings


def create_app(settings: Settings, sessions: sessionmaker[Session]) -> Starlette:
    async def healthz(request: Request) -> JSONResponse:
        try:
            with sessions() as session:
                session.execute(text("SELECT 1"))
        except Exception:  # noqa: BLE001 - reported as unhealthy, not raised
            return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    async def queue(request: Request) -> HTMLResponse:
        with sessions() as session:
            counts = cases.counts_by_status(session)
        rows = "".join(f"<li>{status}: {count}</li>" for status, count in sorted(counts.items()))
        return HTMLResponse(
            "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Consultant</title></head>"
            f"<body><h1>Consultant</h1><p>Cases by status:</p><ul>{rows}</ul>"
            "<p>Review cases with <code>consultant cases list</code>.</p></body></html>"
        )

    return Starlette(routes=[Route("/healthz", healthz), Route("/", queue)])
