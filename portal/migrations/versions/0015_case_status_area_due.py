"""The queue index with the service area before the due date (status, service_area, next_due_on,
received_on): with the date second, SQLite's planner chose a skip-scan of the whole index for
"overdue in one service area" at 1,000,000 cases (its statistics average the few, very uneven
statuses), about 40 times slower than seeking status and area (issue #10).

Revision ID: 0015
Revises: 0014
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_case_record_status_due", table_name="case_record")
    op.create_index(
        "ix_case_record_status_area_due",
        "case_record",
        ["status", "service_area", "next_due_on", "received_on"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_case_record_status_area_due", table_name="case_record")
    op.create_index(
        "ix_case_record_status_due",
        "case_record",
        ["status", "next_due_on", "service_area", "received_on"],
        unique=False,
    )
