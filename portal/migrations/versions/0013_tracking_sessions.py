"""Tracking sessions held on the server: signing out ends them, a copied cookie stops working

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-23 14:41:25.763575
"""

from alembic import op
import sqlalchemy as sa


revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tracking_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("holder", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_record.id"], name=op.f("fk_tracking_session_case_id_case_record")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracking_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_tracking_session_token_hash")),
    )
    op.create_index(op.f("ix_tracking_session_case_id"), "tracking_session", ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_tracking_session_case_id"), table_name="tracking_session")
    op.drop_table("tracking_session")
