"""drafts indexed by (case_id, id): a case's newest draft in one index probe

Drafting compares each new draft with the newest drafts of the last answered cases
(`drafting.history.answered_cases`: `max(drafts.id)` per case). With `case_id` alone
indexed, PostgreSQL chose to walk the primary key backwards and filter by case, ≈ 1.8 ms a
case with 12,000 drafts stored and growing with every draft: 0.3–0.9 s of server CPU each
time a worker refreshed its list, beside intake on the same cores. The composite index
answers `max(id)` for a case directly and serves every lookup by `case_id` alone, so it
replaces that index.

Revision ID: 0008
Revises: 0007
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_drafts_case_id_id", "drafts", ["case_id", "id"])
    op.drop_index("ix_drafts_case_id", table_name="drafts")


def downgrade() -> None:
    op.create_index("ix_drafts_case_id", "drafts", ["case_id"])
    op.drop_index("ix_drafts_case_id_id", table_name="drafts")
