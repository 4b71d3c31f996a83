"""The family's tracking page shows the Ombudsman's enquiry about their complaint: dates and decision."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask
from sqlalchemy import select

from portal.domain.lifecycle import Role
from portal.extensions import db
from portal.models import Case
from portal.services import ombudsman
from portal.services.cases import Actor
from portal.services.rules import rules
from tests.integration.test_tracking import _open, _submitted
from tests.journey import page

OFFICER = Actor("staff", Role.OFFICER, name="Officer")
TODAY = date.today()


def test_the_family_sees_the_enquiry_our_reply_and_the_decision(app: Flask) -> None:
    reference, _ = _submitted(app)
    client = _open(app, reference)
    with app.app_context(), db.transaction() as session:
        case = session.scalar(select(Case).where(Case.reference == reference))
        assert case is not None
        lgo = ombudsman.record_enquiry(
            session,
            case,
            OFFICER,
            lgo_reference="26 004 321",
            received_on=TODAY,
            response_due_on=TODAY + timedelta(days=20),
            today=TODAY,
            rules=rules(),
        )
        lgo_reference = lgo.reference
    _, soup = page(client, "/track/case")
    section = soup.select_one("#ombudsman")
    assert section is not None and section.get_text() == "The Ombudsman is looking at your complaint"
    text = soup.get_text(" ", strip=True)
    assert "26 004 321" in text and "Due by" in text and "has not decided yet" in text
    assert lgo_reference not in text  # the enquiry's own case is the council's record, not the family's
    with app.app_context(), db.transaction() as session:
        lgo_case = session.scalar(select(Case).where(Case.reference == lgo_reference))
        assert lgo_case is not None
        enquiry = ombudsman.enquiry_of(session, lgo_case)
        assert enquiry is not None
        ombudsman.record_response(session, lgo_case, enquiry, OFFICER, TODAY, TODAY)
        ombudsman.record_decision(
            session,
            lgo_case,
            enquiry,
            OFFICER,
            decision="partially_upheld",
            decided_on=TODAY,
            public_report=True,
            report_received_on=TODAY,
            today=TODAY,
            rules=rules(),
        )
    _, soup = page(client, "/track/case")
    text = soup.get_text(" ", strip=True)
    assert "Sent on" in text and "upheld part of your complaint" in text and "We must tell them by" in text
    # Decided: the heading no longer says they are looking at it, nor that they will write.
    assert soup.select_one("#ombudsman").get_text() == "The Ombudsman"
    assert "will write to you about their decision" not in text
