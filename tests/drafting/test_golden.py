"""Golden files: each question shape and each finding kind drafts the reply a person approved.

Regenerate after a deliberate template change with UPDATE_GOLDEN=1, then read the diff."""

from __future__ import annotations

import os

import pytest

from tests.drafting.conftest import CASES, FIXTURES, draft_of, load_case

GOLDEN = FIXTURES / "golden"

# case → the sections its reply must answer with (in this order, first ones first); a code
# lookup section appears only when asked or when a code has a problem (the table lists the rest)
SHAPES = {
    "lookup-m545": ["lookup"],
    "unknown-code": ["lookup"],
    "together-ptp": ["together", "modifier"],
    "addon-without-primary": ["together", "lookup"],
    "modifier-59-xs": ["modifier", "together"],
    "modifier-25-57": ["modifier", "together"],
    "unknown-modifier": ["modifier", "lookup"],
    "units-mue": ["units"],
    "which-code": ["which_code"],
    "seventh-character": ["seventh", "lookup"],
    "placeholder-x": ["seventh", "lookup"],
    "excludes1": ["sequencing"],
    "sequencing-use-additional": ["sequencing"],
    "global-period": ["global", "modifier"],
    "general": ["general"],
    "follow-up": ["lookup", "sequencing"],
    "escaping": ["lookup"],
}
FINDING_KINDS = {
    "unknown-code": "unknown-code",
    "non-billable": "lookup-m545",
    "needs-seventh-character": "seventh-character",
    "excludes1": "excludes1",
    "addon-without-primary": "addon-without-primary",
    "ptp-pair": "together-ptp",
    "mue-exceeded": "units-mue",
    "unknown-modifier": "unknown-modifier",
}


def test_every_case_has_its_shapes_listed() -> None:
    assert sorted(SHAPES) == CASES


@pytest.mark.parametrize("name", CASES)
def test_golden(name: str, book) -> None:  # noqa: ANN001
    draft = draft_of(load_case(name), book)
    for suffix, body in (("txt", draft["text"]), ("html", draft["html"])):
        path = GOLDEN / f"{name}.{suffix}"
        if os.environ.get("UPDATE_GOLDEN") == "1":
            path.write_text(body)
        assert body == path.read_text(), f"{path.name} differs (UPDATE_GOLDEN=1 to accept)"


@pytest.mark.parametrize("name", CASES)
def test_shapes_answered_in_order(name: str, book) -> None:  # noqa: ANN001
    draft = draft_of(load_case(name), book)
    shapes = draft["context"]["shapes"]
    expected = SHAPES[name]
    assert shapes[: len(expected)] == expected or set(expected) <= set(shapes), shapes
    assert shapes[0] == expected[0]


@pytest.mark.parametrize("kind", sorted(FINDING_KINDS))
def test_finding_message_and_source_in_both_parts(kind: str, book) -> None:  # noqa: ANN001
    case = load_case(FINDING_KINDS[kind])
    draft = draft_of(case, book)
    finding = next(f for f in case["analysis"]["findings"] if f["kind"] == kind)
    row = next(f for f in draft["context"]["findings"] if f["kind"] == kind)
    assert row["source"], f"{kind} has no source"
    flat_text = " ".join(draft["text"].split())
    assert finding["message"] in flat_text
    assert row["source"] in flat_text
    assert finding["message"].replace("&", "&amp;").replace("<", "&lt;") in draft["html"]
