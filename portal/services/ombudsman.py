"""Ombudsman (LGSCO) enquiries: received, the response, the decision, public reports (LGA 1974 ss30-31).

An enquiry is a case of its own (kind and procedure "lgo", reference LG-...), linked to the
complaint it is about: its stage record is what the annual report counts as an Ombudsman
enquiry received and decided, and its clocks ("lgo_response", "lgo_report_action") are stored
deadlines like any other. Its recommendations go into the tracker, so it cannot be closed
while one is unanswered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.lifecycle import CLOSED_STATUSES, Status
from portal.models import Case, Commitment, LgoEnquiry
from portal.reports import stages
from portal.services import cases, commitments, deadlines, links
from portal.services.rules import Rules

DECISIONS = {
    "upheld": "Upheld",
    "partially_upheld": "Partially upheld",
    "not_upheld": "Not upheld",
    "outside_remit": "Outside remit",
    "closed_after_initial_enquiries": "Closed after initial enquiries",
}
RESPONSE_CLOCK, REPORT_CLOCK = "lgo_response", "lgo_report_action"
# The complaint procedure's own steps make no sense on an enquiry: the council answers the
# Ombudsman, not the complainant, and there is no next stage.
NOT_FOR_ENQUIRIES = frozenset(
    {"respond", "request_escalation", "accept_escalation", "extend", "decide_accept"}
)


class OmbudsmanError(ValueError):
    """A change that cannot be recorded; the message is fit to show staff."""


@dataclass(frozen=True)
class Enquiry:
    """An enquiry with its own case (for pages and the complaint it is about)."""

    record: LgoEnquiry
    case: Case


def enquiry_of(session: Session, case: Case) -> LgoEnquiry | None:
    return session.scalar(select(LgoEnquiry).where(LgoEnquiry.case_id == case.id))


def about(session: Session, complaint: Case) -> list[Enquiry]:
    """The Ombudsman's enquiries about a complaint, oldest first (one query)."""
    stmt = (
        select(LgoEnquiry, Case)
        .join(Case, Case.id == LgoEnquiry.case_id)
        .where(LgoEnquiry.complaint_case_id == complaint.id)
        .order_by(LgoEnquiry.received_on, LgoEnquiry.id)
    )
    return [Enquiry(record, case) for record, case in session.execute(stmt)]


def for_family(session: Session, complaint: Case) -> list[LgoEnquiry]:
    """What the tracking page shows the family: each enquiry's dates and decision (no staff notes)."""
    return [e.record for e in about(session, complaint)] if complaint.kind == "complaint" else []


def complaint_of(session: Session, enquiry: LgoEnquiry) -> Case | None:
    return session.get(Case, enquiry.complaint_case_id) if enquiry.complaint_case_id else None


def _dated(on: date | None, what: str, today: date, not_before: date | None = None) -> date:
    if on is None:
        raise OmbudsmanError(f"Enter the date {what}.")
    if on > today:
        raise OmbudsmanError(f"The date {what} cannot be in the future.")
    if not_before is not None and on < not_before:
        raise OmbudsmanError(f"The date {what} cannot be before {not_before.day} {not_before:%B %Y}.")
    return on


def _event(
    session: Session, case: Case, complaint: Case | None, actor: cases.Actor, kind: str, text: str
) -> None:
    cases.add_event(session, case, actor, kind, text)
    if complaint is not None:
        cases.add_event(session, complaint, actor, kind, f"{case.reference}: {text}")


def record_enquiry(
    session: Session,
    complaint: Case,
    actor: cases.Actor,
    *,
    lgo_reference: str,
    received_on: date | None,
    response_due_on: date | None,
    today: date,
    rules: Rules,
) -> Case:
    """Open the enquiry's case, its response clock (the date the Ombudsman set) and its stage record."""
    if complaint.kind != "complaint":
        raise OmbudsmanError("Ombudsman enquiries are recorded on the complaint they are about.")
    ref = " ".join(lgo_reference.split())
    if not ref:
        raise OmbudsmanError("Enter the Ombudsman's reference.")
    if len(ref) > 40:
        raise OmbudsmanError("The Ombudsman's reference must be 40 characters or fewer.")
    received = _dated(received_on, "the enquiry was received", today)
    if response_due_on is None:
        raise OmbudsmanError("Enter the date the Ombudsman wants the council's response by.")
    if response_due_on < received:
        raise OmbudsmanError("The response due date cannot be before the date the enquiry was received.")
    if any(e.record.lgo_reference == ref for e in about(session, complaint)):
        raise OmbudsmanError(f"Ombudsman enquiry {ref} is already recorded on this complaint.")
    case = Case(
        reference=cases.next_reference(session, "lgo", received.year),
        kind="lgo",
        procedure="lgo",
        status=Status.IN_PROGRESS.value,
        stage=1,
        service_area=complaint.service_area,
        complainant_category=complaint.complainant_category,
        channel="ombudsman",
        summary=f"Ombudsman enquiry {ref} about complaint {complaint.reference}.",
        child_name=complaint.child_name,
        received_on=received,
        complainant_id=complaint.complainant_id,
        assigned_to_id=complaint.assigned_to_id,
        advocate_org=complaint.advocate_org,
    )
    session.add(case)
    clock = rules.procedure("lgo").clock(RESPONSE_CLOCK)
    deadlines.start_clock(case, clock, received, rules, due=response_due_on)
    stages.open_stage(session, case, 1, received)  # counted as an Ombudsman enquiry received
    session.flush()
    session.add(
        LgoEnquiry(
            case_id=case.id,
            complaint_case_id=complaint.id,
            lgo_reference=ref,
            received_on=received,
            response_due_on=response_due_on,
            public_report=False,
        )
    )
    links.add_link(session, complaint, case, f"Ombudsman enquiry {ref}", actor)
    _event(
        session,
        case,
        complaint,
        actor,
        "lgo_enquiry_received",
        f"Ombudsman enquiry {ref} received on {received.isoformat()}; "
        f"the council's response is due by {response_due_on.isoformat()}.",
    )
    return case


