"""Layout of a reply: the answer first, instruction notes lower down, broad notes for the coder."""

from __future__ import annotations

from consultant.drafting import draft_reply, reply_context

SOURCE = "ICD-10-CM 2026-04-01"
ANALYSIS = {
    "codes": [
        {"code": "E11.42", "system": "ICD-10-CM", "known": True, "billable": True,
         "title": "Type 2 diabetes mellitus with diabetic polyneuropathy"},
        {"code": "E11.4", "system": "ICD-10-CM", "known": True, "billable": False,
         "title": "Type 2 diabetes mellitus with neurological complications"},
        {"code": "I10", "system": "ICD-10-CM", "known": True, "billable": True,
         "title": "Essential (primary) hypertension"},
    ],
    "modifiers": [],
    "findings": [
        {"kind": "non-billable", "codes": ["E11.4"], "severity": "error", "source": SOURCE,
         "message": "E11.4 is a category or subcategory and cannot be billed."},
        {"kind": "use-additional-code", "codes": ["E11.42"], "severity": "info",
         "source": SOURCE, "note_at": "E11",
         "message": "E11.42: use an additional code for long term (current) drug therapy "
         "(Z79.4, Z79.84) when documented."},
        {"kind": "use-additional-code", "codes": ["E11.4"], "severity": "info",
         "source": SOURCE, "note_at": "E11",
         "message": "E11.4: use an additional code for long term (current) drug therapy "
         "(Z79.4, Z79.84) when documented."},
        {"kind": "use-additional-code", "codes": ["I10"], "severity": "info",
         "source": SOURCE, "note_at": "I10-I1A",
         "message": "I10: use an additional code (Z72.0, Z87.891) when documented."},
    ],
    "suggestions": [],
    "confirmed": [{"for": "Type 2 diabetes with polyneuropathy", "code": "E11.42"}],
    "code_sets": {"ICD-10-CM": "2026-04-01"},
}  # fmt: skip


def _draft() -> tuple[dict, dict]:
    context = reply_context(
        case_id=5,
        requester_name="Renee Caldwell",
        requester="renee@clinic.example",
        subject="Diabetes coding",
        question_text="Type 2 diabetes with polyneuropathy: is E11.42 right, or E11.4? Also I10.",
        question_date="Tue, 07 Apr 2026 13:40:00 -0500",
        analysis=ANALYSIS,
    )
    return draft_reply(context, ANALYSIS), context


def test_answer_first_then_instruction_notes_merged_on_one_line() -> None:
    draft, context = _draft()
    text = draft["text"]
    assert [f["kind"] for f in context["findings"]] == ["non-billable"]
    assert context["shapes"][0] == "lookup"
    assert text.index("THE SHORT ANSWER") < text.index("IS THE CODE VALID?")
    assert text.index("IS THE CODE VALID?") < text.index("ALSO CONSIDER")
    assert text.index("ALSO CONSIDER") < text.index("DETAILS")
    flat = " ".join(text.split())
    assert "E11.42, E11.4: use an additional code for long term (current) drug therapy" in flat
    assert flat.count("use an additional code") == 1
    assert 'Its title matches what you describe ("Type 2 diabetes with polyneuropathy")' in flat
    assert "Also consider" in draft["html"]


def test_broad_notes_go_to_the_reviewer_and_lines_keep_their_indent() -> None:
    draft, _ = _draft()
    assert "Z87.891" not in draft["text"] and "Z87.891" not in draft["html"]
    assert any("I10: use an additional code" in note for note in draft["reviewer_notes"])
    own = draft["text"].split("\n-- \n", 1)[0]
    for line in own.splitlines():
        assert len(line) <= 72
        assert not line or line[0].isupper() or line.startswith(("- ", "  ")), line


def test_a_bare_follow_up_still_gets_each_code_confirmed() -> None:
    analysis = {
        "codes": [
            {"code": "29848", "system": "CPT", "known": None, "billable": None, "title": None,
             "modifiers": [], "units": None},
            {"code": "G56.01", "system": "ICD-10-CM", "known": True, "billable": True,
             "title": "Carpal tunnel syndrome, right upper limb"},
        ],
        "modifiers": [], "findings": [], "suggestions": [],
        "code_sets": {"ICD-10-CM": "2026-04-01"},
    }  # fmt: skip
    context = reply_context(
        case_id=6,
        requester_name="Walt Simmons",
        requester="walt@clinic.example",
        subject="Re: carpal tunnel release",
        question_text="Endoscopic. So 29848 then?\n\nRight side, so G56.01.",
        question_date="",
        analysis=analysis,
    )
    text = " ".join(draft_reply(context, analysis)["text"].split())
    assert context["shapes"] == ["lookup"]
    assert "G56.01 is a valid, billable ICD-10-CM code" in text
    assert "29848: CPT code." in text


def test_unrelated_best_candidates_stay_out_of_the_reply() -> None:
    from consultant.drafting.diagnosis import is_weak

    weak = {"for": "dog bite lac", "candidates": [{"code": "B67.4", "matched": ["dog"]}]}
    good = {"for": "chronic PTSD", "candidates": [{"code": "F43.12", "matched": ["stress"]}]}
    assert is_weak(weak) and not is_weak(good)
    analysis = dict(ANALYSIS, suggestions=[weak | {"candidates": [weak["candidates"][0] | {
        "system": "ICD-10-CM", "title": "Echinococcus granulosus infection", "score": 13.3}]}])  # fmt: skip
    draft, _ = _draft_of(analysis)
    assert "B67.4" not in draft["text"]
    assert any('no close code for "dog bite lac"' in note for note in draft["reviewer_notes"])


def _draft_of(analysis: dict) -> tuple[dict, dict]:
    context = reply_context(
        case_id=5,
        requester_name="Renee Caldwell",
        requester="renee@clinic.example",
        subject="Dog bite",
        question_text="ED visit for a dog bite lac.",
        question_date="",
        analysis=analysis,
    )
    return draft_reply(context, analysis), context
