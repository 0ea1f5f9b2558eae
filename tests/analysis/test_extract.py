"""Extraction: code shapes, modifiers, units, ranges, and the traps that are not codes."""

from __future__ import annotations

import pytest

from consultant.analysis.analyze import analyze_message
from tests.analysis.fakebook import FakeBook


def codes(text: str, subject: str = "", book: object | None = None) -> set[tuple[str, str]]:
    data = analyze_message(subject, text, book).to_json()  # type: ignore[arg-type]
    return {(c["system"], c["code"]) for c in data["codes"]}


def modifiers(text: str, book: object | None = None) -> set[str]:
    data = analyze_message("", text, book).to_json()  # type: ignore[arg-type]
    return {m["code"] for m in data["modifiers"]}


@pytest.mark.parametrize("book", [None, FakeBook()])
def test_shapes_and_normal_forms(book):
    found = codes("We billed 99213, 3074f, 0591t, j3301 and dx e11.65, Z794, M54.50.", book=book)
    assert ("CPT", "99213") in found
    assert ("CPT", "3074F") in found
    assert ("CPT", "0591T") in found
    assert ("HCPCS", "J3301") in found
    assert ("ICD-10-CM", "E11.65") in found
    assert ("ICD-10-CM", "Z79.4") in found
    assert ("ICD-10-CM", "M54.50") in found


@pytest.mark.parametrize("book", [None, FakeBook()])
@pytest.mark.parametrize(
    "text",
    [
        "Send it to 1200 Lakeshore Dr, Chicago, IL 60611.",
        "Call 312-555-0190 or fax (312) 555-0191.",
        "NPI 1396245957, TIN 36-4417290, member ID XKB994421.",
        "Claim # 2026031804417 was billed $142.17; statement shows $99.21.",
        "Toradol 60 mg, ondansetron 4 mg, heparin 5000 units, 100 ml contrast.",
        "A1c 7.2, B12 low, T2DM for years; BMI 41.3 in 2019.",
        "Stenosis at L4-5 and L5-S1, compression fracture at T12, C5-6 disc.",
        "Denied CO-16 with remark code N130; POS 11.",
        "Lot 5H2K8T1 and auth 8PX44RT were on the form; zip 90210.",
        "Ordered x48 hours of monitoring; 3-10 min of counseling.",
    ],
)
def test_traps_are_not_codes(text, book):
    assert codes(text, book=book) == set()


def test_pcs_shaped_token_not_in_pcs_set_is_no_code():
    book = FakeBook()
    assert codes("Procedure 0SG00AJ, ref 0SG99ZZ.", book=book) == {("ICD-10-PCS", "0SG00AJ")}


def test_modifiers_attached_spaced_and_named():
    book = FakeBook()
    text = (
        "Billed 99214-25, 20610-RT, 73721-26-LT and 99213 25. Do we need mod XS or modifier 59? "
        "Should it be 25 or 57? Does the brace need a KX too?"
    )
    assert modifiers(text, book) == {"25", "RT", "26", "LT", "XS", "59", "57", "KX"}


def test_modifier_attached_to_the_right_code():
    data = analyze_message("", "We billed 20610-59 and 99214.", None).to_json()
    assert data["modifiers"] == [{"code": "59", "attached_to": "20610"}]
    first = data["codes"][0]
    assert first["code"] == "20610" and first["modifiers"] == ["59"]


def test_words_are_not_modifiers():
    book = FakeBook()
    assert modifiers("Re: AF and HF visit, PT and OT today, the 25 sq cm ulcer", book) == set()


def test_units_attach_to_their_code():
    data = analyze_message("", "J3301 x4, 63048 x 2, 96372 (3 units), 99214", None).to_json()
    units = {c["code"]: c["units"] for c in data["codes"]}
    assert units == {"J3301": 4, "63048": 2, "96372": 3, "99214": None}


def test_ranges_and_lists():
    data = analyze_message("", "Is 63001-63011 a range? And 22630/22633 + 22840.", None).to_json()
    found = [c["code"] for c in data["codes"]]
    assert found == ["63001", "63011", "22630", "22633", "22840"]
    assert data["codes"][0]["range"] == ["63001", "63011"]


def test_subject_only_and_quoted_lines_ignored():
    found = codes("Is this right?\n> We said 99215 last time.", subject="G0439 + 99214-25?")
    assert found == {("HCPCS", "G0439"), ("CPT", "99214")}


def test_duplicate_mentions_are_listed_once_in_order():
    data = analyze_message("99213", "99214 then 99213 again, 99214.", None).to_json()
    assert [c["code"] for c in data["codes"]] == ["99213", "99214"]
