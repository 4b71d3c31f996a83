"""axe-core 4.x on every page the app serves, reflow at 320px, JS off and keyboard use."""

from __future__ import annotations

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.browser.conftest import LiveServer, axe_violations, describe, load_without_javascript
from tests.pages import page_urls

pytestmark = pytest.mark.browser


def _all_pages(live_server: LiveServer) -> list[str]:
    urls, missing = page_urls(live_server.app)
    assert not missing, f"pages need an example in tests/pages.py: {missing}"
    return [*urls, "/this-page-does-not-exist"]


def test_every_page_has_no_axe_violations(
    live_server: LiveServer, browser: webdriver.Chrome
) -> None:
    failures = {}
    for url in _all_pages(live_server):
        browser.get(live_server.url + url)
        assert browser.title, url
        violations = axe_violations(browser)
        if violations:
            failures[url] = describe(violations)
    assert not failures, "\n".join(f"{u}:\n{v}" for u, v in failures.items())


def test_govuk_frontend_javascript_runs(live_server: LiveServer, browser: webdriver.Chrome) -> None:
    browser.get_log("browser")  # drop what earlier tests logged
    browser.get(live_server.url + "/")
    classes = browser.find_element(By.TAG_NAME, "body").get_attribute("class") or ""
    assert "govuk-frontend-supported" in classes
    assert browser.execute_script("return typeof window.htmx") == "object"
    logs = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert logs == [], logs


def test_no_horizontal_scroll_at_320px(live_server: LiveServer, browser: webdriver.Chrome) -> None:
    # A 320 CSS px viewport exactly (WCAG 1.4.10), without the window chrome or scrollbar.
    metrics = {"width": 320, "height": 800, "deviceScaleFactor": 1, "mobile": False}
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    try:
        for url in _all_pages(live_server):
            browser.get(live_server.url + url)
            width = browser.execute_script(
                "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            wide = browser.execute_script(
                "return [...document.querySelectorAll('body *')]"
                ".filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)"
                ".slice(0, 3).map(e => e.tagName + '.' + e.className)"
            )
            assert width[0] <= width[1], f"{url} scrolls sideways at 320px: {width} {wide}"
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_pages_work_with_javascript_off(live_server: LiveServer, browser: webdriver.Chrome) -> None:
    for url in _all_pages(live_server):
        load_without_javascript(browser, live_server.url + url)
        body = browser.find_element(By.TAG_NAME, "body")
        assert "js-enabled" not in (body.get_attribute("class") or "")
        assert browser.find_element(By.TAG_NAME, "h1").text
        violations = axe_violations(browser)
        assert not violations, f"{url}: {describe(violations)}"


def test_keyboard_skip_link_then_footer_links(
    live_server: LiveServer, browser: webdriver.Chrome
) -> None:
    browser.get(live_server.url + "/")
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    active = browser.switch_to.active_element
    assert active.text == "Skip to main content"
    active.send_keys(Keys.ENTER)
    assert browser.execute_script("return document.activeElement.id") == "main-content"
    # Tab through the page: every focusable element shows a visible focus style and
    # the accessibility statement link is reachable by keyboard.
    seen = []
    for _ in range(200):
        browser.switch_to.active_element.send_keys(Keys.TAB)
        active = browser.switch_to.active_element
        seen.append(active.get_attribute("href") or active.tag_name)
        outline = browser.execute_script(
            "const s = getComputedStyle(arguments[0]);"
            "return [s.outlineStyle, s.boxShadow, s.backgroundColor];",
            active,
        )
        assert outline[0] != "none" or outline[1] != "none", (
            f"no visible focus on {seen[-1]}: {outline}"
        )
        if (seen[-1] or "").endswith("/accessibility-statement"):
            break
    assert (seen[-1] or "").endswith("/accessibility-statement"), seen
