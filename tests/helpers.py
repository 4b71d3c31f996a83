"""Page checks every integration test applies to every page it fetches."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from werkzeug.test import TestResponse

from portal import db as portal_db


def check_page(html: str, nonce: str | None = None) -> BeautifulSoup:
    """Title, Error: prefix, form action/method, unique ids, lang, CSP nonce on inline scripts."""
    soup = BeautifulSoup(html, "html.parser")
    title = soup.title.get_text(strip=True) if soup.title else ""
    assert title, "page has no <title>"
    html_tag = soup.find("html")
    assert html_tag is not None and html_tag.get("lang"), "<html> has no lang"
    has_errors = soup.select_one(".govuk-error-summary") is not None
    assert title.startswith("Error:") == has_errors, (
        f"title {title!r} vs error summary {has_errors}"
    )
    for form in soup.find_all("form"):
        assert form.get("action"), f"form without action: {form.get('id')}"
        assert form.get("method", "").lower() in {"get", "post"}, "form without method"
    ids = Counter(tag["id"] for tag in soup.find_all(id=True))
    duplicates = [i for i, n in ids.items() if n > 1]
    assert not duplicates, f"duplicate ids: {duplicates}"
    h1s = soup.find_all("h1")
    assert len(h1s) == 1, f"expected one <h1>, found {len(h1s)}"
    for script in soup.find_all("script"):
        if not script.get("src"):
            assert nonce and script.get("nonce") == nonce, "inline script without the CSP nonce"
    return soup


def nonce_of(response: TestResponse) -> str | None:
    csp = response.headers.get("Content-Security-Policy", "")
    for part in csp.split(";"):
        part = part.strip()
        if part.startswith("script-src"):
            for token in part.split():
                if token.startswith("'nonce-"):
                    return token[len("'nonce-") : -1]
    return None


def get_page(client: FlaskClient, url: str, status: int = 200, **kwargs: object) -> BeautifulSoup:
    response = client.get(url, **kwargs)  # type: ignore[arg-type]
    assert response.status_code == status, f"{url}: {response.status_code}"
    return check_page(response.get_data(as_text=True), nonce_of(response))


@contextmanager
def statements_run(app: Flask) -> Iterator[list[str]]:
    """The SQL statements the app runs meanwhile: through SQLAlchemy, and the reads portal.db's
    first_row runs on the driver (SQLAlchemy's events do not see those)."""
    seen: list[str] = []

    def through_sqlalchemy(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    engine, on_driver = app.extensions["portal.db"].engine, seen.append
    event.listen(engine, "before_cursor_execute", through_sqlalchemy)
    portal_db.DRIVER_READS.append(on_driver)
    try:
        yield seen
    finally:
        portal_db.DRIVER_READS.remove(on_driver)
        event.remove(engine, "before_cursor_execute", through_sqlalchemy)
