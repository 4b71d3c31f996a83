"""Ombudsman enquiries: each service writes its event; the decision counts in the annual report; public
reports start the 3-month clock; recommendations hold the enquiry open until answered."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Case, CaseEvent, Commitment, Deadline, LgoEnquiry, StageRecord
from portal.services import commitments, links
from portal.services import ombudsman as svc
from portal.services import staff_actions as actions
from portal.services.rules import rules
from tests.integration import test_staff_actions as base

ctx, people, new_case = base.ctx, base.people, base.new_case
TODAY = base.TODAY


def _events(session: Session, case: Case) -> list[str]:
    stmt = select(CaseEvent.kind).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
    return list(session.scalars(stmt))


def _enquiry(ctx: Session) -> tuple[Case, Case, actions.cases.Actor]:
    staff = people(ctx)
    complaint = new_case(ctx)
    officer = actions.actor_for(staff["officer"])
    lgo = svc.record_enquiry(
        ctx,
        complaint,
        officer,
        lgo_reference=" 24 012  345 ",
        received_on=TODAY - timedelta(days=2),
        response_due_on=TODAY + timedelta(days=20),
        today=TODAY,
        rules=rules(),
    )
    ctx.commit()
    return complaint, lgo, officer


def test_recording_an_enquiry_opens_its_own_case_clock_stage_record_and_link(ctx: Session) -> None:
    complaint, lgo, _ = _enquiry(ctx)
    assert lgo.reference.startswith("LG-") and lgo.kind == "lgo" and lgo.procedure == "lgo"
    assert lgo.complainant_id == complaint.complainant_id and lgo.status == "in_progress"
    enquiry = ctx.scalars(select(LgoEnquiry)).one()
    assert (enquiry.lgo_reference, enquiry.case_id, enquiry.complaint_case_id) == (
        "24 012 345",
        lgo.id,
        complaint.id,
    )
    clock = ctx.scalars(select(Deadline).where(Deadline.case_id == lgo.id)).one()
    assert (clock.event, clock.due_on, clock.is_open) == ("lgo_response", TODAY + timedelta(days=20), True)
    record = ctx.scalars(select(StageRecord).where(StageRecord.case_id == lgo.id)).one()
    assert (record.kind, record.received_on, record.outcome) == ("lgo", TODAY - timedelta(days=2), None)
    assert [x.other.reference for x in links.linked(ctx, complaint)] == [lgo.reference]
    assert [x.other.reference for x in links.linked(ctx, lgo)] == [complaint.reference]
    assert "lgo_enquiry_received" in _events(ctx, lgo) and "lgo_enquiry_received" in _events(ctx, complaint)
    assert [e.case.reference for e in svc.about(ctx, complaint)] == [lgo.reference]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"lgo_reference": "  "}, "reference"),
        ({"received_on": None}, "received"),
        ({"received_on": TODAY + timedelta(days=1)}, "future"),
        ({"response_due_on": None}, "response by"),
        ({"response_due_on": TODAY - timedelta(days=30)}, "before the date"),
    ],
)
def test_an_enquiry_needs_its_reference_and_dates(
    ctx: Session, changes: dict[str, object], message: str
) -> None:
    staff = people(ctx)
    complaint = new_case(ctx)
    values: dict[str, object] = {
        "lgo_reference": "24 000 001",
        "received_on": TODAY - timedelta(days=1),
        "response_due_on": TODAY + timedelta(days=10),
    } | changes
    with pytest.raises(svc.OmbudsmanError, match=message):
        svc.record_enquiry(
            ctx, complaint, actions.actor_for(staff["officer"]), today=TODAY, rules=rules(), **values
        )  # type: ignore[arg-type]
    ctx.rollback()
    assert ctx.scalar(select(LgoEnquiry.id)) is None


def test_the_same_reference_twice_and_an_enquiry_on_an_enquiry_are_refused(ctx: Session) -> None:
    complaint, lgo, officer = _enquiry(ctx)
    dates = {
        "received_on": TODAY,
        "response_due_on": TODAY + timedelta(days=5),
        "today": TODAY,
        "rules": rules(),
    }
    with pytest.raises(svc.OmbudsmanError, match="already recorded"):
        svc.record_enquiry(ctx, complaint, officer, lgo_reference="24 012 345", **dates)  # type: ignore[arg-type]
    with pytest.raises(svc.OmbudsmanError, match="complaint they are about"):
        svc.record_enquiry(ctx, lgo, officer, lgo_reference="24 999 999", **dates)  # type: ignore[arg-type]


def test_response_then_decision_counts_in_the_annual_report(ctx: Session) -> None:
    complaint, lgo, officer = _enquiry(ctx)
    enquiry = svc.enquiry_of(ctx, lgo)
    assert enquiry is not None
    with pytest.raises(svc.OmbudsmanError, match="future"):
        svc.record_response(ctx, lgo, enquiry, officer, TODAY + timedelta(days=1), TODAY)
    svc.record_response(ctx, lgo, enquiry, officer, TODAY, TODAY)
    ctx.commit()
    clock = ctx.scalars(select(Deadline).where(Deadline.case_id == lgo.id)).one()
    assert (clock.is_open, clock.met_on, lgo.status) == (False, TODAY, "responded")
    with pytest.raises(svc.OmbudsmanError, match="already recorded"):
        svc.record_response(ctx, lgo, enquiry, officer, TODAY, TODAY)
    with pytest.raises(svc.OmbudsmanError, match="decision"):
        svc.record_decision(
            ctx,
            lgo,
            enquiry,
            officer,
            decision="maybe",
            decided_on=TODAY,
            public_report=False,
            report_received_on=None,
            today=TODAY,
            rules=rules(),
        )
    svc.record_decision(
        ctx,
        lgo,
        enquiry,
        officer,
        decision="partially_upheld",
        decided_on=TODAY,
        public_report=False,
        report_received_on=None,
        today=TODAY,
        rules=rules(),
    )
    ctx.commit()
    record = ctx.scalars(select(StageRecord).where(StageRecord.case_id == lgo.id)).one()
    assert (record.outcome, record.responded_on) == ("partially_upheld", TODAY)
    # The complaint's own outcome is untouched: the Ombudsman's decision is the enquiry's.
    assert ctx.scalar(select(StageRecord.outcome).where(StageRecord.case_id == complaint.id)) is None
    assert {"lgo_response_sent", "lgo_decision"} <= set(_events(ctx, lgo))
    assert {"lgo_response_sent", "lgo_decision"} <= set(_events(ctx, complaint))
    with pytest.raises(svc.OmbudsmanError, match="Only a public report"):
        svc.record_action_notified(ctx, lgo, enquiry, officer, TODAY, TODAY)


def test_a_public_report_starts_three_calendar_months_to_report_back(ctx: Session) -> None:
    _complaint, lgo, officer = _enquiry(ctx)
    enquiry = svc.enquiry_of(ctx, lgo)
    assert enquiry is not None
    received = date(TODAY.year - 1, 11, 30)  # 30 November + 3 months: end of February
    enquiry.received_on = received - timedelta(days=60)
    with pytest.raises(svc.OmbudsmanError, match="report was received"):
        svc.record_decision(
            ctx,
            lgo,
            enquiry,
            officer,
            decision="upheld",
            decided_on=received,
            public_report=True,
            report_received_on=None,
            today=TODAY,
            rules=rules(),
        )
    ctx.rollback()
    enquiry = svc.enquiry_of(ctx, lgo)
    assert enquiry is not None and enquiry.decision is None
    enquiry.received_on = received - timedelta(days=60)
    svc.record_decision(
        ctx,
        lgo,
        enquiry,
        officer,
        decision="upheld",
        decided_on=received,
        public_report=True,
        report_received_on=received,
        today=TODAY,
        rules=rules(),
    )
    ctx.commit()
    february_end = date(received.year + 1, 3, 1) - timedelta(days=1)
    assert enquiry.public_report and enquiry.report_action_due_on == february_end
    clock = ctx.scalars(
        select(Deadline).where(Deadline.case_id == lgo.id, Deadline.event == "lgo_report_action")
    ).one()
    assert (clock.due_on, clock.is_open, clock.unit) == (february_end, True, "calendar_months")
    response = ctx.scalars(
        select(Deadline).where(Deadline.case_id == lgo.id, Deadline.event == "lgo_response")
    ).one()
    assert not response.is_open  # decided without a response: nothing more to send
    assert lgo.status == "in_progress"  # the council must act on the report
    svc.record_action_notified(ctx, lgo, enquiry, officer, TODAY, TODAY)
    ctx.commit()
    assert (clock.is_open, clock.met_on, enquiry.action_notified_on, lgo.status) == (
        False,
        TODAY,
        TODAY,
        "responded",
    )
    assert "lgo_action_notified" in _events(ctx, lgo)


def test_recommendations_go_into_the_tracker_and_hold_the_enquiry_open(ctx: Session) -> None:
    complaint, lgo, officer = _enquiry(ctx)
    enquiry = svc.enquiry_of(ctx, lgo)
    assert enquiry is not None
    with pytest.raises(svc.OmbudsmanError, match="on the Ombudsman enquiry"):
        svc.add_recommendation(ctx, complaint, officer, text="x", owner_id=None, due_on=TODAY)
    with pytest.raises(svc.OmbudsmanError, match="Enter the action"):
        svc.add_recommendation(ctx, lgo, officer, text=" ", owner_id=None, due_on=TODAY)
    item = svc.add_recommendation(
        ctx,
        lgo,
        officer,
        text="Apologise and pay £300",
        owner_id=officer.id,
        due_on=TODAY + timedelta(days=30),
    )
    svc.record_decision(
        ctx,
        lgo,
        enquiry,
        officer,
        decision="upheld",
        decided_on=TODAY,
        public_report=False,
        report_received_on=None,
        today=TODAY,
        rules=rules(),
    )
    ctx.commit()
    assert ctx.get(Commitment, item.id).source == "ombudsman"  # type: ignore[union-attr]
    with pytest.raises(actions.ActionRefused, match="cannot be closed"):
        actions.close(ctx, lgo, officer, "", TODAY, rules())
    commitments.update(ctx, item, officer, status="complete", evidence="Paid 1 May", reason="", on=TODAY)
    actions.close(ctx, lgo, officer, "Ombudsman satisfied", TODAY, rules())
    ctx.commit()
    assert lgo.status == "closed"
    with pytest.raises(svc.OmbudsmanError, match="closed"):
        svc.record_action_notified(ctx, lgo, enquiry, officer, TODAY, TODAY)
