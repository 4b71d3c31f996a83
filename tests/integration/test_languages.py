"""Languages: choosing one, remembering it, storing it on the case, and every public page in
Polish, Lithuanian, Romanian and Arabic with the right lang and dir and no English left."""

from __future__ import annotations

from datetime import date

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlalchemy import select

from portal.domain.procedures import DEFAULT_PROCEDURES
from portal.domain.working_days import Calendar, explain
from portal.models import Case
from portal.public.timeline import START_EVENTS, family_explanation
from tests.helpers import check_page, nonce_of
from tests.integration import test_staff_auth as auth
from tests.integration.test_staff_auth import Clock, enrol
from tests.journey import complete, send
from tests.languages import ROUTES, TRANSLATED, english_left, route_in, walk

clock, staff = auth.clock, auth.staff  # the sign-in tests' fixtures
CAL = Calendar(frozenset({date(2026, 12, 25): "Christmas Day", date(2026, 12, 28): "Boxing Day"}.items()))


def _html_tag(client: FlaskClient, url: str, **headers: str) -> dict[str, str]:
    soup = BeautifulSoup(client.get(url, headers=headers).get_data(as_text=True), "html.parser")
    tag = soup.find("html")
    assert tag is not None
    return {"lang": str(tag.get("lang")), "dir": str(tag.get("dir", "ltr"))}


def test_the_browser_language_is_the_first_default(client: FlaskClient) -> None:
    assert _html_tag(client, "/") == {"lang": "en", "dir": "ltr"}
    assert _html_tag(client, "/", **{"Accept-Language": "pl-PL,pl;q=0.9,en;q=0.5"})["lang"] == "pl"
    assert _html_tag(client, "/", **{"Accept-Language": "ar"}) == {"lang": "ar", "dir": "rtl"}
    assert _html_tag(client, "/", **{"Accept-Language": "de, fr"})["lang"] == "en"


def test_the_choice_is_remembered_and_beats_the_browser(client: FlaskClient) -> None:
    response = client.get("/language/ro?next=/contact")
    assert response.status_code == 303 and response.headers["Location"].endswith("/contact")
    assert _html_tag(client, "/privacy", **{"Accept-Language": "pl"})["lang"] == "ro"
    assert client.get("/language/xx").status_code == 404
    # The switcher names each language in itself, marked with its lang; the current one is not a link.
    soup = BeautifulSoup(client.get("/").get_data(as_text=True), "html.parser")
    switcher = soup.select_one("nav.portal-language-switcher")
    assert switcher is not None
    names = {tag["lang"]: tag.get_text(strip=True) for tag in switcher.select("[lang]")}
    assert names == {"en": "English", "pl": "Polski", "lt": "Lietuvių", "ro": "Română", "ar": "العربية"}
    assert switcher.select_one('[aria-current="true"]')["lang"] == "ro"


def test_the_back_office_stays_in_english(client: FlaskClient) -> None:
    client.get("/language/ar")
    assert _html_tag(client, "/staff/sign-in") == {"lang": "en", "dir": "ltr"}
    assert _html_tag(client, "/staff/sign-in", **{"Accept-Language": "pl"})["lang"] == "en"


def test_the_reading_language_is_stored_on_the_case(app: Flask, client: FlaskClient) -> None:
    client.get("/language/pl")
    steps = [
        (slug, {**data, "language": "pl"} if slug == "contact" else data) for slug, data in ROUTES["parent"]
    ]
    complete(client, steps)
    soup = BeautifulSoup(client.get("/make-a-complaint/contact").get_data(as_text=True), "html.parser")
    selected = soup.select_one('select[name="language"] option[selected]')
    assert selected is not None and selected["value"] == "pl"
    send(client)
    with app.app_context():
        from portal.extensions import db

        case = db.session.scalars(select(Case).order_by(Case.id.desc())).first()
        assert case is not None and case.complainant is not None
        assert case.complainant.preferred_language == "pl"


def test_the_contact_question_offers_the_reading_language_first(client: FlaskClient) -> None:
    client.get("/language/lt")
    complete(client, ROUTES["parent"][:6])  # up to the contact question
    soup = BeautifulSoup(client.get("/make-a-complaint/contact").get_data(as_text=True), "html.parser")
    selected = soup.select_one('select[name="language"] option[selected]')
    assert selected is not None and selected["value"] == "lt"


