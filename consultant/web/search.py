"""Full-text search over questions and replies, with the database's own full-text engine
(SQLite FTS5 / PostgreSQL tsvector + GIN, set up by migration 0003), and the code index."""

from __future__ import annotations

import logging
import re

from sqlalchemy import Select, and_, func, literal_column, select, table
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from consultant.db import transaction
from consultant.mail.parse import parse_message
from consultant.models import CaseCode, Draft, Message, SearchDocument

log = logging.getLogger(__name__)
_WORD = re.compile(r"\w+", re.UNICODE)
BATCH = 200


def message_text(message: Message) -> str:
    """Subject and readable text of a stored message ("" for the body if it will not parse)."""
    try:
        parsed = parse_message(message.raw)
    except Exception:  # noqa: BLE001 - the subject alone is still worth finding
        return message.subject
    return f"{parsed.subject}\n{parsed.text}"


def index_pending(session: Session, *, batch: int = BATCH) -> int:
    """Index messages and drafts that are not indexed yet; returns how many were added.
    Cheap when nothing is pending, so callers may run it before every search."""
    added = 0
    messages = session.scalars(
        select(Message)
        .outerjoin(
            SearchDocument,
            and_(SearchDocument.source == "message", SearchDocument.source_id == Message.id),
        )
        .where(SearchDocument.id.is_(None), Message.case_id.is_not(None))
        .order_by(Message.id)
        .limit(batch)
    )
    for message in messages:
        session.add(
            SearchDocument(
                case_id=message.case_id,
                source="message",
                source_id=message.id,
                body=message_text(message),
            )
        )
        added += 1
    drafts = session.scalars(
        select(Draft)
        .outerjoin(
            SearchDocument,
            and_(SearchDocument.source == "draft", SearchDocument.source_id == Draft.id),
        )
        .where(SearchDocument.id.is_(None))
        .order_by(Draft.id)
        .limit(batch)
    )
    for draft in drafts:
        session.add(
            SearchDocument(
                case_id=draft.case_id, source="draft", source_id=draft.id, body=draft.text
            )
        )
        codes = {str(c.get("code", "")).upper() for c in (draft.analysis or {}).get("codes", [])}
        for code in sorted(c for c in codes if c and len(c) <= 16):
            session.add(CaseCode(case_id=draft.case_id, draft_id=draft.id, code=code))
        added += 1
    return added


def catch_up(sessions: sessionmaker[Session]) -> int:
    """Run index_pending in its own transaction until nothing is left (a concurrent indexer
    that got there first is fine)."""
    total = 0
    for _ in range(1000):
        try:
            with transaction(sessions) as session:
                added = index_pending(session)
        except IntegrityError:
            log.info("search index: a concurrent indexer won; retrying")
            continue
        total += added
        if added < BATCH:
            break
    return total


def matching_cases(session: Session, query: str) -> Select | None:
    """A select of case ids whose messages or drafts match the words of `query` (all of
    them); None when the query has no words."""
    words = _WORD.findall(query)[:20]
    if not words:
        return None
    if session.get_bind().dialect.name == "sqlite":
        fts = " ".join('"' + w.replace('"', "") + '"' for w in words)
        matched = (
            select(literal_column("rowid"))
            .select_from(table("search_fts"))
            .where(literal_column("search_fts").op("MATCH")(fts))
        )
        condition = SearchDocument.id.in_(matched)
    else:
        condition = literal_column("search_documents.tsv").op("@@")(
            func.plainto_tsquery("english", " ".join(words))
        )
    return select(SearchDocument.case_id).where(condition)


def cases_with_code(code: str) -> Select:
    return select(CaseCode.case_id).where(CaseCode.code == code.strip().upper())


def codes_of(session: Session, case_ids: list[int]) -> dict[int, list[str]]:
    """The codes each case's analyses mention, for the queue's rows."""
    found: dict[int, set[str]] = {}
    if case_ids:
        rows = session.execute(
            select(CaseCode.case_id, CaseCode.code).where(CaseCode.case_id.in_(case_ids))
        )
        for case_id, code in rows:
            found.setdefault(case_id, set()).add(code)
    return {case_id: sorted(codes) for case_id, codes in found.items()}
