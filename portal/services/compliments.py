"""Compliments: who and which team and service they thank, the list staff filter, and thanks passed on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from portal.domain.routing import ServiceArea
from portal.models import Case, ComplimentDetail, StaffUser
from portal.services import cases
from portal.services.staff_cases import visible_to

LIST_LIMIT = 500


class ComplimentError(ValueError):
    """A change that cannot be saved; the message is fit to show staff."""


@dataclass(frozen=True)
class ComplimentFilter:
    service_area: str = ""
    team: str = ""
    worker: str = ""


@dataclass(frozen=True)
class ComplimentRow:
    case: Case
    detail: ComplimentDetail | None


def _compliment(case: Case) -> None:
    if case.kind != "compliment":
        raise ComplimentError("This case is not a compliment.")


def detail_of(session: Session, case: Case) -> ComplimentDetail | None:
    return session.get(ComplimentDetail, case.id)


def _like(column: object, text: str) -> object:
    return func.lower(func.coalesce(column, "")).like(f"%{text.strip().lower()}%")


def listing(session: Session, user: StaffUser, wanted: ComplimentFilter) -> list[ComplimentRow]:
    """Compliments the user may see, newest first, filtered by service, team and worker (one query)."""
    stmt = (
        select(Case, ComplimentDetail)
        .outerjoin(ComplimentDetail, ComplimentDetail.case_id == Case.id)
        .where(Case.kind == "compliment", visible_to(user))
        .options(joinedload(Case.complainant))
    )
    if wanted.service_area:
        stmt = stmt.where(Case.service_area == wanted.service_area)
    if wanted.team.strip():
        stmt = stmt.where(_like(ComplimentDetail.team, wanted.team))  # type: ignore[arg-type]
    if wanted.worker.strip():
        stmt = stmt.where(_like(ComplimentDetail.worker_name, wanted.worker))  # type: ignore[arg-type]
    stmt = stmt.order_by(Case.received_on.desc(), Case.id.desc()).limit(LIST_LIMIT)
    return [ComplimentRow(case, detail) for case, detail in session.execute(stmt)]


def record(
    session: Session,
    case: Case,
    actor: cases.Actor,
    *,
    worker_name: str,
    worker_email: str,
    team: str,
    service_area: str,
) -> ComplimentDetail:
    """Record who the compliment thanks: a worker, a team and the service (the case's service area)."""
    _compliment(case)
    try:
        area = ServiceArea(service_area).value
    except ValueError:
        raise ComplimentError("Choose the service.") from None
    worker, email, team_name = (" ".join(v.split()) for v in (worker_name, worker_email, team))
    if email and ("@" not in email or " " in email):
        raise ComplimentError("Enter an email address like name@example.gov.uk.")
    if email and not worker:
        raise ComplimentError("Enter the worker's name as well as their email address.")
    if not (worker or team_name):
        raise ComplimentError("Enter the worker or the team the compliment is about.")
    detail = detail_of(session, case)
    if detail is None:
        detail = ComplimentDetail(case_id=case.id)
        session.add(detail)
    detail.worker_name, detail.worker_email, detail.team = worker or None, email or None, team_name or None
    case.service_area = area
    about = ", ".join(filter(None, (worker, team_name, area.replace("_", " "))))
    case.compliment_about = about[:200]
    cases.add_event(session, case, actor, "compliment_recorded", f"Compliment recorded against {about}.")
    return detail


def pass_on_thanks(
    session: Session, case: Case, actor: cases.Actor, *, passed_to: str, email_worker: bool, on: date
) -> None:
    """Record that thanks were passed on (to whom), and email them to the worker through the outbox."""
    from portal.notify.outbox import queue_email

    _compliment(case)
    detail = detail_of(session, case)
    if detail is None or not (detail.worker_name or detail.team):
        raise ComplimentError("Record who the compliment is about first.")
    to_whom = passed_to.strip()
    if not to_whom:
        raise ComplimentError("Enter who the thanks were passed on to.")
    if email_worker and not detail.worker_email:
        raise ComplimentError("There is no email address for the worker: add it, or untick the email.")
    detail.thanks_passed_to, detail.thanks_passed_on, detail.thanks_passed_by = to_whom, on, actor.id
    cases.add_event(
        session, case, actor, "thanks_passed_on", f"Thanks passed on to {to_whom} on {on.isoformat()}."
    )
    if email_worker and detail.worker_email:
        context = {
            "reference": case.reference,
            "worker": detail.worker_name or "",
            "compliment": case.summary,
        }
        queue_email(
            session,
            template="staff_compliment_thanks",
            recipient=detail.worker_email,
            recipient_kind="staff",
            case=case,
            context=context,
        )
