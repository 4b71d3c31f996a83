"""Staff sign-in: password with lockout, TOTP and recovery codes, server-side sessions, revocation.

Every function takes `now` so tests can move the clock; views pass `clock()`. Refusals
that must be remembered (failure counts, log rows) are returned, not raised, so the
caller's transaction commits them.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, NamedTuple

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, Select, bindparam, select, update
from sqlalchemy.orm import Session

from portal.db import first_row
from portal.models import RecoveryCode, StaffAccessLog, StaffSession, StaffUser
from portal.models.base import utcnow
from portal.models.revision import VERSION
from portal.services.staff import MIN_PASSWORD, StaffError, verify_password
from portal.services.staff import _hasher as password_hasher  # one argon2 policy for passwords
from portal.services.tokens import new_token, token_hash

RECOVERY_CODES = 10
# No 0/o, 1/i/l: easy to read back from paper. 12 characters of 31 give about 59 bits.
_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
# Recovery codes are under 112 bits, so they get a salted slow hash (ASVS 6.5.2); these are
# OWASP's minimum argon2id settings, enough for a random 59-bit code and quick to check ten.
_code_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
TOTP_WINDOW = 1  # accept the previous and next 30-second step too (clock drift)
_SEEN_EVERY = timedelta(minutes=1)


def clock() -> datetime:
    """The time views pass to these services (tests may replace it)."""
    return utcnow()


@dataclass(frozen=True)
class Policy:
    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=12)
    mfa_window: timedelta = timedelta(minutes=10)
    lockout_failures: int = 5
    lockout_for: timedelta = timedelta(minutes=15)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Policy:
        return cls(
            idle=timedelta(minutes=config["STAFF_IDLE_MINUTES"]),
            absolute=timedelta(hours=config["STAFF_SESSION_HOURS"]),
            mfa_window=timedelta(minutes=config["STAFF_MFA_MINUTES"]),
            lockout_failures=config["STAFF_LOCKOUT_FAILURES"],
            lockout_for=timedelta(minutes=config["STAFF_LOCKOUT_MINUTES"]),
        )


@dataclass(frozen=True)
class SignIn:
    """The result of an email and password: a session token, or why not."""

    token: str | None = None
    user: StaffUser | None = None
    locked_until: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.token is not None


@dataclass(frozen=True)
class CodeCheck:
    """The result of a TOTP or recovery code: a new session token, or wrong / reused / locked."""

    refusal: str | None = None
    locked_until: datetime | None = None
    token: str | None = None

    @property
    def ok(self) -> bool:
        return self.refusal is None


class SessionRefused(Exception):
    """The session cookie no longer signs anyone in; `reason` says why (for the message).
    `to_end`: the session's row if it was not ended yet (end_refused ends it)."""

    def __init__(self, reason: str, to_end: _SessionRow | None = None) -> None:
        self.reason, self.to_end = reason, to_end
        super().__init__(reason)


def record(
    session: Session, outcome: str, *, now: datetime, path: str, user_id: int | None = None,
    detail: str | None = None,
) -> None:  # fmt: skip
    session.add(StaffAccessLog(at=now, user_id=user_id, path=path[:500], outcome=outcome, detail=detail))


# Password -----------------------------------------------------------------------------


@cache
def _dummy_hash() -> str:
    return password_hasher.hash(secrets.token_urlsafe(16))


def _find(session: Session, email: str) -> StaffUser | None:
    return session.scalar(select(StaffUser).where(StaffUser.email == email.strip().lower()))


def _lock_state(user: StaffUser, now: datetime) -> datetime | None:
    """When the account unlocks, or None; an expired lock starts the count again."""
    if user.locked_until is None:
        return None
    if now < user.locked_until:
        return user.locked_until
    user.locked_until, user.failed_logins = None, 0
    return None


def _fail(
    session: Session, user: StaffUser, now: datetime, path: str, outcome: str, policy: Policy
) -> datetime | None:
    """Count a wrong password or code; returns the unlock time when this failure locks the account."""
    user.failed_logins += 1
    if user.failed_logins < policy.lockout_failures:
        record(session, outcome, now=now, path=path, user_id=user.id, detail=f"failure {user.failed_logins}")
        return None
    user.locked_until = now + policy.lockout_for
    record(session, "locked", now=now, path=path, user_id=user.id, detail=f"until {user.locked_until:%H:%M}Z")
    return user.locked_until


