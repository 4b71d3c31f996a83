"""The queue index carries the case id as well (status, service_area, next_due_on, received_on, id):
a queue page picks its 25 ids from the index alone, in the queue's order, instead of reading the
table row of every case that matches (about 1,500 in one area's overdue queue at 1,000,000 cases
on PostgreSQL; SQLite's indexes carry the row id already) (issue #10).

Revision ID: 0017
Revises: 0016
"""

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

_OLD = ["status", "service_area", "next_due_on", "received_on"]


def upgrade() -> None:
    op.drop_index("ix_case_record_status_area_due", table_name="case_record")
    op.create_index("ix_case_record_status_area_due", "case_record", [*_OLD, "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_case_record_status_area_due", table_name="case_record")
    op.create_index("ix_case_record_status_area_due", "case_record", _OLD, unique=False)
