"""What earlier cases tell a new draft: the thread's sent answers and similar past answers."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from consultant.models import Case, CaseStatus, Draft

MAX_SIMILAR = 3
CANDIDATE_CASES = 500
MAX_KEYWORDS = 80  # the most recent answered cases considered
CODE_WEIGHT = 0.7
WORD_WEIGHT = 0.3
_WORD = re.compile(r"[a-z]{4,}")
_STOP = frozenset(
    [
        "with",
        "what",
        "which",
        "would",
        "could",
        "should",
        "have",
        "this",
        "that",
        "from",
        "your",
        "about",
        "there",
        "their",
        "code",
        "codes",
        "question",
        "please",
        "thanks",
        "thank",
        "billing",
        "billed",
        "bill",
        "coding",
    ]
)


def sent_drafts(case: Case) -> list[Draft]:
    """Drafts of this case that went out (their Message-ID is an outgoing message)."""
    sent_ids = {m.message_id for m in case.messages if m.direction == "out" and m.message_id}
    return [d for d in case.drafts if d.outgoing_message_id and d.outgoing_message_id in sent_ids]


def earlier_codes(case: Case) -> set[str]:
    """Codes already answered in the thread: those of every reply sent on this case."""
    covered: set[str] = set()
    for draft in sent_drafts(case):
        covered.update(c["code"] for c in (draft.analysis or {}).get("codes", ()))
    return covered


def words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP}


def keywords(subject: str, text: str) -> list[str]:
    """The wording of a question as stored with its draft, for later similarity."""
    return sorted(words(f"{subject} {text}"))[:MAX_KEYWORDS]


def _profile(subject: str, analysis: dict[str, Any]) -> tuple[set[str], set[str]]:
    codes = {c["code"] for c in analysis.get("codes", ())}
    stored = (analysis.get("drafting") or {}).get("keywords")
    if stored:
        return codes, set(stored)
    described = " ".join(s.get("for", "") for s in analysis.get("suggestions", ()))
    return codes, words(f"{subject} {described}")


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def similar_cases(
    session: Session, case_id: int | None, subject: str, analysis: dict[str, Any], text: str = ""
) -> list[dict[str, Any]]:
    """Up to 3 earlier approved or sent cases with the most similar codes and wording:
    [{case_id, subject, score}], best first (score 0–1)."""
    codes = {c["code"] for c in analysis.get("codes", ())}
    wording = set(keywords(subject, text))
    if not codes and not wording:
        return []
    query = (
        select(Case)
        .where(Case.status.in_((CaseStatus.APPROVED, CaseStatus.SENT)))
        .order_by(Case.id.desc())
        .limit(CANDIDATE_CASES)
    )
    if case_id is not None:
        query = query.where(Case.id != case_id)
    ranked = []
    for other in session.scalars(query):
        draft = other.current_draft
        if draft is None:
            continue
        other_codes, other_words = _profile(other.subject, draft.analysis or {})
        score = CODE_WEIGHT * _jaccard(codes, other_codes) + WORD_WEIGHT * _jaccard(
            wording, other_words
        )
        if score > 0:
            ranked.append({"case_id": other.id, "subject": other.subject, "score": round(score, 3)})
    ranked.sort(key=lambda item: (-item["score"], -item["case_id"]))
    return ranked[:MAX_SIMILAR]
