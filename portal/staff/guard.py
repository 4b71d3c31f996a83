"""The staff guard: who is signed in (g.staff, a plain Live row), role and case checks, refusals logged.

Every /staff request runs `check_request()` (the blueprint's before_request). Views on
other blueprints or the app are protected by `require_role`, which signs the person in
the same way when the blueprint's hook has not run. Case pages call `authorise_case`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Any, NoReturn, TypeVar, cast
from urllib.parse import urlsplit

from flask import current_app, g, request, session, url_for
from werkzeug.exceptions import Forbidden
from werkzeug.wrappers import Response

from portal import htmx
from portal.extensions import db
from portal.models import Case, StaffSession, StaffUser
from portal.services import staff_auth
from portal.services.staff import STAFF_ROLES
from portal.services.staff_cases import can_change_case, can_see_case

__all__ = [
    "STAFF_ROLES",
    "AccessRefused",
    "Stage",
    "authorise_case",
    "can_change_case",
    "can_see_case",
    "current_session",
    "current_staff",
    "live",
    "policy",
    "refuse",
    "require_role",
    "signed_in",
    "stage",
]

log = logging.getLogger(__name__)
TOKEN_KEY = "staff_token"  # noqa: S105 - the Flask session key, not a secret
NEXT_KEY = "staff_next"
F = TypeVar("F", bound=Callable[..., Any])

ROLE_NAMES = {
    "officer": "Complaints officer",
    "manager": "Complaints manager",
    "responding_manager": "Responding or investigating manager",
    "reporting": "Reporting (read only)",
    "admin": "Administrator",
}


class Stage(StrEnum):
    """How far through sign-in a view needs the person to be."""

    OPEN = "open"  # the sign-in page itself
    ANY = "any"  # any live session, even before MFA (sign out)
    MFA = "mfa"  # password given, second factor still needed
    CODES = "codes"  # MFA just set up: shown the recovery codes until they say they saved them
    FULL = "full"  # signed in: every other staff page


class AccessRefused(Forbidden):
    """403 with the staff layout's page (the app registers a handler for it)."""


def stage(level: Stage) -> Callable[[F], F]:
    """Mark a staff view as reachable before sign-in is complete (the default is Stage.FULL)."""

    def mark(view: F) -> F:
        view.staff_stage = level  # type: ignore[attr-defined]
        return view

    return mark


def policy() -> staff_auth.Policy:
    """The session and lockout policy, from the app's configuration (read once per app)."""
    app = current_app
    kept: staff_auth.Policy | None = app.extensions.get("portal.staff_policy")
    if kept is None:
        kept = app.extensions["portal.staff_policy"] = staff_auth.Policy.from_config(app.config)
    return kept


def live() -> staff_auth.Live:
    """Who is signed in, as the guard read it (only inside a guarded view): ids, role, data version."""
    row: staff_auth.Live = g.staff
    return row


def current_staff() -> StaffUser:
    """The signed-in staff member as an ORM object, loaded on first use (only inside a guarded
    view): a view that only needs the id or role reads live() and loads nothing."""
    return db.session.get_one(StaffUser, live().user_id)


def current_session() -> StaffSession:
    """This browser's session row, loaded on first use (the sign-in steps change it)."""
    return db.session.get_one(StaffSession, live().session_id)


def signed_in() -> bool:
    row: staff_auth.Live | None = g.get("staff")
    return row is not None and row.mfa_passed_at is not None


def _to(endpoint: str, **values: Any) -> Response:
    return htmx.redirect_after_post(url_for(endpoint, **values))


def _to_sign_in(reason: str) -> Response:
    if request.method == "GET" and not htmx.is_fragment_request():
        session[NEXT_KEY] = request.full_path.rstrip("?")  # back here after signing in
    return _to("staff.sign_in", reason=reason)


