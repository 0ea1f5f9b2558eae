"""ORM models of the desk: messages, cases, their events, drafts and users."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class CaseStatus(enum.StrEnum):
    RECEIVED = "received"
    ANALYZED = "analyzed"
    AWAITING_REVIEW = "awaiting_review"
    APPROVED = "approved"
    SENT = "sent"
    REJECTED = "rejected"
    IGNORED = "ignored"
    QUARANTINED = "quarantined"
    SEND_FAILED = "send_failed"


class Role(enum.StrEnum):
    CODER = "coder"
    LEAD = "lead"


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Indexed by ix_cases_status_created (below), which serves lookups by status alone too.
    status: Mapped[str] = mapped_column(String(32), default=CaseStatus.RECEIVED)
    subject: Mapped[str] = mapped_column(Text, default="")
    requester: Mapped[str] = mapped_column(String(320), default="", index=True)
    requester_name: Mapped[str] = mapped_column(String(320), default="")
    status_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(320), nullable=True)
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    messages: Mapped[list[Message]] = relationship(
        back_populates="case", order_by="Message.id", lazy="selectin"
    )
    events: Mapped[list[CaseEvent]] = relationship(
        back_populates="case", order_by="CaseEvent.id", lazy="selectin"
    )
    drafts: Mapped[list[Draft]] = relationship(
        back_populates="case", order_by="Draft.id", lazy="selectin"
    )

    @property
    def current_draft(self) -> Draft | None:
        return self.drafts[-1] if self.drafts else None


class Message(Base):
    """One stored email, in or out. The raw bytes are kept as received, forever."""

    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("dedupe_key", name="uq_messages_dedupe_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True, index=True)
    direction: Mapped[str] = mapped_column(String(8), default="in")
    source: Mapped[str] = mapped_column(String(16), default="smtp")
    kind: Mapped[str] = mapped_column(String(16), default="question")
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    dedupe_key: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str] = mapped_column(String(998), default="", index=True)
    in_reply_to: Mapped[str] = mapped_column(Text, default="")
    references: Mapped[str] = mapped_column(Text, default="")
    from_address: Mapped[str] = mapped_column(String(320), default="")
    subject: Mapped[str] = mapped_column(Text, default="")
    envelope_from: Mapped[str] = mapped_column(String(320), default="")
    envelope_to: Mapped[list[str]] = mapped_column(JSON, default=list)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    parse_error: Mapped[str] = mapped_column(Text, default="")

    case: Mapped[Case | None] = relationship(back_populates="messages")


class CaseEvent(Base):
    """One change to a case: who, when, from which status to which, and why."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))  # ix_case_events_case_status_at
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(320), default="system")
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(32), nullable=True)
    to_status: Mapped[str | None] = mapped_column(String(32), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")

    case: Mapped[Case] = relationship(back_populates="events")


class Draft(Base):
    """A version of the reply: the system's first draft, then each coder's edit."""

    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))  # ix_drafts_case_id_id
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    author: Mapped[str] = mapped_column(String(320), default="system")
    subject: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    html: Mapped[str] = mapped_column(Text, default="")
    analysis: Mapped[dict] = mapped_column(JSON, default=dict)
    reviewer_notes: Mapped[list[str]] = mapped_column(JSON, default=list)
    outgoing_message_id: Mapped[str] = mapped_column(String(998), default="")

    case: Mapped[Case] = relationship(back_populates="drafts")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    role: Mapped[str] = mapped_column(String(16), default=Role.CODER)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)
    signature: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    digest_opt_out: Mapped[bool] = mapped_column(default=False)  # weekly digest (0004)


Index("ix_cases_status_created", Case.status, Case.created_at)


# --- Intake: requesters, sender notices, duplicate deliveries, IMAP positions ------------


