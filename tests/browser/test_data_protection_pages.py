"""The subject access page in real Chromium: axe-core 4.x with 0 violations in each state, JavaScript off,
320px reflow."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from portal import create_app
from portal.config import TestConfig
from portal.demo import DEMO_PASSWORD
from tests.browser.conftest import LiveServer, axe_violations, describe, load_without_javascript

pytestmark = pytest.mark.browser
URL = "/staff/subject-access"


@pytest.fixture(scope="module")
def server(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    path = tmp_path_factory.mktemp("sar") / "portal.sqlite3"
    shutil.copyfile(sqlite_template, path)
    app = create_app(TestConfig(f"sqlite:///{path}"))
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    server = LiveServer(app)
    yield server
    server.stop()


def _submit(driver: webdriver.Chrome, fields: dict[str, str], form: str = "main form") -> None:
    element = driver.find_element(By.CSS_SELECTOR, form)
    for name, value in fields.items():
        element.find_element(By.NAME, name).send_keys(value)
    before = driver.find_element(By.TAG_NAME, "html")
    element.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(driver, 10).until(lambda d: before != d.find_element(By.TAG_NAME, "html"))


@pytest.fixture(scope="module")
def manager(browser: webdriver.Chrome, server: LiveServer) -> Iterator[webdriver.Chrome]:
    browser.get(server.url + "/staff/sign-in")
    browser.delete_all_cookies()
    browser.get(server.url + "/staff/sign-in")
    _submit(browser, {"email": "manager@demo.invalid", "password": DEMO_PASSWORD})
    secret = browser.find_element(By.ID, "totp-secret").text.replace(" ", "")
    _submit(browser, {"code": pyotp.TOTP(secret).now()})
    _submit(browser, {})  # "I have saved these codes"
    yield browser
    browser.delete_all_cookies()


def _states(driver: webdriver.Chrome, server: LiveServer) -> Iterator[str]:
    driver.get(server.url + URL)
    yield "search"
    driver.get(server.url + URL + "?q=sam")
    assert driver.find_elements(By.CSS_SELECTOR, "input[name=case]")
    yield "results"
    _submit(driver, {}, "main form[method=post]")
    assert driver.title.startswith("Error:")
    yield "errors"
    driver.get(server.url + URL + "?q=nobody-at-all")
    yield "no results"


def test_each_state_has_no_axe_violations(manager: webdriver.Chrome, server: LiveServer) -> None:
    failures = {}
    for state in _states(manager, server):
        violations = axe_violations(manager)
        if violations:
            failures[state] = describe(violations)
    assert not failures, "\n".join(f"{state}:\n{text}" for state, text in failures.items())


def test_works_without_javascript_and_reflows_at_320px(manager: webdriver.Chrome, server: LiveServer) -> None:
    metrics = {"width": 320, "height": 800, "deviceScaleFactor": 1, "mobile": False}
    manager.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    try:
        load_without_javascript(manager, server.url + URL + "?q=sam")
        too_wide = manager.execute_script(
            "const w = document.documentElement.clientWidth;"
            "return [...document.querySelectorAll('body *')]"
            ".filter(e => e.getBoundingClientRect().right > w + 1)"
            ".slice(0, 3).map(e => e.tagName + '.' + e.className)"
        )
        violations = axe_violations(manager)
    finally:
        manager.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert not too_wide, too_wide
    assert not violations, describe(violations)
