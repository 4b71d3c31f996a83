"""Staff sign-in pages: email and password, MFA set-up and codes, recovery codes, sign out."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import segno
from flask import current_app, render_template, request, session, url_for
from werkzeug.wrappers import Response

from portal import htmx
from portal.extensions import db
from portal.limits import account_key, client_address, limit, staff_sign_in_key, too_many_message
from portal.services import staff_auth
from portal.staff.forms import ConfirmForm, RecoveryCodeForm, SignInForm, TotpForm, add_error
from portal.staff.guard import NEXT_KEY, TOKEN_KEY, Stage, current_session, policy, safe_next, stage
from portal.staff.views import LONDON, bp

WRONG_DETAILS = "Enter a correct email address and password"
RECOVERY_CODE_WRONG = "The recovery code is not right or has already been used. Check it and try again"

# Why the person was sent back to sign in (the ?reason= the guard adds).
NOTICES = {
    "required": "Sign in to use the complaints back office.",
    "signed-out": "You have signed out.",
    "idle": "You were signed out because you had not done anything for {idle} minutes. Sign in again.",
    "expired": "You were signed out because you had been signed in for {hours} hours. Sign in again.",
    "mfa_timeout": "You took too long to enter your code. Sign in again.",
    "locked": "You entered too many wrong codes. Your account is locked: try again in {lock} minutes.",
    "revoked": "You have been signed out. Sign in again.",
    "password_changed": "You have been signed out because your password was changed. Sign in again.",
    "disabled": "You have been signed out. Sign in again.",
    "missing": "You have been signed out. Sign in again.",
}

CODE_ERRORS = {
    "wrong": "The code is not right. Check your app and enter the code it shows now",
    "reused": "That code has already been used. Wait for your app to show a new code and enter that",
}


def _notice() -> str | None:
    text = NOTICES.get(request.args.get("reason", ""))
    if text is None:
        return None
    cfg = current_app.config
    return text.format(
        idle=cfg["STAFF_IDLE_MINUTES"], hours=cfg["STAFF_SESSION_HOURS"], lock=cfg["STAFF_LOCKOUT_MINUTES"]
    )


def _clock_time(at: datetime) -> str:
    local = at.astimezone(LONDON)
    return f"{local.hour % 12 or 12}:{local:%M}{'am' if local.hour < 12 else 'pm'}"


def _locked_message(until: datetime) -> str:
    return (
        "You entered the wrong details too many times, so this account is locked. "
        f"Try again after {_clock_time(until)}"
    )


def _too_many(form_class: Any, field: str, template: str) -> Any:
    """Rate limited (portal.limits): the page again with what was typed (never a password)."""

    def render() -> str:
        form = form_class()
        add_error(getattr(form, field), too_many_message())
        return render_template(template, form=form, notice=None)

    return render


_SIGN_IN_PAGE = _too_many(SignInForm, "email", "staff/sign-in.html")
_MFA_PAGE = _too_many(TotpForm, "code", "staff/mfa.html")
_RECOVERY_PAGE = _too_many(RecoveryCodeForm, "code", "staff/recovery-code.html")


def _generic_429() -> str:
    return render_template("errors/429.html", status=429)


@bp.route("/sign-in", methods=["GET", "POST"])
@limit("sign_in_per_ip", client_address, _SIGN_IN_PAGE)
@limit("sign_in_per_account", account_key, _SIGN_IN_PAGE)
@stage(Stage.OPEN)
def sign_in() -> Response | str:
    form = SignInForm()
    if form.validate_on_submit():
        with db.transaction() as s:
            result = staff_auth.sign_in(
                s, form.email.data or "", form.password.data or "", now=staff_auth.clock(),
                path=request.path, user_agent=request.user_agent.string, policy=policy(),
            )  # fmt: skip
        if result.ok and result.token and result.user:
            return _start(result.token, enrolled=result.user.mfa_enrolled_at is not None)
        add_error(form.email, _locked_message(result.locked_until) if result.locked_until else WRONG_DETAILS)
    return render_template("staff/sign-in.html", form=form, notice=_notice())


def _start(token: str, enrolled: bool) -> Response:
    """A new Flask session for the new sign-in (no value from before survives but `next`)."""
    old, wanted = session.get(TOKEN_KEY), safe_next(session.get(NEXT_KEY))
    if isinstance(old, str):
        with db.transaction() as s:
            staff_auth.end_session(s, old, now=staff_auth.clock(), path=request.path)
    session.clear()
    session[TOKEN_KEY] = token
    if wanted:
        session[NEXT_KEY] = wanted
    return htmx.redirect_after_post(url_for("staff.mfa" if enrolled else "staff.mfa_set_up"))


def _after_code(check: staff_auth.CodeCheck) -> Response:
    if check.refusal == "locked":
        session.pop(TOKEN_KEY, None)
        return htmx.redirect_after_post(url_for("staff.sign_in", reason="locked"))
    session[TOKEN_KEY] = check.token
    if current_session().codes_pending:
        return htmx.redirect_after_post(url_for("staff.recovery_codes"))
    return htmx.redirect_after_post(safe_next(session.pop(NEXT_KEY, None)) or url_for("staff.home"))


def _code_page(form: Any, check_code: Any, error: Any, template: str) -> Response | str:
    """The second step: an app code or a recovery code, checked by `check_code`."""
    row = current_session()
    if row.user.mfa_enrolled_at is None:
        return htmx.redirect_after_post(url_for("staff.mfa_set_up"))
    if form.validate_on_submit():
        with db.transaction() as s:
            check = check_code(
                s, row, form.code.data or "", now=staff_auth.clock(), path=request.path, policy=policy()
            )
        if check.ok or check.refusal == "locked":
            return _after_code(check)
        add_error(form.code, error(check))
    return render_template(template, form=form)


@bp.route("/mfa", methods=["GET", "POST"])
@limit("mfa_per_ip", client_address, _MFA_PAGE)
@limit("mfa_per_sign_in", staff_sign_in_key, _MFA_PAGE)
@stage(Stage.MFA)
def mfa() -> Response | str:
    return _code_page(
        TotpForm(),
        staff_auth.check_totp,
        lambda check: CODE_ERRORS[check.refusal or "wrong"],
        "staff/mfa.html",
    )


@bp.route("/mfa/recovery-code", methods=["GET", "POST"])
@limit("mfa_per_ip", client_address, _RECOVERY_PAGE)
@limit("mfa_per_sign_in", staff_sign_in_key, _RECOVERY_PAGE)
@stage(Stage.MFA)
def recovery_code() -> Response | str:
    return _code_page(
        RecoveryCodeForm(),
        staff_auth.use_recovery_code,
        lambda _check: RECOVERY_CODE_WRONG,
        "staff/recovery-code.html",
    )


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@bp.route("/mfa/set-up", methods=["GET", "POST"])
@limit("mfa_per_ip", client_address, _generic_429)
@limit("mfa_per_sign_in", staff_sign_in_key, _generic_429)
@stage(Stage.MFA)
def mfa_set_up() -> Response | str:
    row = current_session()
    if row.user.mfa_enrolled_at is not None:
        return htmx.redirect_after_post(url_for("staff.mfa"))
    with db.transaction():
        secret = staff_auth.enrolment_secret(row)  # kept on the server-side session, never the cookie
    form = TotpForm()
    if form.validate_on_submit():
        with db.transaction() as s:
            check = staff_auth.confirm_enrolment(
                s, row, form.code.data or "", now=staff_auth.clock(), path=request.path, policy=policy()
            )
        if check.ok or check.refusal == "locked":
            return _after_code(check)
        add_error(form.code, CODE_ERRORS["wrong"])
    issuer = f"{current_app.config['COUNCIL'].name} complaints"
    uri = staff_auth.provisioning_uri(row.user, secret, issuer)
    code = segno.make(uri, error="m")
    # At most 240px whatever the QR version, so it fits a 320px-wide screen (WCAG 1.4.10).
    scale = max(2, 240 // code.symbol_size(scale=1, border=4)[0])
    qr = code.svg_data_uri(scale=scale, border=4, dark="#0b0c0c")
    return render_template("staff/mfa-set-up.html", form=form, qr=qr, secret=_grouped(secret))


@bp.route("/mfa/recovery-codes", methods=["GET", "POST"])
@stage(Stage.CODES)
def recovery_codes() -> Response | str:
    """Shown once: every visit makes a new set, so the codes on screen are always the ones that work.

    Only hashes are stored, so the codes cannot be shown again; reloading the page replaces them.
    """
    row = current_session()
    form = ConfirmForm()
    if form.validate_on_submit():
        with db.transaction():
            staff_auth.codes_saved(row)
        return htmx.redirect_after_post(safe_next(session.pop(NEXT_KEY, None)) or url_for("staff.home"))
    with db.transaction() as s:
        codes = staff_auth.issue_recovery_codes(s, row.user, now=staff_auth.clock())
    return render_template("staff/recovery-codes.html", form=form, codes=codes)


@bp.post("/sign-out")
@stage(Stage.ANY)
def sign_out() -> Response:
    with db.transaction() as s:
        staff_auth.sign_out(s, current_session(), now=staff_auth.clock(), path=request.path)
    session.clear()
    return htmx.redirect_after_post(url_for("staff.sign_in", reason="signed-out"))
