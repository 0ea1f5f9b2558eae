"""A sample question, analysis and code book that exercise every section of the reply templates
(used to check templates at start-up; never part of a reply)."""

from __future__ import annotations

from typing import Any

from consultant.drafting.static_book import StaticBook

SAMPLE_SUBJECT = "Template check"
SAMPLE_QUESTION = (
    "Is M54.5 still valid, and which code for type 2 diabetes with polyneuropathy?\n"
    "Can 20610 be billed with 99213 -- modifier 25 or 59, XS? 63048 add-on, J1030 x3 units.\n"
    "7th character for S52.521? Excludes1 with M54.42? Global period and modifier 79?\n"
    "<script>alert(1)</script>"
)

SAMPLE_BOOK: dict[str, Any] = {
    "versions": {
        "ICD-10-CM": "2026-04-01",
        "HCPCS": "2025-10-01",
        "AOC": "2026Q2",
        "PTP": "2025Q4",
        "MUE": "2026Q2",
        "PFS": "2025",
    },
    "entries": {
        "ICD-10-CM": {
            "M54": {"title": "Dorsalgia", "billable": False},
            "M54.4": {"title": "Lumbago with sciatica", "billable": False, "parent": "M54"},
            "M54.42": {
                "title": "Lumbago with sciatica, left side",
                "billable": True,
                "parent": "M54.4",
            },
            "M54.5": {"title": "Low back pain", "billable": False, "parent": "M54"},
            "M54.50": {"title": "Low back pain, unspecified", "billable": True, "parent": "M54.5"},
            "M54.51": {"title": "Vertebrogenic low back pain", "billable": True, "parent": "M54.5"},
            "S52.521": {"title": "Torus fracture of lower end of right radius", "billable": False},
            "S52.521A": {
                "title": "Torus fracture of lower end of right radius, initial "
                "encounter for closed fracture",
                "billable": True,
                "parent": "S52.521",
            },
            "E11.42": {
                "title": "Type 2 diabetes mellitus with diabetic polyneuropathy",
                "billable": True,
            },
        },
        "HCPCS": {
            "J1030": {"title": "Injection, methylprednisolone acetate, 40 mg", "billable": True}
        },
    },  # fmt: skip
    "notes": {
        "M54.5": [
            {"kind": "excludes1", "text": "lumbago with sciatica (M54.4-)", "codes": ["M54.4-"]}
        ],
        "E11.42": [
            {
                "kind": "use_additional_code",
                "text": "Use additional code to identify control using insulin (Z79.4)",
                "codes": ["Z79.4"],
            }
        ],
    },  # fmt: skip
    "sevenths": {"S52": {"A": "initial encounter for closed fracture", "S": "sequela"}},
    "modifiers": {
        "59": "Distinct procedural service",
        "XS": "Separate structure",
        "LT": "Left side",
        "25": "Significant, separately identifiable E/M",
    },  # fmt: skip
    "addons": {"63048": [1, ["63045", "63046", "63047"]]},
    "ptp": [["20610", "99213", "1", "Misuse of column two code with column one code"]],
    "mue": {"J1030": [1, 3, "Clinical: Data"], "20610": [2, 2, "Anatomic Consideration"]},
    "pfs": {"20610": "000", "63048": "ZZZ"},
}

SAMPLE_ANALYSIS: dict[str, Any] = {
    "codes": [
        {"code": "M54.5", "system": "ICD-10-CM", "known": True, "billable": False,
         "title": "Low back pain"},
        {"code": "M54.42", "system": "ICD-10-CM", "known": True, "billable": True,
         "title": "Lumbago with sciatica, left side"},
        {"code": "S52.521", "system": "ICD-10-CM", "known": True, "billable": False,
         "title": "Torus fracture of lower end of right radius"},
        {"code": "E11.42", "system": "ICD-10-CM", "known": True, "billable": True,
         "title": "Type 2 diabetes mellitus with diabetic polyneuropathy"},
        {"code": "20610", "system": "CPT", "known": None, "billable": None, "title": None,
         "modifiers": ["59"], "units": None},
        {"code": "99213", "system": "CPT", "known": None, "billable": None, "title": None,
         "modifiers": ["25"], "units": None},
        {"code": "63048", "system": "CPT", "known": None, "billable": None, "title": None,
         "modifiers": [], "units": None},
        {"code": "J1030", "system": "HCPCS", "known": True, "billable": True,
         "title": "Injection, methylprednisolone acetate, 40 mg", "units": 3},
        {"code": "Z99.99", "system": "ICD-10-CM", "known": False, "billable": None,
         "title": None},
    ],
    "modifiers": [{"code": "59", "attached_to": "20610"}, {"code": "25", "attached_to": "99213"},
                  {"code": "XS", "attached_to": None}, {"code": "QQ", "attached_to": None}],
    "findings": [
        {"kind": "unknown-code", "codes": ["Z99.99"], "severity": "error",
         "message": "Z99.99 is not an ICD-10-CM code."},
        {"kind": "non-billable", "codes": ["M54.5"], "severity": "error",
         "message": "M54.5 is not billable; use a code below it."},
        {"kind": "needs-seventh-character", "codes": ["S52.521"], "severity": "error",
         "message": "S52.521 needs a 7th character."},
        {"kind": "excludes1", "codes": ["M54.42", "M54.5"], "severity": "warning",
         "message": "M54.5 and M54.42 are in an Excludes1 relationship."},
        {"kind": "addon-without-primary", "codes": ["63048"], "severity": "error",
         "message": "63048 is an add-on code; report it with 63047."},
        {"kind": "ptp-pair", "codes": ["20610", "99213"], "severity": "warning",
         "message": "20610 and 99213 form an NCCI PTP edit."},
        {"kind": "mue-exceeded", "codes": ["J1030"], "severity": "warning",
         "message": "J1030: 3 units exceed the MUE of 1."},
        {"kind": "unknown-modifier", "codes": ["QQ"], "severity": "error",
         "message": "QQ is not a CPT or HCPCS Level II modifier."},
    ],
    "suggestions": [
        {"for": "type 2 diabetes with polyneuropathy",
         "candidates": [{"code": "E11.42", "system": "ICD-10-CM",
                         "title": "Type 2 diabetes mellitus with diabetic polyneuropathy",
                         "score": 12.0}]},
    ],
    "code_sets": {"ICD-10-CM": "2026-04-01"},
}  # fmt: skip


def sample_book() -> StaticBook:
    return StaticBook.from_json(SAMPLE_BOOK)
