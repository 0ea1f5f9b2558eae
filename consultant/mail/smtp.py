"""SMTP listener: answers 250 only once the message is committed; 451 when storage fails."""

from __future__ import annotations

import asyncio
import logging
import re
import ssl
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import sessionmaker

from consultant.mail.headers import ADDR_SPEC
from consultant.mail.intake import OPEN_POLICY, Enqueue, IntakeResult, Notify, store_and_enqueue
from consultant.requesters import SenderPolicy

log = logging.getLogger(__name__)
LONGEST_LINE = 1024 * 1024  # bytes in one line of DATA; see _DeskSMTP
_PLAIN_PATH = re.compile(rf"[ \t]*<({ADDR_SPEC})>[ \t]*([ -~]*)\Z")


class RateLimiter:
    """At most `limit` events per key in any sliding minute."""

    def __init__(self, limit: int, window: float = 60.0) -> None:
        self.limit, self.window = limit, window
        self._events: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            events = self._events[key]
            while events and events[0] <= now - self.window:
                events.popleft()
            if len(events) >= self.limit:
                return False
            events.append(now)
            return True


class IntakeHandler:
    """aiosmtpd handler: refuses foreign recipient domains, stores, then acknowledges."""

    def __init__(
        self,
        sessions: sessionmaker[DbSession],
        *,
        accept_domains: frozenset[str],
        enqueue: Enqueue | None,
        own_addresses: frozenset[str] = frozenset(),
        policy: SenderPolicy = OPEN_POLICY,
        notify: Notify | None = None,
        rate_per_minute: int = 120,
        store: Callable[..., IntakeResult] = store_and_enqueue,
    ) -> None:
        self.sessions = sessions
        self.accept_domains = accept_domains
        self.enqueue = enqueue
        self.own_addresses = own_addresses
        self.policy = policy
        self.notify = notify
        self.store = store
        self.per_sender = RateLimiter(rate_per_minute)
        self.per_peer = RateLimiter(rate_per_minute * 10)
        self.in_flight = 0
        self.draining = False
        # Storing blocks on the database; enough threads that every open session can wait
        # for its commit at once (the group-commit store batches them).
        self._executor = ThreadPoolExecutor(max_workers=64, thread_name_prefix="intake")

    async def handle_MAIL(  # noqa: N802 - aiosmtpd hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list
    ) -> str:
        if self.draining:
            return "421 4.3.2 Shutting down; please retry later"
        peer = session.peer[0] if isinstance(session.peer, tuple) else str(session.peer)
        if not self.per_peer.allow(peer) or not self.per_sender.allow(address.lower()):
            return "450 4.7.1 Too many messages; please slow down and retry"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

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
        options = {
            "source": "smtp",
            "enqueue": self.enqueue,
            "envelope_from": envelope.mail_from or "",
            "envelope_to": tuple(envelope.rcpt_tos),
            "own_addresses": self.own_addresses,
            "policy": self.policy,
            "notify": self.notify,
        }
        # The group-commit writer is awaited on the loop without holding a thread until the
        # commit; a plain store blocks an executor thread.
        submit_async = getattr(self.store, "submit_async", None)
        self.in_flight += 1
        try:
            if submit_async is not None:
                result = await submit_async(raw, **options)
            else:
                store = partial(self.store, self.sessions, raw, **options)
                result = await asyncio.get_running_loop().run_in_executor(self._executor, store)
        except Exception as exc:  # noqa: BLE001 - any storage failure means "try again later"
            log.error("storage failed, answering 451: %s", type(exc).__name__)
            return "451 4.3.0 Temporary storage failure; please retry"
        finally:
            self.in_flight -= 1
        if result.duplicate:
            return "250 2.0.0 Already stored"
        return f"250 2.0.0 Stored as case {result.case_id}"

    def drain(self, timeout: float = 30.0) -> None:
        """Refuse new mail (421) and wait for messages being stored to be acknowledged."""
        self.draining = True
        deadline = time.monotonic() + timeout
        while self.in_flight and time.monotonic() < deadline:
            time.sleep(0.05)


class _DeskSMTP(SMTP):
    """aiosmtpd's protocol with two changes.

    RFC 5321 allows 1000-octet lines, but real mailers send longer ones (HTML on one line,
    huge header lists) and every mainstream MTA accepts them: refusing them would bounce a
    client's question. The message size limit still bounds the whole message.

    MAIL FROM and RCPT TO paths of the plain `<local@domain>` form, nearly all of them, are
    read without the stdlib's full address parser, which aiosmtpd runs (defining a class
    each time) at about 0.1 ms a command; what the shortcut returns is what that parser
    returns, and every other path still goes to it."""

    line_length_limit = LONGEST_LINE

    def _getaddr(self, arg: str) -> tuple[str | None, str | None]:
        match = _PLAIN_PATH.match(arg)
        if match is None:
            return super()._getaddr(arg)
        address, rest = match.group(1), match.group(2)
        local_part = address.rpartition("@")[0]
        if self.local_part_limit and len(local_part) > self.local_part_limit:
            return None, None
        return address, rest


class _Controller(Controller):
    def factory(self) -> SMTP:
        return _DeskSMTP(self.handler, **self.SMTP_kwargs)


def tls_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(cert), str(key))
    return context


def make_controller(
    handler: IntakeHandler,
    *,
    host: str,
    port: int,
    max_message_bytes: int,
    server_hostname: str = "consultant",
    tls: ssl.SSLContext | None = None,
) -> Controller:
    """A threaded aiosmtpd controller; SIZE is advertised and oversize mail gets 552;
    with a TLS context, STARTTLS is offered."""
    return _Controller(
        handler,
        hostname=host,
        port=port,
        server_hostname=server_hostname,
        data_size_limit=max_message_bytes,
        decode_data=False,
        ready_timeout=10,
        tls_context=tls,
    )
