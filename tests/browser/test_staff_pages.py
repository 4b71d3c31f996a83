"""The staff sign-in in real Chromium: every staff page and error state through axe-core 4.x,
MFA set up from the key on the page, JavaScript off, keyboard only, 320px reflow."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait
from werkzeug.exceptions import NotFound

from portal import create_app
from portal.config import TestConfig
from portal.demo import DEMO_PASSWORD
from portal.staff.guard import require_role
from tests.browser.conftest import LiveServer, axe_violations, describe, h1_text, press
from tests.pages import EXAMPLES

pytestmark = pytest.mark.browser
FORBIDDEN = "/staff/_test/administrators-only"


@pytest.fixture(scope="module")
def staff_server(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of our own (seeded demo users, not yet enrolled) with a test-only 403 route."""
    path = tmp_path_factory.mktemp("staff") / "portal.sqlite3"
    shutil.copyfile(sqlite_template, path)
    app = create_app(TestConfig(f"sqlite:///{path}"))
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output

    @app.get(FORBIDDEN)
    @require_role("admin")
    def _administrators_only() -> str:
        return "administrators only"

    server = LiveServer(app)
    yield server
    server.stop()


class Visit:
    """Drives the browser, runs axe on every page it lands on, and notes the staff endpoints seen."""

    def __init__(self, driver: webdriver.Chrome, server: LiveServer) -> None:
        self.driver, self.server = driver, server
        self.seen: set[str] = set()
        self.failures: dict[str, str] = {}

    def endpoint(self) -> str | None:
        path = self.driver.current_url.removeprefix(self.server.url).split("?")[0]
        try:
            endpoint, _ = self.server.app.url_map.bind("localhost").match(path, method="GET")
        except NotFound:
            return None
        return str(endpoint)

    def check(self, where: str) -> None:
        assert len(self.driver.find_elements(By.TAG_NAME, "h1")) == 1, where
        endpoint = self.endpoint()
        if endpoint:
            self.seen.add(endpoint)
        violations = axe_violations(self.driver)
        if violations:
            self.failures[where] = describe(violations)

    def get(self, url: str, where: str | None = None) -> None:
        self.driver.get(self.server.url + url)
        self.check(where or url)

    def submit(self, fields: dict[str, str], where: str, button: str | None = None) -> None:
        form = self.driver.find_element(By.CSS_SELECTOR, "main form")
        for name, value in fields.items():
            element = form.find_element(By.NAME, name)
            element.clear()
            element.send_keys(value)
        target = form.find_element(By.XPATH, f".//button[normalize-space()='{button}']") if button else None
        press(self.driver, target or form.find_element(By.CSS_SELECTOR, "button[type=submit]"), click=True)
        self.check(where)

    def text(self, selector: str) -> str:
        return self.driver.find_element(By.CSS_SELECTOR, selector).text

    def h1(self) -> str:
        return self.text("h1")

    def sign_out(self) -> None:
        self.driver.find_element(By.XPATH, "//button[normalize-space()='Sign out']").click()
        WebDriverWait(self.driver, 10).until(lambda d: "/staff/sign-in" in d.current_url)
        self.check("signed out")


@pytest.fixture
def visit(browser: webdriver.Chrome, staff_server: LiveServer) -> Iterator[Visit]:
    browser.get(staff_server.url + "/staff/sign-in")
    browser.delete_all_cookies()  # cookies are per host, not per port: start clean, leave clean
    yield Visit(browser, staff_server)
    browser.delete_all_cookies()


def _staff_get_endpoints(server: LiveServer) -> dict[str, bool]:
    """Staff GET endpoints from the URL map -> whether their URL has parameters."""
    return {
        rule.endpoint: bool(rule.arguments)
        for rule in server.app.url_map.iter_rules()
        if rule.endpoint.startswith("staff.") and "GET" in (rule.methods or set())
    }


