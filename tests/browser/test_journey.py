"""The complaint journey in real Chromium: with JavaScript (htmx) and without, by keyboard alone,
with axe-core 4.x on every page and every error state."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.conftest import LiveServer, axe_violations, describe, press
from tests.browser.conftest import fill as _fill
from tests.journey import PARENT_COMPLAINT

pytestmark = pytest.mark.browser


def _clear_session(driver: webdriver.Chrome, live_server: LiveServer) -> None:
    driver.get(live_server.url + "/")
    driver.delete_all_cookies()


CONTINUE = "//button[normalize-space()='Continue' or normalize-space()='Send']"
SUMMARY = ".govuk-error-summary"


def _continue(driver: webdriver.Chrome) -> None:
    press(driver, driver.find_element(By.XPATH, CONTINUE))


def _assert_accessible(driver: webdriver.Chrome, where: str) -> None:
    violations = axe_violations(driver)
    assert not violations, f"{where}: {describe(violations)}"


@pytest.fixture
def scripts_off(browser: webdriver.Chrome) -> Iterator[webdriver.Chrome]:
    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    yield browser
    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})


def _axe_with_scripts_briefly_on(driver: webdriver.Chrome, where: str) -> None:
    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
    try:
        _assert_accessible(driver, where)
    finally:
        driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})


def test_whole_journey_with_javascript_errors_and_axe(
    live_server: LiveServer, browser: webdriver.Chrome
) -> None:
    _clear_session(browser, live_server)
    browser.get(live_server.url + "/")
    browser.find_element(By.CSS_SELECTOR, "a.govuk-button--start").send_keys(Keys.ENTER)
    for slug, data in PARENT_COMPLAINT:
        WebDriverWait(browser, 10).until(lambda d, s=slug: d.current_url.split("?")[0].endswith(s))
        _assert_accessible(browser, slug)
        if slug not in ("needs", "evidence"):
            _continue(browser)  # nothing answered: the htmx error state
            assert browser.title.startswith("Error:"), slug
            WebDriverWait(browser, 5).until(  # govuk-frontend moves it once the swap has settled
                lambda d: d.switch_to.active_element == d.find_element(By.CSS_SELECTOR, SUMMARY),
                f"{slug}: focus not on the error summary",
            )
            _assert_accessible(browser, f"{slug} (errors, htmx)")
        _fill(browser, data)
        _continue(browser)
    WebDriverWait(browser, 10).until(lambda d: d.current_url.endswith("/check-your-answers"))
    _assert_accessible(browser, "check your answers")
    _continue(browser)
    WebDriverWait(browser, 10).until(lambda d: d.current_url.endswith("/confirmation"))
    assert "CC-" in browser.find_element(By.CSS_SELECTOR, ".govuk-panel").text
    _assert_accessible(browser, "confirmation")


def test_whole_journey_without_javascript(live_server: LiveServer, scripts_off: webdriver.Chrome) -> None:
    driver = scripts_off
    _clear_session(driver, live_server)
    driver.get(live_server.url + "/make-a-complaint")
    for slug, data in PARENT_COMPLAINT:
        assert driver.current_url.split("?")[0].endswith(slug)
        if slug == "contact":
            _continue(driver)
            assert driver.title.startswith("Error:")
            _axe_with_scripts_briefly_on(driver, "contact errors (no JS)")
        if slug == "needs":
            # Without JavaScript the conditional questions are all shown.
            assert driver.find_element(By.NAME, "large_print_size").is_displayed()
            _axe_with_scripts_briefly_on(driver, "needs (no JS)")
        _fill(driver, data)
        _continue(driver)
    assert driver.current_url.endswith("/check-your-answers")
    _continue(driver)
    assert driver.current_url.endswith("/confirmation")
    _axe_with_scripts_briefly_on(driver, "confirmation (no JS)")


def test_evidence_upload_and_save_pages(live_server: LiveServer, browser: webdriver.Chrome, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _clear_session(browser, live_server)
    browser.get(live_server.url + "/make-a-complaint")
    for _slug, data in PARENT_COMPLAINT[:-1]:
        _fill(browser, data)
        _continue(browser)
    assert browser.current_url.endswith("/evidence")
    good = tmp_path / "letter.pdf"
    good.write_bytes(b"%PDF-1.7 evidence")
    bad = tmp_path / "run.pdf"
    bad.write_bytes(b"MZ\x90\x00 not a pdf")
    for path, ok in ((good, True), (bad, False)):
        browser.find_element(By.ID, "evidence").send_keys(str(path))
        browser.find_element(By.XPATH, "//button[@value='upload']").send_keys(Keys.ENTER)
        if ok:
            WebDriverWait(browser, 10).until(lambda d: "letter.pdf" in d.page_source)
        else:
            WebDriverWait(browser, 10).until(
                lambda d: d.find_elements(By.CSS_SELECTOR, ".govuk-error-summary")
            )
            assert browser.title.startswith("Error:")
        _assert_accessible(browser, f"evidence ({'uploaded' if ok else 'rejected'})")
    save = browser.find_element(By.XPATH, "//button[@name='save_for_later']")
    save.send_keys(Keys.ENTER)
    WebDriverWait(browser, 10).until(lambda d: d.current_url.endswith("/save"))
    _assert_accessible(browser, "save")
    browser.find_element(By.XPATH, "//button[normalize-space()='Send me the link']").send_keys(Keys.ENTER)
    WebDriverWait(browser, 10).until(lambda d: d.current_url.endswith("/saved"))
    _assert_accessible(browser, "saved")
    browser.get(live_server.url + "/make-a-complaint/return/not-a-real-token")
    _assert_accessible(browser, "link expired")
