"""Live server in a thread and headless Chromium (Debian's) with a current axe-core."""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from selenium import webdriver
from selenium.common.exceptions import (
    NoSuchElementException,
    StaleElementReferenceException,
    WebDriverException,
)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select, WebDriverWait
from werkzeug.serving import make_server

from portal import create_app
from portal.config import ROOT, TestConfig
from tests.conftest import require

AXE_JS = ROOT / "static" / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("PORTAL_CHROMEDRIVER", "/usr/bin/chromedriver")
os.environ.setdefault("SE_AVOID_STATS", "true")


class LiveServer:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(5)


@pytest.fixture(scope="session")
def live_server(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    path = tmp_path_factory.mktemp("live") / "portal.sqlite3"
    shutil.copyfile(sqlite_template, path)
    app = create_app(TestConfig(f"sqlite:///{path}"))
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    server = LiveServer(app)
    yield server
    server.stop()


def _options() -> webdriver.ChromeOptions:
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
        "--window-size=1280,1000",
    ):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return opts


def _driver() -> webdriver.Chrome:
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        require(f"Chromium/chromedriver not installed at {CHROMIUM}, {CHROMEDRIVER}")
    try:
        return webdriver.Chrome(service=Service(CHROMEDRIVER), options=_options())
    except WebDriverException as error:  # pragma: no cover - depends on the machine
        require(f"Chromium would not start: {error.msg}")
        raise


@pytest.fixture(scope="session")
def browser() -> Iterator[webdriver.Chrome]:
    driver = _driver()
    yield driver
    driver.quit()


def load_without_javascript(driver: webdriver.Chrome, url: str) -> None:
    """Load a page with the page's own scripts off, then allow scripts again for axe.

    The DOM stays exactly as served (no js-enabled class, no htmx), so what axe checks
    afterwards is the page a person without JavaScript gets.
    """
    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        driver.get(url)
    finally:
        driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})


def _left_the_page(error: WebDriverException) -> bool:
    """Mid-navigation Chrome may answer that a node no longer belongs to the document instead of
    the usual stale reference: the element has left the page all the same."""
    return isinstance(error, StaleElementReferenceException) or "does not belong to the document" in str(
        error.msg
    )


def _gone(element: WebElement) -> bool:
    """Whether the element has left the page."""
    try:
        element.is_enabled()
    except WebDriverException as error:
        if not _left_the_page(error):
            raise
        return True
    return False


def h1_text(driver: webdriver.Chrome) -> str:
    """The page's h1 text, or "" while a navigation has none to read yet (for waits)."""
    try:
        return str(driver.find_element(By.TAG_NAME, "h1").text)
    except NoSuchElementException:
        return ""
    except WebDriverException as error:
        if not _left_the_page(error):
            raise
        return ""


def press(driver: webdriver.Chrome, element: WebElement, *, click: bool = False) -> None:
    """Press a button or link (Enter, as a keyboard user would; or a click) and wait for what it
    brings: a new page, or htmx's swap of the main content. Either way the element pressed is
    gone, so a page that still shows the last error summary is never taken for the answer."""
    element.click() if click else element.send_keys(Keys.ENTER)
    WebDriverWait(driver, 10).until(lambda _d: _gone(element))
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.TAG_NAME, "h1"))


def axe_violations(driver: webdriver.Chrome) -> list[dict[str, Any]]:
    """Run the npm axe-core 4.x (not the 3.1 bundled with axe-selenium-python) on the page."""
    from axe_selenium_python import Axe

    if not AXE_JS.exists():
        require("static/vendor/axe.min.js missing: run `make assets`")
    axe = Axe(driver, script_url=str(AXE_JS))
    axe.inject()
    version = driver.execute_script("return axe.version")
    assert version.startswith("4."), version
    result = axe.run(options=json.dumps({"runOnly": {"type": "tag", "values": AXE_TAGS}}))
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def describe(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
    )


def fill(driver: webdriver.Chrome, data: dict[str, Any]) -> None:
    """Answer using the keyboard only: focus each control by sending keys to it, Space to tick."""
    for name, value in data.items():
        elements = driver.find_elements(By.NAME, name)
        if not elements:
            continue
        kind = elements[0].get_attribute("type") or elements[0].tag_name
        if kind in ("radio", "checkbox"):
            _tick(driver, elements, value if isinstance(value, list) else [value])
        elif elements[0].tag_name == "select":
            if value:  # an empty answer leaves the select as it is
                Select(elements[0]).select_by_value(value)
        elif isinstance(value, list):  # the three boxes of a date
            for element, part in zip(elements, value, strict=True):
                element.clear()
                element.send_keys(part)
        elif value or elements[0].is_displayed():  # empty answers in hidden conditionals stay empty
            elements[0].clear()
            elements[0].send_keys(value)


def _tick(driver: webdriver.Chrome, elements: list[Any], wanted: list[str]) -> None:
    for element in elements:
        if (element.get_attribute("value") in wanted) != element.is_selected():
            # GOV.UK styles the real input transparent over its label, so focus it
            # and press Space as a keyboard user would.
            driver.execute_script("arguments[0].focus()", element)
            ActionChains(driver).send_keys(Keys.SPACE).perform()
