"""Suggestions: candidate codes, best first, for what the writer describes without a code."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

from consultant.analysis.evidence import Evidence
from consultant.analysis.phrases import Phrase, content_words, described_phrases, rewrite
from consultant.analysis.shapes import ICD10CM
from consultant.analysis.vocabulary import UNIT_WORDS
from consultant.codes.api import SearchHit

MAX_CANDIDATES = 10
MAX_PHRASES = 8
CLOSE_CANDIDATES = 3  # a given code among the first three answers the description
MAX_CACHED = 4096  # ranked queries kept per process (≈ 15 candidates each)
CACHED_CANDIDATES = 15
SEARCH_LIMIT = 20  # hits re-ranked per query
_CACHE: dict[int, tuple[object, dict[tuple[str, ...], tuple]]] = {}
_SIDES = {"right", "left", "bilateral"}
_ENCOUNTERS = {"initial", "subsequent", "sequela"}
_INJURIES = frozenset(
    """fracture sprain strain dislocation laceration injury contusion burn bite concussion
    wound tear abrasion puncture""".split()  # noqa: SIM905
)
_DIABETIC = frozenset(
    """hyperglycemia hypoglycemia neuropathy polyneuropathy ulcer nephropathy retinopathy
    gastroparesis gangrene ketoacidosis""".split()  # noqa: SIM905
)


@dataclass(frozen=True)
class Candidate:
    code: str
    system: str
    title: str
    score: float
    billable: bool | None
    matched: tuple[str, ...]

    def to_json(self) -> dict:
        return {
            "code": self.code,
            "system": self.system,
            "title": self.title,
            "score": round(self.score, 3),
            "billable": self.billable,
            "matched": list(self.matched),
        }


@dataclass(frozen=True)
class Suggestion:
    described: str
    candidates: tuple[Candidate, ...]

    def to_json(self) -> dict:
        return {"for": self.described, "candidates": [c.to_json() for c in self.candidates]}


def suggest(
    text: str,
    coded_spans: list[tuple[int, int]],
    evidence: Evidence,
    *,
    mentioned: frozenset[str] = frozenset(),
    subject_end: int = 0,
) -> list[Suggestion]:
    """For each described phrase, one suggestion: the candidates of all its queries merged,
    best first. Left out: a one-word topic of the subject when the body says more."""
    book = evidence.book
    if book is None or not evidence.loaded(ICD10CM):
        return []
    diabetes = _diabetes_type(text)
    qualifiers = _injury_qualifiers(text)
    phrases = described_phrases(text, coded_spans)
    if mentioned or any(p.start >= subject_end for p in phrases):
        phrases = [p for p in phrases if p.start >= subject_end or len(p.words) > 1]
    suggestions: list[Suggestion] = []
    for phrase in phrases[:MAX_PHRASES]:
        candidates = _merged(phrase, _queries(phrase, diabetes, qualifiers), book)
        if candidates:
            suggestions.append(Suggestion(phrase.text, tuple(candidates[:MAX_CANDIDATES])))
    return suggestions


def split_confirmed(
    suggestions: list[Suggestion], mentioned: frozenset[str]
) -> tuple[list[Suggestion], list[dict[str, str]]]:
    """Suggestions whose best candidate the writer already gave (or a code below one they
    gave) are no suggestions: the code answers the description. They come back as
    confirmations ({for, code})."""
    kept, confirmed = [], []
    for suggestion in suggestions:
        best = suggestion.candidates[0].code
        given = next((c for c in mentioned if c == best or _completes(best, c)), None)
        if given is not None:
            confirmed.append({"for": suggestion.described, "code": given})
        elif not any(
            c.code == m or _completes(c.code, m)
            for c in suggestion.candidates[1:CLOSE_CANDIDATES]
            for m in mentioned
        ):
            kept.append(suggestion)  # else the writer coded it with a close runner-up
    return kept, confirmed


def _completes(candidate: str, given: str) -> bool:
    """Whether `candidate` is `given` made more specific (S52.521S for S52.521): the writer
    named the condition; its 7th character or subcode is the code checks' business."""
    return "." in given and len(candidate) > len(given) and candidate.startswith(given)


def clear_cache() -> None:
    """Forget the ranked queries (benchmarks measure the uncached path with it)."""
    _CACHE.clear()


