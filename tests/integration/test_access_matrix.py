"""Role x route x case: every back office case route refuses the wrong role and another manager's case."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from portal.models import Case, Commitment, OutboxMessage, Person, Remedy
from tests.integration import test_staff_auth as auth
from tests.integration.test_staff_auth import Clock, enrol, sign_out
from tests.journey import csrf
from tests.pages import CASE_ACTIONS

clock, staff = auth.clock, auth.staff  # the sign-in tests' fixtures

READ = {"officer", "manager", "responding_manager", "reporting"}
WORK = {"officer", "manager", "responding_manager"}
INTAKE = {"officer", "manager"}
# route -> roles allowed (before the case check); the responding manager also needs the case assigned.
ROUTES: dict[str, set[str]] = {
    "/staff/cases/{ref}": READ,
    "/staff/cases/{ref}/commitments/new": WORK,
    "/staff/cases/{ref}/remedies/new": WORK,
    "/staff/cases/{ref}/remedies/{remedy}": WORK,
    "/staff/commitments/{commitment}": READ,
    "/staff/cases/{ref}/emails/{email}": READ,
    "/staff/cases/{ref}/restriction": {"manager"},
    **{f"/staff/cases/{{ref}}/{slug.replace('_', '-')}": WORK for slug in CASE_ACTIONS},
}
ROUTES["/staff/cases/{ref}/assign"] = INTAKE
ROUTES["/staff/cases/{ref}/correct-procedure"] = INTAKE
ROUTES["/staff/cases/{ref}/reopen"] = {"manager"}
READ_ONLY = {"/staff/cases/{ref}", "/staff/cases/{ref}/emails/{email}"}  # pages that take no POST
LISTS = {"/staff/cases": READ, "/staff/commitments": READ, "/staff/cases/new": INTAKE}


def _email(case: Case) -> OutboxMessage:
    return OutboxMessage(case_id=case.id, recipient="jo@example.com", recipient_kind="complainant",
                         template="response_available", language="pl", subject="x",
                         context={"reference": case.reference})  # fmt: skip


def _setup(app: Flask, staff: dict[str, int]) -> dict[str, dict[str, object]]:
    """Two demo cases with an action and a remedy each: one assigned to the responding manager."""
    from portal.demo import seed_demo

    with app.app_context():
        seed_demo(date.today())
        found = {}
        with db.transaction() as session:
            for key, name in (("mine", "Fran Foster"), ("theirs", "Sam Young")):
                case = session.scalar(select(Case).join(Person).where(Person.name == name))
                assert case is not None
                case.assigned_to_id = staff["responding_manager"] if key == "mine" else None
                if key == "theirs":
                    session.add(Commitment(case_id=case.id, source="panel", text="x", due_on=date.today(),
                                           status="not_started"))  # fmt: skip
                    session.add(Remedy(case_id=case.id, kind="apology", description="x", due_on=date.today()))
                session.flush()
                commitment = session.scalar(select(Commitment.id).where(Commitment.case_id == case.id))
                remedy = session.scalar(select(Remedy.id).where(Remedy.case_id == case.id))
                session.add(email := _email(case))
                session.flush()
                found[key] = {"ref": case.reference, "commitment": commitment, "remedy": remedy}
                found[key]["email"] = email.id
        return found


@pytest.mark.parametrize("role", ["officer", "manager", "responding_manager", "reporting", "admin"])
def test_every_case_route_checks_role_and_case(
    app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int], role: str
) -> None:
    cases = _setup(app, staff)
    enrol(client, clock, f"{role}@example.gov.uk")
    failures = []
    for url, roles in LISTS.items():
        expected = 200 if role in roles else 403
        if (got := client.get(url).status_code) != expected:
            failures.append(f"GET {url}: {got}, expected {expected}")
    for which, values in cases.items():
        for template, roles in ROUTES.items():
            url = template.format(**values)
            visible = role != "responding_manager" or which == "mine"
            expected = 200 if role in roles and visible else 403
            if (got := client.get(url).status_code) != expected:
                failures.append(f"GET {url} ({which}): {got}, expected {expected}")
            # Reading is not changing: a POST is refused too (the case page itself takes no POST).
            if (role not in roles & WORK or not visible) and template not in READ_ONLY:
                token = csrf(client.get("/staff/").get_data(as_text=True))
                if (posted := client.post(url, data={"csrf_token": token}).status_code) != 403:
                    failures.append(f"POST {url} ({which}): {posted}, expected 403")
    sign_out(client)
    assert not failures, "\n".join(failures)
