"""weekly digest

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "digest_deliveries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("recipient", sa.String(320), nullable=False),
        sa.Column("iso_week", sa.String(8), nullable=False, index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claim_token", sa.String(32), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_id", sa.String(998), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.UniqueConstraint("recipient", "iso_week", name="uq_digest_deliveries_recipient_week"),
    )
    op.create_table(
        "digest_subscriptions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("address", sa.String(320), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("digest_opt_out", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    # The digest's figures select status changes by kind and time, and look up a case's
    # first change to a status.
    op.create_index("ix_case_events_status_at", "case_events", ["to_status", "at"])
    op.create_index("ix_case_events_case_status_at", "case_events", ["case_id", "to_status", "at"])


def downgrade() -> None:
    op.drop_index("ix_case_events_case_status_at", table_name="case_events")
    op.drop_index("ix_case_events_status_at", table_name="case_events")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("digest_opt_out")
    op.drop_table("digest_subscriptions")
    op.drop_table("digest_deliveries")
