"""Follow my complaint: access without an account, the case page, and each action."""

from __future__ import annotations

import subprocess
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.domain.lifecycle import Action, Role
from portal.extensions import db
from portal.models import Case, CaseEvent, Deadline, Draft, OutboxMessage, TrackingLink
from portal.models.base import utcnow
from portal.services.cases import Actor, transition
from portal.services.rules import rules
from tests.helpers import check_page, nonce_of
from tests.journey import complete, csrf, page, post, send
from tests.pages import TRACKING_PAGES

OFFICER = Actor("staff", Role.OFFICER, name="Officer")


def _button(client: FlaskClient, url: str) -> None:
    """Press a button on the case page (a POST-only action)."""
    token = csrf(client.get("/track/case").get_data(as_text=True))
    assert client.post(url, data={"csrf_token": token}).status_code == 303


def _submitted(app: Flask) -> tuple[str, str]:
    """A complaint sent through the journey; returns (reference, security code)."""
    client = app.test_client()
    complete(client)
    send(client)
    with app.app_context():
        draft = db.session.scalar(select(Draft).order_by(Draft.id.desc()))
        case = db.session.scalar(select(Case).order_by(Case.id.desc()))
        assert draft is not None and case is not None
        return case.reference, draft.answers["_security_code"]


def _link_for(app: Flask, client: FlaskClient, reference: str, email: str = "jo@example.com") -> str | None:
    response = post(client, "/track", {"reference": reference, "email": email})
    assert response.status_code == 303 and response.headers["Location"].endswith("/track/check-your-email")
    with app.app_context():
        message = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.template == "tracking_link")
            .order_by(OutboxMessage.id.desc())
        ).first()
        return message.context["link"].split("localhost", 1)[-1] if message else None


def _open(app: Flask, reference: str) -> FlaskClient:
    client = app.test_client()
    link = _link_for(app, client, reference)
    assert link is not None
    assert post(client, link, {}).headers["Location"].endswith("/track/case")
    return client


def test_link_by_email_opens_the_case_once(app: Flask) -> None:
    reference, _ = _submitted(app)
    client = app.test_client()
    link = _link_for(app, client, reference.lower() + " ", "JO@example.com")
    assert link is not None
    _, soup = page(client, link)  # GET shows a button: a mail scanner does not spend the link
    assert post(client, link, {}).headers["Location"].endswith("/track/case")
    _, soup = page(client, "/track/case")
    assert reference in soup.get_text()
    _, soup = page(app.test_client(), link, status=404)
    assert "expired or has been used" in soup.get_text()
    with app.app_context():
        stored = db.session.scalar(select(TrackingLink))
        assert stored is not None and link.rsplit("/", 1)[-1] not in stored.token_hash and stored.used_at
        kinds = db.session.scalars(select(CaseEvent.kind)).all()
        assert "viewed_online" in kinds


@pytest.mark.parametrize(
    ("reference", "email"),
    [("CC-2026-999999", "jo@example.com"), ("{ref}", "someone.else@example.com"), ("", "jo@example.com")],
)
def test_wrong_reference_or_email_gets_the_same_answer_and_no_link(
    app: Flask, reference: str, email: str
) -> None:
    real, _ = _submitted(app)
    client = app.test_client()
    if not reference:
        response = post(client, "/track", {"reference": "", "email": email})
        assert response.status_code == 200 and "Enter your reference number" in response.get_data(
            as_text=True
        )
        return
    response = post(client, "/track", {"reference": reference.format(ref=real), "email": email})
    assert response.headers["Location"].endswith("/track/check-your-email")
    with app.app_context():
        assert (
            db.session.scalar(select(OutboxMessage).where(OutboxMessage.template == "tracking_link")) is None
        )


def test_expired_link_is_refused(app: Flask) -> None:
    reference, _ = _submitted(app)
    client = app.test_client()
    link = _link_for(app, client, reference)
    assert link is not None
    with app.app_context():
        stored = db.session.scalar(select(TrackingLink))
        assert stored is not None
        stored.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert client.get(link).status_code == 404


