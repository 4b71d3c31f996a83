"""The recommendations and actions tracker (every commitment followed to completion) and remedies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from portal.models import Case, Commitment, Remedy, StaffUser
from portal.services import cases
from portal.services.staff_cases import visible_to

SOURCES = {
    "response": "Commitment in a response",
    "stage2": "Stage 2 investigation recommendation",
    "panel": "Review panel recommendation",
    "ombudsman": "Ombudsman recommendation",
}
STATUSES = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "on_track": "On track",
    "complete": "Complete",
    "not_accepted": "Not accepted",
}
DONE = ("complete", "not_accepted")
REMEDY_KINDS = {"apology": "Apology", "payment": "Symbolic payment", "service": "Service remedy"}


class CommitmentError(ValueError):
    """A change the tracker does not allow; the message is fit to show staff."""


def unanswered(session: Session, case: Case) -> Sequence[Commitment]:
    """Commitments on the case that are neither complete nor recorded as not accepted."""
    stmt = select(Commitment).where(Commitment.case_id == case.id, Commitment.status.not_in(DONE))
    return session.scalars(stmt.order_by(Commitment.due_on, Commitment.id)).all()


def of_case(session: Session, case: Case) -> Sequence[Commitment]:
    stmt = select(Commitment).where(Commitment.case_id == case.id).options(joinedload(Commitment.owner))
    return session.scalars(stmt.order_by(Commitment.due_on, Commitment.id)).all()


def add(
    session: Session, case: Case, actor: cases.Actor, *, source: str, text: str, owner_id: int | None,
    due_on: date,
) -> Commitment:  # fmt: skip
    if source not in SOURCES:
        raise CommitmentError("Choose where the action or recommendation comes from.")
    if not text.strip():
        raise CommitmentError("Enter the action or recommendation.")
    if owner_id is not None and session.get(StaffUser, owner_id) is None:
        raise CommitmentError("Choose who owns it.")
    item = Commitment(case_id=case.id, source=source, text=text.strip(), owner_id=owner_id, due_on=due_on,
                      status="not_started")  # fmt: skip
    session.add(item)
    session.flush()
    cases.add_event(session, case, actor, "commitment_added",
                    f"{SOURCES[source]} added, due {due_on.isoformat()}: {text.strip()}",
                    commitment=item.id)  # fmt: skip
    return item


def update(
    session: Session, item: Commitment, actor: cases.Actor, *, status: str, evidence: str, reason: str,
    on: date,
) -> None:  # fmt: skip
    """Move a commitment on; complete needs evidence, not accepted needs the reason."""
    if status not in STATUSES:
        raise CommitmentError("Choose a status.")
    if status == "complete" and not evidence.strip():
        raise CommitmentError("Enter the evidence that it was done.")
    if status == "not_accepted" and not reason.strip():
        raise CommitmentError("Enter why it was not accepted.")
    before = item.status
    item.status = status
    item.evidence = evidence.strip() or item.evidence
    item.not_accepted_reason = reason.strip() if status == "not_accepted" else None
    item.completed_on = on if status == "complete" else None
    detail = {"complete": f" Evidence: {evidence.strip()}", "not_accepted": f" Reason: {reason.strip()}"}
    cases.add_event(session, item.case, actor, "commitment_updated",
                    f"Action “{item.text}”: {STATUSES[before].lower()} → {STATUSES[status].lower()}."
                    + detail.get(status, ""), commitment=item.id, status=status)  # fmt: skip


@dataclass(frozen=True)
class TrackerFilter:
    status: str = "open"  # open | overdue | done | all
    source: str = ""
    owner: str = ""  # "" anyone | "me"


def tracker(session: Session, user: StaffUser, wanted: TrackerFilter, today: date) -> Sequence[Commitment]:
    """Commitments on the cases the user may see, soonest due first (one query)."""
    stmt = (
        select(Commitment)
        .join(Case, Commitment.case_id == Case.id)
        .where(visible_to(user))
        .options(joinedload(Commitment.case), joinedload(Commitment.owner))
    )
    if wanted.status == "open":
        stmt = stmt.where(Commitment.status.not_in(DONE))
    elif wanted.status == "overdue":
        stmt = stmt.where(Commitment.status.not_in(DONE), Commitment.due_on < today)
    elif wanted.status == "done":
        stmt = stmt.where(Commitment.status.in_(DONE))
    if wanted.source in SOURCES:
        stmt = stmt.where(Commitment.source == wanted.source)
    if wanted.owner == "me":
        stmt = stmt.where(Commitment.owner_id == user.id)
    return session.scalars(stmt.order_by(Commitment.due_on, Commitment.id).limit(500)).all()


def overdue(session: Session, today: date) -> Sequence[Commitment]:
    """Every overdue commitment on an open or closed case, for the reminders."""
    stmt = (
        select(Commitment)
        .where(Commitment.status.not_in(DONE), Commitment.due_on < today)
        .options(joinedload(Commitment.case), joinedload(Commitment.owner))
    )
    return session.scalars(stmt.order_by(Commitment.id)).all()


# --- remedies ---------------------------------------------------------------------------------


def remedies_of(session: Session, case: Case) -> Sequence[Remedy]:
    return session.scalars(select(Remedy).where(Remedy.case_id == case.id).order_by(Remedy.due_on)).all()


def add_remedy(
    session: Session, case: Case, actor: cases.Actor, *, kind: str, description: str,
    amount_pence: int | None, due_on: date,
) -> Remedy:  # fmt: skip
    if kind not in REMEDY_KINDS:
        raise CommitmentError("Choose the kind of remedy.")
    if kind == "payment" and not amount_pence:
        raise CommitmentError("Enter the amount of the payment.")
    if not description.strip():
        raise CommitmentError("Describe the remedy.")
    remedy = Remedy(case_id=case.id, kind=kind, description=description.strip(),
                    amount_pence=amount_pence if kind == "payment" else None, due_on=due_on)  # fmt: skip
    session.add(remedy)
    session.flush()
    amount = f" of £{amount_pence / 100:,.2f}" if kind == "payment" and amount_pence else ""
    cases.add_event(session, case, actor, "remedy_added",
                    f"{REMEDY_KINDS[kind]}{amount} agreed, due {due_on.isoformat()}: {description.strip()}",
                    remedy=remedy.id)  # fmt: skip
    return remedy


def remedy_done(
    session: Session, case: Case, remedy: Remedy, actor: cases.Actor, proof: str, on: date
) -> None:
    if not proof.strip():
        raise CommitmentError("Enter the proof that the remedy happened.")
    remedy.done_on, remedy.proof = on, proof.strip()
    cases.add_event(session, case, actor, "remedy_done",
                    f"{REMEDY_KINDS[remedy.kind]} done on {on.isoformat()}. Proof: {proof.strip()}",
                    remedy=remedy.id)  # fmt: skip
