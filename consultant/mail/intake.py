"""Intake: store an incoming message first, dedupe it, thread it onto its case, then enqueue."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from consultant import cases
from consultant.db import transaction
from consultant.mail.parse import ParsedMessage, parse_message
from consultant.models import Case, CaseStatus, DuplicateDelivery, Message
from consultant.requesters import SenderPolicy, judge_sender

log = logging.getLogger(__name__)

CASE_TAG = re.compile(r"\[Case #(\d+)\]", re.IGNORECASE)
Enqueue = Callable[[int], None]
Notify = Callable[[int, str], None]
OPEN_POLICY = SenderPolicy()


@dataclass(frozen=True)
class IntakeResult:
    message_id: int | None  # row id of the stored message, None for a duplicate
    case_id: int | None
    duplicate: bool
    needs_analysis: bool
    kind: str
    notice: str = ""  # a notice to send to the sender after the commit ("" for none)


def dedupe_key(parsed: ParsedMessage) -> str:
    """Message-ID, sender, date and content together: a reused Message-ID with a new body,
    or a message without a Message-ID, is still recognised as new or as a repeat."""
    parts = (parsed.message_id, parsed.from_address, parsed.date, parsed.body_sha256)
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def safe_parse(
    raw: bytes, own_addresses: frozenset[str] = frozenset()
) -> tuple[ParsedMessage | None, str]:
    """The parsed message, or None and the reason it could not be parsed."""
    try:
        parsed = parse_message(raw, own_addresses=own_addresses)
    except Exception as exc:  # noqa: BLE001 - a parser bug must not lose the message
        return None, f"{type(exc).__name__}: {exc}"
    unparseable = [d for d in parsed.defects if d.startswith("unparseable")]
    if unparseable:
        return None, unparseable[0]
    return parsed, ""


def ingest(
    session: Session,
    raw: bytes,
    *,
    source: str,
    envelope_from: str = "",
    envelope_to: tuple[str, ...] = (),
    own_addresses: frozenset[str] = frozenset(),
    policy: SenderPolicy = OPEN_POLICY,
    parsed: ParsedMessage | None = None,
) -> IntakeResult:
    """Store one raw message and attach it to a case. The caller commits. `parsed` may be
    given when the caller parsed the message already (outside its transaction)."""
    parse_error = ""
    if parsed is None:
        parsed, parse_error = safe_parse(raw, own_addresses)

    sha = hashlib.sha256(raw).hexdigest()
    key = dedupe_key(parsed) if parsed else sha
    if session.scalar(select(Message.id).where(Message.dedupe_key == key)) is not None:
        session.add(DuplicateDelivery(dedupe_key=key, source=source))
        return IntakeResult(None, None, True, False, parsed.kind if parsed else "quarantined")

    message = Message(
        direction="in",
        source=source,
        kind=parsed.kind if parsed else "quarantined",
        raw=raw,
        sha256=sha,
        dedupe_key=key,
        message_id=parsed.message_id[:998] if parsed else "",
        in_reply_to=parsed.in_reply_to if parsed else "",
        references=" ".join(parsed.references) if parsed else "",
        from_address=parsed.from_address if parsed else envelope_from.lower(),
        subject=parsed.subject if parsed else "",
        envelope_from=envelope_from,
        envelope_to=list(envelope_to),
        parse_error=parse_error,
    )
    try:
        with session.begin_nested():
            session.add(message)
            session.flush()
    except IntegrityError:
        # A concurrent delivery of the same message won the race.
        session.add(DuplicateDelivery(dedupe_key=key, source=source))
        return IntakeResult(None, None, True, False, message.kind)

    case, needs_analysis, notice = _attach_to_case(session, message, parsed, parse_error, policy)
    message.case_id = case.id
    log.info("stored message %s as case %s (%s)", message.id, case.id, case.status)
    return IntakeResult(message.id, case.id, False, needs_analysis, message.kind, notice)


def _attach_to_case(
    session: Session,
    message: Message,
    parsed: ParsedMessage | None,
    parse_error: str,
    policy: SenderPolicy,
) -> tuple[Case, bool, str]:
    if parsed is None:
        case = cases.open_case(
            session,
            subject="(unparseable message)",
            requester=message.from_address,
            status=CaseStatus.QUARANTINED,
            reason=parse_error,
        )
        return case, False, ""

    existing = _thread_case(session, parsed)
    if existing is not None:
        if parsed.kind != "question":
            cases.add_note(
                session, existing, actor="system", note=f"{parsed.kind} joined the thread"
            )
            return existing, False, ""
        reopened = cases.reopen_with_followup(session, existing, note=f"message {message.id}")
        return existing, reopened or existing.status == CaseStatus.RECEIVED, ""

    if parsed.kind != "question":
        reason = f"{parsed.kind}: {'; '.join(parsed.reasons)}" if parsed.reasons else parsed.kind
        case = cases.open_case(
            session,
            subject=parsed.subject,
            requester=parsed.from_address,
            requester_name=parsed.from_name,
            status=CaseStatus.IGNORED,
            reason=reason,
        )
        return case, False, ""

    verdict = judge_sender(session, parsed.from_address, policy)
    case = cases.open_case(
        session,
        subject=parsed.subject,
        requester=parsed.from_address,
        requester_name=parsed.from_name,
        status=CaseStatus.RECEIVED if verdict.serve else CaseStatus.IGNORED,
        reason=verdict.reason,
    )
    return case, verdict.serve, verdict.notice


def _thread_case(session: Session, parsed: ParsedMessage) -> Case | None:
    """The case this message follows up: by In-Reply-To/References, then by our subject tag."""
    referenced = [r for r in [parsed.in_reply_to, *parsed.references] if r]
    if referenced:
        case_id = session.scalar(
            select(Message.case_id)
            .where(Message.message_id.in_(referenced), Message.case_id.is_not(None))
            .order_by(Message.id.desc())
            .limit(1)
        )
        if case_id is not None:
            return session.get(Case, case_id)
    tag = CASE_TAG.search(parsed.subject or "")
    if tag:
        case = session.get(Case, int(tag.group(1)))
        if case is not None and case.requester == parsed.from_address:
            return case
    return None


def store_and_enqueue(
    sessions: sessionmaker[Session],
    raw: bytes,
    *,
    source: str,
    enqueue: Enqueue | None,
    envelope_from: str = "",
    envelope_to: tuple[str, ...] = (),
    own_addresses: frozenset[str] = frozenset(),
    policy: SenderPolicy = OPEN_POLICY,
    notify: Notify | None = None,
) -> IntakeResult:
    """Commit the message, then enqueue its analysis (or the sender's notice). A broker
    failure after the commit is logged and left to the sweep: the message is safe."""
    with transaction(sessions) as session:
        result = ingest(
            session,
            raw,
            source=source,
            envelope_from=envelope_from,
            envelope_to=envelope_to,
            own_addresses=own_addresses,
            policy=policy,
        )
    if result.notice and notify is not None and result.case_id is not None:
        try:
            notify(result.case_id, result.notice)
        except Exception:  # noqa: BLE001 - a lost notice is not a lost message
            log.warning(
                "could not enqueue the %s notice for case %s", result.notice, result.case_id
            )
    if result.needs_analysis and enqueue is not None and result.case_id is not None:
        try:
            enqueue(result.case_id)
        except Exception:  # noqa: BLE001 - the sweep re-enqueues it
            log.warning("could not enqueue case %s; the sweep will retry", result.case_id)
    return result
