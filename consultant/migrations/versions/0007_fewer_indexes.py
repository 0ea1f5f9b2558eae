"""fewer indexes to keep up on every message stored

Three indexes that no query needs: `messages.sha256` is never searched (duplicates are
found by the unique dedupe key), and `cases.status` and `case_events.case_id` are each
the leading column of a composite index that serves the same lookups. Intake writes all
three tables for every message, so each index was work on every insert.

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_DROPPED = (
    ("ix_messages_sha256", "messages", "sha256"),
    ("ix_cases_status", "cases", "status"),
    ("ix_case_events_case_id", "case_events", "case_id"),
)


def upgrade() -> None:
    for name, table, _ in _DROPPED:
        op.drop_index(name, table_name=table)


def downgrade() -> None:
    for name, table, column in _DROPPED:
        op.create_index(name, table, [column])
