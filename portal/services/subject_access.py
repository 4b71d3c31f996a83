"""Subject access (UK GDPR art. 15): find a person's cases and gather everything held about them.

`find` looks a person up by email, name, the child's name or a case reference; staff then
choose which of the matches are theirs (names are not unique). `gather` returns every record
of the chosen cases as plain data (JSON-ready), with the letter files to copy into the export;
`record_export` writes the audit trail: a chronology entry on each case and a staff access log
entry, in the caller's transaction, so no export leaves without its record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from portal.models import (
    Case,
    CaseEvent,
    Commitment,
    Deadline,
    Document,
    OutboxMessage,
    Person,
    Remedy,
    ResponsePoint,
    StaffAccessLog,
    StaffUser,
    StageRecord,
    Upload,
)
from portal.services.cases import Actor, add_event

MAX_MATCHES = 100
# Secrets and internal keys are not the person's data, and some would open the case to a reader.
NEVER_EXPORTED = {"security_code_hash", "idempotency_key", "stored_name", "sha256", "dedupe_key"}


@dataclass
class Export:
    """What goes in the download: the data, and letter files as (name in the zip, path on disk)."""

    data: dict[str, Any]
    files: list[tuple[str, Path]] = field(default_factory=list)


def find(session: Session, query: str) -> list[Case]:
    """Cases whose complainant, advocate or child matches; at least 3 characters are needed."""
    text = " ".join(query.split()).lower()
    if len(text) < 3:
        return []
    matches = or_(
        func.lower(Person.email) == text,
        func.lower(Person.advocate_email) == text,
        func.lower(Person.name).contains(text, autoescape=True),
        func.lower(Person.advocate_name).contains(text, autoescape=True),
        func.lower(Case.child_name).contains(text, autoescape=True),
        Case.reference == text.upper(),
    )
    statement = (
        select(Case)
        .outerjoin(Person, Case.complainant_id == Person.id)
        .where(matches, Case.anonymised_at.is_(None))
        .order_by(Case.received_on.desc(), Case.id.desc())
        .limit(MAX_MATCHES)
    )
    return list(session.scalars(statement))


def _value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _row(obj: Any, *leave_out: str) -> dict[str, Any]:
    """Every column of a row (so a column added later is exported too), less the secrets."""
    skip = NEVER_EXPORTED | set(leave_out)
    return {c.key: _value(getattr(obj, c.key)) for c in obj.__mapper__.column_attrs if c.key not in skip}


def _rows(session: Session, model: Any, case_id: int, *leave_out: str) -> list[dict[str, Any]]:
    statement = select(model).where(model.case_id == case_id).order_by(model.id)
    return [_row(r, "case_id", *leave_out) for r in session.scalars(statement)]


def _case(session: Session, case: Case, document_dir: Path, export: Export) -> dict[str, Any]:
    letters = []
    for document in session.scalars(
        select(Document).where(Document.case_id == case.id).order_by(Document.id)
    ):
        name = f"letters/{case.reference}/{document.id}-{document.letter}.{document.format}"
        export.files.append((name, document_dir / document.stored_name))
        letters.append({**_row(document, "case_id"), "file_in_this_export": name})
    return {
        "case": _row(case, "complainant_id", "assigned_to_id"),
        "complainant": _row(case.complainant) if case.complainant else None,
        "chronology": _rows(session, CaseEvent, case.id, "actor_id"),
        "deadlines": _rows(session, Deadline, case.id, "basis"),
        "stages": _rows(session, StageRecord, case.id),
        "response_points": _rows(session, ResponsePoint, case.id, "created_by"),
        "actions_and_recommendations": _rows(session, Commitment, case.id, "owner_id"),
        "remedies": _rows(session, Remedy, case.id),
        "letters": letters,
        "uploads": _rows(session, Upload, case.id, "draft_id"),
        # The message bodies hold single-use links, so the export lists what was sent, not the link.
        "emails": _rows(session, OutboxMessage, case.id, "context", "last_error", "next_attempt_at"),
    }


def gather(
    session: Session, cases: list[Case], document_dir: Path, made_by: StaffUser, made_at: datetime
) -> Export:
    export = Export(data={})
    export.data = {
        "made_at": made_at.isoformat(),
        "made_by": made_by.name,
        "cases": [_case(session, case, document_dir, export) for case in cases],
    }
    return export


def record_export(session: Session, cases: list[Case], actor: Actor, reason: str, path: str) -> None:
    """The audit trail of one export: on each case's chronology and in the staff access log."""
    for case in cases:
        add_event(
            session,
            case,
            actor,
            "subject_access_export",
            f"Everything held on this case was exported for a subject access request ({reason}).",
            reason=reason,
        )
    references = ", ".join(case.reference for case in cases)
    session.add(
        StaffAccessLog(
            user_id=actor.id, path=path[:500], outcome="subject_access_export", detail=references[:200]
        )
    )
