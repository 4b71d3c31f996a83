"""Letters that must exist but may not yet: made after the action that needs them, retried by cron."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Case, Document
from portal.services import documents

OPEN = (
    "received",
    "awaiting_decision",
    "in_progress",
    "paused",
    "awaiting_complainant",
    "responded",
    "escalation_requested",
)


def produce_acknowledgement(session: Session, case: Case) -> bool:
    """Produce the acknowledgement if any format the person needs is missing; True if it did."""
    if case.kind != "complaint" or case.complainant is None:
        return False
    produced = session.scalar(
        select(Document.id).where(Document.case_id == case.id, Document.letter == "acknowledgement").limit(1)
    )
    if produced is not None and not documents.missing_formats(case, "acknowledgement"):
        return False
    documents.produce(session, case, "acknowledgement")
    return True


def produce_missing(limit: int = 200) -> tuple[int, int]:
    """For open complaints, make acknowledgements still missing. Returns (made, failed).

    Each case gets its own transaction, so one failing renderer does not hold up the rest.
    """
    from portal.extensions import db

    made = failed = 0
    ids = db.session.scalars(
        select(Case.id)
        .where(Case.kind == "complaint", Case.status.in_(OPEN))
        .order_by(Case.id.desc())
        .limit(limit)
    ).all()
    db.session.rollback()
    for case_id in ids:
        try:
            with db.transaction() as s:
                case = s.get(Case, case_id)
                if case is not None and produce_acknowledgement(s, case):
                    made += 1
        except Exception:  # noqa: BLE001 - counted and retried on the next run
            failed += 1
    return made, failed
