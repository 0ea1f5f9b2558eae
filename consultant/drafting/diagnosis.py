"""Section data for diagnosis questions: validity, which code, 7th character, sequencing."""

from __future__ import annotations

from typing import Any

from consultant.analysis.phrases import ANCHORS, content_words
from consultant.drafting.facts import Facts, flat_note

MAX_CHILDREN = 12
MAX_CANDIDATES = 3
MAX_INSTRUCTIONS = 6
INSTRUCTION_KINDS = ("code_first", "use_additional_code", "code_also")
PROCEDURE_SYSTEMS = ("CPT", "HCPCS", "ICD-10-PCS")
PROBLEMS = frozenset({"unknown", "non_billable", "needs_seventh", "not_loaded"})


def lookup(facts: Facts, asked: bool = True) -> dict[str, Any] | None:
    """Is each code valid, billable, known; for a heading, the billable codes below it. When
    the question does not ask, only the codes with a problem (the table lists the rest);
    CPT codes, whose descriptors are not loaded, are named together in one line."""
    needs_seventh = {c[0] for c in facts.finding_codes("needs-seventh-character") if c}
    items = []
    cpt_numbers = []
    confirmed = {c["code"]: c["for"] for c in facts.analysis.get("confirmed", ())}
    for code in facts.new_codes("ICD-10-CM", "ICD-10-PCS", "HCPCS", "CPT"):
        system = code["system"]
        state = _state(code, needs_seventh)
        if not asked and state not in PROBLEMS and code["code"] not in confirmed:
            continue
        if state == "no_descriptor":
            cpt_numbers.append(code["code"])
            continue
        item = {
            "code": code["code"],
            "system": system,
            "title": code.get("title") or "",
            "source": facts.sources.label(system),
            "state": state,
            "children": [],
            "confirms": confirmed.get(code["code"], ""),
        }
        if item["state"] == "non_billable":
            item["children"] = _billable_below(facts, code["code"])
        items.append(item)
    return {"items": items, "cpt_numbers": cpt_numbers} if items or cpt_numbers else None


def _state(code: dict[str, Any], needs_seventh: set[str]) -> str:
    system, known = code["system"], code.get("known")
    if code["code"] in needs_seventh:
        return "needs_seventh"
    if known is None:
        return "no_descriptor" if system == "CPT" else "not_loaded"
    if known is False:
        return "unknown"
    if code.get("billable") is False:
        return "non_billable"
    return "billable" if system == "ICD-10-CM" else "valid"


def _billable_below(facts: Facts, code: str) -> list[dict[str, str]]:
    """Billable ICD-10-CM codes under a heading, nearest first, from the code book."""
    found: list[dict[str, str]] = []
    queue = [code]
    seen = {code}
    source = facts.sources.label("ICD-10-CM")
    while queue and len(found) < MAX_CHILDREN:
        info = facts.lookup("ICD-10-CM", queue.pop(0))
        if info is None:
            continue
        for child in info.children:
            if child in seen:
                continue
            seen.add(child)
            child_info = facts.lookup("ICD-10-CM", child)
            if child_info is None:
                continue
            if child_info.billable:
                found.append({"code": facts.name(child, source), "title": child_info.title or ""})
                if len(found) >= MAX_CHILDREN:
                    break
            else:
                queue.append(child)
    return found


def which_code(facts: Facts) -> dict[str, Any] | None:
    """The best candidates for what the writer described without a code."""
    items = []
    for suggestion in facts.analysis.get("suggestions", ()):
        if is_weak(suggestion):
            continue  # reviewer notes name it; the requester gets no unrelated codes
        candidates = [
            {
                "code": c["code"],
                "system": c.get("system", ""),
                "title": c.get("title") or "",
                "source": facts.sources.label(c.get("system", "")),
            }
            for c in suggestion.get("candidates", ())[:MAX_CANDIDATES]
        ]
        if candidates:
            items.append({"for": suggestion.get("for", ""), "candidates": candidates})
    return {"items": items} if items else None


def is_weak(suggestion: dict[str, Any]) -> bool:
    """Whether the best candidate shares at most one word with the description, and not
    one of its condition words ('dog bite laceration' → a tapeworm code matched on 'dog')."""
    candidates = suggestion.get("candidates") or []
    if not candidates:
        return True
    if "matched" not in candidates[0]:
        return False  # an analysis that does not say what matched
    words = set(content_words(str(suggestion.get("for", ""))))
    shared = words.intersection(candidates[0].get("matched") or ())
    return bool(ANCHORS & words) and not ANCHORS & shared and len(shared) <= 1


