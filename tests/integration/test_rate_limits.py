"""Rate limits (portal.limits, NFR 1.7): per address and per target, counted in the database, and a
429 page that shows again what was typed with the council's phone number."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from sqlalchemy import func, select

from portal import create_app
from portal.config import DEFAULT_RATE_LIMITS, TestConfig
from portal.extensions import db
from portal.limits import DatabaseStorage
from portal.models import Case, RateLimitCounter
from portal.services.staff import create_staff
from tests.integration.test_staff_auth import PASSWORD, Clock, enrol
from tests.journey import BASE, complete, csrf, post

PHONE = "01632 960 000"


def _app(database_url: str, **limits: str) -> Iterator[Flask]:
    app = create_app(TestConfig(database_url, RATE_LIMITS={**DEFAULT_RATE_LIMITS, **limits}))
    yield app
    app.extensions["portal.db"].engine.dispose()


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    """Small limits so the tests are short; the defaults are checked separately."""
    yield from _app(
        database_url,
        submit_per_ip="2 per hour",
        track_per_ip="6 per hour",
        sign_in_per_account="3 per 15 minutes",
        mfa_per_sign_in="3 per 10 minutes",
    )


def _soup(response: Any) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def _assert_too_many(response: Any, *typed: str) -> BeautifulSoup:
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 3601  # the window, rounded up
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]  # headers still set
    soup = _soup(response)
    summary = soup.select_one(".govuk-error-summary").get_text(" ", strip=True)
    assert "You have tried too many times" in summary and PHONE in summary
    values = [field.get("value", "") for field in soup.select("input")]
    for text in typed:
        assert text in values, f"{text!r} not kept on the 429 page"
    return soup


def test_defaults_follow_nfr_1_7() -> None:
    assert DEFAULT_RATE_LIMITS["submit_per_ip"] == "10 per hour;50 per day"
    assert DEFAULT_RATE_LIMITS["track_per_ip"] == "20 per hour"
    assert DEFAULT_RATE_LIMITS["track_per_reference"] == "5 per hour"
    assert DEFAULT_RATE_LIMITS["track_link_per_reference_email"] == "3 per hour"
    assert DEFAULT_RATE_LIMITS["sign_in_per_ip"] == "100 per hour"


def test_limits_come_from_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTAL_RATE_LIMITS", '{"track_per_reference": "2 per minute"}')
    config = TestConfig("sqlite://")
    assert config.RATE_LIMITS["track_per_reference"] == "2 per minute"
    assert config.RATE_LIMITS["track_per_ip"] == DEFAULT_RATE_LIMITS["track_per_ip"]


def test_link_requests_limited_per_reference_and_email_then_per_reference(app: Flask) -> None:
    client = app.test_client()
    same = {"reference": "CC-2026-000001", "email": "x@example.com"}
    assert [post(client, "/track", same).status_code for _ in range(3)] == [303] * 3
    _assert_too_many(post(client, "/track", same), "CC-2026-000001", "x@example.com")
    # Another email for the same reference: two more (5 per reference), then refused.
    other = [post(client, "/track", {**same, "email": f"y{i}@example.com"}).status_code for i in range(3)]
    assert other == [303, 303, 429]


def test_per_address_limit_and_other_addresses_unaffected(app: Flask) -> None:
    client = app.test_client()
    statuses = [
        post(
            client, "/track/code", {"reference": f"CC-2026-00000{i}", "code": "AAAA-BBBB-CCCC-DDDD"}
        ).status_code
        for i in range(7)
    ]
    assert statuses == [200] * 6 + [429]  # 6 per hour from one address, whatever the reference
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    response = post(elsewhere, "/track/code", {"reference": "CC-2026-000009", "code": "AAAA-BBBB-CCCC-DDDD"})
    assert response.status_code == 200


def test_counters_hold_no_address_email_or_reference(app: Flask) -> None:
    client = app.test_client()
    post(client, "/track", {"reference": "CC-2026-000042", "email": "secret@example.com"})
    with app.app_context():
        keys = db.session.scalars(select(RateLimitCounter.key)).all()
    assert len(keys) == 3  # per address, per reference, per reference and email
    joined = " ".join(keys).lower()
    assert "127.0.0.1" not in joined and "secret" not in joined and "000042" not in joined


def test_submission_limit_keeps_the_answers_and_gives_the_phone(app: Flask) -> None:
    for _ in range(2):
        client = app.test_client()
        complete(client)
        token = csrf(client.get(f"{BASE}/check-your-answers").get_data(as_text=True))
        assert client.post(f"{BASE}/check-your-answers", data={"csrf_token": token}).status_code == 303
    third = app.test_client()
    complete(third)
    token = csrf(third.get(f"{BASE}/check-your-answers").get_data(as_text=True))
    response = third.post(f"{BASE}/check-your-answers", data={"csrf_token": token})
    soup = _assert_too_many(response)
    text = soup.get_text(" ", strip=True)
    assert "Nobody visited for 3 months." in text and "Jo Smith" in text  # the answers are shown again
    assert soup.select_one("form button#send")  # and can be sent later
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Case)) == 2
    # htmx: the fragment, still 429 (static/js/portal.mjs swaps it in)
    fragment = third.post(
        f"{BASE}/check-your-answers", data={"csrf_token": token}, headers={"HX-Request": "true"}
    )
    assert fragment.status_code == 429 and "<html" not in fragment.get_data(as_text=True)


def test_staff_sign_in_limited_per_account_not_echoing_the_password(app: Flask) -> None:
    client = app.test_client()
    form = {"email": "nobody@example.gov.uk", "password": "guess-1"}
    assert [post(client, "/staff/sign-in", form).status_code for _ in range(3)] == [200] * 3
    response = post(client, "/staff/sign-in", form)
    _assert_too_many(response, "nobody@example.gov.uk")
    assert "guess-1" not in response.get_data(as_text=True)
    # Another account from the same address is not held up by the first one's limit.
    assert post(client, "/staff/sign-in", {**form, "email": "other@example.gov.uk"}).status_code == 200


def test_mfa_codes_limited_per_sign_in(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    from portal.services import staff_auth

    clock = Clock()
    monkeypatch.setattr(staff_auth, "clock", clock)
    with app.app_context(), db.transaction() as session:
        create_staff(session, "officer@example.gov.uk", "Officer", "officer", PASSWORD)
    enrolled = app.test_client()
    enrol(enrolled, clock, "officer@example.gov.uk")
    client = app.test_client()
    assert post(
        client, "/staff/sign-in", {"email": "officer@example.gov.uk", "password": PASSWORD}
    ).location == ("/staff/mfa")
    assert [post(client, "/staff/mfa", {"code": "000000"}).status_code for _ in range(3)] == [200] * 3
    _assert_too_many(post(client, "/staff/mfa", {"code": "000001"}), "000001")


def test_storage_counts_every_hit_under_concurrency(app: Flask) -> None:
    storage = DatabaseStorage()
    results: list[int] = []

    def hit() -> None:
        with app.app_context():
            for _ in range(5):
                results.append(storage.incr("concurrency-test", 60))

    threads = [threading.Thread(target=hit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with app.app_context():
        assert storage.get("concurrency-test") == 40
        assert sorted(results) == list(range(1, 41))  # every increment seen exactly once
        assert storage.check()
        storage.clear("concurrency-test")
        assert storage.get("concurrency-test") == 0


def test_storage_window_expires(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    import portal.limits as limits

    now = [1_000_000.0]
    monkeypatch.setattr(limits.time, "time", lambda: now[0])
    storage = DatabaseStorage()
    with app.app_context():
        assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
        assert storage.get_expiry("k") == 1_000_060.0
        now[0] += 61
        assert storage.get("k") == 0
        assert storage.incr("k", 60) == 1  # a new window
        assert storage.get_expiry("k") == 1_000_121.0
        assert storage.reset() == 1
