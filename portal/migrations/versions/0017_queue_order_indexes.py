"""Queue indexes that give a page in the queue's own order (issue #10):

- the status/area/due index carries the case id as well, so a queue page picks its 25 ids from
  the index alone instead of reading the table row of every case that matches (about 1,500 in
  one area's overdue queue at 1,000,000 cases on PostgreSQL; SQLite's indexes carry the id);
- the due index is (next_due_on, received_on, id), the due order of every case, and a new
  (received_on, id) index is the received order: the "all cases" and "closed" queues read their
  page from them instead of sorting every case (300,000 cases on PostgreSQL: all cases 65 ->
  27 ms, its last page 147 -> 37 ms, closed 84 -> 21 ms, newest first 60 -> 25 ms).

Revision ID: 0017
Revises: 0016
"""

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

_QUEUE = ["status", "service_area", "next_due_on", "received_on"]


def _replace(name: str, columns: list[str]) -> None:
    op.drop_index(name, table_name="case_record")
    op.create_index(name, "case_record", columns, unique=False)


def upgrade() -> None:
    _replace("ix_case_record_status_area_due", [*_QUEUE, "id"])
    _replace("ix_case_record_due", ["next_due_on", "received_on", "id"])
    op.create_index("ix_case_record_received", "case_record", ["received_on", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_case_record_received", table_name="case_record")
    _replace("ix_case_record_due", ["next_due_on"])
    _replace("ix_case_record_status_area_due", _QUEUE)
