"""The case's stored next due date (what the staff queues filter and sort on) follows every
change to its deadlines: new case, acknowledgement, extension, pause, resume, response,
escalation, closing, and the holiday recompute."""

from __future__ import annotations

from datetime import date

from flask import Flask
from sqlalchemy import select

from portal.domain.lifecycle import Action
from portal.extensions import db
from portal.models import Case
from portal.services import deadlines
from portal.services.cases import extend_deadline, transition
from portal.services.rules import rules
from portal.services.staff_cases import current_due
from tests.integration.test_deadlines import COMPLAINANT, MANAGER, OFFICER, XMAS, _new, _record


def _stored(case_id: int) -> date | None:
    """next_due_on as the database holds it, read fresh."""
    db.session.expire_all()
    return db.session.scalar(select(Case.next_due_on).where(Case.id == case_id))


def _same(case: Case) -> date | None:
    stored = _stored(case.id)
    fresh = db.session.get(Case, case.id)
    assert fresh is not None
    assert stored == current_due(fresh), (fresh.status, stored, current_due(fresh))
    return stored


def test_next_due_follows_the_clocks_through_a_case(app: Flask) -> None:
    with app.app_context():
        case = _record(_new())
        assert _same(case) is not None  # the acknowledgement or stage 1 response is running
        with db.transaction() as session:
            case = session.merge(case)
            transition(session, case, Action.ACKNOWLEDGE, OFFICER, XMAS, rules())
        assert _same(case) == date(2027, 1, 8)
        with db.transaction() as session:
            extend_deadline(
                session, session.merge(case), "stage1_response", 20, "Records", OFFICER, XMAS, rules()
            )
        assert _same(case) == date(2027, 1, 22)
        with db.transaction() as session:
            transition(
                session, session.merge(case), Action.PAUSE, OFFICER, date(2026, 12, 24), rules(), "Court"
            )
        assert _same(case) is None  # a paused clock is not due
        with db.transaction() as session:
            transition(session, session.merge(case), Action.RESUME, OFFICER, date(2026, 12, 29), rules())
        assert _same(case) == date(2027, 1, 25)  # one working day lost
        steps = [
            (Action.RESPOND, OFFICER, date(2027, 1, 6)),
            (Action.REQUEST_ESCALATION, COMPLAINANT, date(2027, 1, 12)),
            (Action.ACCEPT_ESCALATION, MANAGER, date(2027, 1, 13)),
        ]
        for action, actor, on in steps:
            with db.transaction() as session:
                transition(session, session.merge(case), action, actor, on, rules())
            _same(case)
        assert _same(case) == date(2027, 1, 14)  # the earliest of the stage 2 clocks
        with db.transaction() as session:
            deadlines.close_all(session.merge(case), date(2027, 1, 20))
        assert _same(case) is None


def test_recompute_keeps_next_due(app: Flask) -> None:
    with app.app_context():
        case = _record(_new(received=date(2027, 6, 1)))
        before = _same(case)
        with db.transaction() as session:
            deadlines.recompute_open(session, rules())
        assert _same(case) == before
