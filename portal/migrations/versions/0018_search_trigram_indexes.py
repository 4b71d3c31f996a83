"""Trigram indexes for the staff queue's search on PostgreSQL (issue #10).

The search finds cases whose reference, summary or child's name, or whose complainant's name,
contains the words typed (`LIKE '%words%'` on the lower-cased text: portal.services.queues). A
B-tree index cannot answer "contains", so every search read every case and person: about half a
second at 300,000 cases. pg_trgm's GIN indexes answer it for any three letters or more. The
extension is a trusted one (PostgreSQL 13 and later), so the database's owner can create it;
SQLite has no such index and reads the table, which at the sizes SQLite suits is quick.

Revision ID: 0018
Revises: 0017
"""

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

# (index, table, the expression exactly as the search's WHERE clause writes it)
INDEXES = (
    ("ix_case_record_reference_trgm", "case_record", "lower(reference)"),
    ("ix_case_record_summary_trgm", "case_record", "lower(summary)"),
    ("ix_case_record_child_name_trgm", "case_record", "lower(child_name)"),
    ("ix_person_name_trgm", "person", "lower(name)"),
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, expression in INDEXES:
        op.execute(f"CREATE INDEX {name} ON {table} USING gin (({expression}) gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, _table, _expression in INDEXES:
        op.execute(f"DROP INDEX {name}")