class Requester(Base):
    """A registered client: one address, or a whole domain (pattern "@clinic.example")."""

    __tablename__ = "requesters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pattern: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    monthly_quota: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SenderNotice(Base):
    """An automatic notice we sent to a sender (rate-limited per sender and period)."""

    __tablename__ = "sender_notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    address: Mapped[str] = mapped_column(String(320), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DuplicateDelivery(Base):
    """A delivery refused as already stored: counted for operators after an incident."""

    __tablename__ = "duplicate_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(64), index=True)
    source: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PurgeRecord(Base):
    """Audit of a retention purge: who removed how many closed cases, older than what."""

    __tablename__ = "purge_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(320), default="system")
    cutoff: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    cases: Mapped[int] = mapped_column(Integer, default=0)
    messages: Mapped[int] = mapped_column(Integer, default=0)
    case_ids: Mapped[list[int]] = mapped_column(JSON, default=list)


class ImapPosition(Base):
    """How far the IMAP poller has read a folder: (account, folder, UIDVALIDITY, last UID)."""

    __tablename__ = "imap_positions"
    __table_args__ = (UniqueConstraint("account", "folder", name="uq_imap_positions_folder"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account: Mapped[str] = mapped_column(String(320))
    folder: Mapped[str] = mapped_column(String(200))
    uidvalidity: Mapped[int] = mapped_column(BigInteger)
    last_uid: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# --- Review console: sessions, API tokens, password links, login throttle, search ------


class ConsoleSession(Base):
    """A signed-in browser: the cookie carries the token, the row its sha256."""

    __tablename__ = "console_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ApiToken(Base):
    """A bearer token for the JSON API; only its sha256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class PasswordToken(Base):
    """A one-time link to set a password; only its sha256 is stored."""

    __tablename__ = "password_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class LoginFailure(Base):
    """Failed sign-ins per address (known or not): the lockout counter."""

    __tablename__ = "login_failures"

    email: Mapped[str] = mapped_column(String(320), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class SearchDocument(Base):
    """Searchable text of one message or draft. SQLite mirrors `body` into the FTS5 table
    search_fts by triggers; PostgreSQL keeps a generated tsvector column with a GIN index."""

    __tablename__ = "search_documents"
    __table_args__ = (UniqueConstraint("source", "source_id", name="uq_search_documents_source"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    source: Mapped[str] = mapped_column(String(16))  # "message" or "draft"
    source_id: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text, default="")


class CaseCode(Base):
    """A code a case's analysis mentions, for the queue's code filter."""

    __tablename__ = "case_codes"
    __table_args__ = (UniqueConstraint("draft_id", "code", name="uq_case_codes_draft_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id"))
    code: Mapped[str] = mapped_column(String(16), index=True)


# --- Weekly digest: one delivery row per recipient and ISO week; requester opt-ins -------


class DigestDelivery(Base):
    """One recipient's digest of one ISO week. The row is inserted (state "pending") before
    the message is sent; the unique (recipient, iso_week) pair makes a second send impossible."""

    __tablename__ = "digest_deliveries"
    __table_args__ = (
        UniqueConstraint("recipient", "iso_week", name="uq_digest_deliveries_recipient_week"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipient: Mapped[str] = mapped_column(String(320))
    iso_week: Mapped[str] = mapped_column(String(8), index=True)  # "2026-W47"
    kind: Mapped[str] = mapped_column(String(16), default="team")  # team | requester
    # pending, then sent, failed (retried) or given_up
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    claim_token: Mapped[str] = mapped_column(String(32))
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    message_id: Mapped[str] = mapped_column(String(998), default="")
    error: Mapped[str] = mapped_column(Text, default="")


class DigestSubscription(Base):
    """A requester address that asked for the weekly digest of its own questions."""

    __tablename__ = "digest_subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    address: Mapped[str] = mapped_column(String(320), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


Index("ix_case_events_status_at", CaseEvent.to_status, CaseEvent.at)
Index("ix_case_events_case_status_at", CaseEvent.case_id, CaseEvent.to_status, CaseEvent.at)
# A case's newest draft (`max(id)` by case) in one probe (0008).
Index("ix_drafts_case_id_id", Draft.case_id, Draft.id)
