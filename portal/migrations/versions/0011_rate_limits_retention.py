"""Rate-limit counters for Flask-Limiter, and retention: anonymised cases and redacted chronology

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23 14:20:45.653847

The chronology (case_event) stays append-only with one narrow, designed exception for the
retention command: an UPDATE is allowed only when
- the case is already marked anonymised (case_record.anonymised_at set in the same transaction),
- the entry has not been redacted before (redacted_at was NULL and is now set),
- summary becomes exactly the fixed marker below and data becomes exactly {},
- id, case_id, at, actor_kind, actor_id and kind are unchanged (the statistics stay).
Every other UPDATE, and every DELETE, is still refused by the database.
"""

from alembic import op
import sqlalchemy as sa


revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# Keep in step with portal.services.retention.REDACTED_SUMMARY.
REDACTED = "Removed when the retention period ended."

SQLITE_ALLOWED = (
    "OLD.redacted_at IS NULL AND NEW.redacted_at IS NOT NULL "
    f"AND NEW.summary = '{REDACTED}' AND NEW.data = '{{}}' "
    "AND NEW.id = OLD.id AND NEW.case_id = OLD.case_id AND NEW.at IS OLD.at "
    "AND NEW.actor_kind = OLD.actor_kind AND NEW.actor_id IS OLD.actor_id AND NEW.kind = OLD.kind "
    "AND EXISTS (SELECT 1 FROM case_record c WHERE c.id = OLD.case_id AND c.anonymised_at IS NOT NULL)"
)

POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION case_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE'
     AND OLD.redacted_at IS NULL AND NEW.redacted_at IS NOT NULL
     AND NEW.summary = '{REDACTED}' AND NEW.data::text = '{{}}'
     AND NEW.id = OLD.id AND NEW.case_id = OLD.case_id AND NEW.at IS NOT DISTINCT FROM OLD.at
     AND NEW.actor_kind = OLD.actor_kind AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id
     AND NEW.kind = OLD.kind
     AND EXISTS (SELECT 1 FROM case_record c WHERE c.id = OLD.case_id AND c.anonymised_at IS NOT NULL)
  THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'case_event is append-only';
END $$
"""

POSTGRES_ORIGINAL = """
CREATE OR REPLACE FUNCTION case_event_append_only() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN RAISE EXCEPTION 'case_event is append-only'; END $$
"""


def upgrade() -> None:
    op.create_table(
        "rate_limit_counter",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_limit_counter")),
    )
    op.create_index("ix_rate_limit_counter_expires_at", "rate_limit_counter", ["expires_at"], unique=False)
    # Folded into Flask-Limiter (portal.limits): the old per-address attempt table goes.
    op.drop_index("ix_access_attempt_scope_client_at", table_name="access_attempt")
    op.drop_table("access_attempt")
    op.add_column("case_event", sa.Column("redacted_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("case_record", sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True))

    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER case_event_no_update")
        op.execute(
            "CREATE TRIGGER case_event_no_update BEFORE UPDATE ON case_event "
            f"WHEN NOT ({SQLITE_ALLOWED}) "
            "BEGIN SELECT RAISE(ABORT, 'case_event is append-only'); END"
        )
    else:
        op.execute(POSTGRES_FUNCTION)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER case_event_no_update")
        op.execute(
            "CREATE TRIGGER case_event_no_update BEFORE UPDATE ON case_event "
            "BEGIN SELECT RAISE(ABORT, 'case_event is append-only'); END"
        )
    else:
        op.execute(POSTGRES_ORIGINAL)
    op.drop_column("case_record", "anonymised_at")
    op.drop_column("case_event", "redacted_at")
    op.create_table(
        "access_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("client_hash", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_attempt")),
    )
    op.create_index("ix_access_attempt_scope_client_at", "access_attempt", ["scope", "client_hash", "at"])
    op.drop_index("ix_rate_limit_counter_expires_at", table_name="rate_limit_counter")
    op.drop_table("rate_limit_counter")
