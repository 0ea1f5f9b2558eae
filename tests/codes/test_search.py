"""Search ranking: the descriptions coders write map to the right ICD-10-CM code first."""

import pytest

from consultant.codes.book import MemoryCodeBook

EXPECTED_FIRST = [
    ("type 2 diabetes with diabetic polyneuropathy", "E11.42"),
    ("torus fracture of right distal radius, initial encounter", "S52.521A"),
    ("generalized anxiety disorder", "F41.1"),
    ("essential hypertension", "I10"),
    ("lumbar stenosis with neurogenic claudication", "M48.062"),
    ("lumbar stenosis L4-5 with neurogenic claudication", "M48.062"),
    ("T2DM with hyperglycemia", "E11.65"),
    ("HTN", "I10"),
    ("paroxysmal AFib", "I48.0"),
    ("GERD without esophagitis", "K21.9"),
    ("stage 4 pressure ulcer of sacrum", "L89.154"),
    ("chronic systolic CHF", "I50.22"),
]


@pytest.mark.parametrize(("text", "code"), EXPECTED_FIRST)
def test_first_hit(book: MemoryCodeBook, text: str, code: str) -> None:
    hits = book.search(text, system="ICD-10-CM", limit=5)
    assert hits and hits[0].code == code, [h.code for h in hits]


def test_hits_carry_matched_terms_and_prefer_billable(book: MemoryCodeBook) -> None:
    hits = book.search("spinal stenosis lumbar region", system="ICD-10-CM", limit=5)
    assert hits[0].billable is True
    assert "stenosis" in hits[0].matched
    assert all(h.score >= hits[-1].score for h in hits)


def test_system_filter_and_empty_queries(book: MemoryCodeBook) -> None:
    hits = book.search("dexamethasone injection", system="HCPCS", limit=3)
    assert hits and hits[0].code == "J1100"
    assert book.search("", limit=3) == []
    assert book.search("zzzqqq", limit=3) == []
