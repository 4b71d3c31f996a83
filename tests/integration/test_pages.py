"""Every page passes the page checks; error pages use the layout; headers everywhere."""

from __future__ import annotations

import pytest
from flask import Flask, abort
from flask.testing import FlaskClient

from tests.helpers import get_page
from tests.pages import page_urls


def test_every_page_passes_the_page_checks(app: Flask, client: FlaskClient) -> None:
    urls, missing = page_urls(app)
    assert not missing, f"pages with URL parameters need an example in tests/pages.py: {missing}"
    assert "/" in urls and "/accessibility-statement" in urls
    for url in urls:
        soup = get_page(client, url)
        footer_links = {a["href"] for a in soup.select(".govuk-footer a")}
        assert {
            "/accessibility-statement",
            "/privacy-notice",
            "/cookies",
            "/contact",
        } <= footer_links


def test_start_page_explains_stages_advocacy_and_ombudsman(client: FlaskClient) -> None:
    text = get_page(client, "/").get_text(" ", strip=True)
    for phrase in (
        "NYAS",
        "VoiceAbility",
        "Local Government and Social Care Ombudsman",
        "working days",
    ):
        assert phrase in text
    assert "Exit this page" in text
    assert "GOV.UK" not in text


def test_start_page_timescales_come_from_the_procedure_table() -> None:
    from portal import create_app
    from portal.config import TestConfig

    overrides = {"statutory": {"clocks": {"stage1_response": {"limit": 13, "extended_limit": 23}}}}
    app = create_app(TestConfig("sqlite://", PROCEDURE_OVERRIDES=overrides))
    text = get_page(app.test_client(), "/").get_text(" ", strip=True)
    assert "13 working days" in text


@pytest.mark.parametrize(
    ("status", "heading"),
    [
        (400, "Sorry, there is a problem with your request"),
        (403, "You do not have permission to see this page"),
        (404, "Page not found"),
        (405, "Sorry, there is a problem with your request"),
        (413, "The file or form you sent is too big"),
        (429, "You have tried too many times"),
        (500, "Sorry, there is a problem with the service"),
    ],
)
def test_error_pages_use_the_layout(app: Flask, status: int, heading: str) -> None:
    @app.get(f"/_test/error/{status}")
    def _raise() -> str:
        abort(status)

    soup = get_page(app.test_client(), f"/_test/error/{status}", status=status)
    assert soup.h1 is not None and soup.h1.get_text(strip=True) == heading
    assert "Traceback" not in str(soup)


def test_unexpected_exception_gives_500_page_not_a_stack_trace(app: Flask) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/_test/boom")
    def _boom() -> str:
        raise RuntimeError("secret internals")

    response = app.test_client().get("/_test/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "secret internals" not in body and "Traceback" not in body
    assert "Sorry, there is a problem with the service" in body


def test_csrf_failure_has_its_own_page(app: Flask) -> None:
    app.config["WTF_CSRF_ENABLED"] = True

    @app.post("/_test/form")
    def _form() -> str:
        return "accepted"

    response = app.test_client().post("/_test/form", data={"name": "x"})
    assert response.status_code == 400
    assert "Nothing has been saved" in response.get_data(as_text=True)


def test_security_headers_on_pages_errors_and_static(client: FlaskClient) -> None:
    for url, status in (("/", 200), ("/nope", 404), ("/static/css/portal.css", 200)):
        response = client.get(url)
        assert response.status_code == status
        csp = response.headers["Content-Security-Policy"]
        assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
        for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
            assert directive in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "max-age" in response.headers["Strict-Transport-Security"]
        assert response.headers["Referrer-Policy"] == "no-referrer"
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_nonce_changes_per_request(client: FlaskClient) -> None:
    first = client.get("/").headers["Content-Security-Policy"]
    second = client.get("/").headers["Content-Security-Policy"]
    assert first != second


def test_language_choice_is_remembered_and_redirects_only_on_site(client: FlaskClient) -> None:
    response = client.get("/language/en?next=/contact")
    assert response.status_code == 303 and response.headers["Location"] == "/contact"
    for evil in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = client.get("/language/en", query_string={"next": evil})
        assert response.headers["Location"] == "/"
    assert client.get("/language/xx").status_code == 404


def test_healthz_checks_the_database(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok", "database": "ok"}


def test_healthz_reports_an_unreachable_database(tmp_path: object) -> None:
    from portal import create_app
    from portal.config import TestConfig

    app = create_app(TestConfig("sqlite://"))  # in-memory, never migrated: SELECT 1 still works
    assert app.test_client().get("/healthz").status_code == 200
    app.extensions["portal.db"].engine.dispose()
    from sqlalchemy import create_engine

    app.extensions["portal.db"].factory.configure(
        bind=create_engine("sqlite:////nonexistent/dir/x.db")
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.json["database"] == "unreachable"
