"""Normal forms and the codes named in tabular notes."""

from consultant.codes.normal import codes_in_note, icd10cm, is_well_formed, procedure_system


def test_icd10cm_normal_form() -> None:
    assert icd10cm("e1142") == "E11.42"
    assert icd10cm(" S52.521a ") == "S52.521A"
    assert icd10cm("I10") == "I10"


def test_shapes() -> None:
    assert is_well_formed("CPT", "0591T")
    assert is_well_formed("HCPCS", "j1100")
    assert is_well_formed("ICD-10-PCS", "0SG00A0")
    assert not is_well_formed("ICD-10-PCS", "0SG00I0")  # I and O are never used
    assert procedure_system("63047") == "CPT"
    assert procedure_system("G2211") == "HCPCS"
    assert procedure_system("E11.42") is None


def test_codes_in_note_keep_ranges_and_wildcards() -> None:
    assert codes_in_note("type 1 diabetes mellitus (E10.-)") == ("E10.-",)
    assert codes_in_note("gestational diabetes (O24.4-)") == ("O24.4-",)
    assert codes_in_note("hypertensive disease (O10-O11, O13-O16)") == ("O10-O11", "O13-O16")
    assert codes_in_note("adverse effect (T45.1X5)") == ("T45.1X5",)