def sign_in(
    session: Session, email: str, password: str, *, now: datetime, path: str,
    user_agent: str | None = None, policy: Policy = Policy(),
) -> SignIn:  # fmt: skip
    """Check the password and start a session that still needs MFA."""
    user = _find(session, email)
    if user is None or not user.is_active:
        verify_password_hash(_dummy_hash(), password)  # same work, so timing does not tell
        record(session, "sign_in_failed", now=now, path=path, user_id=user.id if user else None)
        return SignIn()
    locked = _lock_state(user, now)
    if locked:
        record(session, "locked", now=now, path=path, user_id=user.id, detail="attempt while locked")
        return SignIn(user=user, locked_until=locked)
    if not verify_password(user, password):
        return SignIn(user=user, locked_until=_fail(session, user, now, path, "sign_in_failed", policy))
    user.failed_logins = 0
    if password_hasher.check_needs_rehash(user.password_hash):
        user.password_hash = password_hasher.hash(password)
    token = new_token()
    agent = (user_agent or "")[:200] or None
    session.add(StaffSession(token_hash=token_hash(token), user=user, created_at=now, last_seen_at=now,
                             user_agent=agent))  # fmt: skip
    record(session, "password_accepted", now=now, path=path, user_id=user.id)
    return SignIn(token=token, user=user)


def verify_password_hash(hashed: str, password: str) -> bool:
    try:
        return password_hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


# Sessions -----------------------------------------------------------------------------


def _changed_since(changed_at: datetime | None, created_at: datetime) -> bool:
    return changed_at is not None and changed_at > created_at


class _SessionRow(NamedTuple):
    """A row of _session_by_token."""

    id: int
    user_id: int
    revoked_at: datetime | None
    created_at: datetime
    last_seen_at: datetime
    mfa_passed_at: datetime | None
    codes_pending: bool
    is_active: bool
    password_changed_at: datetime | None
    role: str
    mfa_enrolled_at: datetime | None
    data_version: int


def _refusal(row: _SessionRow | None, now: datetime, policy: Policy) -> str | None:
    if row is None:
        return "missing"
    checks = (
        (row.revoked_at is not None, "revoked"),
        (not row.is_active, "disabled"),
        (_changed_since(row.password_changed_at, row.created_at), "password_changed"),
        (now - row.created_at > policy.absolute, "expired"),
        (row.mfa_passed_at is None and now - row.created_at > policy.mfa_window, "mfa_timeout"),
        (now - row.last_seen_at > policy.idle, "idle"),
    )
    return next((reason for failed, reason in checks if failed), None)


@cache
def _session_by_token() -> Select[Any]:
    """Every back office request's first query, built once: the session and its user's state as
    plain columns, and the data version the pages kept rendered are kept under
    (portal.models.revision), in one."""
    s, u = StaffSession.__table__.c, StaffUser.__table__.c
    times = (s.revoked_at, s.created_at, s.last_seen_at, s.mfa_passed_at)
    of_session = (s.id, s.user_id, *times, s.codes_pending)
    of_user = (u.is_active, u.password_changed_at, u.role, u.mfa_enrolled_at)
    return (
        select(*of_session, *of_user, VERSION.scalar_subquery())
        .join_from(StaffSession.__table__, StaffUser.__table__, u.id == s.user_id)
        .where(s.token_hash == bindparam("token_hash"))
    )


class Live(NamedTuple):
    """A live session as the guard reads it, in plain values: most back office requests need no
    more than this (a page kept rendered, issue #10), so no ORM object is made for them."""

    session_id: int
    user_id: int
    role: str
    mfa_passed_at: datetime | None
    codes_pending: bool
    mfa_enrolled: bool
    data_version: int  # read before anything the request renders
    seen_due: bool  # last seen a minute or more ago: `seen` writes it


