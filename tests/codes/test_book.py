"""Lookup facts served by the in-memory CodeBook (ICD-10-CM from the package, CMS fixtures)."""

from datetime import date

from consultant.codes.book import MemoryCodeBook


def test_icd10cm_codes(book: MemoryCodeBook) -> None:
    info = book.lookup("ICD-10-CM", "e1142")
    assert info is not None
    assert info.code == "E11.42"
    assert info.title == "Type 2 diabetes mellitus with diabetic polyneuropathy"
    assert info.billable is True
    assert info.parent == "E11.4"
    category = book.lookup("ICD-10-CM", "E11")
    assert category is not None and category.billable is False and category.parent is None
    assert "E11.9" in category.children
    assert book.lookup("ICD-10-CM", "I10").billable is True
    assert book.lookup("ICD-10-CM", "E11.99") is None
    assert book.versions()["ICD-10-CM"] == "2026-04-01"


def test_notes_inherit_from_ancestors(book: MemoryCodeBook) -> None:
    own = book.notes("E11.42", inherited=False)
    assert [n.kind for n in own] == ["inclusion_term"]
    notes = book.notes("E11.42")
    excludes = [n for n in notes if n.kind == "excludes1" and n.source_code == "E11"]
    assert any("E10.-" in n.codes for n in excludes)
    assert any(n.kind == "use_additional_code" and "Z79.4" in n.codes for n in notes)


def test_seventh_character(book: MemoryCodeBook) -> None:
    rule = book.seventh_character("S52.521")
    assert rule is not None
    assert rule.characters["A"] == "initial encounter for closed fracture"
    assert book.lookup("ICD-10-CM", "S52.521A").billable is True
    assert book.lookup("ICD-10-CM", "S52.521").billable is False
    assert book.seventh_character("E11.42") is None


def test_hcpcs_and_modifiers(book: MemoryCodeBook) -> None:
    info = book.lookup("HCPCS", "j1100")
    assert info is not None and info.title.startswith("Injection, dexamethasone")
    retired = book.lookup("HCPCS", "G0999")
    assert retired.end == date(2024, 12, 31) and retired.replaced_by == ("G1999",)
    assert book.is_modifier("xs") and book.is_modifier("59") and book.is_modifier("25")
    assert not book.is_modifier("Q9")
    assert book.modifier_title("A1") == "Dressing for one wound"
    assert "E/M" in book.modifier_title("25")


def test_addon_mue_pfs(book: MemoryCodeBook) -> None:
    rule = book.addon("63048")
    assert rule.edit_type == 1 and rule.primaries == ("63047",)  # the deleted primary is gone
    assert book.addon("0054T").primaries == ("CCCCC",)
    assert book.addon("63047") is None
    assert book.mue("20610").value == 2 and book.mue("20610").mai == 3
    assert book.pfs("63047").global_days == "090"
    assert book.pfs("71046").pctc == "1"
    cpt = book.lookup("CPT", "63048")
    assert cpt is not None and cpt.title is None  # known from public files, no descriptor


def test_ptp_dated_edition(book: MemoryCodeBook) -> None:
    edits = book.ptp(["64483", "63047", "99213", "20610", "99201", "99211"])
    pairs = {(e.column1, e.column2) for e in edits}
    assert pairs == {("63047", "64483"), ("20610", "99213")}  # 99201/99211 was deleted in 2020
    assert all(e.dated for e in edits)
    old = book.ptp(["99201", "99211"], on=date(2019, 5, 1))
    assert [(e.column1, e.modifier_indicator) for e in old] == [("99201", "9")]
    assert book.ptp(["63047"]) == []


def test_pcs(book: MemoryCodeBook) -> None:
    info = book.lookup("ICD-10-PCS", "0sg00a0")
    assert info is not None and info.billable is True
    assert book.lookup("ICD-10-PCS", "001").billable is False
