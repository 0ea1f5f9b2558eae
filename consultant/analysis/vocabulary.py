"""Word lists the extraction rules read: modifiers, units, identifiers, labs, places."""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# CPT (Level I) modifiers in force: two-character identifiers only, no descriptors.
CPT_MODIFIERS = _words(
    "22 23 24 25 26 27 32 33 47 50 51 52 53 54 55 56 57 58 59 62 63 66 73 74 76 77 78 79 "
    "80 81 82 90 91 92 93 95 96 97 99 P1 P2 P3 P4 P5 P6"
)

# Level II modifiers that writers name bare ("need a KX?", "RT and LT") and that are
# rarely anything else; other known modifiers count bare only on a line about modifiers.
BARE_MODIFIERS = _words("LT RT XE XS XP XU KX GA GY GZ GX JW JZ TC LC LD LM RC RI QW")

# Frequently used HCPCS Level II modifiers, for when the HCPCS file is not loaded.
COMMON_LEVEL2_MODIFIERS = _words(
    "LT RT XE XS XP XU KX GA GY GZ GX JW JZ JG TC LC LD LM RC RI QW GT GP GO GN "
    "FA F1 F2 F3 F4 F5 F6 F7 F8 F9 TA T1 T2 T3 T4 T5 T6 T7 T8 T9 E1 E2 E3 E4 "
    "AI AS KO KP KQ Q5 Q6 QK QX QY QZ SA SG CR CS FS FT FX FY PO PN PD"
)

# Two-letter capitals that are ordinary words or abbreviations in these emails far more
# often than they are modifiers; they count as modifiers only when attached or named.
NOT_BARE_MODIFIERS = _words(
    "AM AN AS AT BE BY DO GO HE IF IN IS IT ME MY NO OF OK ON OR SO TO UP US WE "
    "PT OT ST ED ER MD PA NP RN IV IM SC PO CT MR DX TX RX HX FX SX ID CC GI QA QI UA "
    "SA SB PD PM PS AA AD CA CO PR OA PI CR EP NR NU RR UE RE FW AF HF AK"
)

MODIFIER_WORDS = frozenset({"mod", "mods", "modifier", "modifiers", "modifer", "modifiers:"})

# Words after a number that make it a quantity, not a code or a modifier.
UNIT_WORDS = _words(
    """mg mcg g gm gram grams ml cc l liter liters u iu units unit meq mmol mol % percent
    min mins minute minutes hr hrs hour hours sec secs second seconds day days week weeks wk
    wks month months mo year years yr yrs yo y old kg lb lbs oz cm mm sq inch inches
    mmhg bpm ms mgdl dl patients patient claims claim visits visit people times pts dollars
    usd cents levels level muscles sites lesions mo weeks' ft feet meters m"""
)

# Words after which a number is an identifier of something else.
IDENTIFIER_WORDS = _words(
    """member mbr subscriber npi npis tin ein taxid auth authorization authorisation
    authorizations preauth precert reference ref lot accession acc invoice policy mrn
    ticket confirmation icn dcn tracking phone ph fax tel telephone cell mobile ext
    extension pager ste zip zipcode ids routing mbi hicn serial batch eft pin license dea
    upin ptan certificate cert voucher receipt"""
)

# Identifier words that also precede codes ("the claim 99214 …"): they make a number an
# identifier only with an explicit '#', 'no.', 'number', 'ID' or ':'.
WEAK_IDENTIFIER_WORDS = _words(
    """claim claims acct account tax grp group chart case order check box suite po id
    medicaid medicare"""
)

# Words between an identifier word and its number.
IDENTIFIER_FILLERS = frozenset({"no", "nbr", "num", "number", "is", "was", "id", "of"})
EXPLICIT_FILLERS = frozenset({"no", "nbr", "num", "number", "id"})

LAB_WORDS = _words(
    """a1c hba1c hgba1c glucose ldl hdl egfr gfr creatinine inr ptt wbc hgb hemoglobin
    hematocrit hct platelets plt tsh psa bmi sodium potassium ast alt bun cpk troponin
    ferritin vitamin triglycerides cholesterol albumin bnp lactate pco2 po2 spo2"""
)

REMARK_WORDS = frozenset({"remark", "remarks", "rarc", "rarcs", "carc", "carcs", "835", "era"})

CARC_GROUPS = frozenset({"CO", "PR", "OA", "PI", "CR"})

US_STATES = _words(
    """AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV
    NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR"""
)

DX_WORDS = _words("""dx dxs diagnosis diagnoses diag icd icd10 icd10cm icd-10 icd-10-cm""")

CODE_WORDS = _words(
    """cpt cpts hcpcs code codes coded coding bill billed billing bills report reported
    reporting charge charged submit submitted use used using add added append"""
)

RANGE_WORDS = frozenset({"through", "thru"})

# Modifiers that NCCI accepts to bypass a PTP edit with modifier indicator 1.
NCCI_MODIFIERS = _words(
    "59 XE XS XP XU 24 25 27 57 58 78 79 91 E1 E2 E3 E4 FA F1 F2 F3 F4 F5 F6 F7 F8 F9 "
    "TA T1 T2 T3 T4 T5 T6 T7 T8 T9 LT RT LC LD LM RC RI"
)
