"""Digest delivery, once per recipient and ISO week, enforced by the database.

The rule. Before a digest is sent, its row (recipient, iso_week) is inserted in state
`pending` with a fresh claim token and committed; the UNIQUE constraint lets only one
process win that insert, however many beat processes, retried tasks or CLI runs race for
it. The winner sends, then marks the row `sent` (or `failed`, with the error) — only if
its token still owns the row. A row is taken over by a later run only when it is `failed`
(a transient relay error: retried, up to MAX_ATTEMPTS, then `given_up`), or `pending` and
claimed more than STALE_CLAIM ago: its owner died between claiming and recording the
outcome. A live send takes seconds (30 s socket timeouts), so a 15-minute-old claim has no
live owner. The one case this cannot decide is a crash after the relay accepted the message
but before `sent` was committed: the takeover resends it, with the same Message-ID, so
mail systems that dedupe by Message-ID still show one copy. Losing a digest for good is
the worse failure; a duplicate needs a crash inside a window of milliseconds.

This module runs several short transactions of its own (claim, then send, then record):
the edge hands it the sessionmaker, as it does to the SMTP intake handler.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from consultant.config import RelayTarget, Settings
from consultant.db import transaction
from consultant.digest.figures import team_figures
from consultant.digest.personal import requester_questions, subscribers_with_questions
from consultant.digest.render import Rendered, render_requester, render_team
from consultant.digest.weeks import Week, last_complete_week, parse_week
from consultant.errors import PermanentError, TransientError
from consultant.mail import outbound
from consultant.models import DigestDelivery, Role, User

log = logging.getLogger(__name__)

STALE_CLAIM = timedelta(minutes=15)
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class DigestSettings:
    """What delivering a digest needs from the settings."""

    relay: RelayTarget
    from_address: str
    zone: ZoneInfo
    sla_hours: float
    console_url: str
    extra_recipients: tuple[str, ...] = ()
    send_empty: bool = True
    template_dir: Path | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> DigestSettings:
        return cls(
            relay=settings.relay,
            from_address=settings.from_address,
            zone=ZoneInfo(settings.timezone),
            sla_hours=getattr(settings, "sla_hours", 24.0),
            console_url=settings.console_url,
            extra_recipients=tuple(settings.digest_extra_recipients),
            send_empty=settings.digest_empty == "send",
            template_dir=settings.template_dir,
        )

    @property
    def domain(self) -> str:
        return self.from_address.rsplit("@", 1)[1]

    def week(self, label: str | None, now: datetime) -> Week:
        return parse_week(label, self.zone) if label else last_complete_week(now, self.zone)


# --- Claims: the database decides who sends -------------------------------------------


@dataclass(frozen=True)
class Claim:
    id: int
    token: str
    message_id: str
    attempts: int


def claim(
    session: Session, recipient: str, week: str, *, kind: str, message_id: str, now: datetime
) -> Claim | None:
    """Own the (recipient, week) delivery, or None when another run owns or finished it."""
    token = secrets.token_hex(16)
    values = {
        "recipient": recipient,
        "iso_week": week,
        "kind": kind,
        "state": "pending",
        "attempts": 1,
        "claim_token": token,
        "claimed_at": now,
        "message_id": message_id,
        "error": "",
    }
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    inserted = session.scalar(
        dialect.insert(DigestDelivery)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["recipient", "iso_week"])
        .returning(DigestDelivery.id)
    )
    if inserted is None:
        taken = session.scalar(
            update(DigestDelivery)
            .where(
                DigestDelivery.recipient == recipient,
                DigestDelivery.iso_week == week,
                DigestDelivery.attempts < MAX_ATTEMPTS,
                (DigestDelivery.state == "failed")
                | (
                    (DigestDelivery.state == "pending")
                    & (DigestDelivery.claimed_at < now - STALE_CLAIM)
                ),
            )
            .values(
                state="pending",
                claim_token=token,
                claimed_at=now,
                attempts=DigestDelivery.attempts + 1,
            )
            .returning(DigestDelivery.id)
            .execution_options(synchronize_session=False)
        )
        if taken is None:
            return None
    row = session.execute(
        select(DigestDelivery.id, DigestDelivery.message_id, DigestDelivery.attempts).where(
            DigestDelivery.recipient == recipient, DigestDelivery.iso_week == week
        )
    ).one()
    return Claim(id=row.id, token=token, message_id=row.message_id, attempts=row.attempts)


def record_outcome(
    session: Session, owned: Claim, *, now: datetime, error: str = "", permanent: bool = False
) -> str:
    """Mark the claimed row sent (no error) or failed; the state written is returned. A
    failure that may not be retried (permanent, or the last attempt) is `given_up`."""
    if not error:
        state = "sent"
    elif permanent or owned.attempts >= MAX_ATTEMPTS:
        state = "given_up"
    else:
        state = "failed"
    session.execute(
        update(DigestDelivery)
        .where(DigestDelivery.id == owned.id, DigestDelivery.claim_token == owned.token)
        .values(state=state, error=error[:2000], sent_at=now if state == "sent" else None)
        .execution_options(synchronize_session=False)
    )
    return state


def reopen_given_up(session: Session, week: str, recipient: str | None = None) -> int:
    """Let the next run try deliveries that were given up (after an operator fixed the
    cause, e.g. a mistyped address or a relay that refused): their attempts start over."""
    query = update(DigestDelivery).where(
        DigestDelivery.iso_week == week, DigestDelivery.state == "given_up"
    )
    if recipient:
        query = query.where(DigestDelivery.recipient == recipient.strip().lower())
    result = session.execute(
        query.values(state="failed", attempts=0).execution_options(synchronize_session=False)
    )
    return result.rowcount


def delivery_state(session: Session, recipient: str, week: str) -> str | None:
    query = select(DigestDelivery.state).where(
        DigestDelivery.recipient == recipient, DigestDelivery.iso_week == week
    )
    return session.scalar(query)


def list_deliveries(session: Session, week: str | None = None) -> list[dict[str, Any]]:
    query = select(DigestDelivery).order_by(DigestDelivery.iso_week, DigestDelivery.recipient)
    if week:
        query = query.where(DigestDelivery.iso_week == week)
    return [
        {
            "week": row.iso_week,
            "recipient": row.recipient,
            "kind": row.kind,
            "state": row.state,
            "attempts": row.attempts,
            "claimed_at": row.claimed_at.isoformat(),
            "sent_at": row.sent_at.isoformat() if row.sent_at else None,
            "error": row.error,
        }
        for row in session.scalars(query)
    ]


# --- Recipients --------------------------------------------------------------------------


def team_recipients(session: Session, extra: tuple[str, ...] = ()) -> list[str]:
    """Active leads and coders who have not opted out, then the configured extra addresses."""
    query = (
        select(User.email)
        .where(
            User.active.is_(True),
            User.digest_opt_out.is_(False),
            User.role.in_([Role.LEAD.value, Role.CODER.value]),
        )
        .order_by(User.email)
    )
    addresses = [email.lower() for email in session.scalars(query)]
    return list(dict.fromkeys(addresses + [a.lower() for a in extra]))


# --- One week's run ---------------------------------------------------------------------


@dataclass
class Report:
    """What one run did, per recipient: sent, already done, owned by a live run, failed."""

    week: str
    sent: list[str] = field(default_factory=list)
    done: list[str] = field(default_factory=list)
    busy: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    given_up: list[str] = field(default_factory=list)
    empty_skipped: bool = False

    @property
    def retry_needed(self) -> bool:
        return bool(self.failed or self.busy)

    def retry_after(self, retries: int) -> int:
        """Seconds until a retry: after a claim would go stale, or a backoff for failures."""
        if self.busy:
            return int(STALE_CLAIM.total_seconds()) + 60
        return min(60 * 2**retries, 3600)

    def summary(self) -> dict[str, Any]:
        return {
            "week": self.week,
            "sent": len(self.sent),
            "already_done": len(self.done),
            "busy": len(self.busy),
            "failed": len(self.failed),
            "given_up": len(self.given_up),
            "empty_skipped": self.empty_skipped,
        }


def deliver_week(
    sessions: sessionmaker[Session],
    config: DigestSettings,
    *,
    now: datetime,
    week: str | None = None,
) -> Report:
    """Send `week`'s digests (by default the last complete week): the team digest to every
    team recipient and each opted-in requester's own digest, each at most once."""
    target = config.week(week, now)
    with transaction(sessions) as session:
        figures = team_figures(
            session,
            target,
            now=now,
            sla_hours=config.sla_hours,
            console_url=config.console_url,
        )
        team = team_recipients(session, config.extra_recipients)
        personal = {
            address: requester_questions(session, address, target)
            for address in subscribers_with_questions(session, target)
            if address not in team
        }
    report = Report(week=target.label)
    outgoing: list[tuple[str, str, Rendered]] = []
    if figures["empty"] and not config.send_empty:
        report.empty_skipped = True
    else:
        rendered = render_team(
            figures, target, domain=config.domain, template_dir=config.template_dir
        )
        outgoing += [(address, "team", rendered) for address in team]
    for address, questions in personal.items():
        rendered = render_requester(address, target, questions, template_dir=config.template_dir)
        outgoing.append((address, "requester", rendered))
    for address, kind, rendered in outgoing:
        _deliver_one(sessions, config, report, address, kind, rendered, now=now)
    log.info("digest %s: %s", target.label, report.summary())
    return report


def _deliver_one(
    sessions: sessionmaker[Session],
    config: DigestSettings,
    report: Report,
    address: str,
    kind: str,
    rendered: Rendered,
    *,
    now: datetime,
) -> None:
    with transaction(sessions) as session:
        owned = claim(
            session,
            address,
            report.week,
            kind=kind,
            message_id=outbound.new_message_id(config.from_address),
            now=now,
        )
        if owned is None:
            state = delivery_state(session, address, report.week)
    if owned is None:
        {"sent": report.done, "given_up": report.given_up}.get(state, report.busy).append(address)
        return
    raw = rendered.message(
        message_id=owned.message_id, from_address=config.from_address, to_address=address
    )
    error, permanent = "", False
    try:
        outbound.send(config.relay, raw, mail_from=config.from_address, recipients=[address])
    except TransientError as exc:
        error = str(exc)
    except PermanentError as exc:
        error, permanent = str(exc), True
    with transaction(sessions) as session:
        state = record_outcome(session, owned, now=now, error=error, permanent=permanent)
    log.info("digest %s delivery %s: %s (attempt %d)", report.week, owned.id, state, owned.attempts)
    {"sent": report.sent, "failed": report.failed, "given_up": report.given_up}[state].append(
        address
    )