def test_security_code_access_and_brute_force_limit(app: Flask) -> None:
    reference, code = _submitted(app)
    client = app.test_client()
    wrong = post(client, "/track/code", {"reference": reference, "code": "AAAA-BBBB-CCCC-DDDD"})
    assert (
        wrong.status_code == 200
        and "Enter a correct reference number and security code" in wrong.get_data(as_text=True)
    )
    ok = post(client, "/track/code", {"reference": reference, "code": code.lower().replace("-", " ")})
    assert ok.headers["Location"].endswith("/track/case")
    attacker = app.test_client()
    codes = [
        post(attacker, "/track/code", {"reference": reference, "code": f"ZZZZ-ZZZZ-ZZZZ-{i:04d}"}).status_code
        for i in range(6)
    ]
    # Five attempts per reference an hour (two were used above), whoever makes them.
    assert codes == [200, 200, 200, 429, 429, 429]
    limited = post(attacker, "/track/code", {"reference": reference, "code": code})
    body = limited.get_data(as_text=True)
    assert limited.status_code == 429 and reference in body and "call us on" in body  # typed values kept
    assert "Error:" in body


def test_link_requests_are_rate_limited(app: Flask) -> None:
    # Three links an hour for one reference and email (portal.limits; more in test_rate_limits.py).
    client = app.test_client()
    form = {"reference": "CC-2026-000001", "email": "x@example.com"}
    statuses = [post(client, "/track", form).status_code for _ in range(4)]
    assert statuses == [303, 303, 303, 429]


def test_case_pages_need_a_session_and_documents_are_404(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/track/case").headers["Location"].endswith("/track?expired=1")
    assert client.get("/track/case/receipt/standard").status_code == 404


def test_only_the_tracked_case_is_shown(app: Flask) -> None:
    first, _ = _submitted(app)
    second, _ = _submitted(app)
    client = _open(app, first)
    text = subprocess.run(
        ["pdftotext", "-", "-"],
        input=client.get("/track/case/receipt/standard").data,
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert first in text and second not in text
    assert client.get("/track/case/receipt/huge").status_code == 404


def test_every_tracking_page_passes_the_page_checks(app: Flask) -> None:
    reference, _ = _submitted(app)
    client = _open(app, reference)
    with app.test_request_context():
        from flask import url_for

        urls = [url_for(endpoint) for endpoint in sorted(TRACKING_PAGES)]
    for url in urls:
        response = client.get(url)
        if response.status_code == 404:  # actions not open at this status (e.g. response feedback)
            continue
        assert response.status_code == 200, url
        check_page(response.get_data(as_text=True), nonce_of(response))
    _, soup = page(client, "/track/case")
    text = soup.get_text(" ", strip=True)
    assert "How we worked out this date" in text and "Large print (32 point)" in text
    _, simple = page(client, "/track/case?view=young-person")
    assert "We will write to you by" in simple.get_text(" ", strip=True)


def test_add_information_records_and_tells_the_handler(app: Flask) -> None:
    reference, _ = _submitted(app)
    client = _open(app, reference)
    empty = post(client, "/track/case/add-information", {"information": ""})
    assert "Enter what you would like to add" in empty.get_data(as_text=True)
    response = post(client, "/track/case/add-information", {"information": "The visit was cancelled again."})
    assert response.headers["Location"].endswith("/track/case")
    _, soup = page(client, "/track/case")
    assert "We have added your information" in soup.get_text()
    with app.app_context():
        event = db.session.scalar(select(CaseEvent).where(CaseEvent.kind == "complainant_added_information"))
        assert event is not None and event.summary == "The visit was cancelled again."


def _respond(app: Flask, reference: str, on: date) -> None:
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.reference == reference))
        assert case is not None
        with db.transaction() as s:
            case = s.merge(case)
            transition(s, case, Action.ACKNOWLEDGE, OFFICER, case.received_on, rules())
            transition(s, case, Action.RESPOND, OFFICER, on, rules())


def test_next_stage_inside_the_window(app: Flask) -> None:
    reference, _ = _submitted(app)
    _respond(app, reference, date.today())
    client = _open(app, reference)
    _, soup = page(client, "/track/case")
    assert "you can ask until" in soup.get_text()
    missing = post(client, "/track/case/next-stage", {"reason": ""})
    assert "Enter why you are still unhappy" in missing.get_data(as_text=True)
    post(client, "/track/case/next-stage", {"reason": "Nothing has changed."})
    with app.app_context():
        case = db.session.scalar(select(Case))
        assert case is not None and case.status == "escalation_requested"
    assert client.get("/track/case/next-stage").status_code == 404  # cannot ask twice


