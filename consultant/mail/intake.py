"""Intake: store an incoming message first, dedupe it, thread it onto its case, then enqueue."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from consultant import cases
from consultant.batch_sql import Drawn, TableRows, insert_rows, insert_tables
from consultant.db import transaction
from consultant.mail.batch_lookups import Lookups, Senders, ThreadIndex
from consultant.mail.head import MessageHead, parse_head
from consultant.models import Case, CaseStatus, DuplicateDelivery, Message
from consultant.requesters import SenderPolicy

log = logging.getLogger(__name__)

CASE_TAG = re.compile(r"\[Case #(\d+)\]", re.IGNORECASE)
Enqueue = Callable[[int], None]
Notify = Callable[[int, str], None]
OPEN_POLICY = SenderPolicy()
_MESSAGES = Message.__table__


@dataclass(frozen=True)
class IntakeResult:
    message_id: int | None  # row id of the stored message, None for a duplicate
    case_id: int | None
    duplicate: bool
    needs_analysis: bool
    kind: str
    notice: str = ""  # a notice to send to the sender after the commit ("" for none)
    status: str = ""  # the case's status once the message is in ("" for a duplicate)


def dedupe_key(head: MessageHead) -> str:
    """Message-ID, sender, date and content together: a reused Message-ID with a new body,
    or a message without a Message-ID, is still recognised as new or as a repeat."""
    parts = (head.message_id, head.from_address, head.date, head.body_sha256)
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def safe_parse(
    raw: bytes, own_addresses: frozenset[str] = frozenset()
) -> tuple[MessageHead | None, str]:
    """The message's head, or None and the reason it could not be parsed."""
    try:
        return parse_head(raw, own_addresses=own_addresses), ""
    except Exception as exc:  # noqa: BLE001 - a parser bug must not lose the message
        return None, f"unparseable: {type(exc).__name__}: {exc}"


@dataclass(frozen=True)
class Incoming:
    """A raw message with everything intake works out before touching the database."""

    raw: bytes
    head: MessageHead | None  # None: unparseable, stored as quarantined
    parse_error: str
    sha256: str
    key: str
    source: str
    envelope_from: str = ""
    envelope_to: tuple[str, ...] = ()
    policy: SenderPolicy = OPEN_POLICY


def prepare(
    raw: bytes,
    *,
    source: str,
    envelope_from: str = "",
    envelope_to: tuple[str, ...] = (),
    own_addresses: frozenset[str] = frozenset(),
    policy: SenderPolicy = OPEN_POLICY,
) -> Incoming:
    """Parse and hash a raw message (no database): done in the receiving thread."""
    head, parse_error = safe_parse(raw, own_addresses)
    sha = hashlib.sha256(raw).hexdigest()
    key = dedupe_key(head) if head else sha
    return Incoming(raw, head, parse_error, sha, key, source, envelope_from, envelope_to, policy)


def ingest(
    session: Session,
    raw: bytes,
    *,
    source: str,
    envelope_from: str = "",
    envelope_to: tuple[str, ...] = (),
    own_addresses: frozenset[str] = frozenset(),
    policy: SenderPolicy = OPEN_POLICY,
) -> IntakeResult:
    """Store one raw message and attach it to a case. The caller commits (and retries once
    on IntegrityError: another writer stored the same message at the same moment)."""
    item = prepare(
        raw,
        source=source,
        envelope_from=envelope_from,
        envelope_to=envelope_to,
        own_addresses=own_addresses,
        policy=policy,
    )
    return ingest_many(session, [item])[0]


def store_once(sessions: sessionmaker[Session], item: Incoming) -> IntakeResult:
    """Commit one prepared message. Losing a unique-key race to another writer that stored
    the same message meanwhile raises IntegrityError: the retry then reads a duplicate."""
    try:
        with transaction(sessions) as session:
            return ingest_many(session, [item])[0]
    except IntegrityError:
        with transaction(sessions) as session:
            return ingest_many(session, [item])[0]


