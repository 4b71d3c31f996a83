"""What the case page shows besides the procedure: Ombudsman enquiries, links, theme, compliment, subject."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import BindParameter, Select, bindparam, exists, or_, select
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
from portal.services import case_details, compliments, links, ombudsman
from portal.services.staff_cases import can_see_case


@cache
def _present() -> Select[Any]:
    case_id: BindParameter[int] = bindparam("case_id")
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
    theme = case_details.latest_theme(case_id).scalar_subquery().label("theme")  # same round trip
    return select(theme, *(probe.label(name) for name, probe in probes.items()))


@dataclass(frozen=True)
class Present:
    names: frozenset[str]
    theme: str | None

    def __contains__(self, name: object) -> bool:
        return name in self.names


def present(session: Session, case: Case) -> Present:
    """Which of the records a case page lists the case has, and its theme, in one query: most cases
    have few of them, and the page then asks only for those (a query each cost a tenth of the
    page, issue #10)."""
    row = session.execute(_present(), {"case_id": case.id}).one()._mapping
    return Present(frozenset(name for name, there in row.items() if name != "theme" and there), row["theme"])


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
