"""Tabular notes of an ICD-10-CM code (own and inherited), and which codes a note's spec covers."""

from __future__ import annotations

from consultant.analysis.evidence import Evidence
from consultant.codes.api import Note


def note_matches(spec: str, code: str) -> bool:
    """Whether a code falls under a note's code spec: 'E10.-', 'E08-E13', 'M79.7', 'R73.0-'."""
    spec = spec.strip().upper().rstrip("-").rstrip(".")
    target = code.upper()
    if "-" in spec:
        low, high = (part.strip().rstrip(".") for part in spec.split("-", 1))
        if not low or not high:
            return False
        return low <= target[: max(len(low), len(high))] <= high
    return bool(spec) and (target == spec or target.startswith(spec))


def notes_of(code: str, evidence: Evidence) -> list[Note]:
    book = evidence.book
    if book is None:
        return []
    try:
        return list(book.notes(code, inherited=True))
    except Exception:  # noqa: BLE001
        return []
