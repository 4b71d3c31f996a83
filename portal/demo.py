"""Demo data: staff accounts the README lists, and cases at every stage of each procedure."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.lifecycle import Action, Role
from portal.domain.routing import ComplainantCategory as Cat
from portal.domain.routing import ServiceArea as Area
from portal.extensions import db
from portal.models import Case, StaffUser
from portal.reports.demo_data import load_demo_history
from portal.services.cases import SYSTEM, Actor, NewCase, extend_deadline, record_case, transition
from portal.services.rules import rules
from portal.services.staff import create_staff

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - published demo credential, README lists it
DEMO_STAFF = (
    ("officer@demo.invalid", "Olu Officer", "officer"),
    ("manager@demo.invalid", "Mina Manager", "manager"),
    ("responder@demo.invalid", "Ravi Responding-Manager", "responding_manager"),
    ("reporting@demo.invalid", "Rose Reporting", "reporting"),
    ("admin@demo.invalid", "Adam Admin", "admin"),
)

Step = tuple[Action, int]  # an action and how many working days after receipt it happened


def _demo_cases(today: date) -> list[tuple[NewCase, list[Step]]]:
    cal = rules().calendar_for("corporate")

    def ago(n: int) -> date:
        day = today
        for _ in range(n):
            day -= timedelta(days=1)
            while not cal.is_working_day(day):
                day -= timedelta(days=1)
        return day

    def case(kind: str, cat: Cat, area: Area, name: str, summary: str, days_ago: int) -> NewCase:
        return NewCase(
            kind=kind,
            category=cat,
            service_area=area,
            summary=summary,
            received_on=ago(days_ago),
            person_name=name,
            person_email=f"{name.split()[0].lower()}@example.com",
            arose_on=ago(days_ago + 20),
            channel="online",
            child_name="A child",
        )

    ack, resp, esc, acc = (
        Action.ACKNOWLEDGE,
        Action.RESPOND,
        Action.REQUEST_ESCALATION,
        Action.ACCEPT_ESCALATION,
    )
    return [
        (
            case(
                "complaint",
                Cat.PARENT,
                Area.CHILDREN_IN_CARE,
                "Jo Parent",
                "My son's social worker changed three times and nobody told us.",
                1,
            ),
            [],
        ),
        (
            case(
                "complaint",
                Cat.YOUNG_PERSON,
                Area.CARE_LEAVERS,
                "Sam Young",
                "My pathway plan was not reviewed and I lost my housing support.",
                6,
            ),
            [(ack, 1)],
        ),
        (
            case(
                "complaint",
                Cat.PARENT,
                Area.SEND,
                "Priya Carer",
                "The EHCP annual review was not done on time.",
                14,
            ),
            [(ack, 2), (Action.EXTEND, 8)],
        ),
        (
            case(
                "complaint",
                Cat.FOSTER_CARER,
                Area.FOSTERING,
                "Fran Foster",
                "Allowances were paid late for two months.",
                30,
            ),
            [(ack, 1), (resp, 9)],
        ),
        (
            case(
                "complaint",
                Cat.PARENT,
                Area.FAMILY_SAFEGUARDING,
                "Lee Parent",
                "The assessment contained wrong information about our family.",
                40,
            ),
            [(ack, 1), (resp, 10), (esc, 15)],
        ),
        (
            case(
                "complaint",
                Cat.YOUNG_PERSON,
                Area.CHILDREN_IN_CARE,
                "Alex Young",
                "I was moved placement without being asked.",
                45,
            ),
            [(ack, 1), (resp, 10), (esc, 12), (acc, 14)],
        ),
        (
            case(
                "complaint",
                Cat.PARENT,
                Area.DISABLED_CHILDREN,
                "Dana Parent",
                "Short breaks were stopped without an assessment.",
                120,
            ),
            [(ack, 1), (resp, 10), (esc, 12), (acc, 14), (resp, 60), (esc, 70), (acc, 72)],
        ),
        (
            case(
                "complaint",
                Cat.PARENT,
                Area.EDUCATION,
                "Chris Parent",
                "School transport was withdrawn with no notice.",
                50,
            ),
            [(ack, 2), (resp, 12), (Action.CLOSE, 14)],
        ),
        (
            case(
                "complaint",
                Cat.PARENT,
                Area.FRONT_DOOR,
                "Morgan Parent",
                "Nobody called back after my referral.",
                20,
            ),
            [(ack, 1), (Action.WITHDRAW, 4)],
        ),
        (
            case(
                "complaint",
                Cat.OTHER,
                Area.CHILDREN_IN_CARE,
                "Pat Neighbour",
                "I am worried about how the children next door are supported.",
                3,
            ),
            [],
        ),
        (
            case(
                "compliment",
                Cat.PARENT,
                Area.FOSTERING,
                "Kim Parent",
                "Thank you to the fostering team for all their help this year.",
                2,
            ),
            [],
        ),
        (
            case(
                "enquiry_mp",
                Cat.OTHER,
                Area.SEND,
                "Office of the MP",
                "Enquiry on behalf of a constituent about EHCP delays.",
                4,
            ),
            [],
        ),
    ]


def seed_demo(today: date) -> str:
    with db.transaction() as history:  # the annual report's 2021-22 and 2022-23 (imported once)
        load_demo_history(history, rules(), today)
    session = db.session
    if session.scalar(select(StaffUser).where(StaffUser.email == DEMO_STAFF[0][0])):
        return "Demo data already loaded."
    with db.transaction() as session:
        for email, name, role in DEMO_STAFF:
            create_staff(session, email, name, role, DEMO_PASSWORD)
    officer = Actor("staff", Role.OFFICER, name="Olu Officer")
    manager = Actor("staff", Role.MANAGER, name="Mina Manager")
    count = 0
    for new, steps in _demo_cases(today):
        with db.transaction() as session:
            case = record_case(session, new, SYSTEM, rules())
            session.flush()
            _apply(session, case, steps, officer, manager)
        count += 1
    _demo_work(today)
    from portal import demo_work

    demo_work.seed(today, DEMO_STAFF[0][0])
    return f"Loaded {len(DEMO_STAFF)} staff accounts and {count} demo cases."


def _demo_work(today: date) -> None:
    """A responding manager's case, and an action and a remedy on the answered fostering complaint."""
    from portal.models import Person
    from portal.services import commitments

    with db.transaction() as session:
        responder = session.scalar(select(StaffUser).where(StaffUser.email == DEMO_STAFF[2][0]))
        officer = session.scalar(select(StaffUser).where(StaffUser.email == DEMO_STAFF[0][0]))
        assert responder is not None and officer is not None
        sam = session.scalar(select(Case).join(Person).where(Person.name == "Sam Young"))
        fran = session.scalar(select(Case).join(Person).where(Person.name == "Fran Foster"))
        assert sam is not None and fran is not None
        sam.assigned_to_id = responder.id
        actor = Actor("staff", Role.OFFICER, officer.id, officer.name)
        promise = "Pay the late allowances with interest."
        commitments.add(session, fran, actor, source="response", text=promise, owner_id=officer.id,
                        due_on=today - timedelta(days=3))  # fmt: skip
        apology = "Written apology from the head of service."
        commitments.add_remedy(session, fran, actor, kind="apology", description=apology, amount_pence=None,
                               due_on=today + timedelta(days=10))  # fmt: skip


def _apply(session: Session, case: Case, steps: list[Step], officer: Actor, manager: Actor) -> None:
    cal = rules().calendar_for(case.procedure)
    on: Callable[[int], date] = lambda n: cal.add_working_days(case.received_on, n)  # noqa: E731
    for action, days in steps:
        actor = manager if action is Action.ACCEPT_ESCALATION else officer
        if action is Action.EXTEND:
            clock = rules().procedure(case.procedure).clock(f"stage{case.stage}_response")
            reason = "The team manager is on leave and the records need checking."
            total = clock.extended_limit or 0
            extend_deadline(session, case, clock.event, total, reason, actor, on(days), rules())
            continue
        if action is Action.REQUEST_ESCALATION:
            actor = Actor("complainant", Role.COMPLAINANT, name="Complainant")
        transition(session, case, action, actor, on(days), rules())