def load_session(engine: Engine, token: str, *, now: datetime, policy: Policy = Policy()) -> Live:
    """The live session for a cookie's token, or SessionRefused. One read on the driver
    (portal.db.first_row) and nothing written: the caller's transaction runs end_refused or seen."""
    found = first_row(engine, _session_by_token(), {"token_hash": token_hash(token)})
    row = _SessionRow(*found) if found is not None else None
    reason = _refusal(row, now, policy)
    if reason is not None:
        raise SessionRefused(reason, row if row is not None and row.revoked_at is None else None)
    assert row is not None
    return Live(
        row.id, row.user_id, row.role, row.mfa_passed_at, row.codes_pending, row.mfa_enrolled_at is not None,
        row.data_version, seen_due=now - row.last_seen_at >= _SEEN_EVERY,
    )  # fmt: skip


def end_refused(session: Session, refused: SessionRefused, *, now: datetime, path: str) -> None:
    """End the session a refusal was about, if it was still live, and log why."""
    row = refused.to_end
    if row is not None:
        session.get_one(StaffSession, row.id).revoked_at = now
        record(session, "session_ended", now=now, path=path, user_id=row.user_id, detail=refused.reason)


def seen(session: Session, live: Live, now: datetime) -> None:
    """Last seen now (called when live.seen_due: one write a minute at most, not one per request)."""
    session.get_one(StaffSession, live.session_id).last_seen_at = now


def sign_out(session: Session, row: StaffSession, *, now: datetime, path: str) -> None:
    row.revoked_at = now
    record(session, "signed_out", now=now, path=path, user_id=row.user_id)


def end_session(session: Session, token: str, *, now: datetime, path: str) -> None:
    """Signing in again in the same browser ends the session the cookie held before."""
    row = session.scalar(select(StaffSession).where(StaffSession.token_hash == token_hash(token)))
    if row is not None and row.revoked_at is None:
        sign_out(session, row, now=now, path=path)


def revoke_all(session: Session, user: StaffUser, *, now: datetime) -> int:
    """End every live session of `user` at once; returns how many were live."""
    result = session.execute(
        update(StaffSession)
        .where(StaffSession.user_id == user.id, StaffSession.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session="fetch")
    )
    return int(getattr(result, "rowcount", 0) or 0)


def disable_user(session: Session, user: StaffUser, *, now: datetime | None = None, path: str = "") -> int:
    """A leaver: the account stops working and every session ends now (ASVS 7.4.2)."""
    now = now or clock()
    user.is_active = False
    ended = revoke_all(session, user, now=now)
    record(session, "disabled", now=now, path=path, user_id=user.id, detail=f"{ended} session(s) ended")
    return ended


def change_password(
    session: Session, user: StaffUser, new: str, *, now: datetime | None = None, path: str = ""
) -> int:
    """Set a new password and end every session, this one included (ASVS 7.4.3)."""
    if len(new) < MIN_PASSWORD:
        raise StaffError(f"Password must be {MIN_PASSWORD} characters or more.")
    now = now or clock()
    user.password_hash = password_hasher.hash(new)
    user.password_changed_at = now
    user.failed_logins, user.locked_until = 0, None
    ended = revoke_all(session, user, now=now)
    detail = f"{ended} session(s) ended"
    record(session, "password_changed", now=now, path=path, user_id=user.id, detail=detail)
    return ended


def reset_mfa(session: Session, user: StaffUser, *, now: datetime | None = None, path: str = "") -> int:
    """Someone lost their phone and codes: they set MFA up again at their next sign-in."""
    now = now or clock()
    user.totp_secret, user.mfa_enrolled_at, user.totp_last_step = None, None, None
    for code in session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        session.delete(code)
    ended = revoke_all(session, user, now=now)
    record(session, "mfa_reset", now=now, path=path, user_id=user.id, detail=f"{ended} session(s) ended")
    return ended


# TOTP ---------------------------------------------------------------------------------


def enrolment_secret(row: StaffSession) -> str:
    """The secret this session offers for set-up: new per session, kept across reloads."""
    if row.totp_pending_secret is None:
        row.totp_pending_secret = pyotp.random_base32()
    return row.totp_pending_secret