def safe_next(target: str | None) -> str | None:
    """Only a back office page (not the sign-in steps), never another host (open redirect)."""
    if not target or not target.startswith("/staff/") or urlsplit(target).netloc or "\\" in target:
        return None
    if target.startswith(("/staff/sign-in", "/staff/mfa")):
        return None
    return target


def _load() -> staff_auth.Live | Response:
    token = session.get(TOKEN_KEY)
    if not isinstance(token, str):
        return _to_sign_in("required")
    now = staff_auth.clock()
    try:
        row = staff_auth.load_session(db.engine, token, now=now, policy=policy())
    except staff_auth.SessionRefused as refused:
        with db.transaction() as s:  # end the session and log why
            staff_auth.end_refused(s, refused, now=now, path=request.path)
        session.pop(TOKEN_KEY, None)
        return _to_sign_in(refused.reason)
    if row.seen_due:
        with db.transaction() as s:
            staff_auth.seen(s, row, now)
    g.staff = row
    return row


def _send_on(row: staff_auth.Live, level: Stage) -> Response | None:
    """Redirect when the session is not at the stage the view needs."""
    if level is Stage.ANY:
        return None
    if row.mfa_passed_at is None:
        if level is Stage.MFA:
            return None
        return _to("staff.mfa" if row.mfa_enrolled else "staff.mfa_set_up")
    if row.codes_pending:
        return None if level is Stage.CODES else _to("staff.recovery_codes")
    if level in (Stage.MFA, Stage.CODES):
        return _to("staff.home")
    return None


def authenticate(level: Stage = Stage.FULL) -> Response | None:
    """Sign the request in from its cookie: None to carry on, or where to send the person."""
    if level is Stage.OPEN:
        return None
    row = g.get("staff")
    if row is None:
        loaded = _load()
        if isinstance(loaded, Response):
            return loaded
        row = loaded
    return _send_on(row, level)


def check_request() -> Response | None:
    """The staff blueprint's before_request."""
    view = current_app.view_functions.get(request.endpoint or "")
    level = getattr(view, "staff_stage", Stage.FULL)
    return authenticate(level)


def refuse(reason: str) -> NoReturn:
    """Log a refused access (who, where, why; never the data) and answer 403.

    Call it before the view changes anything: it commits the log entry.
    """
    row: staff_auth.Live | None = g.get("staff")
    user_id = row.user_id if row is not None else None
    with db.transaction() as s:
        staff_auth.record(s, "refused", now=staff_auth.clock(), path=request.path, user_id=user_id,
                          detail=reason[:200])  # fmt: skip
    log.warning("Refused staff access: user=%s path=%s reason=%s", user_id, request.path, reason)
    raise AccessRefused()


def require_role(*roles: str) -> Callable[[F], F]:
    """Only these roles may use the view; anyone else gets a 403 and a log entry."""
    unknown = set(roles) - set(STAFF_ROLES)
    if unknown:
        raise ValueError(f"Unknown staff roles: {sorted(unknown)}")

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            redirect = authenticate(Stage.FULL)
            if redirect is not None:
                return redirect
            role = live().role
            if role not in roles:
                refuse(f"role {role} not in {', '.join(roles)}")
            return view(*args, **kwargs)

        return cast(F, guarded)

    return decorate


def authorise_case(case: Case | None, *, change: bool = False) -> Case:
    """The case, if the signed-in user may see it (or change it); otherwise 403, logged."""
    if case is None:
        refuse("no such case")
    user = current_staff()
    if not can_see_case(user, case):
        refuse(f"case {case.id} not visible to role {user.role}")
    if change and not can_change_case(user, case):
        refuse(f"case {case.id} read-only for role {user.role}")
    if case.restricted:  # ASVS 16.3.2 (L3): every read of a sensitive record is logged, not its data
        with db.transaction() as s:
            staff_auth.record(s, "restricted_read", now=staff_auth.clock(), path=request.path,
                              user_id=user.id, detail=f"case {case.id}")  # fmt: skip
    return case
