"""Index the compliments people agreed to share: the annual report's quotes read them directly
instead of scanning every case (a parallel sequential scan on PostgreSQL: about 70 ms at 200,000
cases, growing with the data; NFR PERF-7, issue #10).

Revision ID: 0014
Revises: 0013
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_case_record_share_permission", "case_record", ["share_permission"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_case_record_share_permission", table_name="case_record")
