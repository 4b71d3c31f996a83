"""Demo data for Ombudsman enquiries, compliments, linked cases, themes and who a complaint is about."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from portal.domain.lifecycle import Role
from portal.extensions import db
from portal.models import Case, Person, StaffUser
from portal.services import case_details, compliments, links, ombudsman
from portal.services.cases import Actor
from portal.services.rules import rules


def _case(name: str, kind: str = "complaint") -> Case:
    found = db.session.scalar(
        select(Case)
        .join(Person, Case.complainant_id == Person.id)
        .where(Person.name == name, Case.kind == kind)
    )
    assert found is not None, name
    return found


def seed(today: date, officer_email: str) -> None:
    """Fran Foster's complaint linked to Lee Parent's, with a theme and the person it is about; an
    Ombudsman enquiry with a recommendation on Chris Parent's closed complaint; Kim Parent's
    compliment recorded against a worker and team. One transaction each, like every action."""
    with db.transaction() as session:
        officer = session.scalar(select(StaffUser).where(StaffUser.email == officer_email))
        assert officer is not None
        actor = Actor("staff", Role.OFFICER, officer.id, officer.name)
        fran, lee = _case("Fran Foster"), _case("Lee Parent")
        links.add_link(session, fran, lee, "The same fostering household (demo link).", actor)
        case_details.set_theme(session, fran, actor, "Delays and timescales", case_details.themes())
        case_details.set_complained_about(session, fran, actor, "Finance team duty officer", None)
    with db.transaction() as session:
        chris = _case("Chris Parent")
        lgo = ombudsman.record_enquiry(
            session, chris, actor, lgo_reference="26 000 123", received_on=today - timedelta(days=5),
            response_due_on=today + timedelta(days=20), today=today, rules=rules(),
        )  # fmt: skip
        session.flush()
        ombudsman.add_recommendation(
            session, lgo, actor, text="Review how school transport withdrawals are told to families.",
            owner_id=officer.id, due_on=today + timedelta(days=60),
        )  # fmt: skip
    with db.transaction() as session:
        compliments.record(
            session, _case("Kim Parent", "compliment"), actor, worker_name="Ann Worker",
            worker_email="ann.worker@example.invalid", team="Fostering North", service_area="fostering",
        )  # fmt: skip
