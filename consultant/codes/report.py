"""Plain JSON views of code facts, versions and search hits (the stable `--json` forms)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from consultant.codes.api import CodeBook, CodeInfo, SearchHit
from consultant.codes.normal import is_well_formed, procedure_system
from consultant.codes.tables import CodeSetVersion

LOOKUP_ORDER = ("ICD-10-CM", "CPT", "HCPCS", "ICD-10-PCS", "modifier")


def version_json(row: CodeSetVersion, in_force: bool) -> dict[str, Any]:
    return {
        "system": row.system,
        "version": row.version,
        "effective": row.effective.isoformat() if row.effective else None,
        "dated": row.dated,
        "source": row.source,
        "sha256": row.sha256,
        "rows": row.rows,
        "loaded_at": row.loaded_at.isoformat() if row.loaded_at else None,
        "in_force": in_force,
    }


def find_code(
    book: CodeBook, code: str, system: str | None = None, on: date | None = None
) -> CodeInfo | None:
    """Look a code up in `system`, or in the first system whose shape it fits and knows it."""
    if system:
        return book.lookup(system, code, on)
    guess = procedure_system(code)
    order = (guess, *LOOKUP_ORDER) if guess else LOOKUP_ORDER
    for candidate in dict.fromkeys(order):
        if is_well_formed(candidate, code):
            info = book.lookup(candidate, code, on)
            if info is not None:
                return info
    return None


def code_json(book: CodeBook, info: CodeInfo) -> dict[str, Any]:
    """Every fact the book has about one code.

    Keys: system, code, title, billable, parent, children, effective, end, replaced_by,
    notes [{kind, text, codes, source_code}], seventh_character {category, characters} | null,
    addon {edit_type, primaries} | null, mue {value, mai, rationale} | null,
    pfs {status, global_days, mult_proc, bilateral, assistant, co_surgeon, team, pctc} | null."""
    data: dict[str, Any] = {
        "system": info.system,
        "code": info.code,
        "title": info.title,
        "billable": info.billable,
        "parent": info.parent,
        "children": list(info.children),
        "effective": info.effective.isoformat() if info.effective else None,
        "end": info.end.isoformat() if info.end else None,
        "replaced_by": list(info.replaced_by),
        "notes": [],
        "seventh_character": None,
        "addon": None,
        "mue": None,
        "pfs": None,
    }
    if info.system == "ICD-10-CM":
        data["notes"] = [
            {"kind": n.kind, "text": n.text, "codes": list(n.codes), "source_code": n.source_code}
            for n in book.notes(info.code)
        ]
        rule = book.seventh_character(info.code)
        if rule:
            data["seventh_character"] = {"category": rule.category, "characters": rule.characters}
    if info.system in ("CPT", "HCPCS"):
        addon = book.addon(info.code)
        if addon:
            data["addon"] = {"edit_type": addon.edit_type, "primaries": list(addon.primaries)}
        mue = book.mue(info.code)
        if mue:
            data["mue"] = {"value": mue.value, "mai": mue.mai, "rationale": mue.rationale}
        pfs = book.pfs(info.code)
        if pfs:
            data["pfs"] = {k: v for k, v in asdict(pfs).items() if k != "code"}
    return data


def hit_json(hit: SearchHit) -> dict[str, Any]:
    """Keys: system, code, title, score, billable, matched."""
    return {
        "system": hit.system,
        "code": hit.code,
        "title": hit.title,
        "score": hit.score,
        "billable": hit.billable,
        "matched": list(hit.matched),
    }