def store_batch(
    sessions: sessionmaker[Session], items: list[Incoming]
) -> list[IntakeResult | Exception]:
    """Commit prepared messages in one transaction. If it fails (a unique-key race, one
    message the database refuses), they are committed one by one, and each that still
    fails is answered with its exception (its sender retries)."""
    try:
        with transaction(sessions) as session:
            return list(ingest_many(session, items))
    except Exception as exc:  # noqa: BLE001 - a race or one bad message: go one by one
        if len(items) > 1:
            log.warning("batch of %d failed (%s): one by one", len(items), type(exc).__name__)
    results: list[IntakeResult | Exception] = []
    for item in items:
        try:
            results.append(store_once(sessions, item))
        except Exception as exc:  # noqa: BLE001 - that sender gets a temporary failure
            log.error("intake of one message failed to commit: %s", type(exc).__name__)
            results.append(exc)
    return results


def ingest_many(session: Session, items: list[Incoming]) -> list[IntakeResult]:
    """Store a batch of messages with a few statements, in order; the caller commits.

    Duplicates (already stored, or repeated within the batch) are counted, not stored. A
    unique-key race with another writer raises IntegrityError: retry one by one then."""
    found = Lookups(
        session, {item.key for item in items}, [item.head for item in items if item.head]
    )
    stored = found.stored_keys
    results = [_duplicate(item) for item in items]
    fresh: list[int] = []
    for index, item in enumerate(items):
        if item.key not in stored:
            stored.add(item.key)
            fresh.append(index)
    kept = set(fresh)
    repeats = [
        {"dedupe_key": item.key, "source": item.source}
        for index, item in enumerate(items)
        if index not in kept
    ]
    if not fresh:
        insert_rows(session, DuplicateDelivery.__table__, repeats)
        return results
    threads, senders = found.threads, found.senders
    # Pass 1, in arrival order: the case each message belongs to. New cases stay pending
    # (a follow-up later in the batch finds its case object in the thread index) and are
    # inserted together by one flush.
    placed: list[_Placement] = []
    with session.no_autoflush:
        for index in fresh:
            placement = _place(session, items[index], threads, senders)
            placed.append(placement)
            if items[index].head is not None:
                threads.add(items[index].head, placement.case)
    # Pass 2: the new cases, their events, the messages and the repeats, in one statement
    # on PostgreSQL, which draws the new keys as it goes.
    new_cases = senders.take_pending()
    drawn = {id(spec): Drawn(row) for row, spec in enumerate(new_cases)}
    rows = [
        _row(items[i], drawn.get(id(p.case), p.case.id)) for i, p in zip(fresh, placed, strict=True)
    ]
    case_ids, _, ids, _ = insert_tables(
        session,
        [
            *cases.opening_rows(new_cases),
            TableRows(_MESSAGES, rows, draw_keys=True),
            TableRows(DuplicateDelivery.__table__, repeats),
        ],
    )
    for spec, case_id in zip(new_cases, case_ids, strict=True):
        spec.id = case_id
    # Pass 3: follow-ups on existing cases, now that the message ids are known.
    for index, message_id, placement in zip(fresh, ids, placed, strict=True):
        item, case = items[index], placement.case
        if placement.follow_up:
            placement.needs_analysis = _follow_up(session, case, item, message_id)
        kind = item.head.kind if item.head else "quarantined"
        results[index] = IntakeResult(
            message_id,
            case.id,
            False,
            placement.needs_analysis,
            kind,
            placement.notice,
            str(case.status),
        )
    return results


def log_stored(results: Iterable[IntakeResult]) -> None:
    """A line for each message stored, written once it is committed; the intake writer
    writes them after answering the senders, so that no acknowledgement waits on a log."""
    for result in results:
        if result.message_id is not None:
            log.info(
                "stored message %s as case %s (%s)",
                result.message_id,
                result.case_id,
                result.status,
                extra={"case_id": result.case_id, "message_id": result.message_id},
            )


def _duplicate(item: Incoming) -> IntakeResult:
    return IntakeResult(None, None, True, False, item.head.kind if item.head else "quarantined")


def _row(item: Incoming, case_id: int | Drawn) -> dict:
    head = item.head
    return {
        "case_id": case_id,
        "direction": "in",
        "source": item.source,
        "kind": head.kind if head else "quarantined",
        "raw": item.raw,
        "sha256": item.sha256,
        "dedupe_key": item.key,
        "message_id": head.message_id[:998] if head else "",
        "in_reply_to": head.in_reply_to if head else "",
        "references": " ".join(head.references) if head else "",
        "from_address": head.from_address if head else item.envelope_from.lower(),
        "subject": head.subject if head else "",
        "envelope_from": item.envelope_from,
        "envelope_to": list(item.envelope_to),
        "parse_error": item.parse_error,
    }


