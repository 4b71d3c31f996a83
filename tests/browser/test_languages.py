"""Every public page in Polish, Lithuanian, Romanian and Arabic in Chromium with axe-core 4.x;
the whole complaint journey by keyboard in each (with its htmx error states), the tracking
pages, and Arabic laid out right to left."""

from __future__ import annotations

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select

from portal.extensions import db
from portal.models import Case
from tests.browser.conftest import LiveServer, axe_violations, describe, fill, press
from tests.journey import complete, emailed_tracking_link, latest_reference, send
from tests.languages import TRACKING_ACTIONS, TRANSLATED, route_in
from tests.pages import page_urls

pytestmark = pytest.mark.browser

# The main button of a question page, whatever language its words are in.
PRIMARY = "form button.govuk-button:not(.govuk-button--secondary)"
SUMMARY = ".govuk-error-summary"


def _check(driver: webdriver.Chrome, lang: str, where: str) -> None:
    html = driver.find_element(By.TAG_NAME, "html")
    assert html.get_attribute("lang") == lang, f"{lang} {where}: lang={html.get_attribute('lang')}"
    assert (html.get_attribute("dir") or "ltr") == ("rtl" if lang == "ar" else "ltr"), f"{lang} {where}: dir"
    violations = axe_violations(driver)
    assert not violations, f"{lang} {where}: {describe(violations)}"


def _press(driver: webdriver.Chrome, selector: str = PRIMARY) -> None:
    press(driver, driver.find_element(By.CSS_SELECTOR, selector))


def _choose(driver: webdriver.Chrome, live_server: LiveServer, lang: str) -> None:
    driver.get(live_server.url + "/")
    driver.delete_all_cookies()
    driver.get(f"{live_server.url}/language/{lang}")


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_public_page_and_the_journey_in_the_language(
    live_server: LiveServer, browser: webdriver.Chrome, lang: str
) -> None:
    _choose(browser, live_server, lang)
    urls, _ = page_urls(live_server.app)
    for url in [*(u for u in urls if not u.startswith("/staff")), "/this-page-does-not-exist"]:
        browser.get(live_server.url + url)
        _check(browser, lang, url)

    browser.get(live_server.url + "/make-a-complaint")
    for slug, data in route_in("parent", lang):
        WebDriverWait(browser, 10).until(lambda d, s=slug: d.current_url.split("?")[0].endswith(s))
        _check(browser, lang, slug)
        if slug not in ("needs", "evidence"):
            _press(browser)  # nothing answered: the htmx error state, focus on the summary
            WebDriverWait(browser, 5).until(
                lambda d: d.switch_to.active_element == d.find_element(By.CSS_SELECTOR, SUMMARY),
                f"{lang} {slug}: focus not on the error summary",
            )
            _check(browser, lang, f"{slug} (errors)")
        fill(browser, data)
        _press(browser)
    WebDriverWait(browser, 10).until(lambda d: d.current_url.endswith("/check-your-answers"))
    _check(browser, lang, "check your answers")
    _press(browser)
    WebDriverWait(browser, 10).until(lambda d: d.current_url.endswith("/confirmation"))
    assert "CC-" in browser.find_element(By.CSS_SELECTOR, ".govuk-panel").text
    _check(browser, lang, "confirmation")
    with live_server.app.app_context():
        case = db.session.scalars(select(Case).order_by(Case.id.desc())).first()
        assert case is not None and case.complainant is not None
        assert case.complainant.preferred_language == lang


@pytest.mark.parametrize("lang", TRANSLATED)
def test_tracking_pages_in_the_language(
    live_server: LiveServer, browser: webdriver.Chrome, lang: str
) -> None:
    app = live_server.app
    client = app.test_client()
    complete(client, route_in("parent", lang))
    send(client)
    link = emailed_tracking_link(app, app.test_client(), latest_reference(app))
    _choose(browser, live_server, lang)
    for path in ("/track", "/track/code"):
        browser.get(live_server.url + path)
        _check(browser, lang, path)
        _press(browser)
        _check(browser, lang, f"{path} (errors)")
    browser.get(live_server.url + link)
    _check(browser, lang, "tracking link")
    _press(browser)
    assert browser.current_url.endswith("/track/case")
    _check(browser, lang, "case page")
    browser.find_element(By.CSS_SELECTOR, ".govuk-details__summary").send_keys(Keys.ENTER)
    _check(browser, lang, "case page, explanation open")
    for action in TRACKING_ACTIONS:
        browser.get(f"{live_server.url}/track/case/{action}")
        _check(browser, lang, action)


def test_arabic_is_laid_out_right_to_left(live_server: LiveServer, browser: webdriver.Chrome) -> None:
    _choose(browser, live_server, "ar")
    browser.get(live_server.url + "/make-a-complaint/what-to-do")
    width = browser.execute_script("return document.documentElement.clientWidth")
    # The radio (and the circle GOV.UK draws over it) sits to the right of its words.
    label = browser.find_element(By.CSS_SELECTOR, ".govuk-radios__label")
    radio = browser.find_element(By.CSS_SELECTOR, ".govuk-radios__input")
    assert radio.rect["x"] > label.rect["x"], "the radio is not on the right of its label"
    drawn = browser.execute_script("return getComputedStyle(arguments[0], '::before').right", label)
    assert drawn == "2px", f"the circle is drawn {drawn} from the right"
    # "Exit this page" moves to the left; the back link and headings start on the right.
    exit_button = browser.find_element(By.CSS_SELECTOR, ".govuk-exit-this-page").rect
    assert exit_button["x"] + exit_button["width"] < width / 2
    heading = browser.find_element(By.TAG_NAME, "h1").rect
    assert heading["x"] + heading["width"] > width / 2
    _press(browser)
    summary = browser.find_element(By.CSS_SELECTOR, SUMMARY)
    error_group = browser.find_element(By.CSS_SELECTOR, ".govuk-form-group--error")
    border = browser.execute_script("return getComputedStyle(arguments[0]).borderRightWidth", error_group)
    assert summary.is_displayed() and border == "5px"
