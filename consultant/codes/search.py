"""Full-text search over code titles and terms: an in-memory inverted index scored with BM25."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from consultant.codes.text import split_optional, tokens

K1 = 1.2
B = 0.75
NON_BILLABLE_FACTOR = 0.6
CANDIDATE_DOCS = 400


@dataclass(frozen=True)
class Document:
    """One searchable phrase of one code: its title, an inclusion term, an index entry."""

    system: str
    code: str
    text: str
    billable: bool | None
    weight: float = 1.0


@dataclass
class SearchIndex:
    """Postings of every term (doc ids + precomputed BM25 weights) in two flat arrays."""

    terms: dict[str, tuple[int, int]]
    post_docs: np.ndarray  # int32
    post_weights: np.ndarray  # float32
    post_essential: np.ndarray  # int8: 1 when the term is essential (unparenthesised) in the doc
    doc_key: np.ndarray  # int32: doc → index into keys
    doc_factor: np.ndarray  # float32: doc weight × billable preference
    doc_terms: np.ndarray  # int16: distinct essential (unparenthesised) terms in the doc
    doc_text: list[str]
    keys: list[tuple[str, str]]  # (system, code)
    key_billable: list[bool | None]

    @classmethod
    def build(cls, documents: Iterable[Document]) -> SearchIndex:
        keys: dict[tuple[str, str], int] = {}
        key_billable: list[bool | None] = []
        doc_key: list[int] = []
        doc_factor: list[float] = []
        doc_text: list[str] = []
        vocabulary: dict[str, int] = {}
        flat_terms: list[int] = []
        flat_docs: list[int] = []
        flat_essential: list[bool] = []
        essential_counts: list[int] = []
        for doc in documents:
            essential_text, optional_text = split_optional(doc.text)
            essential = tokens(essential_text)
            words = essential + tokens(optional_text)
            if not words:
                continue
            key = (doc.system, doc.code)
            if key not in keys:
                keys[key] = len(keys)
                key_billable.append(doc.billable)
            doc_id = len(doc_key)
            doc_key.append(keys[key])
            doc_factor.append(doc.weight * (NON_BILLABLE_FACTOR if doc.billable is False else 1.0))
            doc_text.append(doc.text)
            flat_terms.extend(vocabulary.setdefault(word, len(vocabulary)) for word in words)
            flat_docs.extend([doc_id] * len(words))
            flat_essential.extend(i < len(essential) for i in range(len(words)))
            essential_counts.append(max(len(set(essential)), 1))
        return cls._from_pairs(
            vocabulary,
            keys,
            key_billable,
            doc_key,
            doc_factor,
            doc_text,
            flat_terms,
            flat_docs,
            flat_essential,
            essential_counts,
        )

    @classmethod
    def _from_pairs(
        cls,
        vocabulary: dict[str, int],
        keys: dict[tuple[str, str], int],
        key_billable: list[bool | None],
        doc_key: list[int],
        doc_factor: list[float],
        doc_text: list[str],
        flat_terms: list[int],
        flat_docs: list[int],
        flat_essential: list[bool],
        essential_counts: list[int],
    ) -> SearchIndex:
        total = len(doc_key)
        terms_arr = np.array(flat_terms, dtype=np.int64)
        docs_arr = np.array(flat_docs, dtype=np.int64)
        lengths = np.array(essential_counts, dtype=np.float32)
        pairs, tf = np.unique(terms_arr * max(total, 1) + docs_arr, return_counts=True)
        flags = np.array(flat_essential, dtype=bool)
        essential_pairs = np.unique(terms_arr[flags] * max(total, 1) + docs_arr[flags])
        pair_terms = pairs // max(total, 1)
        pair_docs = (pairs % max(total, 1)).astype(np.int32)
        df = np.bincount(pair_terms, minlength=len(vocabulary)).astype(np.float32)
        idf = np.log(1.0 + (total - df + 0.5) / (df + 0.5))
        average = float(lengths.mean()) if total else 1.0
        tf = tf.astype(np.float32)
        norm = K1 * (1.0 - B + B * lengths[pair_docs] / average)
        weights = (idf[pair_terms] * tf * (K1 + 1.0) / (tf + norm)).astype(np.float32)
        ends = np.cumsum(df.astype(np.int64))
        starts = ends - df.astype(np.int64)
        terms = {word: (int(starts[i]), int(ends[i])) for word, i in vocabulary.items()}
        return cls(
            terms=terms,
            post_docs=pair_docs,
            post_weights=weights,
            post_essential=np.isin(pairs, essential_pairs).astype(np.int8),
            doc_key=np.array(doc_key, dtype=np.int32),
            doc_factor=np.array(doc_factor, dtype=np.float32),
            doc_terms=np.array(essential_counts, dtype=np.int16),
            doc_text=doc_text,
            keys=list(keys),
            key_billable=key_billable,
        )

    def query(
        self, text: str, system: str | None = None, limit: int = 10
    ) -> list[tuple[str, str, float, str, tuple[str, ...]]]:
        """Best codes for `text`: (system, code, score, best phrase, matched query words).

        A phrase scores its BM25 sum times the share of query terms it holds (squared) and
        the square root of the share of its essential terms the query covers; a code scores
        its best phrase."""
        wanted = [t for t in dict.fromkeys(tokens(text)) if t in self.terms]
        if not wanted or not len(self.doc_key):
            return []
        scores = np.zeros(len(self.doc_key), dtype=np.float32)
        hits = np.zeros(len(self.doc_key), dtype=np.int16)
        essential_hits = np.zeros(len(self.doc_key), dtype=np.int16)
        for term in wanted:
            start, end = self.terms[term]
            ids = self.post_docs[start:end]
            scores[ids] += self.post_weights[start:end]
            hits[ids] += 1
            essential_hits[ids] += self.post_essential[start:end]
        touched = np.flatnonzero(hits)
        share = hits[touched].astype(np.float32) / len(wanted)
        precision = essential_hits[touched].astype(np.float32) / self.doc_terms[touched]
        final = scores[touched] * share * share * np.sqrt(precision) * self.doc_factor[touched]
        if len(touched) > CANDIDATE_DOCS:
            best = np.argpartition(-final, CANDIDATE_DOCS)[:CANDIDATE_DOCS]
        else:
            best = np.arange(len(touched))
        order = best[np.argsort(-final[best], kind="stable")]
        return self._by_code(touched[order], final[order], wanted, system, limit)

    def _by_code(
        self,
        docs: np.ndarray,
        scores: np.ndarray,
        wanted: list[str],
        system: str | None,
        limit: int,
    ) -> list[tuple[str, str, float, str, tuple[str, ...]]]:
        found: list[tuple[str, str, float, str, tuple[str, ...]]] = []
        seen: set[int] = set()
        for doc, score in zip(docs.tolist(), scores.tolist(), strict=True):
            key = int(self.doc_key[doc])
            if key in seen:
                continue
            seen.add(key)
            key_system, code = self.keys[key]
            if system is not None and key_system != system:
                continue
            present = set(tokens(self.doc_text[doc]))
            matched = tuple(t for t in wanted if t in present)
            found.append((key_system, code, round(score, 4), self.doc_text[doc], matched))
            if len(found) >= limit:
                break
        return found
