"""code sets: versions, entries, notes, 7th characters, index terms, NCCI edits, MUE, PFS

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "code_set_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("system", sa.String(length=32), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("effective", sa.Date(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("dated", sa.Boolean(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("system", "sha256", name="uq_code_set_versions_sha"),
    )
    with op.batch_alter_table("code_set_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_code_set_versions_system"), ["system"], unique=False)

    op.create_table(
        "addon_edits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("addon", sa.String(length=8), nullable=False),
        sa.Column("primary_code", sa.String(length=8), nullable=False),
        sa.Column("edit_type", sa.Integer(), nullable=False),
        sa.Column("addon_deleted", sa.Date(), nullable=True),
        sa.Column("primary_deleted", sa.Date(), nullable=True),
        sa.Column("effective", sa.Date(), nullable=True),
        sa.Column("deleted", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["code_set_versions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("addon_edits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_addon_edits_version_id"), ["version_id"], unique=False)

    op.create_table(
        "code_entries",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("system", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("short_title", sa.Text(), nullable=True),
        sa.Column("billable", sa.Boolean(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("parent", sa.String(length=16), nullable=True),
        sa.Column("effective", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("replaced_by", sa.Text(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["code_set_versions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("version_id", "system", "code"),
    )
    op.create_table(
        "code_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("codes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["code_set_versions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("code_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_code_notes_version_id"), ["version_id"], unique=False)

    op.create_table(
        "code_terms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("term", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["code_set_versions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("code_terms", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_code_terms_version_id"), ["version_id"], unique=False)

    op.create_table(
        "mue_limits",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("mai", sa.Integer(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["code_set_versions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("version_id", "code"),
    )
    op.create_table(
        "pfs_indicators",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("modifier", sa.String(length=2), nullable=False),
        sa.Column("status", sa.String(length=2), nullable=False),
        sa.Column("global_days", sa.String(length=4), nullable=False),
        sa.Column("mult_proc", sa.String(length=2), nullable=False),
        sa.Column("bilateral", sa.String(length=2), nullable=False),
        sa.Column("assistant", sa.String(length=2), nullable=False),
        sa.Column("co_surgeon", sa.String(length=2), nullable=False),
        sa.Column("team", sa.String(length=2), nullable=False),
        sa.Column("pctc", sa.String(length=2), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["code_set_versions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("version_id", "code", "modifier"),
    )
    op.create_table(
        "ptp_edits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("column1", sa.String(length=8), nullable=False),
        sa.Column("column2", sa.String(length=8), nullable=False),
        sa.Column("effective", sa.Date(), nullable=True),
        sa.Column("deleted", sa.Date(), nullable=True),
        sa.Column("modifier_indicator", sa.String(length=1), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["code_set_versions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("ptp_edits", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ptp_edits_pair", ["version_id", "column1", "column2"], unique=False
        )

    op.create_table(
        "seventh_characters",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("character", sa.String(length=1), nullable=False),
        sa.Column("meaning", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["code_set_versions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("version_id", "category", "character"),
    )


def downgrade() -> None:
    op.drop_table("seventh_characters")
    with op.batch_alter_table("ptp_edits", schema=None) as batch_op:
        batch_op.drop_index("ix_ptp_edits_pair")

    op.drop_table("ptp_edits")
    op.drop_table("pfs_indicators")
    op.drop_table("mue_limits")
    with op.batch_alter_table("code_terms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_code_terms_version_id"))

    op.drop_table("code_terms")
    with op.batch_alter_table("code_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_code_notes_version_id"))

    op.drop_table("code_notes")
    op.drop_table("code_entries")
    with op.batch_alter_table("addon_edits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_addon_edits_version_id"))

    op.drop_table("addon_edits")
    with op.batch_alter_table("code_set_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_code_set_versions_system"))

    op.drop_table("code_set_versions")
