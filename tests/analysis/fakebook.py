"""A small in-memory CodeBook for analysis tests: a handful of real-shaped codes and rules."""

from __future__ import annotations

from collections.abc import Iterable

from consultant.codes.api import (
    AddonRule,
    CodeInfo,
    MueLimit,
    Note,
    PfsIndicators,
    PtpEdit,
    SearchHit,
    SeventhCharacterRule,
)

ICD = {
    "E11": ("Type 2 diabetes mellitus", False),
    "E11.4": ("Type 2 diabetes mellitus with neurological complications", False),
    "E11.42": ("Type 2 diabetes mellitus with diabetic polyneuropathy", True),
    "E11.65": ("Type 2 diabetes mellitus with hyperglycemia", True),
    "E11.9": ("Type 2 diabetes mellitus without complications", True),
    "R73.03": ("Prediabetes", True),
    "R73.0": ("Abnormal glucose", False),
    "M54.5": ("Low back pain", False),
    "M54.50": ("Low back pain, unspecified", True),
    "M54.41": ("Lumbago with sciatica, right side", True),
    "S52.521": ("Torus fracture of lower end of right radius", False),
    "S52.521A": ("Torus fracture of lower end of right radius, initial encounter", True),
    "N13.0": ("Hydronephrosis with ureteropelvic junction obstruction", True),
    "Z79": ("Long term (current) drug therapy", False),
    "Z79.4": ("Long term (current) use of insulin", True),
    "I10": ("Essential (primary) hypertension", True),
}
HCPCS = {"J3301": "Triamcinolone acetonide, 10 mg", "G2211": "Complex E/M visit add-on"}
PCS = {"0SG00AJ"}
MODIFIERS = {"RT", "LT", "XS", "XE", "XP", "XU", "KX", "GA", "LD", "JW"}
CPT_SEEN = {"99213", "99214", "20610", "20553", "20605", "63047", "63048", "63030", "96375"}


class FakeBook:
    def __init__(self, *, loaded: Iterable[str] = ("ICD-10-CM", "HCPCS", "ICD-10-PCS", "MUE")):
        self._loaded = set(loaded)

    def versions(self) -> dict[str, str]:
        return {name: "test" for name in sorted(self._loaded)}

    def is_loaded(self, system: str) -> bool:
        return system in self._loaded

    def lookup(self, system, code, on=None):  # noqa: ANN001, ANN201
        if system == "ICD-10-CM" and code in ICD:
            title, billable = ICD[code]
            children = tuple(c for c in ICD if c.startswith(code) and len(c) == len(code) + 1)
            return CodeInfo(system, code, title, billable, children=children)
        if system == "HCPCS" and code in HCPCS:
            return CodeInfo(system, code, HCPCS[code], True)
        if system == "ICD-10-PCS" and code in PCS:
            return CodeInfo(system, code, "Fusion", True)
        return None

    def notes(self, code: str, *, inherited: bool = True) -> list[Note]:
        notes = []
        if code.startswith("M54.5"):
            notes.append(
                Note("excludes1", "sciatica with low back pain (M54.4-)", ("M54.4-",), "M54.5")
            )
        if code.startswith("R73.0"):
            notes.append(Note("excludes1", "diabetes mellitus (E08-E13)", ("E08-E13",), "R73.0"))
        if code.startswith("E11"):
            text = (
                "code to identify control using:\ninsulin (Z79.4)\noral antidiabetic drugs (Z79.84)"
            )
            notes.append(Note("use_additional_code", text, ("Z79.4", "Z79.84"), "E11"))
        if code == "I10":
            text = "code to identify:\ntobacco use (Z72.0)\nhistory of tobacco dependence (Z87.891)"
            notes.append(Note("use_additional_code", text, ("Z72.0", "Z87.891"), "I10-I1A"))
        return notes

    def seventh_character(self, code: str) -> SeventhCharacterRule | None:
        if code.startswith("S52"):
            return SeventhCharacterRule("S52", {"A": "initial encounter", "D": "subsequent"})
        return None

    def is_modifier(self, modifier: str) -> bool:
        return modifier in MODIFIERS

    def modifier_title(self, modifier: str) -> str | None:
        return modifier if modifier in MODIFIERS else None

    def addon(self, code: str) -> AddonRule | None:
        if code == "63048":
            return AddonRule("63048", 1, ("63045", "63046", "63047"))
        if code == "96375":
            return AddonRule("96375", 1, ("96365", "96374", "96409", "96413"))
        return None

    def ptp(self, codes: Iterable[str]) -> list[PtpEdit]:
        codes = set(codes)
        if {"20553", "20605"} <= codes:
            return [PtpEdit("20553", "20605", "1", "Misuse of column two code", dated=False)]
        return []

    def mue(self, code: str) -> MueLimit | None:
        return MueLimit(code, 1, 2, "Anatomic") if code == "20553" else None

    def pfs(self, code: str) -> PfsIndicators | None:
        if code in CPT_SEEN:
            return PfsIndicators(code, "A", "000", "2", "1", "1", "0", "0", "0")
        return None

    def search(self, text: str, system: str | None = None, limit: int = 10) -> list[SearchHit]:
        words = set(text.lower().split())
        hits = []
        for code, (title, billable) in ICD.items():
            overlap = words & set(title.lower().replace(",", "").split())
            if overlap:
                hits.append(SearchHit("ICD-10-CM", code, title, float(len(overlap)), billable))
        return sorted(hits, key=lambda h: -h.score)[:limit]