def provisioning_uri(user: StaffUser, secret: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    totp = pyotp.TOTP(secret)
    step = totp.timecode(now)
    for candidate in range(step - TOTP_WINDOW, step + TOTP_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


def _passed(session: Session, row: StaffSession, now: datetime, path: str, how: str) -> CodeCheck:
    row.mfa_passed_at = now
    row.user.failed_logins = 0
    # A new token once fully signed in (ASVS 7.2.4): one seen before MFA is worth nothing after.
    token = new_token()
    row.token_hash = token_hash(token)
    record(session, "signed_in", now=now, path=path, user_id=row.user_id, detail=how)
    return CodeCheck(token=token)


def _refused(
    session: Session, row: StaffSession, now: datetime, path: str, why: str, policy: Policy
) -> CodeCheck:
    until = _fail(session, row.user, now, path, "mfa_failed", policy)
    if until is not None:
        row.revoked_at = now  # start again from the password once the lock ends
        return CodeCheck("locked", until)
    return CodeCheck(why)


def _locked(session: Session, row: StaffSession, now: datetime, path: str) -> CodeCheck | None:
    until = _lock_state(row.user, now)
    if until is None:
        return None
    row.revoked_at = now
    record(session, "locked", now=now, path=path, user_id=row.user_id, detail="code while locked")
    return CodeCheck("locked", until)


def confirm_enrolment(
    session: Session, row: StaffSession, code: str, *, now: datetime, path: str, policy: Policy = Policy()
) -> CodeCheck:
    """The first code from the new app proves it is set up; MFA is then on for good."""
    locked = _locked(session, row, now, path)
    if locked:
        return locked
    step = _matching_step(enrolment_secret(row), code, now)
    if step is None:
        return _refused(session, row, now, path, "wrong", policy)
    user = row.user
    user.totp_secret, user.mfa_enrolled_at, user.totp_last_step = row.totp_pending_secret, now, step
    row.totp_pending_secret = None
    row.codes_pending = True
    record(session, "mfa_enrolled", now=now, path=path, user_id=user.id)
    return _passed(session, row, now, path, "totp")


def check_totp(
    session: Session, row: StaffSession, code: str, *, now: datetime, path: str, policy: Policy = Policy()
) -> CodeCheck:
    """A code from the app, once only: a step at or before the last one used is a replay."""
    locked = _locked(session, row, now, path)
    if locked:
        return locked
    user = row.user
    step = _matching_step(user.totp_secret or "", code, now) if user.totp_secret else None
    if step is None:
        return _refused(session, row, now, path, "wrong", policy)
    if user.totp_last_step is not None and step <= user.totp_last_step:
        return _refused(session, row, now, path, "reused", policy)
    user.totp_last_step = step
    return _passed(session, row, now, path, "totp")


# Recovery codes -----------------------------------------------------------------------


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def issue_recovery_codes(session: Session, user: StaffUser, *, now: datetime) -> list[str]:
    """Ten new single-use codes, shown once; unused older codes stop working."""
    for old in _unused_codes(session, user):
        session.delete(old)
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(12))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
        session.add(RecoveryCode(user_id=user.id, code_hash=_code_hasher.hash(raw), created_at=now))
    return codes


def _unused_codes(session: Session, user: StaffUser) -> Sequence[RecoveryCode]:
    stmt = select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    return session.scalars(stmt.order_by(RecoveryCode.id)).all()


def recovery_codes_left(session: Session, user: StaffUser) -> int:
    return len(_unused_codes(session, user))


def _code_matches(hashed: str, code: str) -> bool:
    try:
        return _code_hasher.verify(hashed, code)
    except (VerificationError, InvalidHashError):
        return False


def use_recovery_code(
    session: Session, row: StaffSession, code: str, *, now: datetime, path: str, policy: Policy = Policy()
) -> CodeCheck:
    locked = _locked(session, row, now, path)
    if locked:
        return locked
    given = normalise_code(code)
    for stored in _unused_codes(session, row.user):
        if _code_matches(stored.code_hash, given):
            stored.used_at = now
            left = recovery_codes_left(session, row.user)
            record(session, "recovery_code_used", now=now, path=path, user_id=row.user_id,
                   detail=f"{left} left")  # fmt: skip
            return _passed(session, row, now, path, "recovery code")
    return _refused(session, row, now, path, "wrong", policy)


def codes_saved(row: StaffSession) -> None:
    row.codes_pending = False
