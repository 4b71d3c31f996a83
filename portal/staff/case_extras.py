"""What the case page shows besides the procedure: Ombudsman enquiries, links, theme, compliment, subject."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Label, Select, exists, or_
from sqlalchemy.orm import Session

from portal.models import (
    Case,
    CaseLink,
    Commitment,
    ComplainedAbout,
    Document,
    LgoEnquiry,
    OutboxMessage,
    Remedy,
    ResponsePoint,
    StaffUser,
)  # fmt: skip
from portal.services import case_details, compliments, links, ombudsman, queues
from portal.services.staff_cases import can_see_case


def _present_columns(case_id: ColumnElement[int]) -> list[Label[Any]]:
    probes = {
        "letters": exists().where(Document.case_id == case_id),
        "emails": exists().where(OutboxMessage.case_id == case_id),
        "points": exists().where(ResponsePoint.case_id == case_id),
        "commitments": exists().where(Commitment.case_id == case_id),
        "remedies": exists().where(Remedy.case_id == case_id),
        "links": exists().where(or_(CaseLink.case_id == case_id, CaseLink.linked_case_id == case_id)),
        "lgo_about": exists().where(LgoEnquiry.complaint_case_id == case_id),
        "complained_about": exists().where(ComplainedAbout.case_id == case_id),
    }
    theme = case_details.latest_theme(case_id).scalar_subquery().label("theme")
    return [theme, *(probe.label(name) for name, probe in probes.items())]


@cache
def _case_and_present() -> Select[Any]:
    """The case page's case, loaded as queues.case_by_reference loads it, with what it has."""
    return queues.case_page_statement().add_columns(*_present_columns(Case.id.expression))


@dataclass(frozen=True)
class Present:
    names: frozenset[str]
    theme: str | None

    def __contains__(self, name: object) -> bool:
        return name in self.names


def case_and_present(session: Session, reference: str) -> tuple[Case | None, Present]:
    """The case for its page, and which of the records the page lists it has (and its theme), in
    the same round trip: most cases have few of them, and the page then asks only for those (a
    query each cost a tenth of the page, issue #10)."""
    found = session.execute(_case_and_present(), {"reference": reference.strip().upper()}).unique().first()
    if found is None:
        return None, Present(frozenset(), None)
    queues.load_chronology(session, found[0])
    row = found._mapping
    names = frozenset(name for name, there in row.items() if name not in ("Case", "theme") and there)
    return found[0], Present(names, row["theme"])


def extras(session: Session, case: Case, viewer: StaffUser, has: Present) -> dict[str, Any]:
    """Template values for templates/staff/cases/_extras.html and the Ombudsman section."""
    enquiry = ombudsman.enquiry_of(session, case) if case.kind == "lgo" else None
    linked = links.linked(session, case) if "links" in has else []
    about = "lgo_about" in has and case.kind == "complaint"
    return {
        "lgo_enquiry": enquiry,
        "lgo_complaint": ombudsman.complaint_of(session, enquiry) if enquiry else None,
        "lgo_about": ombudsman.about(session, case) if about else [],
        "lgo_decisions": ombudsman.DECISIONS,
        "linked": linked,
        # A link to a case the viewer may not open shows neither its reference nor the reason.
        "linked_visible": {item.id for item in linked if can_see_case(viewer, item.other)},
        "theme": has.theme if case.kind in ("complaint", "lgo") else None,
        "complained_about": case_details.complained_about(session, case)
        if case.kind == "complaint" and "complained_about" in has
        else None,
        "compliment": compliments.detail_of(session, case) if case.kind == "compliment" else None,
        "hidden_actions": ombudsman.NOT_FOR_ENQUIRIES if case.kind == "lgo" else frozenset(),
    }