def _open(case: Case) -> None:
    if Status(case.status) in CLOSED_STATUSES:
        raise OmbudsmanError("This enquiry is closed; a complaints manager can reopen it.")


def record_response(
    session: Session, case: Case, enquiry: LgoEnquiry, actor: cases.Actor, sent_on: date | None, today: date
) -> None:
    """The council's response went to the Ombudsman: its clock is met and the Ombudsman decides next."""
    _open(case)
    if enquiry.responded_on is not None:
        raise OmbudsmanError("The council's response is already recorded.")
    if enquiry.decision is not None:
        raise OmbudsmanError("The Ombudsman has already decided this enquiry.")
    sent = _dated(sent_on, "the response was sent", today, enquiry.received_on)
    enquiry.responded_on = sent
    deadlines.complete(case, RESPONSE_CLOCK, sent)
    case.status = Status.RESPONDED.value  # waiting for the Ombudsman
    due = enquiry.response_due_on
    late = f" ({(sent - due).days} day(s) after the date asked for)" if due and sent > due else ""
    _event(
        session,
        case,
        complaint_of(session, enquiry),
        actor,
        "lgo_response_sent",
        f"The council's response to the Ombudsman was sent on {sent.isoformat()}{late}.",
    )


def record_decision(
    session: Session,
    case: Case,
    enquiry: LgoEnquiry,
    actor: cases.Actor,
    *,
    decision: str,
    decided_on: date | None,
    public_report: bool,
    report_received_on: date | None,
    today: date,
    rules: Rules,
) -> None:
    """The Ombudsman's decision; a public report starts the 3 months to report back (s31(2))."""
    _open(case)
    if enquiry.decision is not None:
        raise OmbudsmanError("The Ombudsman's decision is already recorded.")
    if decision not in DECISIONS:
        raise OmbudsmanError("Choose the Ombudsman's decision.")
    decided = _dated(decided_on, "of the decision", today, enquiry.received_on)
    enquiry.decision, enquiry.decision_on = decision, decided
    stages.record_outcome(session, case, 1, decision, decided_on=decided)  # the annual report counts it
    response = deadlines.open_deadline(case, RESPONSE_CLOCK)
    if response is not None:  # decided without needing the council's response
        response.is_open = False
    text = f"The Ombudsman's decision on {decided.isoformat()}: {DECISIONS[decision].lower()}."
    if public_report:
        received = _dated(report_received_on, "the report was received", today, enquiry.received_on)
        clock = rules.procedure("lgo").clock(REPORT_CLOCK)
        deadline = deadlines.start_clock(case, clock, received, rules)
        enquiry.public_report, enquiry.report_received_on = True, received
        enquiry.report_action_due_on = deadline.due_on
        case.status = Status.IN_PROGRESS.value  # the council must act on the report
        text += (
            f" Public report received on {received.isoformat()}: the council must tell the Ombudsman "
            f"what action it has taken or proposes by {deadline.due_on} (LGA 1974 s31(2))."
        )
    else:
        case.status = Status.RESPONDED.value
    _event(session, case, complaint_of(session, enquiry), actor, "lgo_decision", text)


def record_action_notified(
    session: Session,
    case: Case,
    enquiry: LgoEnquiry,
    actor: cases.Actor,
    notified_on: date | None,
    today: date,
) -> None:
    """The council told the Ombudsman what action it has taken or proposes on a public report."""
    _open(case)
    if not enquiry.public_report or enquiry.report_received_on is None:
        raise OmbudsmanError("Only a public report needs the council to report back.")
    if enquiry.action_notified_on is not None:
        raise OmbudsmanError("It is already recorded that the Ombudsman was told.")
    told = _dated(notified_on, "the Ombudsman was told", today, enquiry.report_received_on)
    enquiry.action_notified_on = told
    deadlines.complete(case, REPORT_CLOCK, told)
    case.status = Status.RESPONDED.value
    late = ""
    if enquiry.report_action_due_on and told > enquiry.report_action_due_on:
        late = f", after the due date of {enquiry.report_action_due_on.isoformat()}"
    _event(
        session,
        case,
        complaint_of(session, enquiry),
        actor,
        "lgo_action_notified",
        f"The Ombudsman was told on {told.isoformat()} what action the council has taken or "
        f"proposes on the public report{late}.",
    )


def add_recommendation(
    session: Session, case: Case, actor: cases.Actor, *, text: str, owner_id: int | None, due_on: date | None
) -> Commitment:
    """An Ombudsman recommendation, followed in the tracker like every other commitment."""
    if case.kind != "lgo":
        raise OmbudsmanError("Ombudsman recommendations are recorded on the Ombudsman enquiry.")
    if due_on is None:
        raise OmbudsmanError("Enter the due date.")
    try:
        return commitments.add(
            session, case, actor, source="ombudsman", text=text, owner_id=owner_id, due_on=due_on
        )
    except commitments.CommitmentError as error:
        raise OmbudsmanError(str(error)) from None
