"""NCCI edit files: add-on code edits (AOC), procedure-to-procedure pairs (PTP) and MUEs."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from consultant.codes.formats import Format, Version, header_keys, name_quarter, undated
from consultant.codes.sources import Column, RowChecker, table_rows
from consultant.codes.tables import AddonEdit, MueRow, PtpEditRow

PROCEDURE = re.compile(r"[0-9A-Z]\d{3}[0-9A-Z]")
PRIMARY = re.compile(r"[0-9A-Z]\d{3}[0-9A-Z]|CCCCC")
PROCEDURE_TEXT = "a CPT/HCPCS code (5 characters)"

AOC_COLUMNS = (
    Column("type", ("AOC_Edit_Type",)),
    Column("addon", ("Add-On_Code", "Add-on Code")),
    Column("addon_del", ("AOC_DelDT",)),
    Column("primary", ("Primary_Code",)),
    Column("primary_del", ("Primary_Code_DelDT",)),
    Column("effective", ("AOC_Edit_EffDT",)),
    Column("deleted", ("AOC_Edit_DelDT",)),
    Column("notes", ("Special_Instruction_Notes",), required=False),
)


def aoc_rows(path: Path, version_id: int, check: RowChecker) -> Iterator[tuple]:
    for line, cells in table_rows(path, AOC_COLUMNS):
        edit_type = int(check.one_of(line, "AOC_Edit_Type", cells["type"], ("1", "2", "3")))
        addon = check.match(line, "Add-On_Code", cells["addon"], PROCEDURE, PROCEDURE_TEXT)
        primary = check.match(
            line, "Primary_Code", cells["primary"], PRIMARY, PROCEDURE_TEXT + " or CCCCC"
        )
        yield (
            version_id,
            addon,
            primary,
            edit_type,
            check.date(line, "AOC_DelDT", cells["addon_del"]),
            check.date(line, "Primary_Code_DelDT", cells["primary_del"]),
            check.date(line, "AOC_Edit_EffDT", cells["effective"]),
            check.date(line, "AOC_Edit_DelDT", cells["deleted"]),
            cells.get("notes", ""),
        )


PTP_COLUMNS = (
    Column("column1", ("column1", "Column 1")),
    Column("column2", ("column2", "Column 2")),
    Column("effective", ("Effective Date", "effective_date", "effective"), required=False),
    Column("deleted", ("Deletion Date", "deletion_date", "deletion"), required=False),
    Column("modifier", ("modifier_indicator", "Modifier")),
    Column("rationale", ("ptp_edit_rationale", "PTP Edit Rationale", "rationale"), False),
)
MODIFIER_INDICATORS = ("0", "1", "9")


def ptp_rows(path: Path, version_id: int, check: RowChecker) -> Iterator[tuple]:
    started = False
    for line, cells in table_rows(path, PTP_COLUMNS):
        first = cells["column1"]
        if not started and not PROCEDURE.fullmatch(first):
            continue  # the rest of a header that spans several lines
        started = True
        check.match(line, "column1", first, PROCEDURE, PROCEDURE_TEXT)
        check.match(line, "column2", cells["column2"], PROCEDURE, PROCEDURE_TEXT)
        indicator = check.one_of(line, "modifier", cells["modifier"], MODIFIER_INDICATORS)
        yield (
            version_id,
            first,
            cells["column2"],
            check.date(line, "effective", cells.get("effective", "")),
            check.date(line, "deletion", cells.get("deleted", "")),
            indicator,
            cells.get("rationale", ""),
        )


def ptp_version(paths: Sequence[Path]) -> Version:
    from consultant.codes.sources import raw_rows

    for row in raw_rows(paths[0]):
        keys = header_keys(row)
        if "COLUMN1" in keys or "COLUMN2" in keys:
            dated = any(key.startswith("EFFECTIVE") for key in keys)
            if not dated:
                return undated(paths)
            break
    return name_quarter(paths) or Version(paths[0].stem.split(".")[0], None)


MUE_COLUMNS = (
    Column("code", ("hcpcs_cpt_code", "HCPCS/CPT Code", "HCPCS CPT Code", "HCPCS")),
    Column("value", ("practitioner_mue_value", "Practitioner Services MUE Values", "MUE Value")),
    Column("mai", ("mai", "MUE Adjudication Indicator")),
    Column("rationale", ("mue_rationale", "MUE Rationale"), required=False),
)
MAI = re.compile(r"([123])\b.*")


def mue_rows(path: Path, version_id: int, check: RowChecker) -> Iterator[tuple]:
    for line, cells in table_rows(path, MUE_COLUMNS):
        code = check.match(line, "code", cells["code"], PROCEDURE, PROCEDURE_TEXT)
        value = check.integer(line, "value", cells["value"])
        mai = check.match(line, "mai", cells["mai"], MAI, "an MUE adjudication indicator 1-3")
        yield (version_id, code, value, int(mai[0]), cells.get("rationale", ""))


def _is_mue_header(keys: set[str]) -> bool:
    has_code = any(key.startswith("HCPCS") for key in keys)
    has_mai = any(key == "MAI" or key.startswith("MUEADJUDICATION") for key in keys)
    return has_code and has_mai


def quarter_or_undated(paths: Sequence[Path]) -> Version:
    return name_quarter(paths) or undated(paths)


AOC = Format(
    kind="addon",
    system="AOC",
    table=AddonEdit.__table__,
    columns=(
        "version_id",
        "addon",
        "primary_code",
        "edit_type",
        "addon_deleted",
        "primary_deleted",
        "effective",
        "deleted",
        "notes",
    ),
    rows=aoc_rows,
    version=quarter_or_undated,
    recognise=lambda header: {"ADDONCODE", "PRIMARYCODE"} <= header_keys(header),
)
PTP = Format(
    kind="ptp",
    system="PTP",
    table=PtpEditRow.__table__,
    columns=(
        "version_id",
        "column1",
        "column2",
        "effective",
        "deleted",
        "modifier_indicator",
        "rationale",
    ),
    rows=ptp_rows,
    version=ptp_version,
    recognise=lambda header: {"COLUMN1", "COLUMN2"} <= header_keys(header),
)
MUE = Format(
    kind="mue",
    system="MUE",
    table=MueRow.__table__,
    columns=("version_id", "code", "value", "mai", "rationale"),
    rows=mue_rows,
    version=quarter_or_undated,
    recognise=lambda header: _is_mue_header(header_keys(header)),
)
