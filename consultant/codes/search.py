"""Full-text search over code titles and terms: an in-memory inverted index scored with BM25."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from consultant.codes.text import tokens

K1 = 1.2
B = 0.75
NON_BILLABLE_FACTOR = 0.8
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
    doc_key: np.ndarray  # int32: doc → index into keys
    doc_factor: np.ndarray  # float32: doc weight × billable preference
    doc_terms: np.ndarray  # int16: distinct terms in the doc
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
        doc_tf: list[dict[str, int]] = []
        for doc in documents:
            key = (doc.system, doc.code)
            if key not in keys:
                keys[key] = len(keys)
                key_billable.append(doc.billable)
            counts: dict[str, int] = {}
            for token in tokens(doc.text):
                counts[token] = counts.get(token, 0) + 1
            if not counts:
                continue
            doc_key.append(keys[key])
            factor = doc.weight * (NON_BILLABLE_FACTOR if doc.billable is False else 1.0)
            doc_factor.append(factor)
            doc_text.append(doc.text)
            doc_tf.append(counts)
        return cls._from_counts(keys, key_billable, doc_key, doc_factor, doc_text, doc_tf)

    @classmethod
    def _from_counts(
        cls,
        keys: dict[tuple[str, str], int],
        key_billable: list[bool | None],
        doc_key: list[int],
        doc_factor: list[float],
        doc_text: list[str],
        doc_tf: list[dict[str, int]],
    ) -> SearchIndex:
        lengths = np.array([sum(tf.values()) for tf in doc_tf], dtype=np.float32)
        average = float(lengths.mean()) if len(lengths) else 1.0
        postings: dict[str, list[tuple[int, int]]] = {}
        for doc_id, counts in enumerate(doc_tf):
            for term, count in counts.items():
                postings.setdefault(term, []).append((doc_id, count))
        total = len(doc_tf)
        terms: dict[str, tuple[int, int]] = {}
        all_docs: list[np.ndarray] = []
        all_weights: list[np.ndarray] = []
        offset = 0
        for term, entries in postings.items():
            ids = np.fromiter((d for d, _ in entries), dtype=np.int32, count=len(entries))
            tf = np.fromiter((c for _, c in entries), dtype=np.float32, count=len(entries))
            idf = np.log(1.0 + (total - len(entries) + 0.5) / (len(entries) + 0.5))
            norm = K1 * (1.0 - B + B * lengths[ids] / average)
            all_docs.append(ids)
            all_weights.append((idf * tf * (K1 + 1.0) / (tf + norm)).astype(np.float32))
            terms[term] = (offset, offset + len(entries))
            offset += len(entries)
        empty_i = np.zeros(0, dtype=np.int32)
        empty_f = np.zeros(0, dtype=np.float32)
        return cls(
            terms=terms,
            post_docs=np.concatenate(all_docs) if all_docs else empty_i,
            post_weights=np.concatenate(all_weights) if all_weights else empty_f,
            doc_key=np.array(doc_key, dtype=np.int32),
            doc_factor=np.array(doc_factor, dtype=np.float32),
            doc_terms=np.array([len(tf) for tf in doc_tf], dtype=np.int16),
            doc_text=doc_text,
            keys=list(keys),
            key_billable=key_billable,
        )

    def query(
        self, text: str, system: str | None = None, limit: int = 10
    ) -> list[tuple[str, str, float, str, tuple[str, ...]]]:
        """Best codes for `text`: (system, code, score, best phrase, matched query words).

        A phrase scores its BM25 sum times the share of query terms it holds (squared) and
        the share of its own terms the query covers; a code scores its best phrase."""
        wanted = [t for t in dict.fromkeys(tokens(text)) if t in self.terms]
        if not wanted or not len(self.doc_key):
            return []
        scores = np.zeros(len(self.doc_key), dtype=np.float32)
        hits = np.zeros(len(self.doc_key), dtype=np.int16)
        for term in wanted:
            start, end = self.terms[term]
            ids = self.post_docs[start:end]
            scores[ids] += self.post_weights[start:end]
            hits[ids] += 1
        touched = np.flatnonzero(hits)
        share = hits[touched].astype(np.float32) / len(wanted)
        precision = hits[touched].astype(np.float32) / self.doc_terms[touched]
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
