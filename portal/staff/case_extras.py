"""What the case page shows besides the procedure: Ombudsman enquiries, links, theme, compliment, subject."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from portal.models import Case
from portal.services import case_details, compliments, links, ombudsman


def extras(session: Session, case: Case) -> dict[str, Any]:
    """Template values for templates/staff/cases/_extras.html and the Ombudsman section."""
    enquiry = ombudsman.enquiry_of(session, case) if case.kind == "lgo" else None
    return {
        "lgo_enquiry": enquiry,
        "lgo_complaint": ombudsman.complaint_of(session, enquiry) if enquiry else None,
        "lgo_about": ombudsman.about(session, case) if case.kind == "complaint" else [],
        "lgo_decisions": ombudsman.DECISIONS,
        "linked": links.linked(session, case),
        "theme": case_details.theme_of(session, case) if case.kind in ("complaint", "lgo") else None,
        "complained_about": case_details.complained_about(session, case)
        if case.kind == "complaint"
        else None,
        "compliment": compliments.detail_of(session, case) if case.kind == "compliment" else None,
        "hidden_actions": ombudsman.NOT_FOR_ENQUIRIES if case.kind == "lgo" else frozenset(),
    }
