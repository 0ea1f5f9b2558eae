"""A real console for tests: uvicorn on a free port over a migrated database, with enqueue
callables that do the workers' job in-process (draft with casework.draft_case, send with
casework.send_approved to an aiosmtpd RelaySink)."""

from __future__ import annotations

import threading
import time
from email.message import EmailMessage
from pathlib import Path

import uvicorn

from consultant import casework
from consultant.config import load_settings
from consultant.db import make_engine, session_factory, transaction
from consultant.drafting.static_book import StaticBook
from consultant.errors import ConsultantError
from consultant.mail.intake import store_and_enqueue
from consultant.users import add_user, issue_api_token, set_password
from consultant.web.app import create_app
from tests.conftest import free_port

DESK = "questions@desk.example"
PASSWORD = "correct horse battery"
# A few ICD-10-CM entries, so that drafts carry titles and statuses without loading the set.
BOOK = StaticBook.from_json(
    {
        "versions": {"ICD-10-CM": "2026-04-01"},
        "entries": {
            "ICD-10-CM": {
                "E11.4": {"title": "Type 2 diabetes mellitus with neurological complications",
                          "billable": False},
                "E11.42": {"title": "Type 2 diabetes mellitus with diabetic polyneuropathy",
                           "billable": True, "parent": "E11.4"},
                "E11.9": {"title": "Type 2 diabetes mellitus without complications",
                          "billable": True},
                "I10": {"title": "Essential (primary) hypertension", "billable": True},
                "M48.062": {"title": "Spinal stenosis, lumbar region with neurogenic "
                            "claudication", "billable": True},
            }
        },
    }
)  # fmt: skip


def question(
    subject: str,
    body: str,
    *,
    sender: str = "Renee Caldwell <renee@clinic.example>",
    html: str | None = None,
    attachments: list[tuple[str, str, bytes]] = (),
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = DESK
    msg["Subject"] = subject
    msg["Date"] = "Mon, 06 Apr 2026 08:14:00 -0500"
    msg.set_content(body)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    for filename, content_type, payload in attachments:
        maintype, subtype = content_type.split("/")
        msg.add_attachment(payload, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes()


class ConsoleServer:
    def __init__(self, data_dir: Path, database_url: str, relay_url: str) -> None:
        self.settings = load_settings(
            data_dir=data_dir,
            database_url=database_url,
            relay_url=relay_url,
            from_address=DESK,
            secret_key="test-secret-key",
            sla_hours=24,
            claim_minutes=30,
        )
        self.engine = make_engine(database_url)
        self.sessions = session_factory(self.engine)
        self.sent: list[int] = []
        self.app = create_app(
            self.settings,
            self.sessions,
            enqueue_send=self.send,
            enqueue_analysis=self.draft,
        )
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server: uvicorn.Server | None = None

    # The workers' two jobs, run in-process ---------------------------------------------

    def draft(self, case_id: int) -> None:
        with transaction(self.sessions) as session:
            casework.draft_case(session, case_id, BOOK)

    def send(self, case_id: int) -> None:
        reply = casework.ReplySettings(relay=self.settings.relay, from_address=DESK)
        self.sent.append(case_id)
        try:
            with transaction(self.sessions) as session:
                casework.send_approved(session, case_id, reply)
        except ConsultantError as exc:
            with transaction(self.sessions) as session:
                casework.give_up_sending(session, case_id, str(exc))

    # Seeding through the real intake ----------------------------------------------------

    def ask(self, raw: bytes) -> int:
        result = store_and_enqueue(self.sessions, raw, source="smtp", enqueue=self.draft)
        assert result.case_id is not None
        return result.case_id

    def user(self, email: str, role: str = "coder", password: str | None = PASSWORD) -> str:
        """Add a user; with password=None none is set (enough for API tokens, and faster)."""
        with transaction(self.sessions) as session:
            user = add_user(session, email, role=role)
            if password is not None:
                set_password(session, user, password)
        return email

    def token(self, email: str) -> str:
        from consultant.users import get_user

        with transaction(self.sessions) as session:
            return issue_api_token(session, get_user(session, email))

    # Lifecycle --------------------------------------------------------------------------

    def start(self) -> ConsoleServer:
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        thread = threading.Thread(target=self.server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise AssertionError("the console did not start")
            time.sleep(0.02)
        self.thread = thread
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.should_exit = True
            self.thread.join(timeout=10)
        self.engine.dispose()
