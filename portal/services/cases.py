"""Record cases and move them through their procedure, writing the chronology as we go."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.lifecycle import Action, Role, Status, next_status
from portal.domain.routing import ComplainantCategory, ServiceArea, route
from portal.models import Case, CaseEvent, Person, ReferenceCounter
from portal.reports import stages
from portal.services import deadlines
from portal.services.rules import Rules

PREFIX = {"complaint": "CC", "compliment": "CP", "lgo": "LG"}


@dataclass(frozen=True)
class Actor:
    kind: str  # staff | complainant | system
    role: Role
    id: int | None = None
    name: str = ""


SYSTEM = Actor("system", Role.SYSTEM, name="The portal")


@dataclass(frozen=True)
class NewCase:
    kind: str
    category: ComplainantCategory
    service_area: ServiceArea
    summary: str
    received_on: date
    person_name: str
    person_email: str | None = None
    person_phone: str | None = None
    arose_on: date | None = None
    child_name: str | None = None
    desired_outcome: str | None = None
    channel: str = "online"
    idempotency_key: str | None = None
    appealable_to_send_tribunal: bool = False


def next_reference(session: Session, kind: str, year: int) -> str:
    prefix = PREFIX.get(kind, "EN")
    key = f"{prefix}-{year}"
    counter = session.get(ReferenceCounter, key, with_for_update=True)
    if counter is None:
        counter = ReferenceCounter(key=key, value=0)
        session.add(counter)
    counter.value += 1
    return f"{key}-{counter.value:06d}"


def add_event(session: Session, case: Case, actor: Actor, kind: str, summary: str, **data: object) -> None:
    session.add(
        CaseEvent(
            case=case,
            actor_kind=actor.kind,
            actor_id=actor.id,
            kind=kind,
            summary=summary,
            data=data,
        )
    )


def record_case(session: Session, new: NewCase, actor: Actor, rules: Rules) -> Case:
    """Create a case with its routing, reference, first clocks and chronology entry.

    The caller owns the transaction (one per action): nothing is written unless it commits.
    """
    if new.idempotency_key:
        existing = session.scalar(select(Case).where(Case.idempotency_key == new.idempotency_key))
        if existing is not None:
            return existing
    routing = route(
        new.kind,
        new.category,
        new.service_area,
        new.arose_on,
        new.received_on,
        appealable_to_send_tribunal=new.appealable_to_send_tribunal,
    )
    needs_decision = routing.needs_sufficient_interest_decision or routing.out_of_time
    person = Person(name=new.person_name, email=new.person_email, phone=new.person_phone)
    case = Case(
        reference=next_reference(session, new.kind, new.received_on.year),
        kind=new.kind,
        procedure=routing.procedure,
        status=(Status.AWAITING_DECISION if needs_decision else Status.RECEIVED).value,
        stage=1,
        service_area=new.service_area.value,
        complainant_category=new.category.value,
        channel=new.channel,
        summary=new.summary,
        desired_outcome=new.desired_outcome,
        child_name=new.child_name,
        received_on=new.received_on,
        arose_on=new.arose_on,
        out_of_time=routing.out_of_time,
        needs_sufficient_interest_decision=routing.needs_sufficient_interest_decision,
        send_tribunal_flag=routing.send_tribunal_flag,
        complainant=person,
        idempotency_key=new.idempotency_key,
    )
    session.add(case)
    start_clocks(case, "received", new.received_on, rules)
    stages.open_stage(session, case, 1, new.received_on)  # what the annual report counts
    add_event(
        session,
        case,
        actor,
        "received",
        f"{new.kind.replace('_', ' ').capitalize()} received by {new.channel}.",
        routing=list(routing.reasons),
    )
    return case


def start_clocks(case: Case, starting_event: str, on: date, rules: Rules) -> None:
    procedure = rules.procedure(case.procedure)
    for clock in procedure.clocks:
        if clock.starts_from == starting_event and deadlines.open_deadline(case, clock.event) is None:
            deadlines.start_clock(case, clock, on, rules)


def _stage_events(procedure_code: str, stage: int, action: Action) -> tuple[list[str], list[str]]:
    """Which clocks an action completes, and which starting events it emits."""
    ack_clock = "acknowledgement" if stage == 1 else f"stage{stage}_acknowledgement"
    ack_event = "acknowledged" if stage == 1 else f"stage{stage}_acknowledged"
    response = (
        "stage3_council_response" if (procedure_code, stage) == ("statutory", 3) else f"stage{stage}_response"
    )
    requested = (
        "panel_requested" if (procedure_code, stage) == ("statutory", 2) else f"stage{stage + 1}_requested"
    )
    table: dict[Action, tuple[list[str], list[str]]] = {
        Action.ACKNOWLEDGE: ([ack_clock], [ack_event]),
        Action.RESPOND: ([response], [f"stage{stage}_response_sent"]),
        Action.REQUEST_ESCALATION: ([f"stage{stage + 1}_request_window"], [requested]),
    }
    return table.get(action, ([], []))


def transition(
    session: Session,
    case: Case,
    action: Action,
    actor: Actor,
    on: date,
    rules: Rules,
    note: str = "",
) -> Case:
    """Apply one lifecycle action: status, clocks and chronology together (caller commits)."""
    before = Status(case.status)
    case.status = next_status(before, action, actor.role).value
    completes, emits = _stage_events(case.procedure, case.stage, action)
    for event in completes:
        deadlines.complete(case, event, on)
    for event in emits:
        start_clocks(case, event, on, rules)
    if action is Action.ACCEPT_ESCALATION:
        case.stage += 1
        # Statutory stage 2 runs from the agreed statement of complaint; until a
        # separate date is recorded, acceptance is taken as that agreement.
        start_clocks(
            case,
            "statement_agreed" if case.stage == 2 else f"stage{case.stage}_accepted",
            on,
            rules,
        )
    elif action is Action.PAUSE:
        deadlines.pause(case, on)
    elif action is Action.RESUME:
        deadlines.resume(case, on, rules)
    elif action in (Action.CLOSE, Action.WITHDRAW, Action.DECIDE_REFUSE):
        deadlines.close_all(case, on)
    stages.follow(session, case, action, on)
    summary = f"{action.value.replace('_', ' ').capitalize()}: status {before.value} → {case.status}."
    add_event(session, case, actor, action.value, f"{summary} {note}".strip(), on=on.isoformat())
    _notify_complainant(session, case, action, note)
    return case


def _notify_complainant(session: Session, case: Case, action: Action, note: str) -> None:
    """Tell the person (or their advocate) what changed: in the same transaction as the change."""
    from portal.notify.outbox import queue_for_person  # the outbox records events through this module

    if case.complainant is None:
        return
    if action is Action.RESPOND:
        context = {"reference": case.reference, "stage": case.stage}
        queue_for_person(session, case.complainant, case, "response_available", context)
    elif action is Action.PAUSE:
        context = {"reference": case.reference, "reason": note or "-"}
        queue_for_person(session, case.complainant, case, "pause_notice", context)


def extend_deadline(
    session: Session,
    case: Case,
    event: str,
    total_days: int,
    reason: str,
    actor: Actor,
    on: date,
    rules: Rules,
) -> Case:
    """Extend a response deadline within the legal maximum, with the reason on the chronology."""
    next_status(Status(case.status), Action.EXTEND, actor.role)  # refuses if not allowed now
    clock = rules.procedure(case.procedure).clock(event)
    deadline = deadlines.extend(case, clock, total_days, reason, rules)
    stages.record_extension(session, case, deadline)
    add_event(
        session,
        case,
        actor,
        "extended",
        f"{clock.label} extended to {total_days} working days, now due {deadline.extended_due_on}. "
        f"Reason: {reason.strip()}",
        on=on.isoformat(),
        due=str(deadline.extended_due_on),
    )
    if case.complainant is not None:
        from portal.notify.outbox import queue_for_person

        context = {
            "reference": case.reference,
            "reason": reason.strip(),
            "due_date": deadline.extended_due_on.isoformat() if deadline.extended_due_on else "",
        }
        queue_for_person(session, case.complainant, case, "extension_notice", context)
    return case