def test_how_we_worked_out_the_date_in_english_and_polish(app: Flask) -> None:
    start = date(2026, 12, 22)
    e = explain(CAL, start, 10, CAL.add_working_days(start, 10))
    with app.test_request_context(), force_locale("en_GB"):
        assert family_explanation(e) == (
            "We count 10 working days from the day after we got your complaint. Weekends and bank "
            "holidays (25 December, 28 December) do not count. So the date is Thursday 7 January 2027."
        )
        panel = explain(CAL, date(2026, 3, 9), 1, date(2026, 3, 10), start_label="panel_held")
        assert "from the day after the review panel met." in family_explanation(panel)
        other = explain(CAL, date(2026, 3, 9), 1, date(2026, 3, 10), start_label="set_by_the_council")
        assert "from the day after Monday 9 March 2026." in family_explanation(other)
    with app.test_request_context(), force_locale("pl"):
        polish = family_explanation(e)
        assert "25 grudnia" in polish and "czwartek, 7 stycznia 2027" in polish
    with app.test_request_context(), force_locale("lt"):
        assert "2027 m. sausio 7 d." in family_explanation(e)


def test_every_clock_a_family_sees_says_what_started_it() -> None:
    starts = {
        clock.starts_from
        for procedure in DEFAULT_PROCEDURES.values()
        if procedure.code != "lgo"  # the Ombudsman's clocks are the council's, not the family's
        for clock in procedure.clocks
    }
    assert starts <= START_EVENTS.keys(), sorted(starts - START_EVENTS.keys())


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_public_page_is_in_the_language_with_lang_and_dir(app: Flask, lang: str) -> None:
    problems: dict[str, object] = {}
    seen = 0
    for what, html in walk(app, lang):
        seen += 1
        soup = BeautifulSoup(html, "html.parser")
        tag = soup.find("html")
        assert tag is not None
        expected_dir = "rtl" if lang == "ar" else None
        if tag.get("lang") != lang or tag.get("dir") != expected_dir:
            problems[what] = f"lang={tag.get('lang')} dir={tag.get('dir')}"
        left = english_left(html, lang)
        if left:
            problems[what] = left
    assert seen > 60, f"only {seen} pages walked"
    assert not problems, "\n".join(f"{what}: {found}" for what, found in problems.items())


def test_the_english_finder_finds_english(app: Flask) -> None:
    """The finder behind the test above is not blind: an English page fails it in every language."""
    english = app.test_client().get("/").get_data(as_text=True)
    for lang in TRANSLATED:
        assert len(english_left(english, lang)) > 5
    marked = '<html lang="pl"><body><p lang="en">Local Government and Social Care Ombudsman</p></body></html>'
    assert english_left(marked, "pl") == []
    unmarked = '<html lang="pl"><body><p>Tell us what you want and we will help</p></body></html>'
    assert english_left(unmarked, "pl") == ["Tell us what you want and we will help"]


def test_staff_read_an_english_copy_of_an_email_sent_in_polish(
    app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    family = app.test_client()
    family.get("/language/pl")
    complete(family, route_in("parent", "pl"))
    send(family)
    with app.app_context():
        from portal.extensions import db
        from portal.models import OutboxMessage

        case = db.session.scalars(select(Case).order_by(Case.id.desc())).first()
        assert case is not None
        message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.case_id == case.id))
        assert message is not None and message.language == "pl" and "CC-" in message.subject
        reference, message_id, polish_subject = case.reference, message.id, message.subject
    enrol(client, clock, "officer@example.gov.uk")
    case_page = client.get(f"/staff/cases/{reference}").get_data(as_text=True)
    assert f"/staff/cases/{reference}/emails/{message_id}" in case_page
    assert "with an English copy" in case_page
    response = client.get(f"/staff/cases/{reference}/emails/{message_id}")
    assert response.status_code == 200
    soup = check_page(response.get_data(as_text=True), nonce_of(response))
    english, polish = soup.select(".portal-email-copy")
    assert english["lang"] == "en" and polish["lang"] == "pl"
    assert f"We have received your complaint: {reference}" in english.get_text()
    assert polish_subject in polish.get_text() and "We have received" not in polish.get_text()
    assert client.get(f"/staff/cases/{reference}/emails/{message_id + 999}").status_code == 404


def test_phone_numbers_keep_their_order_in_arabic(client: FlaskClient) -> None:
    """Space-separated digit groups would be laid out right to left in Arabic text ("000 960
    01632"); each phone number is wrapped in a left-to-right isolate there, and only there."""
    client.get("/language/ar")
    arabic = client.get("/contact").get_data(as_text=True)
    assert "\u206601632 960 000\u2069" in arabic and "\u20660808 808 1001\u2069" in arabic
    client.get("/language/pl")
    polish = client.get("/contact").get_data(as_text=True)
    assert "01632 960 000" in polish and "\u2066" not in polish
