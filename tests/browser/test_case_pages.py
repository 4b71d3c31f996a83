"""The Ombudsman, compliment, link, theme, subject and response pages in Chromium: every error state and
every HTMX state through axe-core 4.x, the compliments filter with JavaScript off, an enquiry by keyboard."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from portal.demo import DEMO_PASSWORD
from tests.browser.conftest import (
    LiveServer,
    axe_violations,
    describe,
    h1_text,
    load_without_javascript,
    press,
)
from tests.browser.test_staff_pages import Visit, _set_up_mfa, _tab_to, staff_server, visit

pytestmark = pytest.mark.browser
__all__ = ["staff_server", "visit"]  # the staff page tests' fixtures: a seeded server, a browser per test
TODAY = date.today()
Value = str | list[str] | bool


def _fill(v: Visit, fields: dict[str, Value]) -> None:
    """Type, choose or tick each field of the page's form (dates are [day, month, year])."""
    form = v.driver.find_element(By.CSS_SELECTOR, "main form")
    for name, value in fields.items():
        elements = form.find_elements(By.NAME, name)
        kind = elements[0].get_attribute("type")
        if isinstance(value, list):
            for element, part in zip(elements, value, strict=True):
                element.clear()
                element.send_keys(part)
        elif elements[0].tag_name == "select":
            Select(elements[0]).select_by_value(value)  # type: ignore[arg-type]
        elif kind == "checkbox":
            if elements[0].is_selected() != value:
                v.driver.execute_script("arguments[0].click()", elements[0])
        elif kind == "radio":
            chosen = next(e for e in elements if e.get_attribute("value") == value)
            v.driver.execute_script("arguments[0].click()", chosen)
        else:
            elements[0].clear()
            elements[0].send_keys(str(value))


def _send(v: Visit, fields: dict[str, Value], where: str) -> None:
    _fill(v, fields)
    press(v.driver, v.driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]"), click=True)
    v.check(where)


def _error(v: Visit) -> str:
    assert v.driver.title.startswith("Error:"), v.driver.title
    return v.text(".govuk-error-summary")


