"""Deadlines stored on cases: computed once with their basis, extended, paused, explained, recomputed."""

from __future__ import annotations

import json
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from portal import create_app
from portal.config import TestConfig
from portal.domain.lifecycle import Action, Role, TransitionRefused
from portal.domain.routing import ComplainantCategory as Cat
from portal.domain.routing import ServiceArea as Area
from portal.extensions import db
from portal.models import Case, CaseEvent, Deadline
from portal.services import deadlines
from portal.services.cases import SYSTEM, Actor, NewCase, extend_deadline, record_case, transition
from portal.services.rules import rules

OFFICER = Actor("staff", Role.OFFICER, id=None, name="Officer")
MANAGER = Actor("staff", Role.MANAGER, id=None, name="Manager")
COMPLAINANT = Actor("complainant", Role.COMPLAINANT)
XMAS = date(2026, 12, 22)


def _new(area: Area = Area.CHILDREN_IN_CARE, received: date = XMAS, **kw: object) -> NewCase:
    values: dict[str, object] = dict(
        kind="complaint",
        category=Cat.PARENT,
        service_area=area,
        summary="Late visits",
        received_on=received,
        person_name="Jo Parent",
        person_email="jo@example.com",
        arose_on=date(2026, 11, 1),
    )
    values.update(kw)
    return NewCase(**values)  # type: ignore[arg-type]


def _record(new: NewCase) -> Case:
    with db.transaction() as session:
        case = record_case(session, new, SYSTEM, rules())
    return case


def _deadline(case: Case, event: str) -> deadlines.Deadline:
    found = deadlines.open_deadline(case, event) or next(d for d in case.deadlines if d.event == event)
    return found


def test_statutory_stage1_deadline_is_stored_with_its_basis(app: Flask) -> None:
    with app.app_context():
        case = _record(_new())
        assert case.procedure == "statutory" and case.reference == "CC-2026-000001"
        stage1 = _deadline(case, "stage1_response")
        assert stage1.due_on == date(2027, 1, 8) and stage1.limit_days == 10
        skipped = dict(stage1.basis["skipped"])
        assert skipped["2026-12-25"] == "Christmas Day"
        assert "2026-12-28" in skipped and "2027-01-01" in skipped
        text = deadlines.explanation(stage1, rules(), case.procedure)
        assert text is not None
        staff = text.for_staff()
        assert staff.startswith("Received Tuesday 22 December 2026; 10 working days")
        assert "Friday 25 December 2026 (Christmas Day)" in staff and "due Friday 8 January 2027" in staff


def test_corporate_stage1_runs_from_acknowledgement(app: Flask) -> None:
    with app.app_context():
        case = _record(_new(area=Area.SEND))
        assert case.procedure == "corporate"
        assert _deadline(case, "acknowledgement").due_on == date(2026, 12, 31)
        with db.transaction() as session:
            case = session.merge(case)
            transition(session, case, Action.ACKNOWLEDGE, OFFICER, date(2026, 12, 30), rules())
        ack = _deadline(case, "acknowledgement")
        assert ack.met_on == date(2026, 12, 30) and not ack.is_open
        assert _deadline(case, "stage1_response").due_on == date(2027, 1, 14)


def test_extension_within_and_beyond_the_legal_maximum(app: Flask) -> None:
    with app.app_context():
        case = _record(_new())
        with db.transaction() as session:
            case = session.merge(case)
            transition(session, case, Action.ACKNOWLEDGE, OFFICER, XMAS, rules())
        with pytest.raises(deadlines.DeadlineError, match="20 working days"), db.transaction() as session:
            extend_deadline(
                session, session.merge(case), "stage1_response", 21, "complex", OFFICER, XMAS, rules()
            )
        with pytest.raises(deadlines.DeadlineError, match="reason"), db.transaction() as session:
            extend_deadline(session, session.merge(case), "stage1_response", 20, "  ", OFFICER, XMAS, rules())
        with db.transaction() as session:
            case = session.merge(case)
            extend_deadline(session, case, "stage1_response", 20, "Records to check", OFFICER, XMAS, rules())
        stage1 = _deadline(case, "stage1_response")
        assert stage1.due_on == date(2027, 1, 8) and stage1.extended_due_on == date(2027, 1, 22)
        assert stage1.basis["extension"]["reason"] == "Records to check"
        events = db.session.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == case.id)).all()
        assert events == ["received", "acknowledge", "extended", "email_queued"]  # the extension notice


