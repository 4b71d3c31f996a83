"""Staff sign-in: password and lockout, TOTP set-up and recovery codes, server-side sessions, the guard."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pyotp
import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from portal.extensions import db
from portal.models import Case, RecoveryCode, StaffAccessLog, StaffSession, StaffUser
from portal.services import staff_auth
from portal.services.staff import create_staff
from portal.services.staff_cases import can_change_case, can_see_case
from portal.staff.guard import authorise_case, current_staff, require_role
from tests.helpers import check_page, get_page, nonce_of
from tests.journey import csrf, post

PASSWORD = "correct horse battery staple"  # noqa: S105 - test credential
ROLES = ("officer", "manager", "responding_manager", "reporting", "admin")
WRONG = "Enter a correct email address and password"


class Clock:
    """The time the staff views see (staff_auth.clock), moved by the tests."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(staff_auth, "clock", fake)
    return fake


@pytest.fixture
def staff(app: Flask) -> dict[str, int]:
    """One account per role, email <role>@example.gov.uk; returns role -> user id."""
    ids = {}
    with app.app_context(), db.transaction() as session:
        for role in ROLES:
            user = create_staff(
                session, f"{role}@example.gov.uk", role.replace("_", " ").title(), role, PASSWORD
            )
            session.flush()
            ids[role] = user.id
    return ids


@dataclass
class Enrolled:
    secret: str
    codes: list[str]


def errors(response: TestResponse) -> list[str]:
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return [li.get_text(strip=True) for li in soup.select(".govuk-error-summary__list li")]


def checked(response: TestResponse) -> BeautifulSoup:
    return check_page(response.get_data(as_text=True), nonce_of(response))


def password_step(client: FlaskClient, email: str, password: str = PASSWORD) -> TestResponse:
    return post(client, "/staff/sign-in", {"email": email, "password": password})


def enrol(client: FlaskClient, clock: Clock, email: str) -> Enrolled:
    """Password, then set up TOTP from the key on the page, then save the recovery codes."""
    assert password_step(client, email).location == "/staff/mfa/set-up"
    _, soup = page(client, "/staff/mfa/set-up")
    secret = soup.select_one("#totp-secret").get_text().replace(" ", "")
    response = post(client, "/staff/mfa/set-up", {"code": pyotp.TOTP(secret).at(clock.now)})
    assert response.location == "/staff/mfa/recovery-codes", errors(response)
    _, soup = page(client, "/staff/mfa/recovery-codes")
    codes = [li.get_text(strip=True) for li in soup.select("#recovery-codes li")]
    assert codes_saved(client, soup).location.startswith("/staff/")  # home, or the page asked for
    return Enrolled(secret, codes)


def codes_saved(client: FlaskClient, soup: BeautifulSoup) -> TestResponse:
    """Press "I have saved these codes" on the page shown (fetching it again would replace them)."""
    token = soup.select_one("input[name=csrf_token]")["value"]
    return client.post("/staff/mfa/recovery-codes", data={"csrf_token": token})


def page(client: FlaskClient, url: str, status: int = 200) -> tuple[TestResponse, BeautifulSoup]:
    response = client.get(url)
    assert response.status_code == status, f"GET {url}: {response.status_code} {response.location}"
    return response, checked(response)


def totp_sign_in(client: FlaskClient, clock: Clock, email: str, secret: str) -> TestResponse:
    clock.advance(seconds=30)  # a fresh time step: the last code was used
    assert password_step(client, email).location == "/staff/mfa"
    return post(client, "/staff/mfa", {"code": pyotp.TOTP(secret).at(clock.now)})


def sign_out(client: FlaskClient) -> TestResponse:
    token = csrf(client.get("/staff/").get_data(as_text=True))
    return client.post("/staff/sign-out", data={"csrf_token": token})


def user(app: Flask, user_id: int) -> StaffUser:
    with app.app_context():
        found = db.session.get(StaffUser, user_id)
        assert found is not None
        return found


def log_outcomes(app: Flask, user_id: int | None = None) -> list[str]:
    with app.app_context():
        stmt = select(StaffAccessLog.outcome).order_by(StaffAccessLog.id)
        if user_id is not None:
            stmt = stmt.where(StaffAccessLog.user_id == user_id)
        return list(db.session.scalars(stmt))


def redirected_to_sign_in(response: TestResponse, reason: str) -> None:
    assert response.status_code in (302, 303), response.status_code
    assert response.location == f"/staff/sign-in?reason={reason}", response.location