def test_next_stage_after_the_window_goes_to_staff(app: Flask) -> None:
    reference, _ = _submitted(app)
    _respond(app, reference, date.today() - timedelta(days=60))
    client = _open(app, reference)
    _, soup = page(client, "/track/case")
    assert "a manager will decide" in soup.get_text()
    post(client, "/track/case/next-stage", {"reason": "I was in hospital."})
    _, soup = page(client, "/track/case")
    assert "A manager will decide whether we can look at it again" in soup.get_text()
    with app.app_context():
        case = db.session.scalar(select(Case))
        assert case is not None and case.status == "responded"
        assert db.session.scalar(select(CaseEvent).where(CaseEvent.kind == "late_escalation_request"))


def test_feedback_withdraw_advocate_and_preferences(app: Flask) -> None:
    reference, _ = _submitted(app)
    client = _open(app, reference)
    post(
        client,
        "/track/case/contact-details",
        {
            "name": "Jo Smith",
            "contact_method": "phone",
            "phone": "07700 900 982",
            "language": "pl",
            "email": "",
        },
    )
    post(client, "/track/case/formats", {"formats": ["braille"], "adjustments": ["bsl"]})
    _button(client, "/track/case/advocate")
    post(client, "/track/case/withdraw", {"reason": "Sorted out by the team."})
    with app.app_context():
        case = db.session.scalar(select(Case))
        assert case is not None and case.status == "withdrawn" and case.advocacy_requested
        person = case.complainant
        assert person is not None and person.contact_method == "phone" and person.preferred_language == "pl"
        assert person.needs["formats"] == ["braille"] and person.needs["adjustments"] == ["bsl"]
        assert all(not d.is_open for d in db.session.scalars(select(Deadline)))
    _, soup = page(client, "/track/case")
    assert "Withdrawn" in soup.get_text()
    assert client.get("/track/case/withdraw").status_code == 404
    assert client.get("/track/case/response").status_code == 404  # withdrawn: no response to comment on


def test_sign_out_ends_the_tracking_session(app: Flask) -> None:
    reference, _ = _submitted(app)
    client = _open(app, reference)
    _button(client, "/track/sign-out")
    assert client.get("/track/case").status_code == 302


def test_ombudsman_is_explained_once_we_have_finished(app: Flask) -> None:
    reference, _ = _submitted(app)
    client = _open(app, reference)
    _, soup = page(client, "/track/case")
    assert "the Ombudsman" not in soup.get_text()
    _respond(app, reference, date.today())
    with app.app_context():
        case = db.session.scalar(select(Case))
        assert case is not None
        with db.transaction() as s:
            transition(s, s.merge(case), Action.CLOSE, OFFICER, date.today(), rules())
    _, soup = page(client, "/track/case")
    text = soup.get_text(" ", strip=True)
    assert "If you are still not happy: the Ombudsman" in text and "0300 061 0614" in text
    feedback = post(client, "/track/case/response", {"resolved": "no", "comment": "Still waiting."})
    assert feedback.headers["Location"].endswith("/track/case")


def test_signing_out_ends_the_session_on_the_server_so_a_copied_cookie_fails(app: Flask) -> None:
    reference, _ = _submitted(app)
    family = _open(app, reference)
    cookie = family.get_cookie("session")
    assert cookie is not None
    copied = app.test_client()
    copied.set_cookie("session", cookie.value)  # someone who copied the cookie before sign-out
    assert copied.get("/track/case").status_code == 200
    token = csrf(family.get("/track/case").get_data(as_text=True))
    assert family.post("/track/sign-out", data={"csrf_token": token}).status_code == 303
    assert family.get("/track/case").headers["Location"].endswith("/track?expired=1")
    assert copied.get("/track/case").headers["Location"].endswith("/track?expired=1")  # replay refused
    assert copied.get("/track/case/receipt/standard").status_code == 404
    with app.app_context():
        from portal.models import TrackingSession

        row = db.session.scalar(select(TrackingSession))
        assert row is not None and row.ended_at is not None and len(row.token_hash) == 64
        assert cookie.value.find(row.token_hash) == -1  # only the hash is stored


def test_a_tracking_session_expires_after_its_lifetime(app: Flask) -> None:
    reference, _ = _submitted(app)
    family = _open(app, reference)
    with app.app_context():
        from portal.models import TrackingSession

        row = db.session.scalar(select(TrackingSession))
        assert row is not None
        assert timedelta(minutes=59) < row.expires_at - row.created_at <= timedelta(hours=2)
        row.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert family.get("/track/case").headers["Location"].endswith("/track?expired=1")
