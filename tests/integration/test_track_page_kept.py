"""The family's case page is kept rendered under the case's revision (portal.public.tracking.track_case):
a family coming back sees the same page for one query, and anything that changes on the case
(a staff action, their own, a new letter, the handler's name) shows at once."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.domain.lifecycle import Action
from portal.extensions import db
from portal.models import Case, Person, StaffUser
from portal.services.cases import add_event, transition
from portal.services.rules import rules
from tests.helpers import check_page, nonce_of, statements_run
from tests.integration.test_tracking import OFFICER, _open, _submitted
from tests.journey import csrf, post


def _revision(app: Flask, reference: str) -> int:
    with app.app_context():
        value = db.session.scalar(select(Case.revision).where(Case.reference == reference))
        assert value is not None
        return value


def _change(app: Flask, reference: str, change: Any) -> None:
    with app.app_context(), db.transaction() as s:
        case = s.scalar(select(Case).where(Case.reference == reference))
        assert case is not None
        change(s, case)


def _text(client: FlaskClient) -> str:
    reply = client.get("/track/case")
    assert reply.status_code == 200
    return check_page(reply.get_data(as_text=True), nonce_of(reply)).get_text(" ", strip=True)


def _same_but_tokens(first: str, second: str) -> bool:
    def plain(body: str) -> str:
        body = re.sub(r'nonce="[^"]+"', 'nonce="N"', body)
        return re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "CSRF", body)

    return plain(first) == plain(second)


def test_a_second_view_is_one_query_with_its_own_nonce_and_a_working_csrf_token(app: Flask) -> None:
    reference, _ = _submitted(app)
    client = _open(app, reference)
    first = client.get("/track/case")
    with statements_run(app) as seen:
        second = client.get("/track/case")
    assert len(seen) == 1, seen  # the session's case and its revision; nothing rendered again
    body = second.get_data(as_text=True)
    check_page(body, nonce_of(second))  # the nonce in the page is the one in this response's header
    assert nonce_of(first) != nonce_of(second)
    assert "portal-nonce-" not in body and "portal-csrf-" not in body
    assert _same_but_tokens(first.get_data(as_text=True), body)
    # The kept page's sign-out button carries this request's token, and it works.
    reply = client.post("/track/sign-out", data={"csrf_token": csrf(body)})
    assert reply.status_code == 303
    assert client.get("/track/case").headers["Location"].endswith("/track?expired=1")


def test_viewing_changes_nothing_and_every_kind_of_change_raises_the_revision(app: Flask) -> None:
    reference, _ = _submitted(app)
    client = _open(app, reference)
    before = _revision(app, reference)
    client.get("/track/case")
    client.get("/track/case?view=young-person")
    assert _revision(app, reference) == before

    changes = {
        "the case": lambda s, case: setattr(case, "advocacy_requested", True),
        "its chronology": lambda s, case: add_event(s, case, OFFICER, "note", "A note."),
        "its clocks": lambda s, case: transition(s, case, Action.ACKNOWLEDGE, OFFICER, date.today(), rules()),
        "the person": lambda s, case: setattr(case.complainant, "safe_times", "Mornings"),
    }
    for what, change in changes.items():
        _change(app, reference, change)
        after = _revision(app, reference)
        assert after > before, what
        before = after


def test_what_changes_shows_at_once(app: Flask) -> None:
    reference, _ = _submitted(app)
    client = _open(app, reference)
    assert "We sent our response" not in _text(client)
    _text(client)  # kept

    def respond(s: Any, case: Case) -> None:
        transition(s, case, Action.ACKNOWLEDGE, OFFICER, case.received_on, rules())
        transition(s, case, Action.RESPOND, OFFICER, date.today(), rules())

    _change(app, reference, respond)
    assert "We sent our response" in _text(client)

    def handled_by(s: Any, case: Case) -> None:
        user = StaffUser(email="sam@example.gov.uk", name="Sam Patel", role="officer", password_hash="-")
        s.add(user)
        s.flush()
        case.assigned_to_id = user.id

    _change(app, reference, handled_by)
    assert "The person handling your complaint is Sam Patel." in _text(client)
    assert "large print (PDF)" in _text(client)
    with app.app_context(), db.transaction() as s:  # a staff user's row is not the case's...
        user = s.scalar(select(StaffUser).where(StaffUser.name == "Sam Patel"))
        assert user is not None
        user.name = "Sam Patel-Jones"
    assert "The person handling your complaint is Sam Patel-Jones." in _text(client)  # ...yet it shows

    with app.app_context(), db.transaction() as s:  # the person's row, changed on its own
        person = s.scalar(select(Person).where(Person.email == "jo@example.com"))
        assert person is not None
        assert "large_print" in person.needs["formats"]
        person.needs = {**person.needs, "formats": ["braille"]}
    assert "large print (PDF)" not in _text(client)


def test_a_message_shows_once_and_each_view_and_holder_has_its_own_page(app: Flask) -> None:
    reference, _ = _submitted(app)
    client = _open(app, reference)
    simple = client.get("/track/case?view=young-person").get_data(as_text=True)
    standard = client.get("/track/case").get_data(as_text=True)
    assert "Show the standard version" in simple and "Show the standard version" not in standard
    post(client, "/track/case/add-information", {"information": "The visit was cancelled again."})
    assert "We have added your information" in _text(client)
    assert "We have added your information" not in _text(client)
    other = _open(app, reference)  # signing in is on the chronology: the page is made again...
    assert "We have added your information" not in _text(other)
    with statements_run(app) as seen:  # ...and kept for every session of the case's same holder
        assert "We have added your information" not in _text(client)
    assert len(seen) == 1
