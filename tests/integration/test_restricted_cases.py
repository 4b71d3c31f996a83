"""Restricted cases: a complaints manager restricts a case; then only managers and the person
assigned can open it, the queue hides who it is about from everyone else, and every read is
logged (ASVS 16.3.2 at L3); lifting the restriction opens it again."""

from __future__ import annotations

from datetime import date

from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Case, CaseEvent, Person, StaffAccessLog
from tests.helpers import check_page, nonce_of
from tests.integration import test_staff_auth as auth
from tests.integration.test_staff_auth import Clock, enrol
from tests.journey import post

clock, staff = auth.clock, auth.staff  # the sign-in tests' fixtures


def _demo_case(app: Flask, staff: dict[str, int]) -> tuple[str, int]:
    from portal.demo import seed_demo

    with app.app_context():
        seed_demo(date.today())
        with db.transaction() as session:
            case = session.scalar(select(Case).join(Person).where(Person.name == "Fran Foster"))
            assert case is not None
            case.assigned_to_id = staff["responding_manager"]
            return case.reference, case.id


def _log(app: Flask, outcome: str, user_id: int) -> int:
    with app.app_context():
        rows = select(func.count()).select_from(StaffAccessLog).where(StaffAccessLog.outcome == outcome)
        return db.session.scalar(rows.where(StaffAccessLog.user_id == user_id)) or 0


def _signed_in(app: Flask, clock: Clock, role: str) -> FlaskClient:
    client = app.test_client()
    enrol(client, clock, f"{role}@example.gov.uk")
    return client


def test_a_restricted_case_opens_only_for_managers_and_the_assignee_and_every_read_is_logged(
    app: Flask, clock: Clock, staff: dict[str, int]
) -> None:
    reference, case_id = _demo_case(app, staff)
    url = f"/staff/cases/{reference}"
    manager, officer, responder = (
        _signed_in(app, clock, r) for r in ("manager", "officer", "responding_manager")
    )
    response = manager.get(f"{url}/restriction")
    check_page(response.get_data(as_text=True), nonce_of(response))
    empty = post(manager, f"{url}/restriction", {"reason": ""})
    assert empty.status_code == 200 and "Enter why" in empty.get_data(as_text=True)
    assert post(manager, f"{url}/restriction", {"reason": "About a member of the team"}).status_code == 303
    page = manager.get(url).get_data(as_text=True)
    assert "Restricted case" in page and "About a member of the team" in page

    assert officer.get(url).status_code == 403
    assert officer.get(f"{url}/emails/1").status_code == 403
    queue = officer.get("/staff/cases?q=" + reference).get_data(as_text=True)
    assert reference in queue and "Fran Foster" not in queue and "Restricted" in queue
    assert _log(app, "refused", staff["officer"]) >= 2

    assert responder.get(url).status_code == 200 and responder.get(url).status_code == 200
    assert _log(app, "restricted_read", staff["responding_manager"]) == 2
    assert _log(app, "restricted_read", staff["manager"]) == 1  # the case page after restricting it

    assert manager.get(f"{url}/restriction").get_data(as_text=True).count("Lift the restriction") >= 2
    assert post(manager, f"{url}/restriction", {"reason": "Investigation finished"}).status_code == 303
    assert officer.get(url).status_code == 200
    assert officer.get(f"{url}/restriction").status_code == 403  # managers only
    with app.app_context():
        kinds = db.session.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == case_id)).all()
        assert "restricted" in kinds and "unrestricted" in kinds
        reads = select(StaffAccessLog.detail).where(StaffAccessLog.outcome == "restricted_read")
        assert set(db.session.scalars(reads)) == {f"case {case_id}"}  # which case, never what is in it


def test_a_link_to_a_case_the_viewer_cannot_open_shows_neither_reference_nor_reason(
    app: Flask, clock: Clock, staff: dict[str, int]
) -> None:
    reference, _ = _demo_case(app, staff)  # Fran Foster's case, linked to Lee Parent's in the demo
    with app.app_context():
        other = db.session.scalar(select(Case).join(Person).where(Person.name == "Lee Parent"))
        assert other is not None and other.assigned_to_id != staff["responding_manager"]
        other_reference = other.reference
    responder, officer = _signed_in(app, clock, "responding_manager"), _signed_in(app, clock, "officer")
    seen = officer.get(f"/staff/cases/{reference}").get_data(as_text=True)
    assert other_reference in seen  # the officer may open both
    # (The case's own chronology still records that a link was made: audit rows are not edited.)
    soup = BeautifulSoup(responder.get(f"/staff/cases/{reference}").get_data(as_text=True), "html.parser")
    section = soup.select_one("#linked-cases").find_next("ul").get_text(" ", strip=True)
    assert other_reference not in section and section == "A case you do not have access to."
