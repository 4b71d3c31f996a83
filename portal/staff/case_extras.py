"""What the case page shows besides the procedure: Ombudsman enquiries, links, theme, compliment, subject."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from portal.models import Case, StaffUser
from portal.services import case_details, compliments, links, ombudsman
from portal.services.staff_cases import can_see_case


def extras(session: Session, case: Case, viewer: StaffUser) -> dict[str, Any]:
    """Template values for templates/staff/cases/_extras.html and the Ombudsman section."""
    enquiry = ombudsman.enquiry_of(session, case) if case.kind == "lgo" else None
    linked = links.linked(session, case)
    return {
        "lgo_enquiry": enquiry,
        "lgo_complaint": ombudsman.complaint_of(session, enquiry) if enquiry else None,
        "lgo_about": ombudsman.about(session, case) if case.kind == "complaint" else [],
        "lgo_decisions": ombudsman.DECISIONS,
        "linked": linked,
        # A link to a case the viewer may not open shows neither its reference nor the reason.
        "linked_visible": {item.id for item in linked if can_see_case(viewer, item.other)},
        "theme": case_details.theme_of(session, case) if case.kind in ("complaint", "lgo") else None,
        "complained_about": case_details.complained_about(session, case)
        if case.kind == "complaint"
        else None,
        "compliment": compliments.detail_of(session, case) if case.kind == "compliment" else None,
        "hidden_actions": ombudsman.NOT_FOR_ENQUIRIES if case.kind == "lgo" else frozenset(),
    }
