"""Role x route x case for the Ombudsman, compliment, link, theme and subject pages: every route refuses
the wrong role and another manager's case, for reading and for changing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.domain.lifecycle import Role
from portal.domain.routing import ComplainantCategory, ServiceArea
from portal.extensions import db
from portal.models import Case, Person
from portal.services import links, ombudsman
from portal.services.cases import SYSTEM, Actor, NewCase, record_case
from portal.services.rules import rules
from tests.integration import test_staff_auth as auth
from tests.integration.test_access_matrix import INTAKE, READ, WORK
from tests.integration.test_staff_auth import Clock, enrol, sign_out
from tests.journey import csrf

clock, staff = auth.clock, auth.staff  # the sign-in tests' fixtures

ROUTES: dict[str, set[str]] = {
    "/staff/cases/{ref}/theme": WORK,
    "/staff/cases/{ref}/complained-about": INTAKE,
    "/staff/cases/{ref}/links/new": WORK,
    "/staff/cases/{ref}/links/{link}/remove": WORK,
    "/staff/cases/{ref}/ombudsman/new": WORK,
    "/staff/cases/{lgo}/ombudsman/response": WORK,
    "/staff/cases/{lgo}/ombudsman/decision": WORK,
    "/staff/cases/{lgo}/ombudsman/report-action": WORK,
    "/staff/cases/{lgo}/ombudsman/recommendations/new": WORK,
    "/staff/cases/{compliment}/compliment": WORK,
    "/staff/cases/{compliment}/compliment/thanks": WORK,
}
LISTS = {"/staff/compliments": READ}


def _case(name: str, kind: str = "complaint") -> Case:
    found = db.session.scalar(select(Case).join(Person).where(Person.name == name, Case.kind == kind))
    assert found is not None, name
    return found


def _setup(app: Flask, staff: dict[str, int]) -> dict[str, dict[str, object]]:
    """Per side, a complaint with a link, its Ombudsman enquiry and a compliment: "mine" assigned to
    the responding manager, "theirs" to nobody."""
    from portal.demo import seed_demo

    today = date.today()
    with app.app_context():
        seed_demo(today)
        actor = Actor("staff", Role.OFFICER, staff["officer"], "Officer")
        found: dict[str, dict[str, object]] = {}
        sides = (
            ("mine", "Fran Foster", "Lee Parent", "Kim Parent"),
            ("theirs", "Sam Young", "Jo Parent", None),
        )
        for key, name, other, complimenter in sides:
            with db.transaction() as session:
                case = _case(name)
                case.assigned_to_id = staff["responding_manager"] if key == "mine" else None
                if key == "theirs":
                    links.add_link(session, case, _case(other), "Matrix", actor)
                lgo = ombudsman.record_enquiry(
                    session,
                    case,
                    actor,
                    lgo_reference=f"26 {key}",
                    received_on=today,
                    response_due_on=today + timedelta(days=9),
                    today=today,
                    rules=rules(),
                )
                if complimenter:
                    compliment = _case(complimenter, "compliment")
                else:
                    compliment = record_case(
                        session,
                        NewCase(
                            kind="compliment",
                            category=ComplainantCategory.PARENT,
                            service_area=ServiceArea.FOSTERING,
                            summary="Thank you.",
                            received_on=today,
                            person_name="Theo Thanks",
                        ),
                        SYSTEM,
                        rules(),
                    )
                compliment.assigned_to_id = case.assigned_to_id
                session.flush()
                link = min(x.id for x in links.linked(session, case) if x.other.kind != "lgo")
                found[key] = {
                    "ref": case.reference,
                    "lgo": lgo.reference,
                    "compliment": compliment.reference,
                    "link": link,
                }
        return found


@pytest.mark.parametrize("role", ["officer", "manager", "responding_manager", "reporting", "admin"])
def test_every_new_route_checks_role_and_case(
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
            if role not in roles or not visible:
                token = csrf(client.get("/staff/").get_data(as_text=True))
                if (posted := client.post(url, data={"csrf_token": token}).status_code) != 403:
                    failures.append(f"POST {url} ({which}): {posted}, expected 403")
    sign_out(client)
    assert not failures, "\n".join(failures)
