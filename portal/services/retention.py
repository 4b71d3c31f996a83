"""Retention: anonymise closed cases once the retention period has passed, keeping the statistics.

A closed or withdrawn case whose last closing (or withdrawal) is more than `years` ago loses
everything that identifies a person: names, contact details, the complaint and response text,
uploads and letter files, email addresses and bodies in the outbox, tracking links and drafts.
What the statutory annual report counts stays: the case's kind, procedure, stage, status,
service area, complainant category, channel and dates, its stage records, and each chronology
entry's kind and time (its text is redacted; see migration 0011 for the one update the
database allows on the chronology). The complainant's own record is anonymised only when no
other case that is still kept refers to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import ColumnElement, delete, func, or_, select, update
from sqlalchemy.orm import Session

from portal.domain.lifecycle import CLOSED_STATUSES
from portal.models import (
    Case,
    CaseEvent,
    CaseLink,
    Commitment,
    ComplainedAbout,
    ComplimentDetail,
    Deadline,
    Document,
    Draft,
    OutboxMessage,
    Person,
    Remedy,
    ResponsePoint,
    TrackingLink,
    TrackingSession,
    Upload,
)
from portal.models.base import utcnow
from portal.models.revision import changed
from portal.services.cases import SYSTEM, add_event

# Must match migration 0011: the database refuses any other redacted text.
REDACTED_SUMMARY = "Removed when the retention period ended."
REMOVED = "[removed: retention period ended]"
ANONYMISED_NAME = "Anonymised"
CLOSING_EVENTS = ("close", "withdraw")


@dataclass(frozen=True)
class Folders:
    """Where the files are: evidence uploads, quarantined uploads and letters."""

    uploads: Path
    quarantine: Path
    documents: Path


@dataclass
class Anonymised:
    """What one case's anonymisation removed (for the command's report and the tests)."""

    reference: str
    events_redacted: int = 0
    files: list[Path] = field(default_factory=list)
    person_anonymised: bool = False


def cutoff(today: date, years: int) -> datetime:
    """Midnight (UTC) `years` before `today`; 29 February falls back to the 28th."""
    try:
        day = today.replace(year=today.year - years)
    except ValueError:
        day = today.replace(year=today.year - years, day=28)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _closed_at() -> ColumnElement[datetime]:
    """When the case was last closed or withdrawn (its last update, for imported cases)."""
    last_closing = (
        select(func.max(CaseEvent.at))
        .where(CaseEvent.case_id == Case.id, CaseEvent.kind.in_(CLOSING_EVENTS))
        .scalar_subquery()
    )
    return func.coalesce(last_closing, Case.updated_at)


def due(session: Session, today: date, years: int) -> list[Case]:
    """Closed cases whose retention period has ended and that still hold personal data."""
    return list(
        session.scalars(
            select(Case)
            .where(
                Case.status.in_([str(s) for s in CLOSED_STATUSES]),
                Case.anonymised_at.is_(None),
                _closed_at() < cutoff(today, years),
            )
            .order_by(Case.id)
        )
    )


def anonymise(session: Session, case: Case, folders: Folders, years: int) -> Anonymised:
    """Remove the personal data of one case (the caller commits; files go after the rows)."""
    now = utcnow()
    result = Anonymised(case.reference)
    _clear_case(case, now)
    session.flush()  # anonymised_at must be stored before the chronology may be redacted
    result.events_redacted = _redact_chronology(session, case.id, now)
    _clear_related(session, case.id)
    result.files = _remove_file_rows(session, case, folders)
    result.person_anonymised = _anonymise_person(session, case)
    add_event(
        session,
        case,
        SYSTEM,
        "anonymised",
        f"Personal data removed: the {years}-year retention period after closing ended.",
    )
    session.flush()
    for path in result.files:
        path.unlink(missing_ok=True)
    return result


def _clear_case(case: Case, now: datetime) -> None:
    case.anonymised_at = now
    case.summary = REMOVED
    case.desired_outcome = None
    case.child_name = None
    case.child_dob = None
    case.compliment_about = None
    case.security_code_hash = None
    case.other_proceedings = []


def _redact_chronology(session: Session, case_id: int, now: datetime) -> int:
    statement = (
        update(CaseEvent)
        .where(CaseEvent.case_id == case_id, CaseEvent.redacted_at.is_(None))
        .values(summary=REDACTED_SUMMARY, data={}, redacted_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(session.execute(statement).rowcount)  # type: ignore[attr-defined]


def _clear_related(session: Session, case_id: int) -> None:
    changed(session, {case_id})  # Core writes: the pages kept for the case are made again

    def blank(model: type, where: ColumnElement[bool], **values: object) -> None:
        session.execute(
            update(model).where(where).values(**values).execution_options(synchronize_session=False)
        )

    blank(Deadline, Deadline.case_id == case_id, extension_reason=None)
    blank(ResponsePoint, ResponsePoint.case_id == case_id, point=REMOVED)
    blank(Commitment, Commitment.case_id == case_id, text=REMOVED, not_accepted_reason=None, evidence=None)
    blank(Remedy, Remedy.case_id == case_id, description=REMOVED, proof=None)
    blank(CaseLink, or_(CaseLink.case_id == case_id, CaseLink.linked_case_id == case_id), reason=REMOVED)
    blank(
        ComplimentDetail,
        ComplimentDetail.case_id == case_id,
        worker_name=None,
        worker_email=None,
        thanks_passed_to=None,
    )
    blank(
        OutboxMessage,
        OutboxMessage.case_id == case_id,
        recipient=REMOVED,
        context={},
        subject=REMOVED,
        last_error=None,
    )
    session.execute(delete(ComplainedAbout).where(ComplainedAbout.case_id == case_id))
    session.execute(delete(TrackingLink).where(TrackingLink.case_id == case_id))
    session.execute(delete(TrackingSession).where(TrackingSession.case_id == case_id))


def _remove_file_rows(session: Session, case: Case, folders: Folders) -> list[Path]:
    """Delete upload, letter and draft rows; return the files to remove once the rows are gone."""
    drafts = select(Draft.id).where(Draft.submitted_case_id == case.id)
    uploads = session.scalars(
        select(Upload).where(or_(Upload.case_id == case.id, Upload.draft_id.in_(drafts)))
    ).all()
    documents = session.scalars(select(Document).where(Document.case_id == case.id)).all()
    files = [folder / u.stored_name for u in uploads for folder in (folders.uploads, folders.quarantine)]
    files += [folders.documents / d.stored_name for d in documents]
    for row in [*uploads, *documents]:
        session.delete(row)
    session.flush()
    session.execute(delete(Draft).where(Draft.submitted_case_id == case.id))
    return files


def _anonymise_person(session: Session, case: Case) -> bool:
    person = case.complainant
    if person is None:
        return False
    still_kept = session.scalar(
        select(func.count())
        .select_from(Case)
        .where(Case.complainant_id == person.id, Case.anonymised_at.is_(None))
    )
    if still_kept:
        return False
    person.name = ANONYMISED_NAME
    person.email = person.phone = person.address = person.safe_times = None
    person.advocate_name = person.advocate_email = None
    person.needs = {}
    return True


def remove_unreferenced_people(session: Session) -> int:
    """People no case refers to (submissions before the fix left a bare copy of the name)."""
    referenced = select(Case.complainant_id).where(Case.complainant_id.is_not(None))
    return int(session.execute(delete(Person).where(Person.id.not_in(referenced))).rowcount)  # type: ignore[attr-defined]