# Password ------------------------------------------------------------------------------------


def test_sign_in_page_has_the_right_fields(client: FlaskClient) -> None:
    soup = get_page(client, "/staff/sign-in")
    assert soup.h1 is not None and "Sign in" in soup.h1.get_text()
    email, password = soup.select_one("#email"), soup.select_one("#password")
    assert email["autocomplete"] == "username" and email["type"] == "email"
    assert password["autocomplete"] == "current-password" and password["type"] == "password"
    assert soup.select_one("label[for=email]") and soup.select_one("label[for=password]")
    text = soup.get_text(" ", strip=True)
    assert "Complaints back office" in text and "Exit this page" not in text
    assert not soup.select(".portal-language-switcher")
    assert "Complaints back office" in soup.title.get_text()


def test_empty_form_says_what_to_enter(client: FlaskClient) -> None:
    response = post(client, "/staff/sign-in", {"email": "", "password": ""})
    soup = checked(response)
    assert soup.title.get_text().startswith("Error:")
    assert errors(response) == ["Enter your email address", "Enter your password"]


def test_wrong_password_and_unknown_email_get_the_same_message(
    app: Flask, client: FlaskClient, staff: dict[str, int]
) -> None:
    wrong = password_step(client, "officer@example.gov.uk", "not the password")
    unknown = password_step(client, "nobody@example.gov.uk", PASSWORD)
    for response in (wrong, unknown):
        assert response.status_code == 200
        assert errors(response) == [WRONG]
        assert checked(response).title.get_text().startswith("Error:")
    assert "password" not in str(checked(wrong).select_one("#password").get("value", ""))
    assert log_outcomes(app) == ["sign_in_failed", "sign_in_failed"]


def test_disabled_account_gets_the_same_message(
    app: Flask, client: FlaskClient, staff: dict[str, int]
) -> None:
    with app.app_context(), db.transaction() as session:
        staff_auth.disable_user(session, session.get(StaffUser, staff["officer"]))
    assert errors(password_step(client, "officer@example.gov.uk")) == [WRONG]


def test_email_is_matched_whatever_its_case(client: FlaskClient, staff: dict[str, int]) -> None:
    assert password_step(client, "  Officer@Example.GOV.uk ").location == "/staff/mfa/set-up"


def test_lockout_after_five_failures_then_unlocks_after_fifteen_minutes(
    app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    email = "manager@example.gov.uk"
    for _ in range(4):
        assert errors(password_step(client, email, "guess")) == [WRONG]
    fifth = errors(password_step(client, email, "guess"))
    assert len(fifth) == 1 and "locked" in fifth[0] and "Try again after" in fifth[0]
    # Locked: even the right password is refused, with the same message, and not checked.
    assert errors(password_step(client, email)) == fifth
    clock.advance(minutes=14, seconds=59)
    assert errors(password_step(client, email)) == fifth
    clock.advance(seconds=1)
    assert password_step(client, email).location == "/staff/mfa/set-up"
    outcomes = log_outcomes(app, staff["manager"])
    assert outcomes.count("sign_in_failed") == 4 and outcomes.count("locked") == 3
    assert user(app, staff["manager"]).failed_logins == 0


def test_lockout_service_takes_the_time_it_is_given(app: Flask, staff: dict[str, int]) -> None:
    start = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    with app.app_context(), db.transaction() as session:
        email = "officer@example.gov.uk"
        attempts = [staff_auth.sign_in(session, email, "x", now=start, path="/t") for _ in range(5)]
        assert [a.locked_until for a in attempts[:4]] == [None] * 4
        assert attempts[4].locked_until == start + timedelta(minutes=15)
        at_14 = staff_auth.sign_in(session, email, PASSWORD, now=start + timedelta(minutes=14), path="/t")
        assert not at_14.ok and at_14.locked_until == start + timedelta(minutes=15)
        at_15 = staff_auth.sign_in(session, email, PASSWORD, now=start + timedelta(minutes=15), path="/t")
        assert at_15.ok and at_15.token
        # A correct password clears the count: four more failures do not lock.
        for _ in range(4):
            assert (
                staff_auth.sign_in(
                    session, email, "x", now=start + timedelta(minutes=16), path="/t"
                ).locked_until
                is None
            )


def test_a_weaker_password_hash_is_upgraded_on_sign_in(
    app: Flask, client: FlaskClient, staff: dict[str, int]
) -> None:
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=8192).hash(PASSWORD)
    with app.app_context(), db.transaction() as session:
        session.get(StaffUser, staff["officer"]).password_hash = weak
    assert password_step(client, "officer@example.gov.uk").location == "/staff/mfa/set-up"
    upgraded = user(app, staff["officer"]).password_hash
    assert upgraded != weak and upgraded.startswith("$argon2id$") and "t=1," not in upgraded


