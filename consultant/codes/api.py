"""What the rest of the product may ask of the code sets: plain facts, no storage details."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

SYSTEMS = ("CPT", "HCPCS", "ICD-10-CM", "ICD-10-PCS", "modifier")


@dataclass(frozen=True, slots=True)
class Note:
    """A tabular instruction: kind is excludes1, excludes2, includes, inclusion_term,
    code_first, use_additional_code or code_also; `codes` are the codes the text names,
    in normal form, with ranges and `-` wildcards kept as written (e.g. "E10.-")."""

    kind: str
    text: str
    codes: tuple[str, ...] = ()
    source_code: str = ""


@dataclass(frozen=True, slots=True)
class SeventhCharacterRule:
    category: str
    characters: dict[str, str]  # "A" -> "initial encounter", …


@dataclass(frozen=True, slots=True)
class CodeInfo:
    """One code's facts. `end` is the last day the code may be reported (HCPCS: TERM DT;
    ICD-10-CM: the day before the addenda that deleted it takes effect) and `replaced_by`
    the codes the source names for it (HCPCS: cross-references; ICD-10-CM: the reportable
    codes the same addenda adds in the deleted code's family); empty when the data is silent.
    A retired ICD-10-CM code looked up for a date of service up to its end reads as it was
    then; otherwise as it is now (a header, with billable False, or only the retired record)."""

    system: str
    code: str  # normal form (contracts/analyze.md)
    title: str | None
    billable: bool | None
    parent: str | None = None
    children: tuple[str, ...] = ()
    effective: date | None = None
    end: date | None = None
    replaced_by: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AddonRule:
    code: str
    edit_type: int  # 1, 2 or 3 (NCCI AOC edit type)
    primaries: tuple[str, ...]  # active primary codes; "CCCCC" = contractor-defined


@dataclass(frozen=True, slots=True)
class PtpEdit:
    column1: str
    column2: str
    modifier_indicator: str  # "0", "1" or "9"
    rationale: str
    effective: date | None = None
    deleted: date | None = None
    dated: bool = True  # False when the source file carries no dates


@dataclass(frozen=True, slots=True)
class MueLimit:
    code: str
    value: int
    mai: int  # 1 claim line, 2 date of service (policy), 3 date of service (clinical)
    rationale: str


@dataclass(frozen=True, slots=True)
class PfsIndicators:
    code: str
    status: str
    global_days: str
    mult_proc: str
    bilateral: str
    assistant: str
    co_surgeon: str
    team: str
    pctc: str


@dataclass(frozen=True, slots=True)
class SearchHit:
    system: str
    code: str
    title: str
    score: float
    billable: bool | None = None
    matched: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class CodeSetVersion:
    system: str
    version: str  # e.g. "2026-04-01" or "2026Q2"
    source: str
    sha256: str
    rows: int
    loaded_at: str


class CodeBook(Protocol):
    """Read-only, in-memory view of the loaded code sets (the database is the truth)."""

    def versions(self) -> dict[str, str]:
        """System name ("ICD-10-CM", "HCPCS", "AOC", "PTP", "MUE", "PFS", "CPT",
        "ICD-10-PCS") to the version in force."""

    def is_loaded(self, system: str) -> bool: ...

    def lookup(self, system: str, code: str, on: date | None = None) -> CodeInfo | None: ...

    def notes(self, code: str, *, inherited: bool = True) -> list[Note]:
        """ICD-10-CM notes of a code; with `inherited`, its ancestors' too (each Note
        says in `source_code` where it sits)."""

    def seventh_character(self, code: str) -> SeventhCharacterRule | None: ...

    def is_modifier(self, modifier: str) -> bool: ...

    def modifier_title(self, modifier: str) -> str | None: ...

    def addon(self, code: str) -> AddonRule | None: ...

    def ptp(self, codes: Iterable[str]) -> list[PtpEdit]: ...

    def mue(self, code: str) -> MueLimit | None: ...

    def pfs(self, code: str) -> PfsIndicators | None: ...

    def search(self, text: str, system: str | None = None, limit: int = 10) -> list[SearchHit]: ...
