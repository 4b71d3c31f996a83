"""What a complainant (or their advocate) can do on their case online; each action is recorded
on the chronology and the person handling the case is told."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.lifecycle import Action, Role, Status, allowed, escalation_window
from portal.models import Case, StaffUser
from portal.notify.outbox import queue_email
from portal.services import deadlines
from portal.services.cases import Actor, add_event, transition
from portal.services.rules import Rules

COMPLAINANT = Actor("complainant", Role.COMPLAINANT, name="Complainant")


def _handlers(session: Session, case: Case) -> list[StaffUser]:
    """The assigned officer, or the complaints managers while nobody is assigned."""
    if case.assigned_to_id is not None:
        user = session.get(StaffUser, case.assigned_to_id)
        if user is not None and user.is_active:
            return [user]
    stmt = select(StaffUser).where(StaffUser.role == "manager", StaffUser.is_active.is_(True))
    return list(session.scalars(stmt))


def _tell_handler(session: Session, case: Case, update: str) -> None:
    for user in _handlers(session, case):
        queue_email(
            session,
            template="staff_complainant_update",
            recipient=user.email,
            recipient_kind="staff",
            case=case,
            context={"reference": case.reference, "update": update},
        )


def add_information(session: Session, case: Case, text: str) -> None:
    add_event(session, case, COMPLAINANT, "complainant_added_information", text.strip())
    _tell_handler(session, case, "information")


def record_resolution(session: Session, case: Case, resolved: bool, comment: str) -> None:
    verdict = "resolved things" if resolved else "did not resolve things"
    summary = f"The complainant said our response {verdict}. {comment.strip()}".strip()
    add_event(session, case, COMPLAINANT, "complainant_feedback", summary, resolved=resolved)
    _tell_handler(session, case, "feedback")


def window_state(case: Case, rules: Rules, today: date) -> Any:
    """Whether the complainant can still ask for the next stage, and until when."""
    procedure = rules.procedure(case.procedure)
    event = f"stage{case.stage + 1}_request_window"
    if event not in procedure.events:
        return None
    window = deadlines.open_deadline(case, event)
    if window is None or window.due_on is None:
        return None
    clock = procedure.clock(event)
    calendar = rules.calendar_for(case.procedure)
    return escalation_window(window.start_on, clock, calendar, today)


def can_ask_next_stage(case: Case, rules: Rules) -> bool:
    return (
        Status(case.status) is Status.RESPONDED
        and rules.procedure(case.procedure).next_stage(case.stage) is not None
        and allowed(Status(case.status), Action.REQUEST_ESCALATION, Role.COMPLAINANT)
    )


def ask_next_stage(session: Session, case: Case, reason: str, today: date, rules: Rules) -> bool:
    """Ask for the next stage. Inside the window it starts at once; after it, staff decide.

    Returns True when the request was inside the window.
    """
    state = window_state(case, rules, today)
    in_time = state is not None and not state.late
    if in_time:
        transition(
            session, case, Action.REQUEST_ESCALATION, COMPLAINANT, today, rules, f"Why: {reason.strip()}"
        )
    else:
        add_event(
            session,
            case,
            COMPLAINANT,
            "late_escalation_request",
            f"The complainant asked for the next stage after the time to ask had passed. Staff must decide "
            f"whether to accept it. Why: {reason.strip()}",
        )
    _tell_handler(session, case, "next_stage")
    return in_time


def withdraw(session: Session, case: Case, reason: str, today: date, rules: Rules) -> None:
    transition(session, case, Action.WITHDRAW, COMPLAINANT, today, rules, reason.strip())
    _tell_handler(session, case, "withdrawn")


def request_advocate(session: Session, case: Case) -> None:
    case.advocacy_requested = True
    add_event(
        session, case, COMPLAINANT, "advocate_requested", "The complainant asked for help from an advocate."
    )
    _tell_handler(session, case, "advocate")


def update_preferences(session: Session, case: Case, contact: dict[str, Any], needs: dict[str, Any]) -> None:
    person = case.complainant
    assert person is not None
    for key in (
        "email",
        "phone",
        "address",
        "contact_method",
        "safe_times",
        "advocate_name",
        "advocate_email",
    ):
        if key in contact:
            setattr(person, key, contact[key] or None if key != "contact_method" else contact[key])
    if "language" in contact:
        person.preferred_language = contact["language"] if contact["language"] != "other" else "en"
    safe = set(contact.get("safe") or [])
    person.no_post_home = "no_post_home" in safe
    person.no_voicemail = "no_voicemail" in safe
    person.needs = needs
    add_event(
        session,
        case,
        COMPLAINANT,
        "preferences_changed",
        "The complainant changed their contact details, formats or adjustments.",
    )
    _tell_handler(session, case, "preferences")