def test_signing_in_starts_a_new_flask_session(
    app: Flask, client: FlaskClient, staff: dict[str, int]
) -> None:
    client.get("/language/en")  # something in the cookie from before
    with client.session_transaction() as before:
        assert before.get("lang") == "en"
    password_step(client, "officer@example.gov.uk")
    with client.session_transaction() as after:
        assert "lang" not in after and set(after) >= {"staff_token"}
    with app.app_context():
        row = db.session.scalar(select(StaffSession))
        assert row is not None and row.mfa_passed_at is None
        assert row.token_hash != after["staff_token"] and len(row.token_hash) == 64


# MFA -----------------------------------------------------------------------------------------


def test_mfa_set_up_shows_qr_code_and_key_refuses_wrong_code_and_shows_codes_once(
    app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    assert password_step(client, "officer@example.gov.uk").location == "/staff/mfa/set-up"
    _, soup = page(client, "/staff/mfa/set-up")
    img = soup.select_one("img[src^='data:image/svg+xml']")
    assert img is not None and "QR code" in img["alt"]
    secret = soup.select_one("#totp-secret").get_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    code_input = soup.select_one("#code")
    assert code_input["autocomplete"] == "one-time-code" and code_input["inputmode"] == "numeric"
    # Reloading keeps the same key (someone half way through scanning is not confused).
    assert (
        page(client, "/staff/mfa/set-up")[1].select_one("#totp-secret").get_text().replace(" ", "") == secret
    )
    assert user(app, staff["officer"]).totp_secret is None  # not the user's until confirmed

    wrong = post(
        client,
        "/staff/mfa/set-up",
        {"code": "123456" if pyotp.TOTP(secret).at(clock.now) != "123456" else "654321"},
    )
    assert checked(wrong).title.get_text().startswith("Error:") and "not right" in errors(wrong)[0]
    assert errors(post(client, "/staff/mfa/set-up", {"code": "12ab"})) == [
        "The code must be 6 numbers, like 123456"
    ]
    assert client.get("/staff/").location == "/staff/mfa/set-up"

    response = post(client, "/staff/mfa/set-up", {"code": pyotp.TOTP(secret).at(clock.now)})
    assert response.location == "/staff/mfa/recovery-codes"
    assert client.get("/staff/").location == "/staff/mfa/recovery-codes"  # must see them first
    _, soup = page(client, "/staff/mfa/recovery-codes")
    codes = [li.get_text(strip=True) for li in soup.select("#recovery-codes li")]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", c) for c in codes)
    with app.app_context():
        hashes = list(
            db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == staff["officer"]))
        )
    assert len(hashes) == 10 and all(h.startswith("$argon2id$") for h in hashes)
    assert not any(c.replace("-", "") in h or c in h for c in codes for h in hashes)
    assert codes_saved(client, soup).location == "/staff/"
    # Shown once: afterwards the page is gone and the home page opens.
    assert client.get("/staff/mfa/recovery-codes").location == "/staff/"
    assert client.get("/staff/mfa/set-up").location == "/staff/"
    page(client, "/staff/")
    officer = user(app, staff["officer"])
    assert officer.totp_secret == secret and officer.mfa_enrolled_at is not None
    assert {"mfa_enrolled", "signed_in"} <= set(log_outcomes(app, staff["officer"]))


def test_a_new_session_gets_a_new_set_up_key(client: FlaskClient, app: Flask, staff: dict[str, int]) -> None:
    password_step(client, "officer@example.gov.uk")
    first = page(client, "/staff/mfa/set-up")[1].select_one("#totp-secret").get_text()
    other = app.test_client()
    password_step(other, "officer@example.gov.uk")
    assert page(other, "/staff/mfa/set-up")[1].select_one("#totp-secret").get_text() != first


