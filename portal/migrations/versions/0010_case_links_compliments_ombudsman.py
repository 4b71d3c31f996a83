"""Case links, the person complained about, compliment details, Ombudsman enquiry follow-up, theme index.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("linked_case_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_record.id"], name=op.f("fk_case_link_case_id_case_record")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["staff_user.id"], name=op.f("fk_case_link_created_by_staff_user")
        ),
        sa.ForeignKeyConstraint(
            ["linked_case_id"], ["case_record.id"], name=op.f("fk_case_link_linked_case_id_case_record")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_link")),
        sa.UniqueConstraint("case_id", "linked_case_id", name="uq_case_link_pair"),
    )
    op.create_index(op.f("ix_case_link_linked_case_id"), "case_link", ["linked_case_id"], unique=False)
    op.create_table(
        "complained_about",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_record.id"], name=op.f("fk_complained_about_case_id_case_record")
        ),
        sa.ForeignKeyConstraint(
            ["staff_user_id"], ["staff_user.id"], name=op.f("fk_complained_about_staff_user_id_staff_user")
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_complained_about")),
    )
    op.create_index(
        op.f("ix_complained_about_staff_user_id"), "complained_about", ["staff_user_id"], unique=False
    )
    op.create_table(
        "compliment_detail",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("worker_name", sa.String(length=200), nullable=True),
        sa.Column("worker_email", sa.String(length=254), nullable=True),
        sa.Column("team", sa.String(length=100), nullable=True),
        sa.Column("thanks_passed_to", sa.Text(), nullable=True),
        sa.Column("thanks_passed_on", sa.Date(), nullable=True),
        sa.Column("thanks_passed_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_record.id"], name=op.f("fk_compliment_detail_case_id_case_record")
        ),
        sa.ForeignKeyConstraint(
            ["thanks_passed_by"],
            ["staff_user.id"],
            name=op.f("fk_compliment_detail_thanks_passed_by_staff_user"),
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_compliment_detail")),
    )
    op.create_index("ix_compliment_detail_team", "compliment_detail", ["team"], unique=False)
    op.create_index("ix_compliment_detail_worker", "compliment_detail", ["worker_name"], unique=False)
    op.add_column("lgo_enquiry", sa.Column("action_notified_on", sa.Date(), nullable=True))
    fk = "fk_lgo_enquiry_complaint_case_id_case_record"
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a column with its REFERENCES clause in place; Alembic would want batch mode.
        op.execute(
            f"ALTER TABLE lgo_enquiry ADD COLUMN complaint_case_id INTEGER "
            f"CONSTRAINT {fk} REFERENCES case_record (id)"
        )
    else:
        op.add_column("lgo_enquiry", sa.Column("complaint_case_id", sa.Integer(), nullable=True))
        op.create_foreign_key(fk, "lgo_enquiry", "case_record", ["complaint_case_id"], ["id"])
    op.create_index(
        op.f("ix_lgo_enquiry_complaint_case_id"), "lgo_enquiry", ["complaint_case_id"], unique=False
    )
    op.create_index("ix_stage_record_theme", "stage_record", ["theme"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_stage_record_theme", table_name="stage_record")
    op.drop_index(op.f("ix_lgo_enquiry_complaint_case_id"), table_name="lgo_enquiry")
    with op.batch_alter_table("lgo_enquiry") as batch_op:  # SQLite cannot drop a constrained column in place
        batch_op.drop_column("complaint_case_id")
        batch_op.drop_column("action_notified_on")
    op.drop_index("ix_compliment_detail_worker", table_name="compliment_detail")
    op.drop_index("ix_compliment_detail_team", table_name="compliment_detail")
    op.drop_table("compliment_detail")
    op.drop_index(op.f("ix_complained_about_staff_user_id"), table_name="complained_about")
    op.drop_table("complained_about")
    op.drop_index(op.f("ix_case_link_linked_case_id"), table_name="case_link")
    op.drop_table("case_link")