@dataclass
class _Placement:
    case: Case | cases.NewCase
    follow_up: bool = False  # an existing case: handled once the message's row id is known
    needs_analysis: bool = False
    notice: str = ""


def _place(session: Session, item: Incoming, threads: ThreadIndex, senders: Senders) -> _Placement:
    """The message's case: the one it follows up, or a new one in its first state."""
    head = item.head
    if head is None:
        spec = cases.NewCase(
            subject="(unparseable message)",
            requester=item.envelope_from.lower(),
            status=CaseStatus.QUARANTINED,
            reason=item.parse_error,
        )
        return _Placement(senders.open_case(spec))
    existing = _thread_case(session, head, threads)
    if existing is not None:
        return _Placement(existing, follow_up=True)
    if head.kind != "question":
        reason = f"{head.kind}: {'; '.join(head.reasons)}" if head.reasons else head.kind
        spec = cases.NewCase(
            subject=head.subject,
            requester=head.from_address,
            requester_name=head.from_name,
            status=CaseStatus.IGNORED,
            reason=reason,
        )
        return _Placement(senders.open_case(spec))
    verdict = senders.judge(session, head.from_address, item.policy)
    spec = cases.NewCase(
        subject=head.subject,
        requester=head.from_address,
        requester_name=head.from_name,
        status=CaseStatus.RECEIVED if verdict.serve else CaseStatus.IGNORED,
        reason=verdict.reason,
    )
    return _Placement(senders.open_case(spec), needs_analysis=verdict.serve, notice=verdict.notice)


def _follow_up(
    session: Session, case: Case | cases.NewCase, item: Incoming, message_id: int
) -> bool:
    """A message joining an existing case; whether the case needs (re-)analysis."""
    kind = item.head.kind if item.head else "quarantined"
    if kind != "question":
        cases.add_note(session, case, actor="system", note=f"{kind} joined the thread")
        return False
    if isinstance(case, cases.NewCase):  # opened by this batch: nothing to reopen
        return case.status == CaseStatus.RECEIVED
    reopened = cases.reopen_with_followup(session, case, note=f"message {message_id}")
    return reopened or case.status == CaseStatus.RECEIVED


def _thread_case(
    session: Session, head: MessageHead, threads: ThreadIndex
) -> Case | cases.NewCase | None:
    """The case this message follows up: by In-Reply-To/References, then by our subject tag."""
    known = threads.case_of(head)
    if isinstance(known, Case | cases.NewCase):
        return known
    if known is not None:
        return session.get(Case, known)
    tag = CASE_TAG.search(head.subject or "")
    if tag:
        case = session.get(Case, int(tag.group(1)))
        if case is not None and case.requester == head.from_address:
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
    item = prepare(
        raw,
        source=source,
        envelope_from=envelope_from,
        envelope_to=envelope_to,
        own_addresses=own_addresses,
        policy=policy,
    )
    result = store_once(sessions, item)
    log_stored([result])
    follow_on([(result, enqueue, notify)])
    return result


FollowOn = tuple[IntakeResult, Enqueue | None, Notify | None]


def follow_on(committed: Sequence[FollowOn]) -> None:
    """After the commit: each sender's notice, then the analyses, in one call per enqueue
    function where it takes a batch (`enqueue.many`). A broker failure is logged and left
    to the sweep: the messages are safe."""
    analyses: dict[Enqueue, list[int]] = {}
    for result, enqueue, notify in committed:
        if result.case_id is None:
            continue
        if result.notice and notify is not None:
            try:
                notify(result.case_id, result.notice)
            except Exception:  # noqa: BLE001 - a lost notice is not a lost message
                log.warning(
                    "could not enqueue the %s notice for case %s", result.notice, result.case_id
                )
        if result.needs_analysis and enqueue is not None:
            analyses.setdefault(enqueue, []).append(result.case_id)
    for enqueue, case_ids in analyses.items():
        many = getattr(enqueue, "many", None)
        try:
            if many is not None:
                many(case_ids)
            else:
                for case_id in case_ids:
                    enqueue(case_id)
        except Exception:  # noqa: BLE001 - the sweep re-enqueues them
            log.warning(
                "could not enqueue cases %s; the sweep will retry",
                ", ".join(map(str, case_ids)),
            )
