"""Restricted cases: a complaints manager can restrict a case (for example one about a member
of staff) so only managers and the person assigned can open it, and every read is logged.

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "case_record", sa.Column("restricted", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.add_column("case_record", sa.Column("restricted_reason", sa.String(length=500), nullable=True))


def downgrade() -> None:
    op.drop_column("case_record", "restricted_reason")
    op.drop_column("case_record", "restricted")
