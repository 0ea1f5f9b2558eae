"""Section data for billing questions: code pairs, add-ons, modifiers, units, global periods."""

from __future__ import annotations

from typing import Any

from consultant.drafting.facts import Facts

MAX_PRIMARIES = 10
MAX_PAIR_CODES = 6  # beyond this many procedure codes, only the pairs the analysis reported
CONTRACTOR_DEFINED = "CCCCC"
ANATOMIC = frozenset(
    {"LT", "RT", "LC", "LD", "LM", "RC", "RI", "E1", "E2", "E3", "E4"}
    | {f"F{n}" for n in range(10)}
    | {"FA", "TA"}
    | {f"T{n}" for n in range(10)}
)
DISTINCT = frozenset({"59", "XE", "XS", "XP", "XU"})
GLOBAL_SURGERY = frozenset({"24", "25", "57", "58", "78", "79"})
GLOBAL_DAYS = frozenset({"000", "010", "090", "ZZZ", "XXX", "YYY", "MMM"})
PROCEDURES = ("CPT", "HCPCS")


def is_em(code: str) -> bool:
    """CPT evaluation and management codes (99202–99499)."""
    return code.isdigit() and 99202 <= int(code) <= 99499


def ptp_edits(facts: Facts) -> list[dict[str, Any]]:
    """Active NCCI PTP edits among the mentioned procedure codes, each with its source."""
    source = facts.sources.label("PTP")
    edits: dict[tuple[str, str], dict[str, Any]] = {}
    codes = [c["code"] for c in facts.codes if c.get("system") in PROCEDURES]
    if facts.book is not None and facts.book.is_loaded("PTP") and len(codes) <= MAX_PAIR_CODES:
        for edit in facts.book.ptp(codes):
            if edit.deleted is not None:
                continue
            edits[(edit.column1, edit.column2)] = {
                "column1": edit.column1,
                "column2": edit.column2,
                "indicator": edit.modifier_indicator,
                "rationale": edit.rationale,
                "dated": edit.dated,
                "source": source,
            }
    for pair in facts.finding_codes("ptp-pair"):
        if len(pair) == 2 and tuple(pair) not in edits:
            edits[(pair[0], pair[1])] = {
                "column1": pair[0],
                "column2": pair[1],
                "indicator": "",
                "rationale": "",
                "dated": True,
                "source": source,
            }
    return [e for e in edits.values() if not {e["column1"], e["column2"]} <= facts.earlier]


def together(facts: Facts, asked: bool = False) -> dict[str, Any] | None:
    """Can these codes be billed together: PTP edits, and add-on codes with their primaries."""
    source_aoc = facts.sources.label("AOC")
    edits = ptp_edits(facts)
    procedures = [c["code"] for c in facts.codes if c.get("system") in PROCEDURES]
    addons = []
    if facts.book is not None and facts.book.is_loaded("AOC"):
        for code in facts.new_codes(*PROCEDURES):
            rule = facts.book.addon(code["code"])
            if rule is None:
                continue
            listed = [p for p in rule.primaries if p != CONTRACTOR_DEFINED]
            addons.append(
                {
                    "code": code["code"],
                    "edit_type": rule.edit_type,
                    "contractor_defined": CONTRACTOR_DEFINED in rule.primaries,
                    "mentioned_primaries": [p for p in listed if p in procedures],
                    "primaries": [facts.name(p, source_aoc) for p in listed[:MAX_PRIMARIES]],
                    "more_primaries": max(0, len(listed) - MAX_PRIMARIES),
                    "source": source_aoc,
                }
            )
    else:
        for codes in facts.finding_codes("addon-without-primary"):
            addons.extend(
                {
                    "code": code,
                    "edit_type": None,
                    "contractor_defined": False,
                    "mentioned_primaries": [],
                    "primaries": [],
                    "more_primaries": 0,
                    "source": source_aoc,
                }
                for code in codes
                if code not in facts.earlier
            )
    checked = (
        facts.book is not None
        and facts.book.is_loaded("PTP")
        and 2 <= len(procedures) <= MAX_PAIR_CODES
    )
    if not edits and not addons and not checked and not asked:
        return None
    return {
        "edits": edits,
        "addons": addons,
        "no_edit_among": procedures if checked and not edits else [],
        "ptp_source": facts.sources.label("PTP"),
        "unchecked": [
            name
            for key, name in (
                ("PTP", "NCCI procedure-to-procedure edits"),
                ("AOC", "NCCI add-on code edits"),
            )
            if not facts.sources.is_loaded(key)
        ],
    }


