"""The work a worker does on one case: analyse and draft it, or send its approved reply."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from consultant import cases
from consultant.analysis.analyze import analyze_message
from consultant.codes.api import CodeBook
from consultant.config import RelayTarget
from consultant.drafting import (
    annotate,
    answered_cases,
    draft_reply,
    earlier_codes,
    keywords,
    reply_context,
    similar_cases,
)
from consultant.drafting.history import Answered
from consultant.drafting.people import signer_for
from consultant.logs import log_context
from consultant.mail import outbound
from consultant.mail.parse import parse_message
from consultant.models import Case, CaseStatus, Message
from consultant.templating import environment

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReplySettings:
    relay: RelayTarget
    from_address: str


def draft_case(
    session: Session,
    case_id: int,
    book: CodeBook | None,
    *,
    template_dir: Path | None = None,
    answered: list[Answered] | None = None,
) -> bool:
    """Analyse the case's latest question and store a draft. False when there is nothing to do
    (the case already moved on), which makes a repeated task harmless. `answered`: the
    answered cases to compare with (`answered_cases`), if the caller keeps them."""
    case = cases.get_case(session, case_id, for_update=True)
    return _draft(session, case, book, template_dir, answered=answered)


def draft_cases(
    session: Session,
    case_ids: list[int],
    book: CodeBook | None,
    *,
    template_dir: Path | None = None,
    answered: list[Answered] | None = None,
) -> list[int]:
    """Draft several cases in one transaction, as `draft_case` drafts each: loading them
    together costs one query per table for the lot. The ids drafted; raises NotFound,
    drafting nothing, if one of the cases does not exist."""
    drafted = []
    # The drafts go in by one flush at the end: nothing a draft reads (the thread, earlier
    # approved or sent cases) is changed by drafting another case.
    with session.no_autoflush:
        batch = cases.get_cases(session, case_ids, for_update=True)
        if answered is None:
            answered = answered_cases(session)
        for case in batch:
            with log_context(case_id=case.id):
                if _draft(session, case, book, template_dir, answered=answered):
                    drafted.append(case.id)
    return drafted


def _draft(
    session: Session,
    case: Case,
    book: CodeBook | None,
    template_dir: Path | None,
    *,
    answered: list[Answered] | None,
) -> bool:
    if case.status != CaseStatus.RECEIVED:
        return False
    question = cases.question_message(case)
    if question is None:
        return False
    parsed = parse_message(question.raw)
    analysis = analyze_message(parsed.subject, parsed.reply, book).to_json()
    context = reply_context(
        case_id=case.id,
        requester_name=case.requester_name,
        requester=case.requester,
        subject=case.subject,
        question_text=parsed.reply,
        question_date=parsed.date,
        analysis=analysis,
        book=book,
        signer=signer_for(session, case.claimed_by),
        earlier_codes=earlier_codes(case),
    )
    similar = similar_cases(
        session, case.id, case.subject, analysis, parsed.reply, answered=answered
    )
    draft = draft_reply(context, analysis, template_dir=template_dir, similar=similar)
    stored = annotate(
        analysis, context, similar=similar, keywords=keywords(case.subject, parsed.reply)
    )
    cases.record_draft(session, case, draft=draft, analysis=stored)
    log.info("case %s drafted (%d codes)", case.id, len(analysis["codes"]))
    return True


def send_approved(session: Session, case_id: int, reply: ReplySettings) -> bool:
    """Send the approved draft once. The draft's Message-ID is the idempotency key: if a
    message with that id was already stored as sent, the case is only marked sent."""
    case = cases.get_case(session, case_id, for_update=True)
    if case.status != CaseStatus.APPROVED:
        return False
    draft = case.current_draft
    question = cases.question_message(case)
    if draft is None or question is None:
        raise ValueError(f"case {case_id} is approved but has no draft or question")
    if not draft.outgoing_message_id:
        draft.outgoing_message_id = outbound.new_message_id(reply.from_address)
        session.flush()
    already = session.scalar(
        select(Message.id).where(
            Message.message_id == draft.outgoing_message_id, Message.direction == "out"
        )
    )
    if already is None:
        raw = outbound.build_reply(
            message_id=draft.outgoing_message_id,
            from_address=reply.from_address,
            to_address=case.requester,
            to_name=case.requester_name,
            subject=draft.subject,
            text=draft.text,
            html=draft.html,
            in_reply_to=question.message_id,
            references=question.references.split(),
        )
        outbound.send(reply.relay, raw, mail_from=reply.from_address, recipients=[case.requester])
        session.add(
            Message(
                case_id=case.id,
                direction="out",
                source="outbound",
                kind="reply",
                raw=raw,
                sha256=_sha256(raw),
                dedupe_key=_sha256(draft.outgoing_message_id.encode()),
                message_id=draft.outgoing_message_id,
                in_reply_to=question.message_id,
                from_address=reply.from_address,
                subject=draft.subject,
                envelope_from=reply.from_address,
                envelope_to=[case.requester],
            )
        )
    cases.mark_sent(session, case, message_id=draft.outgoing_message_id)
    log.info("case %s sent", case.id)
    return True


def send_notice(
    session: Session,
    case_id: int,
    kind: str,
    reply: ReplySettings,
    *,
    template_dir: Path | None = None,
) -> None:
    """Send the sender an automatic notice (unregistered, quota) about an ignored case."""
    case = cases.get_case(session, case_id)
    question = cases.question_message(case)
    if question is None or question.kind != "question":
        return  # loop protection: never notify a bounce, an auto-reply, a list or ourselves
    text = (
        environment(template_dir)
        .get_template(f"notices/{kind}.txt.j2")
        .render(desk_address=reply.from_address, sender=case.requester)
    )
    raw = outbound.build_notice(
        message_id=outbound.new_message_id(reply.from_address),
        from_address=reply.from_address,
        to_address=case.requester,
        subject=f"Re: {case.subject}" if case.subject else "Your message to the coding desk",
        text=text,
        in_reply_to=question.message_id,
    )
    outbound.send(reply.relay, raw, mail_from="", recipients=[case.requester])
    cases.add_note(session, case, actor="system", note=f"{kind} notice sent")


def give_up_sending(session: Session, case_id: int, error: str) -> None:
    case = cases.get_case(session, case_id, for_update=True)
    if case.status == CaseStatus.APPROVED:
        cases.mark_send_failed(session, case, error=error)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
