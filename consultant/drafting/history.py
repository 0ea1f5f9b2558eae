"""What earlier cases tell a new draft: the thread's sent answers and similar past answers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

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


def _jaccard(a: set[str] | frozenset[str], b: set[str] | frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


@dataclass(frozen=True)
class Answered:
    """An approved or sent case as similarity sees it: its latest draft's codes and wording."""

    case_id: int
    subject: str
    codes: frozenset[str]
    words: frozenset[str]


def answered_cases(session: Session) -> list[Answered]:
    """The most recent approved or sent cases, newest first: what a new draft is compared
    with. Only the columns similarity needs are read, so a batch of drafts can share one
    reading."""
    latest = aliased(Draft)
    newest_draft = select(func.max(latest.id)).where(latest.case_id == Case.id).scalar_subquery()
    rows = session.execute(
        select(Case.id, Case.subject, Draft.analysis)
        .join(Draft, Draft.case_id == Case.id)
        .where(Case.status.in_((CaseStatus.APPROVED, CaseStatus.SENT)), Draft.id == newest_draft)
        .order_by(Case.id.desc())
        .limit(CANDIDATE_CASES)
    )
    answered = []
    for case_id, subject, analysis in rows:
        codes, wording = _profile(subject, analysis or {})
        answered.append(Answered(case_id, subject, frozenset(codes), frozenset(wording)))
    return answered


def similar_cases(
    session: Session,
    case_id: int | None,
    subject: str,
    analysis: dict[str, Any],
    text: str = "",
    *,
    answered: list[Answered] | None = None,
) -> list[dict[str, Any]]:
    """Up to 3 earlier approved or sent cases with the most similar codes and wording:
    [{case_id, subject, score}], best first (score 0–1). `answered`: `answered_cases`,
    when the caller has read it already."""
    codes = {c["code"] for c in analysis.get("codes", ())}
    wording = set(keywords(subject, text))
    if not codes and not wording:
        return []
    if answered is None:
        answered = answered_cases(session)
    ranked = []
    for other in answered:
        if other.case_id == case_id:
            continue
        score = CODE_WEIGHT * _jaccard(codes, other.codes) + WORD_WEIGHT * _jaccard(
            wording, other.words
        )
        if score > 0:
            ranked.append(
                {"case_id": other.case_id, "subject": other.subject, "score": round(score, 3)}
            )
    ranked.sort(key=lambda item: (-item["score"], -item["case_id"]))
    return ranked[:MAX_SIMILAR]