def test_mfa_is_needed_before_any_staff_page(
    client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    redirected_to_sign_in(client.get("/staff/"), "required")
    password_step(client, "officer@example.gov.uk")
    assert client.get("/staff/").location == "/staff/mfa/set-up"
    assert client.get("/staff/mfa").location == "/staff/mfa/set-up"
    assert client.get("/staff/mfa/recovery-codes").location == "/staff/mfa/set-up"
    enrol(client, clock, "manager@example.gov.uk")
    sign_out(client)
    assert password_step(client, "manager@example.gov.uk").location == "/staff/mfa"
    assert client.get("/staff/").location == "/staff/mfa"
    assert client.get("/staff/mfa/set-up").location == "/staff/mfa"
    assert client.get("/staff/mfa/recovery-codes").location == "/staff/mfa"


def test_totp_code_works_once_and_in_adjacent_time_steps_only(
    app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    enrolled = enrol(client, clock, "officer@example.gov.uk")
    totp = pyotp.TOTP(enrolled.secret)
    sign_out(client)
    # The same code again in the same 30 seconds: refused as a replay.
    assert password_step(client, "officer@example.gov.uk").location == "/staff/mfa"
    replay = post(client, "/staff/mfa", {"code": totp.at(clock.now)})
    assert errors(replay) == [
        "That code has already been used. Wait for your app to show a new code and enter that"
    ]
    # Two steps ahead or behind: refused; one step ahead (a fast phone): accepted.
    for seconds in (60, -60):
        other = totp.at(clock.now + timedelta(seconds=seconds))
        assert "not right" in errors(post(client, "/staff/mfa", {"code": other}))[0]
    assert (
        post(client, "/staff/mfa", {"code": totp.at(clock.now + timedelta(seconds=30))}).location == "/staff/"
    )
    assert log_outcomes(app, staff["officer"]).count("mfa_failed") == 3


def test_mfa_code_accepted_from_previous_step(
    client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    enrolled = enrol(client, clock, "officer@example.gov.uk")
    sign_out(client)
    clock.advance(seconds=90)
    password_step(client, "officer@example.gov.uk")
    late = pyotp.TOTP(enrolled.secret).at(clock.now - timedelta(seconds=30))
    assert post(client, "/staff/mfa", {"code": late}).location == "/staff/"


def test_wrong_codes_count_towards_the_lockout(
    app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    enrolled = enrol(client, clock, "officer@example.gov.uk")
    sign_out(client)
    clock.advance(seconds=30)
    password_step(client, "officer@example.gov.uk")
    good = pyotp.TOTP(enrolled.secret).at(clock.now)
    bad = "000000" if good != "000000" else "111111"
    for _ in range(4):
        assert "not right" in errors(post(client, "/staff/mfa", {"code": bad}))[0]
    redirected_to_sign_in(post(client, "/staff/mfa", {"code": bad}), "locked")
    assert "locked" in checked(client.get("/staff/sign-in?reason=locked")).get_text()
    redirected_to_sign_in(client.get("/staff/mfa"), "required")  # the half-signed-in session is over
    assert "locked" in errors(password_step(client, "officer@example.gov.uk"))[0]


def test_recovery_codes_each_work_once(
    app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    enrolled = enrol(client, clock, "officer@example.gov.uk")
    sign_out(client)
    password_step(client, "officer@example.gov.uk")
    _, soup = page(client, "/staff/mfa")
    assert soup.select_one("a[href='/staff/mfa/recovery-code']")
    first = enrolled.codes[0]
    assert (
        post(client, "/staff/mfa/recovery-code", {"code": first.upper().replace("-", " ")}).location
        == "/staff/"
    )
    assert "9 of 10" in page(client, "/staff/")[1].get_text()
    sign_out(client)
    password_step(client, "officer@example.gov.uk")
    again = post(client, "/staff/mfa/recovery-code", {"code": first})
    assert "already been used" in errors(again)[0] and checked(again).title.get_text().startswith("Error:")
    assert post(client, "/staff/mfa/recovery-code", {"code": enrolled.codes[1]}).location == "/staff/"
    with app.app_context():
        used = db.session.scalar(
            select(func.count()).select_from(RecoveryCode).where(RecoveryCode.used_at.is_not(None))
        )
    assert used == 2
    assert log_outcomes(app, staff["officer"]).count("recovery_code_used") == 2


def test_reloading_the_recovery_codes_page_replaces_the_codes(
    app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    password_step(client, "officer@example.gov.uk")
    secret = page(client, "/staff/mfa/set-up")[1].select_one("#totp-secret").get_text().replace(" ", "")
    post(client, "/staff/mfa/set-up", {"code": pyotp.TOTP(secret).at(clock.now)})
    first = [
        li.get_text() for li in page(client, "/staff/mfa/recovery-codes")[1].select("#recovery-codes li")
    ]
    second = [
        li.get_text() for li in page(client, "/staff/mfa/recovery-codes")[1].select("#recovery-codes li")
    ]
    assert set(first).isdisjoint(second)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RecoveryCode)) == 10


def test_half_signed_in_session_expires_after_ten_minutes(
    client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    password_step(client, "officer@example.gov.uk")
    clock.advance(minutes=10, seconds=1)
    redirected_to_sign_in(client.get("/staff/mfa/set-up"), "mfa_timeout")


# Sessions ------------------------------------------------------------------------------------


def test_idle_timeout_after_thirty_minutes(
    app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    enrol(client, clock, "officer@example.gov.uk")
    clock.advance(minutes=29)
    page(client, "/staff/")  # activity within 30 minutes keeps the session
    clock.advance(minutes=29)
    page(client, "/staff/")
    with app.app_context(), db.transaction() as session:
        row = session.scalar(select(StaffSession).where(StaffSession.revoked_at.is_(None)))
        assert row is not None and row.last_seen_at == clock.now
        row.last_seen_at = clock.now - timedelta(minutes=31)  # as if idle for 31 minutes
    redirected_to_sign_in(client.get("/staff/"), "idle")
    soup = checked(client.get("/staff/sign-in?reason=idle"))
    assert "had not done anything for 30 minutes" in soup.get_text()
    redirected_to_sign_in(client.get("/staff/"), "required")  # the cookie no longer holds it
    with app.app_context():
        assert db.session.scalar(select(StaffSession.revoked_at)) is not None
    assert "session_ended" in log_outcomes(app, staff["officer"])


def test_last_seen_is_written_at_most_once_a_minute(
    app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    enrol(client, clock, "officer@example.gov.uk")
    start = clock.now

    def last_seen() -> datetime:
        with app.app_context():
            value = db.session.scalar(select(StaffSession.last_seen_at))
            assert value is not None
            return value

    clock.advance(seconds=59)
    page(client, "/staff/")
    assert last_seen() == start
    clock.advance(seconds=1)
    page(client, "/staff/")
    assert last_seen() == clock.now


def test_absolute_session_limit_of_twelve_hours(
    client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    enrol(client, clock, "officer@example.gov.uk")
    for _ in range(12 * 3):  # busy all day: a request every 20 minutes, up to exactly 12 hours
        clock.advance(minutes=20)
        page(client, "/staff/")
    clock.advance(minutes=1)
    redirected_to_sign_in(client.get("/staff/"), "expired")


def test_sign_out_revokes_and_a_replayed_cookie_is_refused(
    app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    enrol(client, clock, "officer@example.gov.uk")
    cookie = client.get_cookie("session")
    assert cookie is not None
    stolen = cookie.value
    redirected_to_sign_in(sign_out(client), "signed-out")
    assert "You have signed out" in checked(client.get("/staff/sign-in?reason=signed-out")).get_text()
    client.set_cookie("session", stolen)
    redirected_to_sign_in(client.get("/staff/"), "revoked")
    assert "signed_out" in log_outcomes(app, staff["officer"])


def test_sign_out_needs_the_csrf_token(client: FlaskClient, clock: Clock, staff: dict[str, int]) -> None:
    enrol(client, clock, "officer@example.gov.uk")
    assert client.post("/staff/sign-out").status_code == 400
    page(client, "/staff/")


def test_disabling_a_user_ends_their_sessions_at_once(
    app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    enrol(client, clock, "officer@example.gov.uk")
    other = app.test_client()
    password_step(other, "officer@example.gov.uk")  # a second, half-signed-in browser
    with app.app_context(), db.transaction() as session:
        ended = staff_auth.disable_user(session, session.get(StaffUser, staff["officer"]), now=clock.now)
    assert ended == 2
    redirected_to_sign_in(client.get("/staff/"), "revoked")
    redirected_to_sign_in(other.get("/staff/mfa"), "revoked")
    assert "disabled" in log_outcomes(app, staff["officer"])


def test_disabled_flag_alone_is_refused(
    app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    enrol(client, clock, "officer@example.gov.uk")
    with app.app_context(), db.transaction() as session:
        session.get(StaffUser, staff["officer"]).is_active = False  # e.g. changed directly in the database
    redirected_to_sign_in(client.get("/staff/"), "disabled")


def test_disable_staff_command(app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int]) -> None:
    enrol(client, clock, "officer@example.gov.uk")
    result = app.test_cli_runner().invoke(args=["disable-staff", "--email", "Officer@example.gov.uk"])
    assert result.exit_code == 0 and "1 session(s) ended" in result.output, result.output
    redirected_to_sign_in(client.get("/staff/"), "revoked")
    missing = app.test_cli_runner().invoke(args=["disable-staff", "--email", "nobody@example.gov.uk"])
    assert missing.exit_code != 0 and "No staff account" in missing.output


def test_reset_mfa_command_makes_them_set_it_up_again(
    app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    enrol(client, clock, "officer@example.gov.uk")
    result = app.test_cli_runner().invoke(args=["reset-staff-mfa", "--email", "officer@example.gov.uk"])
    assert result.exit_code == 0, result.output
    redirected_to_sign_in(client.get("/staff/"), "revoked")
    assert password_step(client, "officer@example.gov.uk").location == "/staff/mfa/set-up"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RecoveryCode)) == 0


def test_changing_the_password_ends_every_session(
    app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    enrol(client, clock, "officer@example.gov.uk")
    with app.app_context(), db.transaction() as session:
        ended = staff_auth.change_password(
            session, session.get(StaffUser, staff["officer"]), "a brand new long password", now=clock.now
        )
    assert ended == 1
    redirected_to_sign_in(client.get("/staff/"), "revoked")
    assert errors(password_step(client, "officer@example.gov.uk")) == [WRONG]
    assert (
        password_step(client, "officer@example.gov.uk", "a brand new long password").location == "/staff/mfa"
    )


def test_a_session_from_before_a_password_change_is_refused(
    app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    enrol(client, clock, "officer@example.gov.uk")
    with app.app_context(), db.transaction() as session:
        # Only the timestamp (e.g. a change made by another tool): the check still holds.
        session.get(StaffUser, staff["officer"]).password_changed_at = clock.now + timedelta(seconds=1)
    redirected_to_sign_in(client.get("/staff/"), "password_changed")


def test_change_password_refuses_a_short_one(app: Flask, staff: dict[str, int]) -> None:
    from portal.services.staff import StaffError

    with app.app_context(), db.transaction() as session, pytest.raises(StaffError):
        staff_auth.change_password(session, session.get(StaffUser, staff["officer"]), "short")


def test_token_changes_once_mfa_is_passed(
    app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    password_step(client, "officer@example.gov.uk")
    with client.session_transaction() as before:
        half = before["staff_token"]
    secret = page(client, "/staff/mfa/set-up")[1].select_one("#totp-secret").get_text().replace(" ", "")
    post(client, "/staff/mfa/set-up", {"code": pyotp.TOTP(secret).at(clock.now)})
    with client.session_transaction() as after:
        assert after["staff_token"] != half
    other = app.test_client()
    with other.session_transaction() as stolen:
        stolen["staff_token"] = half
    redirected_to_sign_in(other.get("/staff/"), "missing")


def test_back_to_the_page_asked_for_after_signing_in(
    client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    enrolled = enrol(client, clock, "officer@example.gov.uk")
    sign_out(client)
    redirected_to_sign_in(client.get("/staff/?from=email"), "required")
    response = totp_sign_in(client, clock, "officer@example.gov.uk", enrolled.secret)
    assert response.location == "/staff/?from=email"


# The guard -----------------------------------------------------------------------------------


@pytest.fixture
def guarded_routes(app: Flask) -> Iterator[None]:
    """Test-only routes (never in production code) that use the guard's pieces."""

    @app.get("/staff/_test/managers-only")
    @require_role("manager", "admin")
    def _managers_only() -> str:
        return f"hello {current_staff().name}"

    @app.get("/staff/_test/case/<int:case_id>")
    @require_role(*ROLES)
    def _case(case_id: int) -> str:
        case = authorise_case(db.session.get(Case, case_id))
        return f"case {case.reference}"

    @app.post("/staff/_test/case/<int:case_id>")
    @require_role(*ROLES)
    def _change_case(case_id: int) -> str:
        case = authorise_case(db.session.get(Case, case_id), change=True)
        return f"changed {case.reference}"

    yield


def test_require_role_refuses_with_403_and_logs_it(
    app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int], guarded_routes: None
) -> None:
    redirected_to_sign_in(client.get("/staff/_test/managers-only"), "required")
    enrol(client, clock, "officer@example.gov.uk")
    response, soup = page(client, "/staff/_test/managers-only", status=403)
    assert soup.h1.get_text(strip=True) == "You do not have permission to see this page"
    assert soup.select_one("form[action='/staff/sign-out']")  # the staff layout
    with app.app_context():
        entry = db.session.scalar(select(StaffAccessLog).where(StaffAccessLog.outcome == "refused"))
        assert entry is not None and entry.user_id == staff["officer"]
        assert entry.path == "/staff/_test/managers-only" and "officer" in (entry.detail or "")
    sign_out(client)
    clock.advance(seconds=30)
    enrol(client, clock, "manager@example.gov.uk")
    assert client.get("/staff/_test/managers-only").get_data(as_text=True) == "hello Manager"


def test_require_role_rejects_unknown_roles() -> None:
    with pytest.raises(ValueError, match="Unknown staff roles"):
        require_role("wizard")


def _demo_cases(app: Flask, staff: dict[str, int], assign: int) -> list[int]:
    """The demo cases, with the first `assign` open ones assigned to the responding manager."""
    from portal.demo import seed_demo

    with app.app_context():
        seed_demo(date.today())
        with db.transaction() as session:
            cases = list(session.scalars(select(Case).order_by(Case.id)))
            open_cases = [c for c in cases if c.status not in ("closed", "withdrawn")]
            for case in open_cases[:assign]:
                case.assigned_to_id = staff["responding_manager"]
            return [c.id for c in open_cases]


def test_case_access_by_role(
    app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int], guarded_routes: None
) -> None:
    case_ids = _demo_cases(app, staff, assign=1)
    mine, theirs = case_ids[0], case_ids[1]
    enrol(client, clock, "responding_manager@example.gov.uk")
    assert client.get(f"/staff/_test/case/{mine}").status_code == 200
    assert client.get(f"/staff/_test/case/{theirs}").status_code == 403
    assert client.get("/staff/_test/case/999999").status_code == 403
    token = csrf(client.get("/staff/").get_data(as_text=True))
    assert client.post(f"/staff/_test/case/{mine}", data={"csrf_token": token}).status_code == 200
    sign_out(client)
    clock.advance(seconds=30)
    enrol(client, clock, "reporting@example.gov.uk")
    assert client.get(f"/staff/_test/case/{theirs}").status_code == 200
    token = csrf(client.get("/staff/").get_data(as_text=True))
    assert client.post(f"/staff/_test/case/{theirs}", data={"csrf_token": token}).status_code == 403
    assert log_outcomes(app).count("refused") == 3


@pytest.mark.parametrize(
    ("role", "assigned", "sees", "changes"),
    [
        ("officer", False, True, True),
        ("manager", False, True, True),
        ("admin", False, True, True),
        ("reporting", False, True, False),
        ("responding_manager", False, False, False),
        ("responding_manager", True, True, True),
    ],
)
def test_can_see_and_change_case(role: str, assigned: bool, sees: bool, changes: bool) -> None:
    person = StaffUser(id=7, email="x@example.gov.uk", name="X", role=role, password_hash="-", is_active=True)
    case = Case(id=1, assigned_to_id=7 if assigned else 8)
    assert can_see_case(person, case) is sees
    assert can_change_case(person, case) is changes
    person.is_active = False
    assert not can_see_case(person, case) and not can_change_case(person, case)


# Home page -----------------------------------------------------------------------------------


def _home_text(client: FlaskClient) -> tuple[BeautifulSoup, str]:
    _, soup = page(client, "/staff/")
    return soup, soup.get_text(" ", strip=True)


def test_home_page_counts_open_cases_by_phase_and_lists_the_most_urgent(
    app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    _demo_cases(app, staff, assign=0)
    enrol(client, clock, "manager@example.gov.uk")
    soup, text = _home_text(client)
    assert "Complaints back office" in soup.h1.get_text()
    assert "Manager" in text and "Complaints manager" in text
    tables = soup.select("table.govuk-table")
    assert len(tables) == 2 and all(t.select_one("caption") for t in tables)
    counts = {
        str(row.select_one("th").contents[0]).strip(): int(row.select_one("td").get_text(strip=True))
        for row in tables[0].select("tbody tr")
    }
    assert set(counts) == {"Overdue", "Waiting for the council", "Waiting for the complainant", "Paused"}
    assert sum(counts.values()) == 11  # 12 demo cases and 1 Ombudsman enquiry, 1 closed and 1 withdrawn
    assert all(len(row.select_one("th span").get_text()) > 20 for row in tables[0].select("tbody tr"))
    rows = tables[1].select("tbody tr")
    assert len(rows) == 11
    overdue = [r for r in rows if "Overdue" in r.get_text()]
    assert len(overdue) == counts["Overdue"] > 0
    assert rows[: len(overdue)] == overdue  # overdue first
    # The only link: managers and administrators handle subject access requests.
    assert [a["href"] for a in soup.select("main a")] == ["/staff/subject-access"]


def test_home_page_lists_at_most_twenty_cases(
    app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    from portal.demo import _demo_cases as demo_cases
    from portal.services.cases import SYSTEM, record_case
    from portal.services.rules import rules

    with app.app_context():
        for new, _steps in demo_cases(date.today()) * 2:
            with db.transaction() as session:
                record_case(session, new, SYSTEM, rules())
    enrol(client, clock, "officer@example.gov.uk")
    soup, text = _home_text(client)
    assert len(soup.select("table")[1].select("tbody tr")) == 20
    assert (
        "The 20 most urgent open cases" in text
        and "All open complaints, compliments and enquiries: 24" in text
    )


def test_responding_manager_sees_only_cases_assigned_to_them(
    app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    case_ids = _demo_cases(app, staff, assign=2)
    with app.app_context():
        mine = set(db.session.scalars(select(Case.reference).where(Case.id.in_(case_ids[:2]))))
    enrol(client, clock, "responding_manager@example.gov.uk")
    soup, text = _home_text(client)
    listed = {row.select_one("th").get_text(strip=True) for row in soup.select("table")[1].select("tbody tr")}
    assert listed == mine
    assert "You see the cases assigned to you: 2 open" in text


def test_responding_manager_with_no_cases(client: FlaskClient, clock: Clock, staff: dict[str, int]) -> None:
    enrol(client, clock, "responding_manager@example.gov.uk")
    assert "No open cases are assigned to you" in _home_text(client)[1]


# Every staff page ----------------------------------------------------------------------------


def _staff_get_endpoints(app: Flask) -> dict[str, str]:
    """Staff GET pages without URL parameters -> their URL (pages for one case test themselves)."""
    return {
        rule.endpoint: rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("staff.") and "GET" in (rule.methods or set()) and not rule.arguments
    }


def test_every_staff_page_and_error_state_passes_the_page_checks(
    app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    seen: set[str] = set()

    def visit(url: str, endpoint: str, status: int = 200) -> BeautifulSoup:
        seen.add(endpoint)
        return page(client, url, status)[1]

    def submit(url: str, data: dict[str, Any]) -> None:
        response = post(client, url, data)
        assert response.status_code == 200 and errors(response), url
        checked(response)

    visit("/staff/sign-in", "staff.sign_in")
    for reason in ("required", "idle", "expired", "signed-out", "locked", "revoked", "nonsense"):
        visit(f"/staff/sign-in?reason={reason}", "staff.sign_in")
    submit("/staff/sign-in", {"email": "", "password": ""})
    submit("/staff/sign-in", {"email": "officer@example.gov.uk", "password": "wrong"})
    password_step(client, "officer@example.gov.uk")
    secret = (
        visit("/staff/mfa/set-up", "staff.mfa_set_up").select_one("#totp-secret").get_text().replace(" ", "")
    )
    submit("/staff/mfa/set-up", {"code": ""})
    post(client, "/staff/mfa/set-up", {"code": pyotp.TOTP(secret).at(clock.now)})
    codes_page = visit("/staff/mfa/recovery-codes", "staff.recovery_codes")
    enrolled_codes = [li.get_text(strip=True) for li in codes_page.select("#recovery-codes li")]
    codes_saved(client, codes_page)
    visit("/staff/", "staff.home")
    sign_out(client)
    clock.advance(seconds=30)
    password_step(client, "officer@example.gov.uk")
    visit("/staff/mfa", "staff.mfa")
    submit("/staff/mfa", {"code": "12"})
    visit("/staff/mfa/recovery-code", "staff.recovery_code")
    submit("/staff/mfa/recovery-code", {"code": "nope"})
    # Any other back office page (added later) is checked signed in as the complaints officer.
    assert post(client, "/staff/mfa/recovery-code", {"code": enrolled_codes[0]}).location == "/staff/"
    # Pages an officer may not open must still be real pages: the refusal (403) page.
    officer_refused = {"staff.annual_report", "staff.subject_access_request"}
    for endpoint, url in sorted(_staff_get_endpoints(app).items()):
        if endpoint not in seen:
            visit(url, endpoint, 403 if endpoint in officer_refused else 200)
    assert seen == set(_staff_get_endpoints(app))