def _set_up_mfa(v: Visit, where: str) -> tuple[str, list[str]]:
    """On the set-up page: read the key shown, compute the code as an app would, save the codes."""
    img = v.driver.find_element(By.CSS_SELECTOR, "img[src^='data:image/svg+xml']")
    assert v.driver.execute_script("return arguments[0].naturalWidth", img) > 100, "QR code not drawn"
    secret = v.text("#totp-secret").replace(" ", "")
    v.submit({"code": pyotp.TOTP(secret).now()}, f"{where}: recovery codes")
    assert v.h1() == "Save your recovery codes"
    codes = v.text("#recovery-codes").split()
    assert len(codes) == 10
    v.submit({}, f"{where}: home", button="I have saved these codes")
    assert v.h1() == "Complaints back office"
    return secret, codes


def test_every_staff_page_and_error_state_has_no_axe_violations(visit: Visit) -> None:
    v = visit
    v.get("/staff/sign-in")
    for reason in ("required", "idle", "signed-out", "locked"):
        v.get(f"/staff/sign-in?reason={reason}")
    v.submit({"email": "", "password": ""}, "sign-in: empty")
    v.submit({"email": "officer@demo.invalid", "password": "wrong password"}, "sign-in: wrong password")
    assert "Enter a correct email address and password" in v.text(".govuk-error-summary")
    v.get("/staff/")  # redirected to sign in
    v.submit({"email": "officer@demo.invalid", "password": DEMO_PASSWORD}, "mfa set-up")
    assert v.h1() == "Set up your authenticator app"
    v.submit({"code": "12"}, "mfa set-up: not 6 digits")
    v.submit({"code": "000000"}, "mfa set-up: wrong code")
    _, codes = _set_up_mfa(v, "officer")
    v.get(FORBIDDEN, "403 for the wrong role")
    assert v.h1() == "You do not have permission to see this page"
    v.sign_out()

    v.submit({"email": "officer@demo.invalid", "password": DEMO_PASSWORD}, "mfa")
    assert v.h1() == "Enter the code from your authenticator app"
    v.submit({"code": ""}, "mfa: empty")
    v.submit({"code": "000000"}, "mfa: wrong code")
    v.driver.find_element(By.LINK_TEXT, "I cannot use my authenticator app: use a recovery code").click()
    v.check("recovery code")
    v.submit({"code": "not-a-code"}, "recovery code: wrong")
    v.submit({"code": codes[0]}, "home after a recovery code")
    assert v.h1() == "Complaints back office"
    assert "9 of 10" in v.text("main")

    # Any staff page added later (without URL parameters, or with an example in tests/pages.py)
    # is visited here too, signed in as the complaints officer.
    for endpoint, has_arguments in sorted(_staff_get_endpoints(v.server).items()):
        if endpoint in v.seen:
            continue
        assert not has_arguments or endpoint in EXAMPLES, f"{endpoint} needs an example in tests/pages.py"
        with v.server.app.test_request_context():
            from flask import url_for

            url = url_for(endpoint, **EXAMPLES.get(endpoint, {}))
        v.get(url)
    v.sign_out()
    assert v.seen >= set(_staff_get_endpoints(v.server)), "a staff page was not visited"
    assert not v.failures, "\n".join(f"{where}:\n{text}" for where, text in v.failures.items())


def _tab_to(driver: webdriver.Chrome, matches: str, limit: int = 60) -> WebElement:
    """Press Tab until the focused element matches the CSS selector; every stop shows its focus."""
    for _ in range(limit):
        driver.switch_to.active_element.send_keys(Keys.TAB)
        active = driver.switch_to.active_element
        if driver.execute_script("return arguments[0].matches(arguments[1])", active, matches):
            style = driver.execute_script(
                "const s = getComputedStyle(arguments[0]); return [s.outlineStyle, s.boxShadow];", active
            )
            assert style[0] != "none" or style[1] != "none", f"no visible focus on {matches}"
            return active
    raise AssertionError(f"could not reach {matches} with the Tab key")


