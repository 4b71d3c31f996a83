"""The Ombudsman, compliment, link, theme and subject pages through the test client: errors keep what
was typed, success redirects back to the case, lists filter with and without htmx."""

from __future__ import annotations

from datetime import date, timedelta

from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from portal.models import Case, LgoEnquiry, OutboxMessage, Person
from tests.integration import test_staff_auth as auth
from tests.integration.test_staff_auth import Clock, checked, enrol
from tests.journey import post

clock, staff = auth.clock, auth.staff  # the sign-in tests' fixtures
TODAY = date.today()


def _seed(app: Flask) -> dict[str, str]:
    from portal.demo import seed_demo

    with app.app_context():
        seed_demo(TODAY)
        refs = {}
        for name in ("Fran Foster", "Jo Parent", "Kim Parent", "Lee Parent"):
            found = db.session.scalar(select(Case.reference).join(Person).where(Person.name == name))
            assert found
            refs[name] = found
        lgo = select(Case.reference).join(LgoEnquiry, LgoEnquiry.case_id == Case.id)
        refs["lgo"] = db.session.scalar(lgo) or ""
        return refs


def _date(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def _errors(soup: BeautifulSoup) -> str:
    summary = soup.select_one(".govuk-error-summary")
    assert summary is not None, "no error summary"
    assert soup.title is not None and soup.title.get_text().startswith("Error:")
    return summary.get_text(" ", strip=True)


def test_record_an_ombudsman_enquiry_its_response_and_decision(
    app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    refs = _seed(app)
    enrol(client, clock, "officer@example.gov.uk")
    jo = refs["Jo Parent"]
    url = f"/staff/cases/{jo}/ombudsman/new"
    page = checked(client.get(f"/staff/cases/{jo}"))
    assert page.select_one(f"a[href='{url}']") is not None
    # Nothing entered: every question is named in the summary; a bad date keeps what was typed.
    empty = post(client, url, {"lgo_reference": "24 111 222", "received_on": ["31", "2", "2026"]})
    text = _errors(checked(empty))
    assert "real date" in text and "response by" in text
    soup = checked(empty)
    assert soup.select_one("#lgo_reference")["value"] == "24 111 222"  # type: ignore[index]
    late = post(
        client,
        url,
        {
            "lgo_reference": "24 111 222",
            "received_on": _date(TODAY),
            "response_due_on": _date(TODAY - timedelta(days=3)),
        },
    )
    assert "cannot be before" in _errors(checked(late))
    done = post(
        client,
        url,
        {
            "lgo_reference": "24 111 222",
            "received_on": _date(TODAY),
            "response_due_on": _date(TODAY + timedelta(days=28)),
        },
    )
    assert done.status_code == 303 and "/staff/cases/LG-" in done.location
    lgo = done.location.rsplit("/", 1)[1]
    text = checked(client.get(done.location)).get_text(" ", strip=True)
    assert "24 111 222" in text and jo in text and "Response to the Ombudsman" in text
    assert "Record the response" not in text  # the complaint's own response page is not offered
    assert lgo in checked(client.get(f"/staff/cases/{jo}")).get_text()
    sent = post(client, f"/staff/cases/{lgo}/ombudsman/response", {"sent_on": _date(TODAY)})
    assert sent.status_code == 303
    decided = post(
        client,
        f"/staff/cases/{lgo}/ombudsman/decision",
        {"decision": "upheld", "decided_on": _date(TODAY), "public_report": "y"},
    )
    assert "report was received" in _errors(checked(decided))
    decided = post(
        client,
        f"/staff/cases/{lgo}/ombudsman/decision",
        {
            "decision": "upheld",
            "decided_on": _date(TODAY),
            "public_report": "y",
            "report_received_on": _date(TODAY),
        },
    )
    assert decided.status_code == 303
    with app.app_context():
        enquiry = db.session.scalar(select(LgoEnquiry).where(LgoEnquiry.lgo_reference == "24 111 222"))
        assert enquiry is not None and enquiry.decision == "upheld" and enquiry.report_action_due_on
    text = checked(client.get(f"/staff/cases/{lgo}")).get_text(" ", strip=True)
    assert "Public report" in text and "Record that the Ombudsman was told" in text
    owner = str(staff["officer"])
    added = post(
        client,
        f"/staff/cases/{lgo}/ombudsman/recommendations/new",
        {"text": "Apologise", "owner": owner, "due_on": _date(TODAY + timedelta(days=30))},
    )
    assert added.status_code == 303
    assert "Ombudsman recommendation" in checked(client.get("/staff/commitments?source=ombudsman")).get_text()
    # The Ombudsman pages belong to Ombudsman enquiries only.
    assert client.get(f"/staff/cases/{jo}/ombudsman/decision").status_code == 404


def test_compliments_list_filters_with_and_without_htmx_and_thanks_are_passed_on(
    app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    refs = _seed(app)
    enrol(client, clock, "officer@example.gov.uk")
    kim = refs["Kim Parent"]
    soup = checked(client.get("/staff/compliments"))
    assert kim in soup.get_text() and "Ann Worker" in soup.get_text()
    assert kim not in checked(client.get("/staff/compliments?worker=nobody")).get_text()
    fragment = client.get("/staff/compliments?team=fostering+north", headers={"HX-Request": "true"})
    html = fragment.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="compliment-rows">') and kim in html and "<html" not in html
    assert "HX-Request" in fragment.headers.get("Vary", "")
    bad = post(
        client,
        f"/staff/cases/{kim}/compliment",
        {"worker_name": "", "worker_email": "not-an-email", "team": "", "service_area": "fostering"},
    )
    assert "email address like" in _errors(checked(bad))
    thanks = post(client, f"/staff/cases/{kim}/compliment/thanks", {"passed_to": "", "email_worker": "y"})
    assert "who the thanks" in _errors(checked(thanks))
    thanks = post(client, f"/staff/cases/{kim}/compliment/thanks", {"passed_to": "Ann", "email_worker": "y"})
    assert thanks.status_code == 303
    with app.app_context():
        sent = db.session.scalars(
            select(OutboxMessage.recipient).where(OutboxMessage.template.like("%thanks"))
        )
        assert list(sent) == ["ann.worker@example.invalid"]
    assert "To Ann on" in checked(client.get(f"/staff/cases/{kim}")).get_text(" ", strip=True)


def test_link_theme_and_person_complained_about_pages_and_the_theme_queue_filter(
    app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    refs = _seed(app)
    enrol(client, clock, "officer@example.gov.uk")
    fran, jo, lee = refs["Fran Foster"], refs["Jo Parent"], refs["Lee Parent"]
    text = checked(client.get(f"/staff/cases/{fran}")).get_text(" ", strip=True)
    assert lee in text and "Delays and timescales" in text and "Finance team duty officer" in text
    assert fran in checked(client.get(f"/staff/cases/{lee}")).get_text()  # shown both ways
    bad = post(client, f"/staff/cases/{jo}/links/new", {"other": "CC-1999-000001", "reason": "Sibling"})
    assert "no case CC-1999-000001" in _errors(checked(bad))
    assert checked(bad).select_one("#reason").get_text() == "Sibling"  # type: ignore[union-attr]
    assert (
        post(client, f"/staff/cases/{jo}/links/new", {"other": lee, "reason": "Sibling"}).status_code == 303
    )
    assert jo in checked(client.get(f"/staff/cases/{lee}")).get_text()
    assert "Choose a theme" in _errors(checked(post(client, f"/staff/cases/{jo}/theme", {})))
    assert post(client, f"/staff/cases/{jo}/theme", {"theme": "Plans"}).status_code == 303
    plans = checked(client.get("/staff/cases?queue=all&theme=Plans")).get_text()
    assert jo in plans and fran not in plans
    hx = {"HX-Request": "true"}
    delays = "/staff/cases?queue=all&theme=Delays+and+timescales&q="
    html = client.get(delays + fran, headers=hx).get_data(as_text=True)
    assert fran in html and "<html" not in html
    assert "No cases match" in client.get(delays + jo, headers=hx).get_data(as_text=True)
    responder = str(staff["responding_manager"])
    about = post(client, f"/staff/cases/{jo}/complained-about", {"name": "", "staff_user": responder})
    assert "Enter the name" in _errors(checked(about))
    ok = post(
        client, f"/staff/cases/{jo}/complained-about", {"name": "Responding Manager", "staff_user": responder}
    )
    assert ok.status_code == 303
    warned = post(client, f"/staff/cases/{jo}/assign", {"assignee": responder})
    assert "person this complaint is about" in checked(warned).select_one("#assign-warning").get_text()  # type: ignore[union-attr]


def test_the_response_form_takes_commitments_with_owner_and_due_date(
    app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    _seed(app)
    enrol(client, clock, "officer@example.gov.uk")
    with app.app_context():
        sam = db.session.scalar(select(Case.reference).join(Person).where(Person.name == "Sam Young")) or ""
    url = f"/staff/cases/{sam}/respond"
    due = _date(TODAY + timedelta(days=10))
    data = {
        "point_1": "Plan not reviewed",
        "outcome_1": "upheld",
        "letter_body": "Dear Sam",
        "commitment_1": "Review the pathway plan",
        "commitment_due_1": due,
    }
    missing = checked(post(client, url, data))
    assert "owner and a due date" in _errors(missing)
    assert missing.select_one("#commitment_1").get_text() == "Review the pathway plan"  # type: ignore[union-attr]
    done = post(client, url, data | {"commitment_owner_1": str(staff["manager"])})
    assert done.status_code == 303, _errors(checked(done))
    text = checked(client.get(f"/staff/cases/{sam}")).get_text(" ", strip=True)
    assert "Review the pathway plan" in text
    closing = post(client, f"/staff/cases/{sam}/close", {"note": ""})
    assert "cannot be closed" in _errors(checked(closing))


def test_complaint_only_actions_are_refused_on_an_ombudsman_enquiry(
    app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    refs = _seed(app)
    enrol(client, clock, "officer@example.gov.uk")
    lgo = refs["lgo"]
    for slug in ("respond", "extend"):  # allowed on an in-progress complaint, not on an enquiry
        soup = checked(client.get(f"/staff/cases/{lgo}/{slug}"))
        assert "this is an Ombudsman enquiry" in soup.select_one("#blocked").get_text()  # type: ignore[union-attr]
        assert not soup.select("#action-form")
    # Pages for one kind of case are not found on another.
    jo, kim = refs["Jo Parent"], refs["Kim Parent"]
    for url in (
        f"/staff/cases/{kim}/theme",
        f"/staff/cases/{jo}/compliment",
        f"/staff/cases/{jo}/compliment/thanks",
        f"/staff/cases/{lgo}/ombudsman/new",
        f"/staff/cases/{kim}/complained-about",
    ):
        assert client.get(url).status_code == 404, url
    refused = post(client, f"/staff/cases/{lgo}/extend", {"total_days": "20", "reason": "More time"})
    assert refused.status_code == 200
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.reference == lgo))
        assert (
            case is not None
            and case.status == "in_progress"
            and not any(d.extended_due_on for d in case.deadlines)
        )