def _d(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def _open_link(v: Visit, text: str) -> None:
    press(v.driver, v.driver.find_element(By.PARTIAL_LINK_TEXT, text), click=True)
    v.check(text)


def _reference(server: LiveServer, name: str, kind: str = "complaint") -> str:
    from sqlalchemy import select

    from portal.extensions import db
    from portal.models import Case, Person

    with server.app.app_context():
        found = db.session.scalar(
            select(Case.reference).join(Person).where(Person.name == name, Case.kind == kind)
        )
        assert found, name
        return found


_codes: dict[str, list[str]] = {}  # recovery codes per account: the server (and MFA set-up) is per module


def sign_in(v: Visit, email: str) -> Visit:
    """Set up MFA on the first sign-in of an account; later ones use one of its recovery codes."""
    v.get("/staff/sign-in")
    v.submit({"email": email, "password": DEMO_PASSWORD}, f"{email}: second step")
    if email not in _codes:
        _codes[email] = _set_up_mfa(v, email)[1]
        return v
    v.driver.find_element(By.PARTIAL_LINK_TEXT, "use a recovery code").click()
    v.check("recovery code")
    v.submit({"code": _codes[email].pop()}, f"{email}: home")
    assert v.h1() == "Complaints back office"
    return v


@pytest.fixture
def officer(visit: Visit) -> Visit:
    return sign_in(visit, "officer@demo.invalid")


@pytest.fixture
def manager(visit: Visit) -> Visit:
    return sign_in(visit, "manager@demo.invalid")


def test_ombudsman_pages_and_their_error_states(officer: Visit) -> None:
    v = officer
    jo = _reference(v.server, "Jo Parent")
    v.get(f"/staff/cases/{jo}")
    _open_link(v, "Record an Ombudsman enquiry")
    _send(v, {"lgo_reference": ""}, "enquiry: empty")
    assert "Enter the Ombudsman's reference" in _error(v)
    _send(
        v, {"lgo_reference": "26 777 001", "received_on": ["31", "2", str(TODAY.year)]}, "enquiry: bad date"
    )
    assert "real date" in _error(v)
    _send(
        v, {"received_on": _d(TODAY), "response_due_on": _d(TODAY - timedelta(days=1))}, "enquiry: due early"
    )
    assert "cannot be before" in _error(v)
    _send(v, {"response_due_on": _d(TODAY + timedelta(days=20))}, "enquiry case page")
    assert v.h1().startswith("Case LG-")
    _open_link(v, "Record the council's response")
    _send(v, {"sent_on": _d(TODAY + timedelta(days=1))}, "response: future")
    assert "future" in _error(v)
    _send(v, {"sent_on": _d(TODAY)}, "after the response")
    _open_link(v, "Record the Ombudsman's decision")
    _send(v, {}, "decision: empty")
    assert "Choose the Ombudsman's decision" in _error(v)
    _send(
        v, {"decision": "upheld", "decided_on": _d(TODAY), "public_report": True}, "decision: no report date"
    )
    assert "report was received" in _error(v)
    _send(v, {"report_received_on": _d(TODAY)}, "after the decision")
    assert "Public report" in v.text("main")
    _open_link(v, "Add an Ombudsman recommendation")
    _send(v, {}, "recommendation: empty")
    assert "Enter the recommendation" in _error(v)
    _open_link(v, "Back to case")
    _open_link(v, "Record that the Ombudsman was told")
    _send(v, {"notified_on": ["x", "y", "z"]}, "told: bad date")
    assert "real date" in _error(v)
    assert not v.failures, "\n".join(f"{where}:\n{text}" for where, text in v.failures.items())


def test_detail_compliment_and_response_error_states_and_htmx_filters(manager: Visit) -> None:
    v = manager
    jo, kim = _reference(v.server, "Jo Parent"), _reference(v.server, "Kim Parent", "compliment")
    sam = _reference(v.server, "Sam Young")
    v.get(f"/staff/cases/{jo}/links/new")
    _send(v, {"other": "CC-1999-000001", "reason": "Siblings"}, "link: unknown case")
    assert "no case" in _error(v)
    v.get(f"/staff/cases/{jo}/theme")
    _send(v, {}, "theme: empty")
    assert "Choose a theme" in _error(v)
    _send(v, {"theme": "Plans"}, "after the theme")
    v.get(f"/staff/cases/{jo}/complained-about")
    _send(v, {"name": ""}, "complained about: empty")
    assert "Enter the name" in _error(v)
    v.get(f"/staff/cases/{kim}/compliment")
    _send(v, {"worker_email": "not an email"}, "compliment: bad email")
    assert "email address like" in _error(v)
    v.get(f"/staff/cases/{kim}/compliment/thanks")
    _send(v, {"passed_to": ""}, "thanks: empty")
    assert "who the thanks" in _error(v)
    v.get(f"/staff/cases/{sam}/respond")
    fields: dict[str, Value] = {
        "point_1": "Plan not reviewed",
        "outcome_1": "upheld",
        "letter_body": "Dear Sam",
        "commitment_1": "Review the plan",
        "commitment_due_1": _d(TODAY),
    }
    _send(v, fields, "respond: commitment without an owner")
    assert "owner and a due date" in _error(v)

    v.get(f"/staff/cases/{jo}/restriction")
    _send(v, {"reason": ""}, "restriction: empty")
    assert "Enter why" in _error(v)
    _send(v, {"reason": "About a member of the team"}, "case page: restricted")
    assert "Restricted case" in v.text("main")
    v.get(f"/staff/cases/{jo}/restriction")
    _send(v, {"reason": "Investigation finished"}, "case page: restriction lifted")

    # HTMX: changing a filter swaps only the results, which must pass axe too.
    swapped = WebDriverWait(v.driver, 10, ignored_exceptions=(StaleElementReferenceException,))
    v.get("/staff/compliments")
    Select(v.driver.find_element(By.ID, "service_area")).select_by_value("education")
    swapped.until(lambda d: "No compliments match" in d.find_element(By.ID, "compliment-rows").text)
    assert "service_area=education" in v.driver.current_url  # pushed, so the state can be shared and reloaded
    v.check("compliments: htmx filtered to nothing")
    Select(v.driver.find_element(By.ID, "service_area")).select_by_value("fostering")
    swapped.until(lambda d: kim in d.find_element(By.ID, "compliment-rows").text)
    v.check("compliments: htmx filtered")
    v.get("/staff/cases?queue=all")
    Select(v.driver.find_element(By.ID, "theme")).select_by_value("Plans")
    WebDriverWait(v.driver, 10).until(lambda d: "theme=Plans" in d.current_url)
    swapped.until(lambda d: jo in d.find_element(By.ID, "queue-results").text)
    v.check("queue: htmx theme filter")
    v.get("/staff/cases?q=" + "x" * 101, "queue: search too long")
    assert not v.failures, "\n".join(f"{where}:\n{text}" for where, text in v.failures.items())


def test_compliments_filter_without_javascript_and_an_enquiry_by_keyboard(officer: Visit) -> None:
    v = officer
    driver = v.driver
    kim = _reference(v.server, "Kim Parent", "compliment")
    load_without_javascript(driver, v.server.url + "/staff/compliments")
    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        driver.find_element(By.ID, "team").send_keys("nobody at all")
        driver.find_element(By.XPATH, "//main//button[normalize-space()='Apply filters']").click()
        WebDriverWait(driver, 10).until(lambda d: "team=nobody" in d.current_url)
        assert "No compliments match" in v.text("#compliment-rows")
    finally:
        driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
    violations = axe_violations(driver)
    assert not violations, describe(violations)
    assert kim not in v.text("main")

    chris = _reference(v.server, "Chris Parent")
    driver.get(f"{v.server.url}/staff/cases/{chris}/ombudsman/new")
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    _tab_to(driver, "#lgo_reference").send_keys("26 888 002")
    for field, day in (("received_on", TODAY), ("response_due_on", TODAY + timedelta(days=15))):
        _tab_to(driver, f"#{field}-day").send_keys(str(day.day))
        _tab_to(driver, f"#{field}-month").send_keys(str(day.month))
        _tab_to(driver, f"#{field}-year").send_keys(str(day.year))
    _tab_to(driver, "main form button").send_keys(Keys.ENTER)
    WebDriverWait(driver, 10).until(lambda d: h1_text(d).startswith("Case LG-"))
    assert "26 888 002" in v.text("main")
