"""Reminders from stored deadlines on the right working days, across bank holidays; safe to run twice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from portal import create_app
from portal.config import TestConfig
from portal.domain.lifecycle import Action, Role
from portal.domain.routing import ComplainantCategory as Cat
from portal.domain.routing import ServiceArea as Area
from portal.extensions import db
from portal.models import Case, CaseEvent, OutboxMessage, StaffUser
from portal.notify import queue_reminders
from portal.services import deadlines
from portal.services.cases import SYSTEM, Actor, NewCase, record_case, transition
from portal.services.rules import rules
from portal.services.staff import create_staff
from tests.smtp import SmtpServer

OFFICER = Actor("staff", Role.OFFICER, name="Olu Officer")
PASSWORD = "a-long-test-password"  # noqa: S105


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def app(database_url: str, smtp: SmtpServer) -> Iterator[Flask]:
    app = create_app(TestConfig(database_url, SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port))
    with app.app_context():
        yield app
    app.extensions["portal.db"].engine.dispose()


@pytest.fixture
def staff(app: Flask) -> dict[str, StaffUser]:
    with db.transaction() as session:
        users = {
            "manager": create_staff(session, "manager@council.example", "Mina Manager", "manager", PASSWORD),
            "manager2": create_staff(session, "deputy@council.example", "Dee Deputy", "manager", PASSWORD),
            "gone": create_staff(session, "left@council.example", "Les Left", "manager", PASSWORD),
            "officer": create_staff(session, "officer@council.example", "Olu Officer", "officer", PASSWORD),
        }
        users["gone"].is_active = False
    return users


def _case(received: date, steps: list[tuple[Action, date]], **person: Any) -> Case:
    """A statutory complaint (children in care) taken through `steps`, with fixed due dates."""
    new = NewCase(
        kind="complaint",
        category=Cat.PARENT,
        service_area=Area.CHILDREN_IN_CARE,
        summary="Visits keep being cancelled.",
        received_on=received,
        person_name="Jo Parent",
        person_email="jo@example.com",
        arose_on=received - timedelta(days=30),
    )
    with db.transaction() as session:
        case = record_case(session, new, SYSTEM, rules())
        for key, value in person.items():
            setattr(case.complainant, key, value)
        for action, on in steps:
            transition(session, case, action, OFFICER, on, rules())
    return case


def _remind(today: date) -> int:
    with db.transaction() as session:
        return queue_reminders(session, today, rules())


def _queued(template: str | None = None) -> list[OutboxMessage]:
    stmt = select(OutboxMessage).order_by(OutboxMessage.id)
    found = [m for m in db.session.scalars(stmt) if template is None or m.template == template]
    db.session.rollback()
    return found


# Stage 1 response due Tuesday 1 September 2026: received Monday 17 August, ten working days,
# Monday 31 August (summer bank holiday) not counted.
RECEIVED_AUG = date(2026, 8, 17)
STAGE1_DUE = date(2026, 9, 1)


def _stage1_case(**person: Any) -> Case:
    case = _case(RECEIVED_AUG, [(Action.ACKNOWLEDGE, date(2026, 8, 18))], **person)
    stage1 = deadlines.open_deadline(case, "stage1_response")
    assert stage1 is not None and stage1.due_on == STAGE1_DUE
    return case


def _run(today: date) -> list[str]:
    """Run the reminders for `today`; the templates of the messages it queued, sorted."""
    before = {m.id for m in _queued()}
    queued = _remind(today)
    new = sorted(m.template for m in _queued() if m.id not in before)
    assert len(new) == queued
    return new


def test_due_soon_goes_two_working_days_before_across_a_bank_holiday(
    app: Flask, staff: dict[str, StaffUser]
) -> None:
    case = _stage1_case()
    assert "staff_due_soon" not in _run(date(2026, 8, 26))  # Wed: Thu 27 and Fri 28 are the next two
    assert _run(date(2026, 8, 27)) == ["staff_due_soon"] * 2  # Thu: Fri 28, (Mon 31 holiday), Tue 1
    soon = _queued("staff_due_soon")
    assert sorted(m.recipient for m in soon) == ["deputy@council.example", "manager@council.example"]
    assert {m.case_id for m in soon} == {case.id}
    expected = {"reference": case.reference, "deadline": "Stage 1 response", "due_date": "2026-09-01"}
    assert soon[0].context == expected
    assert _run(date(2026, 8, 27)) == [], "running twice on the same day queues nothing new"
    assert _run(date(2026, 8, 28)) == [], "nor does the next day"


def test_reminders_go_to_the_assigned_member_of_staff(app: Flask, staff: dict[str, StaffUser]) -> None:
    case = _stage1_case()
    with db.transaction() as session:
        session.get(Case, case.id).assigned_to_id = staff["officer"].id  # type: ignore[union-attr]
    assert "staff_due_soon" in _run(date(2026, 8, 27))
    [message] = _queued("staff_due_soon")
    assert message.recipient == "officer@council.example" and message.recipient_kind == "staff"


def test_overdue_is_sent_once_per_deadline(app: Flask, staff: dict[str, StaffUser]) -> None:
    _stage1_case()
    _run(date(2026, 8, 27))
    assert _run(date(2026, 9, 1)) == ["staff_weekly_digest"] * 2, "due today is not overdue yet"
    assert _run(date(2026, 9, 2)) == ["staff_overdue"] * 2
    assert _run(date(2026, 9, 3)) == []
    assert "staff_overdue" not in _run(date(2026, 9, 10))
    overdue = _queued("staff_overdue")
    assert len(overdue) == 2 and all(m.dedupe_key and m.dedupe_key.startswith("overdue:") for m in overdue)


def test_paused_and_closed_cases_get_no_reminders(app: Flask, staff: dict[str, StaffUser]) -> None:
    _case(RECEIVED_AUG, [(Action.ACKNOWLEDGE, date(2026, 8, 18)), (Action.PAUSE, date(2026, 8, 20))])
    closed = [
        (Action.ACKNOWLEDGE, date(2026, 8, 18)),
        (Action.RESPOND, date(2026, 8, 19)),
        (Action.CLOSE, date(2026, 8, 20)),
    ]
    _case(RECEIVED_AUG, closed)
    for day in (date(2026, 8, 27), date(2026, 9, 2), date(2026, 9, 30)):
        assert set(_run(day)) <= {"staff_weekly_digest"}


def test_weekly_digest_on_the_first_working_day_of_the_week(app: Flask, staff: dict[str, StaffUser]) -> None:
    _stage1_case()
    assert "staff_weekly_digest" not in _run(date(2026, 8, 29))  # Saturday
    assert "staff_weekly_digest" not in _run(date(2026, 8, 31))  # Monday, summer bank holiday
    assert _run(date(2026, 9, 1)) == ["staff_weekly_digest"] * 2  # Tuesday: one per active manager
    digest = _queued("staff_weekly_digest")[0]
    assert digest.context == {"open": 1, "overdue": 0, "due_this_week": 1, "week_of": "2026-08-31"}
    assert digest.dedupe_key == f"digest:2026-W36:{staff['manager'].id}"
    assert _run(date(2026, 9, 2)) == ["staff_overdue"] * 2  # and no second digest that week
    assert _run(date(2026, 9, 7)) == ["staff_weekly_digest"] * 2  # next Monday: a new week
    assert _queued("staff_weekly_digest")[-1].context["overdue"] == 1


# The window to ask for stage 2 is 20 working days from the stage 1 response (Thursday
# 3 December 2026), closing Tuesday 5 January 2027 after Christmas, Boxing Day (substitute
# Monday 28 December) and New Year's Day. Five working days before it is Thursday 24 December.
RESPONDED = date(2026, 12, 3)
WINDOW_CLOSES = date(2027, 1, 5)


def _responded_case(**person: Any) -> Case:
    steps = [(Action.ACKNOWLEDGE, date(2026, 11, 17)), (Action.RESPOND, RESPONDED)]
    case = _case(date(2026, 11, 16), steps, **person)
    window = deadlines.open_deadline(case, "stage2_request_window")
    assert window is not None and window.due_on == WINDOW_CLOSES
    return case


def test_window_closing_goes_five_working_days_before_across_christmas(app: Flask, smtp: SmtpServer) -> None:
    case = _responded_case()
    assert _run(date(2026, 12, 23)) == []
    assert _run(date(2026, 12, 24)) == ["window_closing"]
    assert _run(date(2026, 12, 29)) == []
    [message] = _queued("window_closing")
    assert (message.recipient, message.recipient_kind) == ("jo@example.com", "complainant")
    assert message.context == {"reference": case.reference, "closes_on": "2027-01-05"}


def test_a_missed_run_is_caught_up_by_the_next(app: Flask) -> None:
    _responded_case()
    assert _run(date(2026, 12, 29)) == ["window_closing"]  # nobody ran it on the 24th
    assert _run(date(2026, 12, 30)) == []


def test_window_closing_honours_safe_contact(app: Flask) -> None:
    case = _responded_case(contact_method="phone")
    assert _remind(date(2026, 12, 24)) == 0
    assert _remind(date(2026, 12, 24)) == 0
    assert [m.status for m in _queued("window_closing")] == ["cancelled"]
    stmt = select(CaseEvent).where(CaseEvent.case_id == case.id).where(CaseEvent.kind == "contact_needed")
    # (The response itself also needed a phone call: only the window reminder is counted here.)
    about_window = [e for e in db.session.scalars(stmt) if e.data.get("template") == "window_closing"]
    assert len(about_window) == 1, "staff are told once, not on every run"


def test_send_reminders_command_is_safe_to_run_twice(
    app: Flask, smtp: SmtpServer, staff: dict[str, StaffUser]
) -> None:
    _stage1_case()
    _responded_case()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["send-reminders", "--date", "2026-08-27"])
    assert first.exit_code == 0, first.output
    # Due soon and the week's digest, to each of the two active managers.
    assert "Queued 4 reminder(s) for 2026-08-27." in first.output
    # The four reminders, and the "response available" email the response itself queued.
    assert "Sent 5, will retry 0, failed 0" in first.output
    again = runner.invoke(args=["send-reminders", "--date", "2026-08-27"])
    assert "Queued 0 reminder(s)" in again.output and "Sent 0, will retry 0, failed 0" in again.output
    managers = ["deputy@council.example", "manager@council.example"]
    assert sorted(m["To"] for m in smtp.messages) == sorted([*managers * 2, "jo@example.com"])
    subjects = {m["Subject"] for m in smtp.messages if m["To"] != "jo@example.com"}
    assert subjects == {"Due soon: Stage 1 response for CC-2026-000001", "Complaints this week"}
