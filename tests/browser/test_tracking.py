"""Follow my complaint in Chromium: every tracking page and error state with axe, JS on and off,
opened and used with the keyboard."""

from __future__ import annotations

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.browser.conftest import LiveServer, axe_violations, describe, press
from tests.journey import complete, emailed_tracking_link, latest_reference, send

pytestmark = pytest.mark.browser

ACTION_PAGES = ["add-information", "contact-details", "formats", "withdraw"]


def _new_case_link(live_server: LiveServer) -> tuple[str, str]:
    app = live_server.app
    client = app.test_client()
    complete(client)
    send(client)
    reference = latest_reference(app)
    return reference, emailed_tracking_link(app, client, reference)


def _check(driver: webdriver.Chrome, where: str) -> None:
    violations = axe_violations(driver)
    assert not violations, f"{where}: {describe(violations)}"


def _press(driver: webdriver.Chrome, xpath: str) -> None:
    press(driver, driver.find_element(By.XPATH, xpath))


def test_tracking_pages_and_errors_with_axe(live_server: LiveServer, browser: webdriver.Chrome) -> None:
    reference, link = _new_case_link(live_server)
    browser.get(live_server.url + "/")
    browser.delete_all_cookies()
    for path in ("/track", "/track/code", "/track/check-your-email", "/track/link/not-a-token"):
        browser.get(live_server.url + path)
        _check(browser, path)
    browser.get(live_server.url + "/track")
    _press(browser, "//button[normalize-space()='Email me a link']")
    assert browser.title.startswith("Error:")
    _check(browser, "/track errors")
    browser.get(live_server.url + "/track/code")
    browser.find_element(By.NAME, "reference").send_keys(reference)
    browser.find_element(By.NAME, "code").send_keys("WRONG-CODE")
    _press(browser, "//button[normalize-space()='Continue']")
    assert browser.title.startswith("Error:")
    _check(browser, "/track/code wrong code")

    browser.get(live_server.url + link)
    _check(browser, "link button page")
    _press(browser, "//button[normalize-space()='Open my complaint']")
    assert browser.current_url.endswith("/track/case")
    _check(browser, "case page")
    assert reference in browser.page_source
    browser.find_element(
        By.XPATH, "//summary[.//span[normalize-space()='How we worked out this date']]"
    ).send_keys(Keys.ENTER)
    _check(browser, "case page, explanation open")
    browser.get(live_server.url + "/track/case?view=young-person")
    _check(browser, "case page, young person view")
    for action in ACTION_PAGES:
        browser.get(f"{live_server.url}/track/case/{action}")
        _check(browser, action)
    browser.get(live_server.url + "/track/case/add-information")
    _press(browser, "//button[normalize-space()='Send']")
    assert browser.title.startswith("Error:")
    _check(browser, "add information errors")
    browser.find_element(By.NAME, "information").send_keys("A new letter arrived.")
    _press(browser, "//button[normalize-space()='Send']")
    assert browser.current_url.endswith("/track/case")
    assert "We have added your information" in browser.page_source
    _check(browser, "case page with success banner")


def test_tracking_without_javascript(live_server: LiveServer, browser: webdriver.Chrome) -> None:
    _, link = _new_case_link(live_server)
    browser.get(live_server.url + "/")
    browser.delete_all_cookies()
    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        browser.get(live_server.url + link)
        _press(browser, "//button[normalize-space()='Open my complaint']")
        assert browser.current_url.endswith("/track/case")
        # Details open and close without JavaScript (native <details>).
        assert browser.find_element(By.CSS_SELECTOR, "details.govuk-details")
        browser.get(live_server.url + "/track/case/formats")
        assert browser.find_element(By.NAME, "large_print_size").is_displayed()
        _press(browser, "//button[normalize-space()='Save changes']")
        assert browser.current_url.endswith("/track/case")
        assert "Your changes have been saved" in browser.page_source
    finally:
        browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
    _check(browser, "case page after a no-JS action")