def modifier(facts: Facts) -> dict[str, Any] | None:
    """Modifiers: what each mentioned one is, which PTP pairs a modifier may bypass, and
    the E/M-with-procedure choice between 25 and 57."""
    unknown = {c[0] for c in facts.finding_codes("unknown-modifier") if c}
    mentioned = []
    for item in facts.analysis.get("modifiers", ()):
        code = item.get("code", "")
        title = facts.book.modifier_title(code) if facts.book is not None else None
        mentioned.append(
            {
                "code": code,
                "attached_to": item.get("attached_to") or "",
                "title": title or "",
                "unknown": code in unknown,
                "source": facts.sources.modifier(code),
            }
        )
    codes = {m["code"] for m in mentioned}
    edits = ptp_edits(facts)
    em_pairs = _em_with_procedure(facts)
    data = {
        "modifiers": mentioned,
        "bypassable": [e for e in edits if e["indicator"] == "1"],
        "locked": [e for e in edits if e["indicator"] == "0"],
        "distinct": bool(codes & DISTINCT) or any(e["indicator"] == "1" for e in edits),
        "anatomic": sorted(codes & ANATOMIC),
        "em_procedures": em_pairs,
        "global_modifiers": sorted(codes & GLOBAL_SURGERY),
    }
    if not mentioned and not edits and not em_pairs:
        return None
    return data


def _em_with_procedure(facts: Facts) -> list[dict[str, str]]:
    ems = [c["code"] for c in facts.codes if c.get("system") == "CPT" and is_em(c["code"])]
    if not ems or facts.book is None or not facts.book.is_loaded("PFS"):
        return []
    pairs = []
    for code in facts.codes:
        if code.get("system") not in PROCEDURES or is_em(code["code"]):
            continue
        pfs = facts.book.pfs(code["code"])
        if pfs is None or pfs.global_days not in ("000", "010", "090"):
            continue
        pairs.extend(
            {
                "em": em,
                "procedure": code["code"],
                "global_days": pfs.global_days,
                "source": facts.sources.label("PFS"),
            }
            for em in ems
        )
    return pairs


def units(facts: Facts, asked: bool = False) -> dict[str, Any] | None:
    """Units against the medically unlikely edit, with its adjudication indicator."""
    source = facts.sources.label("MUE")
    exceeded = {c[0] for c in facts.finding_codes("mue-exceeded") if c}
    items = []
    unknown = {c[0] for c in facts.finding_codes("unknown-code") if c}
    procedures = facts.new_codes(*PROCEDURES)
    stated_only = not asked and (any(c.get("units") for c in procedures) or bool(exceeded))
    for code in (c for c in procedures if c["code"] not in unknown):
        stated = code.get("units")
        limit = facts.book.mue(code["code"]) if facts.book is not None else None
        if limit is None and code["code"] not in exceeded and not stated:
            continue
        if stated_only and not stated and code["code"] not in exceeded:
            continue  # units were given, not asked about: the others' limits are noise
        title = code.get("title") or ""
        if not title and code["system"] == "HCPCS":
            info = facts.lookup("HCPCS", code["code"])
            title = info.title if info is not None and info.title else ""
        items.append(
            {
                "code": code["code"],
                "system": code["system"],
                "title": title,
                "units": stated,
                "value": limit.value if limit else None,
                "mai": limit.mai if limit else None,
                "rationale": limit.rationale if limit else "",
                "exceeded": code["code"] in exceeded
                or bool(limit and stated and stated > limit.value),
                "source": source,
            }
        )
    if not items and not asked:
        return None
    return {"items": items, "loaded": facts.sources.is_loaded("MUE"), "source": source}


def global_period(facts: Facts) -> dict[str, Any] | None:
    """PFS global days of each procedure, and when 24, 58, 78 or 79 applies."""
    items = []
    if facts.book is not None and facts.book.is_loaded("PFS"):
        for code in facts.new_codes(*PROCEDURES):
            pfs = facts.book.pfs(code["code"])
            if pfs is None or pfs.global_days not in GLOBAL_DAYS:
                continue
            items.append(
                {
                    "code": code["code"],
                    "global_days": pfs.global_days,
                    "source": facts.sources.label("PFS"),
                }
            )
    if any(item["global_days"] != "XXX" for item in items):
        items = [item for item in items if item["global_days"] != "XXX"]  # E/M beside surgery
    return {"items": items, "loaded": facts.sources.is_loaded("PFS")}
