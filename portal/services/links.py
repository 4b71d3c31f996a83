"""Linked cases: two cases that belong together, with the reason, shown from both sides."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from portal.models import Case, CaseLink, StaffUser
from portal.services import cases
from portal.services.staff_cases import can_see_case


class LinkError(ValueError):
    """A link that cannot be made or removed; the message is fit to show staff."""


@dataclass(frozen=True)
class Linked:
    id: int
    other: Case
    reason: str
    created_at: datetime


def linked(session: Session, case: Case) -> list[Linked]:
    """The cases linked to this one, whichever side the link was made from (one query)."""
    stmt = (
        select(CaseLink)
        .where(or_(CaseLink.case_id == case.id, CaseLink.linked_case_id == case.id))
        .options(joinedload(CaseLink.case), joinedload(CaseLink.linked_case))
        .order_by(CaseLink.id)
    )
    found = []
    for row in session.scalars(stmt):
        other = row.linked_case if row.case_id == case.id else row.case
        found.append(Linked(row.id, other, row.reason, row.created_at))
    return found


def _pair(a: Case, b: Case) -> tuple[int, int]:
    return (a.id, b.id) if a.id < b.id else (b.id, a.id)


def add_link(session: Session, case: Case, other: Case, reason: str, actor: cases.Actor) -> CaseLink:
    """Link two cases (no visibility check: for links the portal makes itself, e.g. an Ombudsman enquiry)."""
    if not reason.strip():
        raise LinkError("Enter why the cases are linked.")
    if other.id == case.id:
        raise LinkError("A case cannot be linked to itself.")
    first, second = _pair(case, other)
    exists = select(CaseLink.id).where(CaseLink.case_id == first, CaseLink.linked_case_id == second)
    if session.scalar(exists) is not None:
        raise LinkError(f"{case.reference} and {other.reference} are already linked.")
    row = CaseLink(case_id=first, linked_case_id=second, reason=reason.strip()[:2000], created_by=actor.id)
    session.add(row)
    session.flush()
    for this, that in ((case, other), (other, case)):
        cases.add_event(
            session,
            this,
            actor,
            "linked",
            f"Linked to {that.reference}. Reason: {reason.strip()}",
            link=row.id,
            other=that.reference,
        )
    return row


def link(
    session: Session, case: Case, other_reference: str, reason: str, actor: cases.Actor, user: StaffUser
) -> CaseLink:
    """Link a case to another the user may see, named by its reference."""
    wanted = other_reference.strip().upper()
    if not wanted:
        raise LinkError("Enter the reference of the case to link to.")
    other = session.scalar(select(Case).where(Case.reference == wanted))
    # A case the user may not see is reported as not found: its existence is not disclosed.
    if other is None or not can_see_case(user, other):
        raise LinkError(f"There is no case {wanted} that you can see.")
    return add_link(session, case, other, reason, actor)


def unlink(session: Session, case: Case, link_id: int, reason: str, actor: cases.Actor) -> None:
    """Remove a link of this case, with the reason on both chronologies."""
    row = session.get(CaseLink, link_id)
    if row is None or case.id not in (row.case_id, row.linked_case_id):
        raise LinkError("That link is not on this case.")
    if not reason.strip():
        raise LinkError("Enter why the link is removed.")
    other = row.linked_case if row.case_id == case.id else row.case
    session.delete(row)
    for this, that in ((case, other), (other, case)):
        cases.add_event(
            session,
            this,
            actor,
            "unlinked",
            f"Link to {that.reference} removed. Reason: {reason.strip()}",
            other=that.reference,
        )
