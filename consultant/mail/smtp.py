"""SMTP listener: answers 250 only once the message is committed; 451 when storage fails."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from functools import partial

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import sessionmaker

from consultant.mail.intake import Enqueue, IntakeResult, store_and_enqueue

log = logging.getLogger(__name__)


class IntakeHandler:
    """aiosmtpd handler: refuses foreign recipient domains, stores, then acknowledges."""

    def __init__(
        self,
        sessions: sessionmaker[DbSession],
        *,
        accept_domains: frozenset[str],
        enqueue: Enqueue | None,
        own_addresses: frozenset[str] = frozenset(),
        store: Callable[..., IntakeResult] = store_and_enqueue,
    ) -> None:
        self.sessions = sessions
        self.accept_domains = accept_domains
        self.enqueue = enqueue
        self.own_addresses = own_addresses
        self.store = store

    async def handle_RCPT(  # noqa: N802 - aiosmtpd hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list
    ) -> str:
        domain = address.rsplit("@", 1)[-1].strip().lower() if "@" in address else ""
        if domain not in self.accept_domains:
            return "550 5.7.1 Relaying denied: this server only accepts mail for its own domain"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        raw = envelope.original_content or b""
        store = partial(
            self.store,
            self.sessions,
            raw,
            source="smtp",
            enqueue=self.enqueue,
            envelope_from=envelope.mail_from or "",
            envelope_to=tuple(envelope.rcpt_tos),
            own_addresses=self.own_addresses,
        )
        try:
            result = await asyncio.get_running_loop().run_in_executor(None, store)
        except Exception as exc:  # noqa: BLE001 - any storage failure means "try again later"
            log.error("storage failed, answering 451: %s", type(exc).__name__)
            return "451 4.3.0 Temporary storage failure; please retry"
        if result.duplicate:
            return "250 2.0.0 Already stored"
        return f"250 2.0.0 Stored as case {result.case_id}"


def make_controller(
    handler: IntakeHandler,
    *,
    host: str,
    port: int,
    max_message_bytes: int,
    server_hostname: str = "consultant",
) -> Controller:
    """A threaded aiosmtpd controller; SIZE is advertised and oversize mail gets 552."""
    return Controller(
        handler,
        hostname=host,
        port=port,
        server_hostname=server_hostname,
        data_size_limit=max_message_bytes,
        decode_data=False,
        ready_timeout=10,
    )