def test_pause_across_a_bank_holiday_moves_the_deadline_by_working_days_lost(app: Flask) -> None:
    with app.app_context():
        case = _record(_new())
        with db.transaction() as session:
            case = session.merge(case)
            transition(session, case, Action.ACKNOWLEDGE, OFFICER, XMAS, rules())
            transition(session, case, Action.PAUSE, OFFICER, date(2026, 12, 24), rules(), "Court hearing")
        # Paused Thu 24 Dec, resumed Tue 29 Dec: 24 Dec is the only working day lost
        # (25, 28 Dec are bank holidays; 26, 27 the weekend).
        with db.transaction() as session:
            case = session.merge(case)
            transition(session, case, Action.RESUME, OFFICER, date(2026, 12, 29), rules())
        stage1 = _deadline(case, "stage1_response")
        assert stage1.paused_working_days == 1
        assert stage1.due_on == date(2027, 1, 11)
        assert stage1.basis["pauses"] == [["2026-12-24", "2026-12-29", 1]]


def test_refused_transition_changes_nothing(app: Flask) -> None:
    with app.app_context():
        case = _record(_new())
        with pytest.raises(TransitionRefused), db.transaction() as session:
            transition(session, session.merge(case), Action.REOPEN, OFFICER, XMAS, rules())
        db.session.expire_all()
        fresh = db.session.get(Case, case.id)
        assert fresh is not None and fresh.status == "received"
        assert db.session.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == case.id)).all() == [
            "received"
        ]


def test_escalation_starts_the_next_stage_clocks(app: Flask) -> None:
    with app.app_context():
        case = _record(_new())
        steps = [
            (Action.ACKNOWLEDGE, OFFICER, date(2026, 12, 23)),
            (Action.RESPOND, OFFICER, date(2027, 1, 6)),
            (Action.REQUEST_ESCALATION, COMPLAINANT, date(2027, 1, 12)),
            (Action.ACCEPT_ESCALATION, MANAGER, date(2027, 1, 13)),
        ]
        with db.transaction() as session:
            case = session.merge(case)
            for action, actor, on in steps:
                transition(session, case, action, actor, on, rules())
        assert case.stage == 2 and case.status == "in_progress"
        window = _deadline(case, "stage2_request_window")
        assert window.due_on == date(2027, 2, 3) and window.met_on == date(2027, 1, 12)
        assert _deadline(case, "stage2_response").due_on == date(2027, 2, 17)  # 25 wd from 13 Jan


def test_recompute_after_holiday_data_changes_records_each_change(app: Flask, database_url: str) -> None:
    with app.app_context():
        case = _record(_new(received=date(2027, 6, 1)))
        assert _deadline(case, "stage1_response").due_on == date(2027, 6, 15)
    # A one-off bank holiday is announced (as 19 September 2022 was) and configured.
    announced = create_app(TestConfig(database_url, EXTRA_BANK_HOLIDAYS=("2027-06-07:One-off bank holiday",)))
    runner = announced.test_cli_runner()
    result = runner.invoke(args=["recompute-deadlines"])
    assert result.exit_code == 0, result.output
    assert "stage1_response 2027-06-15 -> 2027-06-16" in result.output
    with announced.app_context():
        entry = db.session.scalar(select(CaseEvent).where(CaseEvent.kind == "deadline_recomputed"))
        assert entry is not None and entry.data["to"] == "2027-06-16"
        stage1 = db.session.scalars(select(Deadline).where(Deadline.event == "stage1_response")).one()
        assert ["2027-06-07", "One-off bank holiday"] in stage1.basis["skipped"]
    assert "0 deadline(s) changed" in runner.invoke(args=["recompute-deadlines"]).output
    announced.extensions["portal.db"].engine.dispose()


def test_due_dates_command_json(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["due-dates", "--procedure", "statutory", "--from", "2026-12-22", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["procedure"] == "statutory" and out["from"] == "2026-12-22"
    events = out["events"]
    assert events["stage1_response"] == {"due": "2027-01-08", "extended_due": "2027-01-22"}
    assert events["stage2_response"] == {"due": "2027-01-29", "extended_due": "2027-03-30"}
    for key in (
        "stage2_request_window",
        "stage3_request_window",
        "stage3_panel",
        "stage3_panel_report",
        "stage3_council_response",
    ):
        assert events[key]["extended_due"] is None and events[key]["due"]
    corporate = json.loads(
        runner.invoke(args=["due-dates", "--procedure", "corporate", "--from", "2026-12-22", "--json"]).output
    )
    assert {"acknowledgement", "stage1_response", "stage2_response"} <= set(corporate["events"])


def test_due_dates_command_table_and_errors(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["due-dates", "--procedure", "statutory", "--from", "2026-12-22"])
    assert "Stage 1 response" in result.output and "Christmas Day" in result.output
    assert "Source:" in result.output
    bad = runner.invoke(args=["due-dates", "--procedure", "nonsense", "--from", "2026-12-22"])
    assert bad.exit_code != 0 and "choose from" in bad.output
    bad_date = runner.invoke(args=["due-dates", "--procedure", "statutory", "--from", "22/12/2026"])
    assert bad_date.exit_code != 0
