"""The case's next due date stored on the case (kept by the deadline flush hook in
portal.models.case), so staff queues filter, sort and count on an index instead of working
out every case's earliest open deadline on each request (NFR PERF-4, issue #10).

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# The same rule as portal.models.case.next_due: open, running response and acknowledgement clocks.
BACKFILL = """
UPDATE case_record SET next_due_on = (
    SELECT MIN(COALESCE(deadline.extended_due_on, deadline.due_on)) FROM deadline
    WHERE deadline.case_id = case_record.id
      AND deadline.is_open = :open
      AND deadline.paused_since IS NULL
      AND deadline.kind IN ('response', 'acknowledgement')
)
"""


def upgrade() -> None:
    op.add_column("case_record", sa.Column("next_due_on", sa.Date(), nullable=True))
    op.get_bind().execute(sa.text(BACKFILL), {"open": True})
    op.create_index(
        "ix_case_record_status_due",
        "case_record",
        ["status", "next_due_on", "service_area", "received_on"],
        unique=False,
    )
    op.create_index("ix_case_record_due", "case_record", ["next_due_on"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_case_record_due", table_name="case_record")
    op.drop_index("ix_case_record_status_due", table_name="case_record")
    op.drop_column("case_record", "next_due_on")
