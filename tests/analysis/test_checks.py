"""Checks: each finding kind from a small fake CodeBook, with a message and a source."""

from __future__ import annotations

from consultant.analysis.analyze import analyze_message
from tests.analysis.fakebook import FakeBook


def findings(text: str, book: object | None = None) -> dict[tuple[str, tuple[str, ...]], dict]:
    data = analyze_message("", text, book or FakeBook()).to_json()  # type: ignore[arg-type]
    return {(f["kind"], tuple(f["codes"])): f for f in data["findings"]}


def test_unknown_nonbillable_and_seventh_character():
    found = findings("Dx E11.99, M54.5 and S52.521 for the visit.")
    assert ("unknown-code", ("E11.99",)) in found
    assert ("non-billable", ("M54.5",)) in found
    seventh = found[("needs-seventh-character", ("S52.521",))]
    assert "placeholder X" in seventh["message"] and "S52.521A" in seventh["message"]
    assert ("non-billable", ("S52.521",)) not in found


def test_excludes1_at_ancestor_level_and_range_note():
    found = findings("M54.50 with M54.41; also R73.03 and E11.9.")
    assert ("excludes1", ("M54.41", "M54.50")) in found
    assert ("excludes1", ("E11.9", "R73.03")) in found


def test_use_additional_code_only_when_nothing_satisfies_it():
    assert ("use-additional-code", ("E11.9",)) in findings("Dx E11.9.")
    assert ("use-additional-code", ("E11.9",)) not in findings("Dx E11.9 and Z79.4.")


def test_addon_mue_ptp_and_modifiers():
    found = findings("63030 and 63048; 20553 x3 with 20605; modifier 21.")
    assert found[("addon-without-primary", ("63048",))]["severity"] == "error"
    mue = found[("mue-exceeded", ("20553",))]
    assert "MAI 2" in mue["message"]
    ptp = found[("ptp-pair", ("20553", "20605"))]
    assert "no such modifier is given" in ptp["message"] and "undated" in ptp["message"]
    assert ("unknown-modifier", ("21",)) in found
    assert all(f["source"] for f in found.values())


def test_ptp_says_when_the_modifier_is_given():
    ptp = findings("20553 with 20605-XS")[("ptp-pair", ("20553", "20605"))]
    assert "XS is given on 20605" in ptp["message"]


def test_addon_with_primary_is_fine_and_unloaded_sets_are_unknown():
    assert not any(k == "addon-without-primary" for k, _ in findings("63047 and 63048 x2"))
    data = analyze_message("", "Dx E11.99, 99213", None).to_json()
    assert data["findings"] == [] and data["code_sets"] == {}
    assert all(c["known"] is None for c in data["codes"])


def test_terminated_hcpcs_is_unknown():
    assert ("unknown-code", ("J1040",)) in findings("Billed J1040 x1 and J3301.")


def test_suggestions_for_described_conditions():
    text = "Patient with type 2 diabetes and hyperglycemia, on long-term insulin. Which codes?"
    data = analyze_message("", text, FakeBook()).to_json()  # type: ignore[arg-type]
    top = [c["code"] for s in data["suggestions"] for c in s["candidates"][:5]]
    assert "E11.65" in top and "Z79.4" in top
    for suggestion in data["suggestions"]:
        assert len(suggestion["candidates"]) <= 10
        assert suggestion["candidates"][0]["matched"]


def test_instruction_notes_are_one_short_line_naming_the_note_level():
    found = findings("Type 2 diabetes: E11.42 or E11.4? Also I10.")
    note = found[("use-additional-code", ("E11.42",))]
    assert note["severity"] == "info" and note["note_at"] == "E11"
    assert note["message"] == (
        "E11.42: use an additional code for long term (current) drug therapy "
        "(Z79.4, Z79.84) when documented."
    )
    broad = found[("use-additional-code", ("I10",))]
    assert broad["note_at"] == "I10-I1A"
    assert "\n" not in broad["message"] and broad["message"].startswith("I10: use an additional")
    assert "tobacco use or history of tobacco dependence (Z72.0, Z87.891)" in broad["message"]


def test_suggestions_skip_subject_topics_repeats_and_given_codes():
    data = analyze_message(
        "Diabetes coding",
        "Type 2 diabetes with polyneuropathy: is E11.42 right? Also low back pain.",
        FakeBook(),  # type: ignore[arg-type]
    ).to_json()
    described = [s["for"] for s in data["suggestions"]]
    assert "Diabetes coding" not in described
    assert len(described) == len(set(described))
    assert described == ["low back pain"]
    assert data["confirmed"] == [{"for": "Type 2 diabetes with polyneuropathy", "code": "E11.42"}]


def test_a_code_given_for_the_description_confirms_it_even_without_its_7th_character():
    data = analyze_message(
        "",
        "Torus fracture of lower end of right radius. We coded S52.521.",
        FakeBook(),  # type: ignore[arg-type]
    ).to_json()
    assert data["suggestions"] == []
    assert data["confirmed"][0]["code"] == "S52.521"


def test_doses_and_addresses_are_not_descriptions():
    from consultant.analysis.suggest import _without_quantities

    assert _without_quantities(("toradol", "60", "mg", "migraine")) == ["toradol", "migraine"]
    assert _without_quantities(("stage", "4", "pressure", "ulcer")) == [
        "stage",
        "4",
        "pressure",
        "ulcer",
    ]
    data = analyze_message(
        "",
        "Northside Wound Clinic, 1200 Lake Dr, Chicago, IL 60611",
        FakeBook(),  # type: ignore[arg-type]
    ).to_json()
    assert data["suggestions"] == []
