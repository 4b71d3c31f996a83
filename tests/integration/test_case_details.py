"""Compliments, linked cases, themes and the person complained about: each service with its event."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.lifecycle import Action
from portal.domain.routing import ComplainantCategory, ServiceArea
from portal.models import Case, CaseEvent, CaseLink, OutboxMessage, StageRecord
from portal.services import case_details, commitments, compliments, links
from portal.services import staff_actions as actions
from portal.services.cases import SYSTEM, NewCase, record_case, transition
from portal.services.rules import rules
from tests.integration import test_staff_actions as base

ctx, people, new_case = base.ctx, base.people, base.new_case
TODAY = base.TODAY


def _events(session: Session, case: Case) -> list[str]:
    stmt = select(CaseEvent.kind).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
    return list(session.scalars(stmt))


def _compliment(session: Session, area: ServiceArea = ServiceArea.FOSTERING) -> Case:
    case = record_case(
        session,
        NewCase(
            kind="compliment",
            category=ComplainantCategory.PARENT,
            service_area=area,
            summary="Thank you to Ann for her patience.",
            received_on=TODAY,
            person_name="Kim Parent",
        ),
        SYSTEM,
        rules(),
    )
    session.commit()
    return case


def test_compliments_are_recorded_against_worker_team_and_service_and_listed(ctx: Session) -> None:
    staff = people(ctx)
    officer = actions.actor_for(staff["officer"])
    first, second = _compliment(ctx), _compliment(ctx, ServiceArea.CHILDREN_IN_CARE)
    with pytest.raises(compliments.ComplimentError, match="worker or the team"):
        compliments.record(
            ctx, first, officer, worker_name=" ", worker_email="", team="", service_area="fostering"
        )
    with pytest.raises(compliments.ComplimentError, match="email address like"):
        compliments.record(
            ctx,
            first,
            officer,
            worker_name="Ann",
            worker_email="ann at council",
            team="",
            service_area="fostering",
        )
    with pytest.raises(compliments.ComplimentError, match="not a compliment"):
        compliments.record(
            ctx, new_case(ctx), officer, worker_name="Ann", worker_email="", team="", service_area="fostering"
        )
    compliments.record(
        ctx,
        first,
        officer,
        worker_name="Ann Worker",
        worker_email="ann@example.gov.uk",
        team="Fostering North",
        service_area="fostering",
    )
    compliments.record(
        ctx,
        second,
        officer,
        worker_name="",
        worker_email="",
        team="Leaving Care",
        service_area="children_in_care",
    )
    ctx.commit()
    assert "compliment_recorded" in _events(ctx, first)
    user = staff["officer"]

    def refs(**wanted: str) -> list[str]:
        rows = compliments.listing(ctx, user, compliments.ComplimentFilter(**wanted))
        return [r.case.reference for r in rows]

    assert set(refs()) == {first.reference, second.reference}
    assert refs(service_area="fostering") == [first.reference]
    assert refs(team="leaving") == [second.reference]
    assert refs(worker="ann") == [first.reference]
    assert refs(worker="nobody") == []
    # A responding manager sees only compliments assigned to them.
    assert compliments.listing(ctx, staff["responding_manager"], compliments.ComplimentFilter()) == []


def test_thanks_are_passed_on_with_an_email_to_the_worker(ctx: Session) -> None:
    staff = people(ctx)
    officer = actions.actor_for(staff["officer"])
    case = _compliment(ctx)
    with pytest.raises(compliments.ComplimentError, match="first"):
        compliments.pass_on_thanks(ctx, case, officer, passed_to="Ann", email_worker=False, on=TODAY)
    compliments.record(
        ctx,
        case,
        officer,
        worker_name="Ann Worker",
        worker_email="",
        team="Fostering North",
        service_area="fostering",
    )
    with pytest.raises(compliments.ComplimentError, match="no email address"):
        compliments.pass_on_thanks(ctx, case, officer, passed_to="Ann", email_worker=True, on=TODAY)
    with pytest.raises(compliments.ComplimentError, match="who the thanks"):
        compliments.pass_on_thanks(ctx, case, officer, passed_to=" ", email_worker=False, on=TODAY)
    compliments.record(
        ctx,
        case,
        officer,
        worker_name="Ann Worker",
        worker_email="ann@example.gov.uk",
        team="Fostering North",
        service_area="fostering",
    )
    compliments.pass_on_thanks(
        ctx, case, officer, passed_to="Ann and her team manager", email_worker=True, on=TODAY
    )
    ctx.commit()
    detail = compliments.detail_of(ctx, case)
    assert detail is not None and (detail.thanks_passed_to, detail.thanks_passed_on) == (
        "Ann and her team manager",
        TODAY,
    )
    message = ctx.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case.id)).one()
    assert (message.recipient, message.template, message.recipient_kind) == (
        "ann@example.gov.uk",
        "staff_compliment_thanks",
        "staff",
    )
    assert {"thanks_passed_on", "email_queued"} <= set(_events(ctx, case))


def test_cases_link_both_ways_with_a_reason_and_unlink(ctx: Session) -> None:
    staff = people(ctx)
    officer = actions.actor_for(staff["officer"])
    a, b = new_case(ctx), new_case(ctx)
    user = staff["officer"]
    with pytest.raises(links.LinkError, match="why"):
        links.link(ctx, a, b.reference, " ", officer, user)
    with pytest.raises(links.LinkError, match="itself"):
        links.link(ctx, a, a.reference, "Same", officer, user)
    with pytest.raises(links.LinkError, match="no case"):
        links.link(ctx, a, "CC-1999-000001", "Sibling", officer, user)
    # A responding manager cannot link to (or learn of) a case they cannot see.
    responder = staff["responding_manager"]
    with pytest.raises(links.LinkError, match="no case"):
        links.link(ctx, a, b.reference, "Sibling", actions.actor_for(responder), responder)
    links.link(ctx, b, a.reference.lower(), "Same family, same social worker", officer, user)
    ctx.commit()
    assert [x.other.reference for x in links.linked(ctx, a)] == [b.reference]
    assert [x.reason for x in links.linked(ctx, b)] == ["Same family, same social worker"]
    with pytest.raises(links.LinkError, match="already linked"):
        links.link(ctx, a, b.reference, "Again", officer, user)
    link_id = links.linked(ctx, a)[0].id
    with pytest.raises(links.LinkError, match="why the link"):
        links.unlink(ctx, a, link_id, "", officer)
    links.unlink(ctx, a, link_id, "Linked by mistake", officer)
    ctx.commit()
    assert ctx.scalar(select(CaseLink.id)) is None and links.linked(ctx, b) == []
    assert (
        _events(ctx, a).count("linked") == 1
        and "unlinked" in _events(ctx, a)
        and "unlinked" in _events(ctx, b)
    )


def test_the_theme_goes_on_every_stage_record_and_later_stages_inherit_it(ctx: Session) -> None:
    staff = people(ctx)
    officer = actions.actor_for(staff["officer"])
    manager = actions.actor_for(staff["manager"])
    case = new_case(ctx)
    with pytest.raises(case_details.DetailError, match="Choose one"):
        case_details.set_theme(ctx, case, officer, "Parking", case_details.DEFAULT_THEMES)
    case_details.set_theme(ctx, case, officer, "Communication", case_details.DEFAULT_THEMES)
    ctx.commit()
    assert case_details.theme_of(ctx, case) == "Communication"
    with pytest.raises(case_details.DetailError, match="already"):
        case_details.set_theme(ctx, case, officer, "Communication", case_details.DEFAULT_THEMES)
    # Through stage 1 to an accepted escalation: stage 2's record takes the case's theme.
    on = TODAY
    for action, actor in (
        (Action.ACKNOWLEDGE, officer),
        (Action.RESPOND, officer),
        (Action.REQUEST_ESCALATION, officer),
        (Action.ACCEPT_ESCALATION, manager),
    ):
        transition(ctx, case, action, actor, on, rules())
    ctx.commit()
    rows = ctx.execute(select(StageRecord.stage, StageRecord.theme).where(StageRecord.case_id == case.id))
    themes = {stage: theme for stage, theme in rows}
    assert themes == {1: "Communication", 2: "Communication"}
    case_details.set_theme(ctx, case, officer, "Plans", case_details.DEFAULT_THEMES)
    ctx.commit()
    assert set(ctx.scalars(select(StageRecord.theme).where(StageRecord.case_id == case.id))) == {"Plans"}
    assert _events(ctx, case).count("theme_set") == 2
    other = new_case(ctx)
    found = set(ctx.scalars(select(Case.reference).where(case_details.theme_clause("Plans"))))
    assert found == {case.reference} and other.reference not in found


def test_assign_warns_when_the_assignee_is_the_person_complained_about(ctx: Session) -> None:
    staff = people(ctx)
    officer = actions.actor_for(staff["officer"])
    case = new_case(ctx, summary="The social worker never called back.")
    responder = staff["responding_manager"]
    with pytest.raises(case_details.DetailError, match="Enter the name"):
        case_details.set_complained_about(ctx, case, officer, "  ", None)
    case_details.set_complained_about(ctx, case, officer, "Somebody Else", responder.id)
    ctx.commit()
    assert "complained_about_set" in _events(ctx, case)
    warning = actions.assign(ctx, case, officer, responder.id, TODAY)
    assert warning and "person this complaint is about" in warning and case.assigned_to_id is None
    assert actions.assign(ctx, case, officer, staff["manager"].id, TODAY) is None  # someone else: no warning
    # Named without an account: the name still matches the assignee's.
    case_details.set_complained_about(ctx, case, officer, responder.name.upper(), None)
    assert actions.assign(ctx, case, officer, responder.id, TODAY)
    assert actions.assign(ctx, case, officer, responder.id, TODAY + timedelta(days=1), confirmed=True) is None
    ctx.commit()
    summary = ctx.scalars(
        select(CaseEvent.summary).where(CaseEvent.kind == "assigned").order_by(CaseEvent.id)
    )
    assert "despite the warning" in list(summary)[-1]


def test_commitments_typed_in_the_response_land_in_the_tracker_and_block_closing(ctx: Session) -> None:
    staff = people(ctx)
    officer = actions.actor_for(staff["officer"])
    case = new_case(ctx)
    actions.acknowledge(ctx, case, officer, TODAY, rules())
    ctx.commit()
    due = TODAY + timedelta(days=14)
    points = [("Not told about the change", "upheld")]
    no_owner = [actions.Promise("Meet the family", None, due)]
    with pytest.raises(actions.ActionRefused, match="commitment 1 an owner and a due date"):
        actions.respond(ctx, case, officer, points, "Dear Jo", TODAY, rules(), no_owner)
    ctx.rollback()
    assert ctx.get(Case, case.id).status == "in_progress"  # type: ignore[union-attr]
    promises = [
        actions.Promise("  ", None, None),  # blank slots are ignored
        actions.Promise("Meet the family", staff["manager"].id, due),
        actions.Promise("Review the plan", staff["officer"].id, due + timedelta(days=7)),
    ]
    actions.respond(ctx, case, officer, points, "Dear Jo", TODAY, rules(), promises)
    ctx.commit()
    items = commitments.of_case(ctx, case)
    assert [(i.text, i.source, i.owner_id, i.due_on, i.status) for i in items] == [
        ("Meet the family", "response", staff["manager"].id, due, "not_started"),
        ("Review the plan", "response", staff["officer"].id, due + timedelta(days=7), "not_started"),
    ]
    assert _events(ctx, case).count("commitment_added") == 2
    with pytest.raises(actions.ActionRefused, match="cannot be closed: 2 action"):
        actions.close(ctx, case, officer, "", TODAY, rules())