def seventh(facts: Facts, asked: bool) -> dict[str, Any] | None:
    """For ICD-10-CM codes whose category takes a 7th character: the characters it allows,
    the placeholder X where the code is short, and the full codes that exist."""
    if facts.book is None:
        return _seventh_without_book(facts)
    needs = {c[0] for c in facts.finding_codes("needs-seventh-character") if c}
    source = facts.sources.label("ICD-10-CM")
    items = []
    listed: set[str] = set()
    for code in facts.new_codes("ICD-10-CM"):
        if code["code"] not in needs and not asked:
            continue
        rule = facts.book.seventh_character(code["code"])
        if rule is None:
            if code["code"] in needs:
                items.append(_bare_seventh(code["code"], source))
            continue
        compact = code["code"].replace(".", "")
        complete = len(compact) == 7
        base = compact[:6] if complete else compact.ljust(6, "X")
        characters = []
        for char, meaning in rule.characters.items():
            full = f"{base[:3]}.{base[3:]}{char}"
            exists = facts.lookup("ICD-10-CM", full) is not None
            characters.append(
                {
                    "character": char,
                    "meaning": meaning,
                    "code": facts.name(full, source) if exists else "",
                }
            )
        if any(c["code"] for c in characters):  # the book lists the codes: only those exist
            characters = [c for c in characters if c["code"]]
        if base in listed:
            characters = []  # the same list was given for the code before
        listed.add(base)
        items.append(
            {
                "code": code["code"],
                "category": facts.name(rule.category, source),
                "complete": complete,
                "own": rule.characters.get(compact[6], "") if complete else "",
                "placeholder": not complete and len(compact) < 6,
                "characters": characters,
                "source": source,
            }
        )
    return {"items": items} if items else None


def _bare_seventh(code: str, source: str) -> dict[str, Any]:
    compact = code.replace(".", "")
    return {
        "code": code,
        "category": "",
        "complete": False,
        "own": "",
        "placeholder": len(compact) < 6,
        "characters": [],
        "source": source,
    }


def _seventh_without_book(facts: Facts) -> dict[str, Any] | None:
    source = facts.sources.label("ICD-10-CM")
    items = [
        _bare_seventh(c[0], source)
        for c in facts.finding_codes("needs-seventh-character")
        if c and c[0] not in facts.earlier
    ]
    return {"items": items} if items else None


def sequencing(facts: Facts) -> dict[str, Any] | None:
    """Excludes1 pairs with the note that makes them one, and the sequencing instructions
    (code first, use additional code, code also) of the mentioned ICD-10-CM codes."""
    source = facts.sources.label("ICD-10-CM")
    pairs = []
    for codes in facts.finding_codes("excludes1"):
        if len(codes) != 2 or all(code in facts.earlier for code in codes):
            continue
        note = _excludes1_note(facts, *codes)
        pairs.append(
            {
                "a": codes[0],
                "b": codes[1],
                "note_text": facts.name_in_text(note.text, source) if note else "",
                "note_at": facts.name(note.source_code, source) if note else "",
                "source": source,
            }
        )
    instructions = []
    if facts.book is not None and facts.book.is_loaded("ICD-10-CM"):
        for code in facts.new_codes("ICD-10-CM"):
            for note in facts.book.notes(code["code"]):
                if note.kind not in INSTRUCTION_KINDS or len(instructions) >= MAX_INSTRUCTIONS:
                    continue
                instructions.append(
                    {
                        "code": code["code"],
                        "kind": note.kind,
                        "text": facts.name_in_text(flat_note(note.text), source),
                        "note_at": facts.name(note.source_code, source),
                        "source": source,
                    }
                )
    if not pairs and not instructions:
        return None
    return {"excludes1": pairs, "instructions": instructions}


def _excludes1_note(facts: Facts, a: str, b: str) -> Any:
    if facts.book is None or not facts.book.is_loaded("ICD-10-CM"):
        return None
    for first, second in ((a, b), (b, a)):
        for note in facts.book.notes(first):
            if note.kind == "excludes1" and _names(note.codes, second):
                return note
    return None


def _names(note_codes: tuple[str, ...], code: str) -> bool:
    """Whether a note's code list covers `code` (exact, a '-' wildcard, or a range)."""
    for written in note_codes:
        head = written.rstrip("-").rstrip(".")
        if "-" in written.strip("-") and not written.endswith(".-"):
            low, _, high = written.partition("-")
            if low <= code[: len(low)] <= high:
                return True
        elif code == written or code.startswith(head):
            return True
    return False
