"""Reviewer notes: what the system was unsure of, for the coder's eyes only (never sent)."""

from __future__ import annotations

from typing import Any

from consultant.drafting.diagnosis import is_weak

LOW_SCORE = 8.0  # analysis candidate scores put the best match near 10 and up
CLOSE_CALL = 0.9  # a runner-up within 10 % of the best candidate
CONFLICTS = {
    ("unknown-code", "non-billable"),
    ("unknown-code", "needs-seventh-character"),
    ("unknown-code", "excludes1"),
    ("non-billable", "needs-seventh-character"),
}


def reviewer_notes(analysis: dict[str, Any], context: dict[str, Any] | None = None) -> list[str]:
    """Low-score suggestions, codes that could not be verified, conflicting findings, the
    decisions the documentation must settle, and the similar past answers."""
    notes = _suggestions(analysis) + _unverified(analysis) + _conflicts(analysis)
    if context is not None:
        notes += _decisions(context) + _broad(context) + _earlier(context) + _similar(context)
    if not analysis.get("codes") and not analysis.get("suggestions"):
        notes.append("No code was found in the question and nothing to suggest: answer by hand.")
    return notes


def _suggestions(analysis: dict[str, Any]) -> list[str]:
    notes = []
    for suggestion in analysis.get("suggestions", ()):
        described = suggestion.get("for", "")
        candidates = suggestion.get("candidates") or []
        if not candidates:
            notes.append(f'No candidate code for "{described}".')
            continue
        best = candidates[0]
        if is_weak(suggestion):
            notes.append(
                f'Not in the reply: no close code for "{described}" (best {best["code"]}, '
                f"matched {', '.join(best.get('matched') or ()) or 'nothing'})."
            )
            continue
        score = best.get("score")
        if isinstance(score, int | float) and score < LOW_SCORE:
            notes.append(f'Weak match for "{described}": {best["code"]} (score {score:.1f}).')
        if len(candidates) > 1:
            second = candidates[1].get("score")
            if (
                isinstance(score, int | float)
                and isinstance(second, int | float)
                and score > 0
                and second >= score * CLOSE_CALL
            ):
                notes.append(
                    f'Close call for "{described}": {best["code"]} or {candidates[1]["code"]}.'
                )
    return notes


def _unverified(analysis: dict[str, Any]) -> list[str]:
    notes = []
    for code in analysis.get("codes", ()):
        if code.get("known") is None and code.get("system") != "CPT":
            notes.append(
                f"{code['code']} ({code.get('system')}) could not be checked: code set not loaded."
            )
        elif code.get("system") == "CPT" and not code.get("title"):
            notes.append(f"{code['code']} (CPT): descriptor not loaded; number checked only.")
    return notes


def _conflicts(analysis: dict[str, Any]) -> list[str]:
    kinds: dict[str, set[str]] = {}
    for finding in analysis.get("findings", ()):
        for code in finding.get("codes", ()):
            kinds.setdefault(code, set()).add(finding.get("kind", ""))
    billable = {c["code"] for c in analysis.get("codes", ()) if c.get("billable") is True}
    notes = []
    for code, found in kinds.items():
        for a, b in CONFLICTS:
            if a in found and b in found:
                notes.append(f"Conflicting findings on {code}: {a} and {b}.")
        if code in billable and found & {"non-billable", "needs-seventh-character"}:
            notes.append(f"Conflicting facts on {code}: listed billable, yet flagged incomplete.")
    return notes


def _decisions(context: dict[str, Any]) -> list[str]:
    """Choices the reply leaves to the documentation: the coder confirms or settles them."""
    notes = []
    for section in context.get("sections", ()):
        shape = section["shape"]
        if shape == "lookup":
            notes += [
                f"Decide: which code below {item['code']} the record supports."
                for item in section["items"]
                if item["children"]
            ]
        elif shape == "seventh":
            notes += [
                f"Decide: the 7th character of {item['code']} (encounter or healing stage)."
                for item in section["items"]
                if not item["complete"]
            ]
        elif shape == "sequencing" and section["excludes1"]:
            notes.append("Decide: whether the Excludes1 conditions are both documented.")
        elif shape == "modifier" and (section["bypassable"] or section["em_procedures"]):
            notes.append("Decide: whether the documentation supports a distinct service.")
        elif shape == "which_code":
            notes.append("Decide: which candidate the documentation supports.")
        elif shape == "global":
            notes.append("Decide: how any later service relates to the surgery.")
    return notes


def _broad(context: dict[str, Any]) -> list[str]:
    """Chapter- and block-wide instruction notes, left out of the reply."""
    return [
        f"Not in the reply (a chapter- or block-wide note): {note}"
        for note in context.get("broad_notes", ())
    ]


def _earlier(context: dict[str, Any]) -> list[str]:
    if not context.get("earlier"):
        return []
    return [f"Follow-up: answered earlier in this thread: {', '.join(context['earlier'])}."]


def _similar(context: dict[str, Any]) -> list[str]:
    return [
        f"Similar past answer: case #{item['case_id']} ({item['subject']}), "
        f"score {item['score']:.2f}."
        for item in context.get("similar", ())
    ]
