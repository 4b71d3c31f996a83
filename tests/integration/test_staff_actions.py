"""Each back office action's service writes its chronology event; closing waits for every commitment."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.lifecycle import Action
from portal.domain.routing import ComplainantCategory, ServiceArea
from portal.extensions import db
from portal.models import Case, CaseEvent, OutboxMessage, ResponsePoint, StaffUser, StageRecord
from portal.services import commitments, documents
from portal.services import staff_actions as svc
from portal.services.cases import SYSTEM, NewCase, record_case, transition
from portal.services.rules import rules
from portal.services.staff import create_staff

TODAY = date.today()


@pytest.fixture
def ctx(app: Flask) -> Iterator[Session]:
    with app.app_context():
        yield db.session


def people(session: Session) -> dict[str, StaffUser]:
    found = {}
    for role in ("officer", "manager", "responding_manager", "reporting"):
        found[role] = create_staff(session, f"{role}@example.gov.uk", f"Pat {role.title()}", role, "x" * 16)
    session.commit()
    return found


def new_case(session: Session, category: ComplainantCategory = ComplainantCategory.PARENT,
             summary: str = "Nobody called back.", arose: int = 30) -> Case:  # fmt: skip
    case = record_case(session, NewCase(
        kind="complaint", category=category, service_area=ServiceArea.CHILDREN_IN_CARE, summary=summary,
        received_on=TODAY - timedelta(days=3), person_name="Jo Parent", person_email="jo@example.com",
        arose_on=TODAY - timedelta(days=arose),
    ), SYSTEM, rules())  # fmt: skip
    session.commit()
    return case


def kinds(case: Case) -> list[str]:
    session = db.session
    return list(
        session.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id))
    )


def test_reporting_and_admin_cannot_act(ctx: Session) -> None:
    staff = people(ctx)
    with pytest.raises(svc.ActionRefused):
        svc.actor_for(staff["reporting"])


def test_acknowledge_pause_resume_extend(ctx: Session) -> None:
    staff = people(ctx)
    case = new_case(ctx)
    officer = svc.actor_for(staff["officer"])
    svc.acknowledge(ctx, case, officer, TODAY, rules())
    ctx.commit()
    assert case.status == "in_progress" and kinds(case)[-1] == "acknowledge"
    with pytest.raises(svc.ActionRefused, match="reason"):
        svc.pause(ctx, case, officer, " ", TODAY, rules())
    svc.pause(ctx, case, officer, "Court proceedings (reg 8)", TODAY, rules())
    ctx.commit()
    assert case.status == "paused" and "Court proceedings" in ctx.scalars(
        select(CaseEvent.summary).where(CaseEvent.kind == "pause")).one()  # fmt: skip
    svc.resume(ctx, case, officer, "Proceedings ended", TODAY + timedelta(days=7), rules())
    ctx.commit()
    assert case.status == "in_progress" and "resume" in kinds(case)
    target = svc.extendable(case, rules())
    assert target is not None and target.maximum == 20
    with pytest.raises(svc.ActionRefused, match="at most 20"):
        svc.extend(ctx, case, officer, 25, "Complex", TODAY, rules())
    ctx.rollback()
    svc.extend(ctx, case, officer, 20, "Records held by another team", TODAY, rules())
    ctx.commit()
    assert "extended" in kinds(case)
    assert ctx.scalar(select(OutboxMessage.template).where(OutboxMessage.template == "extension_notice"))


def test_assign_warns_when_the_complaint_names_the_assignee(ctx: Session) -> None:
    staff = people(ctx)
    case = new_case(ctx, summary="Pat Responding_Manager was rude to me at the meeting.")
    officer = svc.actor_for(staff["officer"])
    warning = svc.assign(ctx, case, officer, staff["responding_manager"].id, TODAY)
    assert warning and "mentions Pat Responding_Manager" in warning and case.assigned_to_id is None
    assert svc.assign(ctx, case, officer, staff["responding_manager"].id, TODAY, confirmed=True) is None
    ctx.commit()
    assert case.assigned_to_id == staff["responding_manager"].id
    entry = ctx.scalars(select(CaseEvent).where(CaseEvent.kind == "assigned")).one()
    assert "despite the warning" in entry.summary and entry.actor_id == staff["officer"].id
    assert svc.assign(ctx, case, officer, staff["manager"].id, TODAY) is None  # no warning for others


def test_sufficient_interest_decision(ctx: Session) -> None:
    staff = people(ctx)
    case = new_case(ctx, category=ComplainantCategory.OTHER)
    assert case.status == "awaiting_decision"
    with pytest.raises(svc.ActionRefused, match="complaints manager"):
        svc.decide(
            ctx, case, svc.actor_for(staff["officer"]), False, "Not close to the child", TODAY, rules()
        )
    svc.decide(ctx, case, svc.actor_for(staff["manager"]), False, "Not close to the child", TODAY, rules())
    ctx.commit()
    assert case.status == "closed"
    entry = ctx.scalars(select(CaseEvent).where(CaseEvent.kind == "decide_refuse")).one()
    assert "sufficient interest" in entry.summary and "Not close to the child" in entry.summary


def test_correct_procedure_restarts_the_clocks(ctx: Session) -> None:
    staff = people(ctx)
    case = new_case(ctx)
    assert case.procedure == "statutory"
    before = {d.event: d.effective_due_on for d in case.deadlines if d.is_open}
    with pytest.raises(svc.ActionRefused, match="reason"):
        svc.correct_procedure(ctx, case, svc.actor_for(staff["officer"]), "corporate", "", TODAY, rules())
    why = "It is about SEND transport"
    svc.correct_procedure(ctx, case, svc.actor_for(staff["officer"]), "corporate", why, TODAY, rules())
    ctx.commit()
    after = {d.event: d.effective_due_on for d in case.deadlines if d.is_open}
    assert case.procedure == "corporate" and "acknowledgement" in after
    assert after["acknowledgement"] != before["acknowledgement"]  # 5 working days, not 2
    entry = ctx.scalars(select(CaseEvent).where(CaseEvent.kind == "procedure_corrected")).one()
    assert "statutory to corporate" in entry.summary and entry.data["before"] and entry.data["after"]


def _responded(ctx: Session, staff: dict[str, StaffUser]) -> Case:
    case = new_case(ctx)
    officer = svc.actor_for(staff["officer"])
    svc.acknowledge(ctx, case, officer, TODAY, rules())
    points = [("Social worker changed", "upheld"), ("Not told", "not_upheld"), ("", "")]
    outcome = svc.respond(ctx, case, officer, points, "Dear Jo, we have looked into it.", TODAY, rules())
    ctx.commit()
    assert outcome == "partially_upheld"
    return case


def test_respond_records_points_letter_and_outcome(ctx: Session) -> None:
    staff = people(ctx)
    case = _responded(ctx, staff)
    assert case.status == "responded"
    assert [p.outcome for p in ctx.scalars(select(ResponsePoint).order_by(ResponsePoint.position))] == [
        "upheld", "not_upheld"]  # fmt: skip
    assert documents.latest(ctx, case, "stage1_response")
    assert ctx.scalar(select(StageRecord.outcome).where(StageRecord.case_id == case.id)) == "partially_upheld"
    assert {"letter_produced", "respond"} <= set(kinds(case)) or "respond" in kinds(case)


def test_a_response_missing_a_needed_format_is_not_sent(
    ctx: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    staff = people(ctx)
    case = new_case(ctx)
    officer = svc.actor_for(staff["officer"])
    svc.acknowledge(ctx, case, officer, TODAY, rules())
    ctx.commit()
    monkeypatch.setattr(documents, "missing_formats", lambda _case, _letter: ["braille"])
    with pytest.raises(svc.ActionRefused, match="braille"):
        svc.respond(ctx, case, officer, [("Point", "upheld")], "Dear Jo", TODAY, rules())
    ctx.rollback()
    assert ctx.get(Case, case.id).status == "in_progress"
    assert not ctx.scalars(select(ResponsePoint)).all()


def test_escalation_late_request_accepted_and_refusal_needs_manager(ctx: Session) -> None:
    staff = people(ctx)
    case = _responded(ctx, staff)
    officer = svc.actor_for(staff["officer"])
    late = svc.record_escalation_request(
        ctx, case, officer, TODAY + timedelta(days=60), "Phoned to ask", rules()
    )
    ctx.commit()
    assert late and case.status == "escalation_requested"
    assert "after the time to ask had ended" in ctx.scalars(
        select(CaseEvent.summary).where(CaseEvent.kind == "request_escalation")).one()  # fmt: skip
    with pytest.raises(svc.ActionRefused):
        svc.decide_escalation(ctx, case, officer, False, "Out of time", TODAY, rules())
    with pytest.raises(svc.ActionRefused, match="reasons"):
        svc.decide_escalation(ctx, case, svc.actor_for(staff["manager"]), False, " ", TODAY, rules())
    svc.decide_escalation(ctx, case, officer, True, "", TODAY, rules())
    ctx.commit()
    assert case.stage == 2 and case.status == "in_progress" and "accept_escalation" in kinds(case)


def test_closing_is_blocked_by_open_commitments(ctx: Session) -> None:
    staff = people(ctx)
    case = _responded(ctx, staff)
    officer = svc.actor_for(staff["officer"])
    item = commitments.add(ctx, case, officer, source="response", text="Apologise in person",
                           owner_id=staff["officer"].id, due_on=TODAY + timedelta(days=5))  # fmt: skip
    ctx.commit()
    with pytest.raises(svc.ActionRefused, match="cannot be closed"):
        svc.close(ctx, case, officer, "", TODAY, rules())
    with pytest.raises(commitments.CommitmentError, match="evidence"):
        commitments.update(ctx, item, officer, status="complete", evidence="", reason="", on=TODAY)
    commitments.update(ctx, item, officer, status="complete", evidence="Met on 3 May", reason="", on=TODAY)
    svc.close(ctx, case, officer, "All done", TODAY, rules())
    ctx.commit()
    assert case.status == "closed"
    assert {"commitment_added", "commitment_updated", "close"} <= set(kinds(case))
    svc.reopen(ctx, case, svc.actor_for(staff["manager"]), "New information", TODAY, rules())
    svc.withdraw(ctx, case, officer, "Phoned: resolved informally", TODAY, rules())
    ctx.commit()
    assert case.status == "withdrawn" and {"reopen", "withdraw"} <= set(kinds(case))


def test_not_accepted_needs_a_reason_and_overdue_items_are_found(ctx: Session) -> None:
    staff = people(ctx)
    case = _responded(ctx, staff)
    officer = svc.actor_for(staff["officer"])
    item = commitments.add(ctx, case, officer, source="ombudsman", text="Review the policy",
                           owner_id=None, due_on=TODAY - timedelta(days=1))  # fmt: skip
    ctx.commit()
    assert [c.id for c in commitments.overdue(ctx, TODAY)] == [item.id]
    with pytest.raises(commitments.CommitmentError, match="not accepted"):
        commitments.update(ctx, item, officer, status="not_accepted", evidence="", reason="", on=TODAY)
    why = "Policy already changed"
    commitments.update(ctx, item, officer, status="not_accepted", evidence="", reason=why, on=TODAY)
    ctx.commit()
    assert not commitments.overdue(ctx, TODAY) and not commitments.unanswered(ctx, case)


def test_remedies_record_amount_due_date_and_proof(ctx: Session) -> None:
    staff = people(ctx)
    case = _responded(ctx, staff)
    officer = svc.actor_for(staff["officer"])
    with pytest.raises(commitments.CommitmentError, match="amount"):
        commitments.add_remedy(ctx, case, officer, kind="payment", description="Time and trouble",
                               amount_pence=None, due_on=TODAY)  # fmt: skip
    remedy = commitments.add_remedy(ctx, case, officer, kind="payment", description="Time and trouble",
                                    amount_pence=25000, due_on=TODAY + timedelta(days=20))  # fmt: skip
    commitments.remedy_done(ctx, case, remedy, officer, "BACS ref 1234", TODAY)
    ctx.commit()
    entries = ctx.scalars(
        select(CaseEvent.summary).where(CaseEvent.kind.in_(("remedy_added", "remedy_done")))
    )
    assert ["£250.00" in s or "BACS" in s for s in entries] == [True, True]


def test_record_a_phone_complaint(ctx: Session) -> None:
    staff = people(ctx)
    new = NewCase(kind="complaint", category=ComplainantCategory.PARENT, service_area=ServiceArea.SEND,
                  summary="Rang about transport", received_on=TODAY - timedelta(days=1), person_name="Caller",
                  channel="phone")  # fmt: skip
    case = svc.record_received(ctx, new, svc.actor_for(staff["officer"]), rules())
    ctx.commit()
    assert case.channel == "phone" and kinds(case) == ["received"]
    with pytest.raises(svc.ActionRefused):
        pigeon = NewCase(**{**new.__dict__, "channel": "pigeon"})
        svc.record_received(ctx, pigeon, svc.actor_for(staff["officer"]), rules())


def test_transition_refusal_is_reported_in_words(ctx: Session) -> None:
    staff = people(ctx)
    case = new_case(ctx)
    transition(ctx, case, Action.ACKNOWLEDGE, svc.actor_for(staff["officer"]), TODAY, rules())
    with pytest.raises(svc.ActionRefused, match="Nobody can acknowledge"):
        svc.acknowledge(ctx, case, svc.actor_for(staff["officer"]), TODAY, rules())


def test_overdue_commitments_are_reminded_once_a_week(ctx: Session) -> None:
    from portal.notify.reminders import commitment_reminders

    staff = people(ctx)
    case = _responded(ctx, staff)
    commitments.add(ctx, case, svc.actor_for(staff["officer"]), source="panel", text="Train the team",
                    owner_id=staff["officer"].id, due_on=TODAY - timedelta(days=2))  # fmt: skip
    ctx.commit()
    assert commitment_reminders(ctx, TODAY) == 1
    assert commitment_reminders(ctx, TODAY) == 0  # deduplicated
    ctx.commit()
    sent = ctx.scalars(
        select(OutboxMessage).where(OutboxMessage.template == "staff_commitment_overdue")
    ).one()
    assert sent.recipient == "officer@example.gov.uk"
