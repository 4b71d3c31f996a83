"""Revisions for pages kept rendered (issue #10, portal.models.revision): a revision on each case,
raised by every change to the case or anything of it, and one data version row, raised by every
change to any case, person or staff user.

Revision ID: 0019
Revises: 0018
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("case_record", sa.Column("revision", sa.Integer(), nullable=False, server_default="0"))
    versions = op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_version")),
    )
    op.bulk_insert(versions, [{"id": 1, "version": 0}])


def downgrade() -> None:
    op.drop_table("data_version")
    op.drop_column("case_record", "revision")
