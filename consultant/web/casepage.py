"""Plain data for the case page: the question, thread, analysis, draft, notes and history."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from consultant import cases
from consultant.mail.parse import parse_message
from consultant.models import Case, CaseStatus, Message, utcnow
from consultant.web.attachments import attachment_parts
from consultant.web.markup import sanitize_html
from consultant.web.queue import human_age, sla_colour
from consultant.web.sessions import Actor

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _when(moment: datetime | None) -> str:
    return _aware(moment).strftime("%Y-%m-%d %H:%M UTC") if moment else ""


def message_view(message: Message) -> dict[str, Any]:
    """One stored message for display. Its HTML part is sanitised; the rest is text that the
    template escapes."""
    view: dict[str, Any] = {
        "id": message.id,
        "direction": message.direction,
        "kind": message.kind,
        "from_address": message.from_address,
        "from_name": "",
        "subject": message.subject,
        "received_at": _when(message.received_at),
        "reply": "",
        "quoted": "",
        "signature": "",
        "html": "",
        "parse_error": message.parse_error,
        "attachments": [
            {
                "index": a.index,
                "filename": a.filename,
                "content_type": a.content_type,
                "size": a.size,
            }
            for a in attachment_parts(message.raw)
        ],  # fmt: skip
    }
    try:
        parsed = parse_message(message.raw)
    except Exception as exc:  # noqa: BLE001 - show what we can of an unparseable message
        view["parse_error"] = view["parse_error"] or type(exc).__name__
        view["reply"] = message.raw[:20_000].decode("utf-8", "replace")
        return view
    view |= {
        "from_name": parsed.from_name,
        "subject": parsed.subject or message.subject,
        "reply": parsed.reply or parsed.text,
        "quoted": parsed.quoted,
        "signature": parsed.signature,
        "html": sanitize_html(parsed.html) if parsed.html else "",
    }
    return view


def analysis_view(analysis: dict[str, Any]) -> dict[str, Any]:
    """Codes with title and status, findings by severity, suggestions with scores, and the
    similar past answers when drafting provided them."""
    codes = []
    for code in analysis.get("codes", []) or []:
        if code.get("known") is None:
            status = "not checked"
        elif not code.get("known"):
            status = "unknown"
        elif code.get("billable") is False:
            status = "not billable"
        else:
            status = "valid"
        codes.append(
            {
                "code": str(code.get("code", "")),
                "system": str(code.get("system", "")),
                "title": str(code.get("title") or ""),
                "status": status,
            }
        )
    findings = sorted(
        (
            {
                "severity": str(f.get("severity", "info")),
                "kind": str(f.get("kind", "")),
                "message": str(f.get("message", "")),
                "codes": [str(c) for c in f.get("codes", []) or []],
            }
            for f in analysis.get("findings", []) or []
        ),
        key=lambda f: SEVERITY_ORDER.get(f["severity"], 3),
    )
    suggestions = [
        {
            "for": str(s.get("for", "")),
            "candidates": [
                {
                    "code": str(c.get("code", "")),
                    "title": str(c.get("title") or ""),
                    "score": _score(c.get("score")),
                }
                for c in (s.get("candidates") or [])[:5]
            ],
        }
        for s in analysis.get("suggestions", []) or []
    ]
    similar = [
        {
            "case_id": item.get("case_id") if isinstance(item.get("case_id"), int) else None,
            "subject": str(item.get("subject") or item.get("title") or ""),
            "score": _score(item.get("score")),
            "excerpt": str(item.get("excerpt") or item.get("text") or "")[:600],
        }
        for item in analysis.get("similar", []) or []
        if isinstance(item, dict)
    ]
    return {
        "codes": codes,
        "findings": findings,
        "suggestions": suggestions,
        "similar": similar,
        "code_sets": {str(k): str(v) for k, v in (analysis.get("code_sets") or {}).items()},
    }


def _score(value: Any) -> str:
    return f"{value:.2f}" if isinstance(value, int | float) else ""


def case_view(case: Case, actor: Actor, *, sla_hours: float) -> dict[str, Any]:
    """Everything web/case.html.j2 shows, and which actions the actor may take."""
    now = utcnow()
    holder = cases.claim_holder(case, now=now)
    draft = case.current_draft
    status = CaseStatus(case.status)
    question = cases.question_message(case)
    thread = [message_view(m) for m in case.messages]
    question_view = next((m for m in thread if question and m["id"] == question.id), None)
    mine = holder == actor.email or actor.lead
    age = (now - _aware(case.created_at)).total_seconds() / 3600
    notes = [
        {"at": _when(e.at), "actor": e.actor, "note": e.note}
        for e in case.events
        if e.action == "note"
    ]
    return {
        "case": {
            "id": case.id,
            "subject": case.subject or "(no subject)",
            "requester": case.requester,
            "requester_name": case.requester_name,
            "status": case.status,
            "reason": case.status_reason,
            "received_at": _when(case.created_at),
            "age": human_age(age),
            "sla": sla_colour(case.status, age, sla_hours),
            "claimed_by": holder,
            "claimed_until": _when(case.claimed_until) if holder else "",
        },
        "question": question_view,
        "thread": [m for m in thread if m is not question_view],
        "analysis": analysis_view(draft.analysis if draft else {}),
        "reviewer_notes": list(draft.reviewer_notes) if draft else [],
        "notes": notes,
        "draft": None
        if draft is None
        else {
            "id": draft.id,
            "author": draft.author,
            "created_at": _when(draft.created_at),
            "subject": draft.subject,
            "text": draft.text,
            "preview": sanitize_html(draft.html) if draft.html else "",
        },
        "history": [
            {
                "at": _when(e.at),
                "actor": e.actor,
                "action": e.action,
                "from_status": e.from_status or "",
                "to_status": e.to_status or "",
                "note": e.note,
            }
            for e in case.events
        ],
        "can": {
            "claim": status in cases.CLAIMABLE and holder is None,
            "release": holder is not None and mine,
            "reassign": actor.lead and status in cases.CLAIMABLE,
            "edit": status == CaseStatus.AWAITING_REVIEW and mine,
            "reanalyze": status == CaseStatus.AWAITING_REVIEW and mine,
            "resend": status == CaseStatus.SEND_FAILED and (holder is None or mine),
        },
    }