def _merged(phrase: Phrase, queries: list[list[str]], book: object) -> list[Candidate]:
    """Candidates of a phrase's queries, each code once at its best score; a query that
    covers only part of the phrase (the words after 'with') counts in proportion, and is
    not searched when the best candidate so far already matches all its words."""
    best: dict[str, Candidate] = {}
    wanted = set(_without_quantities(phrase.words))
    for words in queries:
        share = min(1.0, len(wanted & set(words)) / max(len(wanted), 1))
        if share < 1.0 and best:
            leader = max(best.values(), key=lambda c: c.score)
            if set(words) <= set(leader.matched):
                continue
        for candidate in _rank(tuple(words), book):
            score = candidate.score * share
            known = best.get(candidate.code)
            if known is None or score > known.score:
                whole = share == 1.0
                best[candidate.code] = candidate if whole else replace(candidate, score=score)
    return sorted(best.values(), key=lambda c: -c.score)


def _diabetes_type(text: str) -> str | None:
    words = content_words(text)
    for index, word in enumerate(words[:-1]):
        if word == "type" and words[index + 1] in {"1", "2"}:
            return words[index + 1]
    return None


def _injury_qualifiers(text: str) -> dict[str, list[str]]:
    """Encounter and side words stated anywhere in the question (for injury phrases)."""
    words = content_words(rewrite(text))
    found: dict[str, list[str]] = {}
    encounters = [w for w in words if w in _ENCOUNTERS]
    if len(set(encounters)) == 1:
        found["encounter"] = [encounters[0], "encounter"]
        if encounters[0] == "subsequent" and "routine" in words:
            found["encounter"] += ["routine", "healing"]
    sides = {w for w in words if w in _SIDES}
    if len(sides) == 1:
        found["side"] = sorted(sides)
    return found


def _queries(
    phrase: Phrase, diabetes: str | None, qualifiers: dict[str, list[str]]
) -> list[list[str]]:
    words = _without_quantities(phrase.words)
    if _INJURIES.intersection(words):
        if not _ENCOUNTERS.intersection(words):
            words += qualifiers.get("encounter", [])
        if not _SIDES.intersection(words):
            words += qualifiers.get("side", [])
    queries = [words]
    if "with" in phrase.text.lower():
        tail = content_words(phrase.text.lower().split(" with ", 1)[-1])
        if tail and tail != words:
            queries.append(tail)
    has_diabetes = any(w.startswith("diabet") for w in words)
    if diabetes and not has_diabetes and _DIABETIC.intersection(words):
        queries.append(["type", diabetes, "diabetes", "mellitus", "with", *words])
    return queries


def _without_quantities(words: tuple[str, ...]) -> list[str]:
    """Content words without quantities ('60 mg', '32 sq cm'): a dose or a size is not part
    of a condition's name, and numbers pull in titles such as blood alcohol levels."""
    kept: list[str] = []
    in_quantity = False
    for word in words:
        if word in UNIT_WORDS and (in_quantity or (kept and kept[-1].isdigit())):
            if not in_quantity:
                kept.pop()
            in_quantity = True
            continue
        in_quantity = False
        kept.append(word)
    return kept


def _search(book: object, words: tuple[str, ...]) -> list[SearchHit]:
    try:
        return list(book.search(" ".join(words), ICD10CM, SEARCH_LIMIT))  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001
        return []


@lru_cache(maxsize=65536)
def _title_words(title: str) -> frozenset[str]:
    return frozenset(content_words(title.lower()))


def _rank(words: tuple[str, ...], book: object) -> tuple[Candidate, ...]:
    """The ranked candidates of one query, cached per code book and query words (questions
    repeat the same descriptions; a search costs milliseconds, a cache hit microseconds)."""
    cache = _CACHE.get(id(book))
    if cache is None or cache[0] is not book:
        cache = (book, {})
        _CACHE.clear()
        _CACHE[id(book)] = cache
    ranked = cache[1].get(words)
    if ranked is None:
        if len(cache[1]) >= MAX_CACHED:
            cache[1].clear()
        ranked = tuple(_ranked(words, _search(book, words))[:CACHED_CANDIDATES])
        cache[1][words] = ranked
    return ranked


def _ranked(words: tuple[str, ...], hits: list[SearchHit]) -> list[Candidate]:
    if not hits:
        return []
    query = set(words)
    top = max(hit.score for hit in hits) or 1.0
    ranked = []
    for hit in hits:
        title_words = _title_words(hit.title)
        matched = tuple(sorted((query & title_words) | set(hit.matched)))
        factor = 1.0 + len(matched) / max(len(query), 1)
        for group in (_SIDES, _ENCOUNTERS):
            wanted, offered = query & group, title_words & group
            if wanted and offered and not (wanted & offered):
                factor *= 0.3
        if "unspecified" in title_words and "unspecified" not in query:
            factor *= 0.85
        if hit.billable is False:
            factor *= 0.6
        score = hit.score / top * 10 * factor
        ranked.append(Candidate(hit.code, hit.system, hit.title, score, hit.billable, matched))
    ranked.sort(key=lambda c: -c.score)
    return ranked
