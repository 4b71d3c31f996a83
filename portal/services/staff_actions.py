"""What staff do to a case: each function is one action in the caller's one transaction, with its event."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.lifecycle import Action, Role, Status, next_status
from portal.models import Case, ResponsePoint, StaffUser
from portal.reports import stages
from portal.services import case_details, cases, commitments, deadlines, documents
from portal.services.rules import Rules

ROLES = {"officer": Role.OFFICER, "manager": Role.MANAGER, "responding_manager": Role.RESPONDING_MANAGER}
OUTCOMES = {"upheld": "Upheld", "partially_upheld": "Partially upheld", "not_upheld": "Not upheld"}
CHANNELS = {
    "phone": "Phone",
    "letter": "Letter",
    "email": "Email",
    "mp": "MP",
    "councillor": "Councillor",
    "in_person": "In person",
}
# Procedures a case can be corrected between (an Ombudsman enquiry or a compliment is not a mistake
# of routing: it is a different record).
CORRECTABLE = ("statutory", "corporate", "enquiry_general", "enquiry_councillor", "enquiry_mp")


class ActionRefused(ValueError):
    """The action cannot be done now; the message is fit to show staff."""


def actor_for(user: StaffUser) -> cases.Actor:
    role = ROLES.get(user.role)
    if role is None:
        raise ActionRefused("Your role can read cases but not change them.")
    return cases.Actor("staff", role, user.id, user.name)


def check(case: Case, action: Action, actor: cases.Actor) -> None:
    """Raise ActionRefused (with the domain's reason) when the action is not allowed now."""
    from portal.domain.lifecycle import TransitionRefused

    try:
        next_status(Status(case.status), action, actor.role)
    except TransitionRefused as refused:
        raise ActionRefused(str(refused)) from None


def _note(text: str, what: str) -> str:
    if not text.strip():
        raise ActionRefused(f"Enter {what}.")
    return text.strip()


# --- simple lifecycle actions -----------------------------------------------------------------


def _with_reason(
    session: Session, case: Case, action: Action, actor: cases.Actor, reason: str, on: date, rules: Rules
) -> None:
    check(case, action, actor)
    cases.transition(session, case, action, actor, on, rules, note=f"Reason: {_note(reason, 'the reason')}")


def acknowledge(session: Session, case: Case, actor: cases.Actor, on: date, rules: Rules) -> None:
    check(case, Action.ACKNOWLEDGE, actor)
    cases.transition(session, case, Action.ACKNOWLEDGE, actor, on, rules)


def pause(session: Session, case: Case, actor: cases.Actor, reason: str, on: date, rules: Rules) -> None:
    _with_reason(session, case, Action.PAUSE, actor, reason, on, rules)


def resume(session: Session, case: Case, actor: cases.Actor, reason: str, on: date, rules: Rules) -> None:
    _with_reason(session, case, Action.RESUME, actor, reason, on, rules)


def reopen(session: Session, case: Case, actor: cases.Actor, reason: str, on: date, rules: Rules) -> None:
    _with_reason(session, case, Action.REOPEN, actor, reason, on, rules)


def withdraw(session: Session, case: Case, actor: cases.Actor, how: str, on: date, rules: Rules) -> None:
    check(case, Action.WITHDRAW, actor)
    note = f"The complainant withdrew: {_note(how, 'how and why the complainant withdrew')}"
    cases.transition(session, case, Action.WITHDRAW, actor, on, rules, note=note)


def close(session: Session, case: Case, actor: cases.Actor, note: str, on: date, rules: Rules) -> None:
    """Close after the response; refused while a commitment on the case is not answered."""
    check(case, Action.CLOSE, actor)
    open_items = commitments.unanswered(session, case)
    if open_items:
        raise ActionRefused(
            f"The case cannot be closed: {len(open_items)} action(s) or recommendation(s) are not "
            "complete or recorded as not accepted. Update them in the tracker first."
        )
    cases.transition(session, case, Action.CLOSE, actor, on, rules, note=note.strip())


def decide(
    session: Session, case: Case, actor: cases.Actor, accept: bool, reasons: str, on: date, rules: Rules
) -> None:
    """The sufficient-interest (s26(3)(e)) or 12-month (reg 9; Code 2.2) decision, with its reasons."""
    action = Action.DECIDE_ACCEPT if accept else Action.DECIDE_REFUSE
    check(case, action, actor)
    flags = (("sufficient interest", case.needs_sufficient_interest_decision),
             ("12-month time limit", case.out_of_time))  # fmt: skip
    kinds = [k for k, flag in flags if flag] or ["acceptance"]
    verdict = "accepted" if accept else "refused"
    note = f"Decision on {' and '.join(kinds)}: {verdict}. Reasons: {_note(reasons, 'the reasons')}"
    cases.transition(session, case, action, actor, on, rules, note=note)


# --- assign -----------------------------------------------------------------------------------


def assignees(session: Session) -> Sequence[StaffUser]:
    stmt = select(StaffUser).where(StaffUser.is_active.is_(True), StaffUser.role.in_(tuple(ROLES)))
    return session.scalars(stmt.order_by(StaffUser.name)).all()


def conflict(case: Case, assignee: StaffUser) -> str | None:
    """A warning when the complaint names the person it would be assigned to (Code 5.4: conflicts)."""
    text = " ".join(filter(None, (case.summary, case.desired_outcome))).lower()
    name = assignee.name.strip().lower()
    surname = name.split()[-1] if name else ""
    if name and (name in text or (len(surname) > 3 and surname in text.split())):
        return (
            f"The complaint mentions {assignee.name}. A complaint should not be handled by the person "
            "it is about."
        )
    return None


def assign(
    session: Session, case: Case, actor: cases.Actor, assignee_id: int, on: date, *, confirmed: bool = False
) -> str | None:
    """Assign the case; returns the conflict warning (and assigns nothing) unless it was confirmed."""
    assignee = session.get(StaffUser, assignee_id)
    if assignee is None or not assignee.is_active or assignee.role not in ROLES:
        raise ActionRefused("Choose someone who works cases.")
    if Status(case.status) in (Status.CLOSED, Status.WITHDRAWN):
        raise ActionRefused("A closed case cannot be assigned; reopen it first.")
    warning = case_details.assignee_conflict(session, case, assignee) or conflict(case, assignee)
    if warning and not confirmed:
        return warning
    case.assigned_to_id = assignee.id
    summary = f"Assigned to {assignee.name}."
    if warning:
        summary += f" Assigned despite the warning: {warning}"
    cases.add_event(session, case, actor, "assigned", summary, assignee=assignee.id, on=on.isoformat())
    from portal.notify.outbox import queue_email

    due = min((d.effective_due_on for d in case.deadlines if d.is_open and d.effective_due_on), default=None)
    if due is not None:  # the notice names the next deadline; a case with none needs no nudge
        context = {"reference": case.reference, "due_date": due.isoformat()}
        queue_email(session, template="staff_assigned", recipient=assignee.email, recipient_kind="staff",
                    case=case, context=context)  # fmt: skip
    return None


# --- extend -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Extendable:
    event: str
    label: str
    limit: int
    maximum: int
    due: date | None
    source: str


def extendable(case: Case, rules: Rules) -> Extendable | None:
    """The open response clock that may be extended, with its legal maximum."""
    procedure = rules.procedure(case.procedure)
    for deadline in case.deadlines:
        if not deadline.is_open or deadline.kind != "response" or deadline.event not in procedure.events:
            continue
        clock = procedure.clock(deadline.event)
        if clock.extended_limit and clock.limit:
            return Extendable(clock.event, clock.label, clock.limit, clock.extended_limit,
                              deadline.effective_due_on, clock.source)  # fmt: skip
    return None


def extend(
    session: Session, case: Case, actor: cases.Actor, total_days: int, reason: str, on: date, rules: Rules
) -> None:
    check(case, Action.EXTEND, actor)
    target = extendable(case, rules)
    if target is None:
        raise ActionRefused("This case has no response deadline that can be extended.")
    try:
        why = _note(reason, "the reason")
        cases.extend_deadline(session, case, target.event, total_days, why, actor, on, rules)
    except deadlines.DeadlineError as error:
        raise ActionRefused(str(error)) from None


# --- correct the procedure --------------------------------------------------------------------


def correct_procedure(
    session: Session, case: Case, actor: cases.Actor, procedure: str, reason: str, on: date, rules: Rules
) -> None:
    """Move a case to the right procedure, restarting its running clocks under the new rules."""
    if procedure not in CORRECTABLE or case.procedure not in CORRECTABLE:
        raise ActionRefused("This case's procedure cannot be changed here.")
    if procedure == case.procedure:
        raise ActionRefused("Choose a different procedure from the one the case is under now.")
    if Status(case.status) in (Status.CLOSED, Status.WITHDRAWN):
        raise ActionRefused("A closed case's procedure cannot be corrected; reopen it first.")
    why = _note(reason, "the reason for the correction")
    before = {d.event: str(d.effective_due_on) for d in case.deadlines if d.is_open}
    old = case.procedure
    started = {d.event: d.start_on for d in case.deadlines}
    deadlines.close_all(case, on)
    case.procedure = procedure
    case.kind = "complaint" if procedure in ("statutory", "corporate") else procedure
    happened = {"received": case.received_on, **{f"{e}": s for e, s in started.items()}}
    acked = next((d.met_on for d in case.deadlines if d.event == "acknowledgement" and d.met_on), None)
    if acked:
        happened["acknowledged"] = acked
    stage = case.stage if Status(case.status) is not Status.RECEIVED else 0
    for clock in rules.procedure(procedure).clocks:
        if clock.kind == "window" or clock.stage not in {stage, 0, 1} or clock.stage > case.stage:
            continue
        if clock.event == "acknowledgement" and acked:
            continue
        start = happened.get(clock.starts_from)
        if start is not None:
            deadlines.start_clock(case, clock, start, rules)
    after = {d.event: str(d.effective_due_on) for d in case.deadlines if d.is_open}
    cases.add_event(session, case, actor, "procedure_corrected",
                    f"Procedure corrected from {old} to {procedure}. Reason: {why}",
                    before=before, after=after)  # fmt: skip


# --- respond ----------------------------------------------------------------------------------


def overall_outcome(outcomes: Sequence[str]) -> str:
    if all(o == "upheld" for o in outcomes):
        return "upheld"
    if all(o == "not_upheld" for o in outcomes):
        return "not_upheld"
    return "partially_upheld"


@dataclass(frozen=True)
class Promise:
    """A commitment made in a response: it lands in the tracker with its owner and due date."""

    text: str
    owner_id: int | None
    due_on: date | None


def _promises(promises: Sequence[Promise]) -> list[Promise]:
    given = [p for p in promises if p.text.strip()]
    for n, promise in enumerate(given, start=1):
        if promise.owner_id is None or promise.due_on is None:
            raise ActionRefused(f"Give commitment {n} an owner and a due date.")
    return given


def respond(
    session: Session,
    case: Case,
    actor: cases.Actor,
    points: Sequence[tuple[str, str]],
    letter_body: str,
    on: date,
    rules: Rules,
    promises: Sequence[Promise] = (),
) -> str:
    """Record the finding on each point, produce the response letter in every format, mark it sent.

    The letter must exist in every format the person needs before the response counts as sent
    (documents.assert_ready_to_send); otherwise nothing is stored. Commitments made in the
    response go into the tracker, so the case cannot be closed until each is answered.
    """
    check(case, Action.RESPOND, actor)
    points = [(p.strip(), o) for p, o in points if p.strip()]
    if not points:
        raise ActionRefused("Enter at least one complaint point and its outcome.")
    if any(o not in OUTCOMES for _, o in points):
        raise ActionRefused("Choose upheld, partially upheld or not upheld for each point.")
    promised = _promises(promises)
    body = _note(letter_body, "the response letter")
    letter_id = f"stage{min(case.stage, 3)}_response"
    documents.produce(session, case, letter_id, staff_body=body, actor=actor, on=on)
    try:
        documents.assert_ready_to_send(case, letter_id)
    except documents.NotReadyToSend as error:
        raise ActionRefused(str(error)) from None
    for position, (text, outcome) in enumerate(points, start=1):
        session.add(ResponsePoint(case_id=case.id, stage=case.stage, position=position, point=text,
                                  outcome=outcome, created_by=actor.id))  # fmt: skip
    outcome = overall_outcome([o for _, o in points])
    cases.transition(session, case, Action.RESPOND, actor, on, rules,
                     note=f"Outcome: {OUTCOMES[outcome].lower()} ({len(points)} point(s)).")  # fmt: skip
    if case.kind in ("complaint", "lgo"):
        stages.record_outcome(session, case, case.stage, outcome)
    for promise in promised:
        assert promise.due_on is not None  # checked by _promises
        try:
            commitments.add(session, case, actor, source="response", text=promise.text,
                            owner_id=promise.owner_id, due_on=promise.due_on)  # fmt: skip
        except commitments.CommitmentError as error:
            raise ActionRefused(str(error)) from None
    return outcome


# --- escalate ---------------------------------------------------------------------------------


def escalation_late(case: Case, on: date) -> bool:
    window = deadlines.open_deadline(case, f"stage{case.stage + 1}_request_window")
    due = window.effective_due_on if window else None
    return due is not None and on > due


def record_escalation_request(
    session: Session, case: Case, actor: cases.Actor, asked_on: date, what: str, rules: Rules
) -> bool:
    """Log the complainant's request for the next stage (made by phone, letter...). Late requests are
    accepted for a decision (DOMAIN §10); returns whether it was late."""
    check(case, Action.REQUEST_ESCALATION, actor)
    if rules.procedure(case.procedure).next_stage(case.stage) is None:
        raise ActionRefused("This is the final stage: the complainant can go to the Ombudsman.")
    late = escalation_late(case, asked_on)
    note = f"Requested on {asked_on.isoformat()}{' (after the time to ask had ended)' if late else ''}. "
    cases.transition(session, case, Action.REQUEST_ESCALATION, actor, asked_on, rules,
                     note=note + _note(what, "what the complainant asked for"))  # fmt: skip
    return late


def decide_escalation(
    session: Session, case: Case, actor: cases.Actor, accept: bool, reasons: str, on: date, rules: Rules
) -> None:
    """Accept (the next stage starts) or refuse with valid reasons (Code 5.7: a manager's call)."""
    action = Action.ACCEPT_ESCALATION if accept else Action.REFUSE_ESCALATION
    check(case, action, actor)
    if accept and rules.procedure(case.procedure).next_stage(case.stage) is None:
        raise ActionRefused("This is the final stage: the complainant can go to the Ombudsman.")
    note = reasons.strip() if accept else f"Reasons: {_note(reasons, 'the reasons for refusing')}"
    cases.transition(session, case, action, actor, on, rules, note=note)


# --- record a case received another way -------------------------------------------------------


def record_received(session: Session, new: cases.NewCase, actor: cases.Actor, rules: Rules) -> Case:
    if new.channel not in CHANNELS:
        raise ActionRefused("Choose how the case was received.")
    return cases.record_case(session, new, actor, rules)
