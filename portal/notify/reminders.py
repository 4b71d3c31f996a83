"""Reminders from the stored deadlines: window closing, due soon, overdue, and the weekly digest.

Each reminder has a dedupe key, so running the command twice (or again the next day) never
queues it twice, and a run that was missed is caught up by the next one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import Select, distinct, func, select
from sqlalchemy.orm import Session

from portal.domain.lifecycle import OPEN_STATUSES
from portal.domain.working_days import Calendar
from portal.models import Case, Deadline, StaffUser
from portal.notify.outbox import queue_email, queue_for_person
from portal.services.rules import Rules

WINDOW_NOTICE_DAYS = 5  # tell the complainant 5 working days before the escalation window closes
DUE_SOON_DAYS = 2  # tell staff 2 working days before a response or acknowledgement is due
STAFF_KINDS = ("response", "acknowledgement")
MANAGER_ROLE = "manager"
_OPEN = sorted(s.value for s in OPEN_STATUSES)


def working_days_ahead(calendar: Calendar, day: date, n: int) -> date:
    """The nth working day after `day`. Unlike a clock, a reminder never counts today itself."""
    for _ in range(n):
        day = calendar.next_working_day(day)
    return day


def queue_reminders(session: Session, today: date, rules: Rules) -> int:
    """Queue today's reminders in the caller's transaction; returns how many emails were queued."""
    queued = 0
    for deadline in _open_deadlines(session):
        queued += _for_deadline(session, deadline, today, rules)
    queued += commitment_reminders(session, today)
    return queued + _weekly_digest(session, today, rules)


def _open_deadlines(session: Session) -> Sequence[Deadline]:
    stmt = (
        select(Deadline)
        .join(Case, Deadline.case_id == Case.id)
        .where(Deadline.is_open.is_(True))
        .where(Deadline.paused_since.is_(None))  # a stopped clock is not coming due
        .where(Case.status.in_(_OPEN))
        .order_by(Deadline.id)
    )
    return session.scalars(stmt).all()


def _for_deadline(session: Session, deadline: Deadline, today: date, rules: Rules) -> int:
    due = deadline.effective_due_on
    if due is None:
        return 0
    case = deadline.case
    calendar = rules.calendar_for(case.procedure)
    if deadline.kind == "window":
        return _window_closing(session, deadline, due, today, calendar)
    if deadline.kind not in STAFF_KINDS:
        return 0
    if today > due:
        template, key = "staff_overdue", f"overdue:{deadline.id}"
    elif due <= working_days_ahead(calendar, today, DUE_SOON_DAYS):
        template, key = "staff_due_soon", f"staff_due_soon:{deadline.id}:{due}"
    else:
        return 0
    context = {"reference": case.reference, "deadline": _label(rules, deadline), "due_date": due.isoformat()}
    queued = 0
    for staff in _responsible(session, case):
        message = queue_email(
            session,
            template=template,
            recipient=staff.email,
            recipient_kind="staff",
            case=case,
            context=context,
            dedupe_key=f"{key}:{staff.id}",
        )
        queued += message is not None
    return queued


def _window_closing(
    session: Session, deadline: Deadline, closes_on: date, today: date, calendar: Calendar
) -> int:
    case = deadline.case
    notice_from = working_days_ahead(calendar, today, WINDOW_NOTICE_DAYS)
    if case.complainant is None or not today <= closes_on <= notice_from:
        return 0
    message = queue_for_person(
        session,
        case.complainant,
        case,
        "window_closing",
        {"reference": case.reference, "closes_on": closes_on.isoformat()},
        dedupe_key=f"window_closing:{deadline.id}:{closes_on}",
    )
    return int(message is not None)


def _label(rules: Rules, deadline: Deadline) -> str:
    try:
        return rules.procedure(deadline.case.procedure).clock(deadline.event).label
    except (KeyError, ValueError):  # a clock since removed from the local configuration
        return deadline.event.replace("_", " ").capitalize()


def _managers(session: Session) -> Sequence[StaffUser]:
    stmt = select(StaffUser).where(StaffUser.role == MANAGER_ROLE).where(StaffUser.is_active.is_(True))
    return session.scalars(stmt.order_by(StaffUser.id)).all()


def _responsible(session: Session, case: Case) -> Sequence[StaffUser]:
    """The staff member the case is assigned to or, when nobody is, every complaints manager."""
    if case.assigned_to_id is not None:
        assigned = session.get(StaffUser, case.assigned_to_id)
        if assigned is not None and assigned.is_active:
            return [assigned]
    return _managers(session)


def digest_counts(session: Session, today: date) -> dict[str, int]:
    """Open cases, cases with an overdue deadline, and cases with one due by Sunday."""
    due = func.coalesce(Deadline.extended_due_on, Deadline.due_on)
    sunday = today + timedelta(days=6 - today.weekday())
    base: Select[int] = (
        select(func.count(distinct(Deadline.case_id)))
        .join(Case, Deadline.case_id == Case.id)
        .where(Deadline.is_open.is_(True))
        .where(Deadline.paused_since.is_(None))
        .where(Deadline.kind.in_(STAFF_KINDS))
        .where(Case.status.in_(_OPEN))
    )
    return {
        "open": session.scalar(select(func.count(Case.id)).where(Case.status.in_(_OPEN))) or 0,
        "overdue": session.scalar(base.where(due < today)) or 0,
        "due_this_week": session.scalar(base.where(due >= today).where(due <= sunday)) or 0,
    }


def _weekly_digest(session: Session, today: date, rules: Rules) -> int:
    """On the first working day of each week that reminders run (Monday, or Tuesday after a bank holiday)."""
    if not rules.calendar_for("corporate").is_working_day(today):
        return 0
    managers = _managers(session)
    if not managers:
        return 0
    year, week, _ = today.isocalendar()
    monday = today - timedelta(days=today.weekday())
    context = {**digest_counts(session, today), "week_of": monday.isoformat()}
    queued = 0
    for manager in managers:
        message = queue_email(
            session,
            template="staff_weekly_digest",
            recipient=manager.email,
            recipient_kind="staff",
            context=context,
            dedupe_key=f"digest:{year}-W{week:02d}:{manager.id}",
        )
        queued += message is not None
    return queued


def commitment_reminders(session: Session, today: date) -> int:
    """An overdue action or recommendation: its owner (or every complaints manager) is told once a week."""
    from portal.services.commitments import overdue

    year, week, _ = today.isocalendar()
    queued = 0
    for item in overdue(session, today):
        owner = item.owner if item.owner is not None and item.owner.is_active else None
        context = {"reference": item.case.reference, "commitment": item.text,
                   "due_date": item.due_on.isoformat()}  # fmt: skip
        for staff in [owner] if owner else _managers(session):
            message = queue_email(
                session, template="staff_commitment_overdue", recipient=staff.email, recipient_kind="staff",
                case=item.case, context=context,
                dedupe_key=f"commitment:{item.id}:{year}-W{week:02d}:{staff.id}",
            )  # fmt: skip
            queued += message is not None
    return queued
