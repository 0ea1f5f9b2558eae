"""Database tables of the code sets: one row per imported version, and the facts it brought."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from consultant.models import Base, utcnow


class CodeSetVersion(Base):
    """One import of one code system from one file (or set of files)."""

    __tablename__ = "code_set_versions"
    __table_args__ = (UniqueConstraint("system", "sha256", name="uq_code_set_versions_sha"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    system: Mapped[str] = mapped_column(String(32), index=True)
    version: Mapped[str] = mapped_column(String(64))
    effective: Mapped[date | None] = mapped_column(Date, nullable=True)
    source: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer, default=0)
    dated: Mapped[bool] = mapped_column(Boolean, default=True)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def _version_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("code_set_versions.id", ondelete="CASCADE"), primary_key=True)


class CodeEntry(Base):
    """A code with its title and place in the hierarchy (ICD-10-CM/PCS, HCPCS, CPT, modifiers)."""

    __tablename__ = "code_entries"

    version_id: Mapped[int] = _version_fk()
    system: Mapped[str] = mapped_column(String(16), primary_key=True)
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    title: Mapped[str | None] = mapped_column(Text, nullable=True)
    short_title: Mapped[str | None] = mapped_column(Text, nullable=True)
    billable: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    kind: Mapped[str] = mapped_column(String(16), default="code")
    parent: Mapped[str | None] = mapped_column(String(16), nullable=True)
    effective: Mapped[date | None] = mapped_column(Date, nullable=True)
    end_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    replaced_by: Mapped[str] = mapped_column(Text, default="")
    seq: Mapped[int] = mapped_column(Integer, default=0)


class CodeNote(Base):
    """A tabular instruction attached to an ICD-10-CM code, chapter or block."""

    __tablename__ = "code_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("code_set_versions.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(24))
    text: Mapped[str] = mapped_column(Text)
    codes: Mapped[str] = mapped_column(Text, default="")


class SeventhCharacter(Base):
    """One 7th-character value defined at a category or subcategory (applies to all below)."""

    __tablename__ = "seventh_characters"

    version_id: Mapped[int] = _version_fk()
    category: Mapped[str] = mapped_column(String(16), primary_key=True)
    character: Mapped[str] = mapped_column(String(1), primary_key=True)
    meaning: Mapped[str] = mapped_column(Text)


class CodeTerm(Base):
    """A search term for a code, e.g. an Alphabetic Index entry path."""

    __tablename__ = "code_terms"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("code_set_versions.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(16))
    term: Mapped[str] = mapped_column(Text)


class AddonEdit(Base):
    """One NCCI add-on code edit row: add-on, primary, type and dates."""

    __tablename__ = "addon_edits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("code_set_versions.id", ondelete="CASCADE"), index=True
    )
    addon: Mapped[str] = mapped_column(String(8))
    primary_code: Mapped[str] = mapped_column(String(8))
    edit_type: Mapped[int] = mapped_column(Integer)
    addon_deleted: Mapped[date | None] = mapped_column(Date, nullable=True)
    primary_deleted: Mapped[date | None] = mapped_column(Date, nullable=True)
    effective: Mapped[date | None] = mapped_column(Date, nullable=True)
    deleted: Mapped[date | None] = mapped_column(Date, nullable=True)
    notes: Mapped[str] = mapped_column(Text, default="")


class PtpEditRow(Base):
    """One NCCI procedure-to-procedure edit (column 1 / column 2 pair)."""

    __tablename__ = "ptp_edits"
    __table_args__ = (Index("ix_ptp_edits_pair", "version_id", "column1", "column2"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("code_set_versions.id", ondelete="CASCADE"))
    column1: Mapped[str] = mapped_column(String(8))
    column2: Mapped[str] = mapped_column(String(8))
    effective: Mapped[date | None] = mapped_column(Date, nullable=True)
    deleted: Mapped[date | None] = mapped_column(Date, nullable=True)
    modifier_indicator: Mapped[str] = mapped_column(String(1))
    rationale: Mapped[str] = mapped_column(Text, default="")


class MueRow(Base):
    """One medically unlikely edit: the most units of a code per line or day."""

    __tablename__ = "mue_limits"

    version_id: Mapped[int] = _version_fk()
    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)
    mai: Mapped[int] = mapped_column(Integer)
    rationale: Mapped[str] = mapped_column(Text, default="")


class PfsRow(Base):
    """Physician fee schedule payment-policy indicators of one code (+ modifier)."""

    __tablename__ = "pfs_indicators"

    version_id: Mapped[int] = _version_fk()
    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    modifier: Mapped[str] = mapped_column(String(2), primary_key=True)
    status: Mapped[str] = mapped_column(String(2))
    global_days: Mapped[str] = mapped_column(String(4))
    mult_proc: Mapped[str] = mapped_column(String(2))
    bilateral: Mapped[str] = mapped_column(String(2))
    assistant: Mapped[str] = mapped_column(String(2))
    co_surgeon: Mapped[str] = mapped_column(String(2))
    team: Mapped[str] = mapped_column(String(2))
    pctc: Mapped[str] = mapped_column(String(2))
