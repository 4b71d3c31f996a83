"""The annual report pages in real Chromium: axe-core 4.x with 0 violations, JavaScript off, 320px reflow."""

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
PAGES = (
    "/staff/reports/annual?year=2022",
    "/staff/reports/annual?year=2022&version=public",
    "/staff/reports/annual?year=2021",
    "/staff/reports/annual",  # the last year that has ended: no records, every figure 0
)


@pytest.fixture(scope="module")
def report_server(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    path = tmp_path_factory.mktemp("reports") / "portal.sqlite3"
    shutil.copyfile(sqlite_template, path)
    app = create_app(TestConfig(f"sqlite:///{path}"))
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    server = LiveServer(app)
    yield server
    server.stop()


def _submit(driver: webdriver.Chrome, fields: dict[str, str]) -> None:
    form = driver.find_element(By.CSS_SELECTOR, "main form")
    for name, value in fields.items():
        form.find_element(By.NAME, name).send_keys(value)
    before = driver.current_url
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(driver, 10).until(lambda d: d.current_url != before)


@pytest.fixture(scope="module")
def signed_in(browser: webdriver.Chrome, report_server: LiveServer) -> Iterator[webdriver.Chrome]:
    """The demo reporting account (read only), with MFA set up from the key on the page."""
    browser.get(report_server.url + "/staff/sign-in")
    browser.delete_all_cookies()
    browser.get(report_server.url + "/staff/sign-in")
    _submit(browser, {"email": "reporting@demo.invalid", "password": DEMO_PASSWORD})
    secret = browser.find_element(By.ID, "totp-secret").text.replace(" ", "")
    _submit(browser, {"code": pyotp.TOTP(secret).now()})
    _submit(browser, {})  # "I have saved these codes"
    yield browser
    browser.delete_all_cookies()


def test_the_report_pages_have_no_axe_violations(
    signed_in: webdriver.Chrome, report_server: LiveServer
) -> None:
    failures = {}
    for url in PAGES:
        signed_in.get(report_server.url + url)
        assert signed_in.find_element(By.TAG_NAME, "h1").text.startswith(
            "Children's complaints and compliments"
        )
        violations = axe_violations(signed_in)
        if violations:
            failures[url] = describe(violations)
    assert not failures, "\n".join(f"{url}:\n{text}" for url, text in failures.items())


def test_the_charts_are_drawn_and_named(signed_in: webdriver.Chrome, report_server: LiveServer) -> None:
    signed_in.get(report_server.url + PAGES[0])
    charts = signed_in.find_elements(By.CSS_SELECTOR, "svg[role=img]")
    assert len(charts) >= 10
    for chart in charts:
        assert chart.size["height"] > 50 and chart.size["width"] > 200
        assert chart.accessible_name  # from its <title>
    rows = signed_in.find_elements(By.CSS_SELECTOR, "#at-a-glance-table tbody tr")
    assert rows[0].text.split()[-2:] == ["206", "204"]


def test_the_report_works_without_javascript_and_reflows_at_320px(
    signed_in: webdriver.Chrome, report_server: LiveServer
) -> None:
    driver = signed_in
    metrics = {"width": 320, "height": 800, "deviceScaleFactor": 1, "mobile": False}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    failures, wide = {}, {}
    try:
        for url in PAGES[:2]:
            load_without_javascript(driver, report_server.url + url)
            # Data tables may scroll inside their own container (NFR A11Y-5); nothing else may be wider.
            too_wide = driver.execute_script(
                "const w = document.documentElement.clientWidth;"
                "return [...document.querySelectorAll('body *')]"
                ".filter(e => !e.closest('.portal-table-container'))"
                ".filter(e => e.getBoundingClientRect().right > w + 1)"
                ".slice(0, 3).map(e => e.tagName + '.' + e.className)"
            )
            if too_wide:
                wide[url] = too_wide
            violations = axe_violations(driver)
            if violations:
                failures[url] = describe(violations)
            # The year and version form works without JavaScript: a plain GET.
            form = driver.find_element(By.CSS_SELECTOR, "main form")
            assert form.get_attribute("method") == "get"
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert not wide, wide
    assert not failures, "\n".join(f"{url}:\n{text}" for url, text in failures.items())