def _wait_for_h1(driver: webdriver.Chrome, text: str) -> None:
    WebDriverWait(driver, 10).until(lambda d: h1_text(d) == text)


def test_sign_in_and_set_up_mfa_with_the_keyboard_only(visit: Visit) -> None:
    driver = visit.driver
    driver.get(visit.server.url + "/staff/sign-in")
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    assert driver.switch_to.active_element.text == "Skip to main content"
    _tab_to(driver, "#email").send_keys("manager@demo.invalid")
    _tab_to(driver, "#password").send_keys(DEMO_PASSWORD + Keys.ENTER)
    _wait_for_h1(driver, "Set up your authenticator app")
    secret = driver.find_element(By.ID, "totp-secret").text.replace(" ", "")
    _tab_to(driver, "#code").send_keys(pyotp.TOTP(secret).now() + Keys.ENTER)
    _wait_for_h1(driver, "Save your recovery codes")
    _tab_to(driver, "main button").send_keys(Keys.ENTER)
    _wait_for_h1(driver, "Complaints back office")
    _tab_to(driver, "button.govuk-button--secondary").send_keys(Keys.ENTER)  # Sign out
    _wait_for_h1(driver, "Sign in to the complaints back office")
    assert "You have signed out" in driver.find_element(By.TAG_NAME, "main").text


def test_sign_in_works_with_javascript_off_and_reflows_at_320px(visit: Visit) -> None:
    driver = visit.driver

    def scripts(on: bool) -> None:
        driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": not on})

    def measure(where: str) -> None:
        # The page is as served (no js-enabled class, no htmx); scripts go on only to measure.
        assert "js-enabled" not in (driver.find_element(By.TAG_NAME, "body").get_dom_attribute("class") or "")
        scripts(True)
        try:
            # Staff data tables may scroll inside their own container (NFR A11Y-5); nothing else
            # may be wider than the screen.
            too_wide = driver.execute_script(
                "const w = document.documentElement.clientWidth;"
                "return [...document.querySelectorAll('body *')]"
                ".filter(e => !e.closest('.portal-table-container'))"
                ".filter(e => e.getBoundingClientRect().right > w + 1)"
                ".slice(0, 3).map(e => e.tagName + '.' + e.className)"
            )
            if too_wide:
                wide[where] = too_wide
            violations = axe_violations(driver)
            if violations:
                visit.failures[where] = describe(violations)
        finally:
            scripts(False)

    def enter(selector: str, text: str) -> None:
        field = driver.find_element(By.CSS_SELECTOR, selector)
        field.send_keys(text)

    def press(button: str, then: str) -> None:
        driver.find_element(By.XPATH, f"//main//button[normalize-space()='{button}']").click()
        _wait_for_h1(driver, then)

    wide: dict[str, list[str]] = {}
    metrics = {"width": 320, "height": 800, "deviceScaleFactor": 1, "mobile": False}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    scripts(False)
    try:
        driver.get(visit.server.url + "/staff/sign-in")
        measure("sign-in")
        enter("#email", "reporting@demo.invalid")
        enter("#password", DEMO_PASSWORD)
        press("Sign in", "Set up your authenticator app")
        measure("mfa set-up")
        enter("#code", pyotp.TOTP(driver.find_element(By.ID, "totp-secret").text.replace(" ", "")).now())
        press("Continue", "Save your recovery codes")
        measure("recovery codes")
        press("I have saved these codes", "Complaints back office")
        measure("home")
        driver.find_element(By.XPATH, "//button[normalize-space()='Sign out']").click()
        _wait_for_h1(driver, "Sign in to the complaints back office")
    finally:
        scripts(True)
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert not visit.failures, visit.failures
    assert not wide, f"pages scroll sideways at 320px: {wide}"
