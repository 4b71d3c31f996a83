"""Response headers on everything (CSP with a per-request nonce, HSTS, no-store for case data), the
CSRF check on every write, and the signed cookie session."""

from __future__ import annotations

import copy
import secrets
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

from flask import Flask, current_app, g, has_request_context, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask.wrappers import Request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from portal.db import SAFE_METHODS
from portal.extensions import csrf

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


_NONCE_IN_ENVIRON = "portal.csp_nonce"  # where SecurityHeaders finds it once the request has ended


def csp_nonce() -> str:
    nonce: str | None = g.get("csp_nonce")
    if nonce is None:
        nonce = g.csp_nonce = secrets.token_urlsafe(18)
        if has_request_context():
            request.environ[_NONCE_IN_ENVIRON] = nonce
    return nonce


def content_security_policy(nonce: str) -> str:
    # No 'unsafe-inline' / 'unsafe-eval': the only inline script (GOV.UK's js-enabled
    # class) carries the nonce; htmx is configured with allowEval false.
    return f"{_CSP_BEFORE_NONCE}{nonce}{_CSP_AFTER_NONCE}"


_CSP_BEFORE_NONCE = "default-src 'self'; script-src 'self' 'nonce-"
_CSP_AFTER_NONCE = (
    "'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
_EVERY_RESPONSE = [
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    ("Strict-Transport-Security", "max-age=31536000; includeSubDomains"),
]
# Pages may carry children's personal data: never store them in any cache (static files may be).
_PAGES = [("Cache-Control", "no-store"), ("Pragma", "no-cache")]
_OURS = frozenset(name.lower() for name, _ in [("Content-Security-Policy", ""), *_EVERY_RESPONSE, *_PAGES])


class SecurityHeaders:
    """WSGI middleware: the security headers on every response the app gives, error pages and
    static files included, replacing any of the same name a view set.

    Added to the status line's header list as plain pairs, where setting them one by one on the
    response's Headers (each searched for first, each value checked) cost a fifteenth of a kept
    page's time (issue #10). The CSP carries the nonce the page was given (csp_nonce), or a new one."""

    def __init__(self, wsgi_app: WSGIApplication) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            nonce = environ.get(_NONCE_IN_ENVIRON) or secrets.token_urlsafe(18)
            ours = [("Content-Security-Policy", content_security_policy(nonce)), *_EVERY_RESPONSE]
            if not environ.get("PATH_INFO", "").startswith("/static/"):
                ours += _PAGES
            theirs = [header for header in headers if header[0].lower() not in _OURS]
            return start_response(status, theirs + ours, exc_info)

        return self.wsgi_app(environ, start)


def protect_writes() -> None:
    """Flask-WTF's CSRF check, for the methods it checks (WTF_CSRF_CHECK_DEFAULT is off): its own
    before_request looked up the view's exemptions on every page view first (issue #10)."""
    if request.method not in SAFE_METHODS and current_app.config["WTF_CSRF_ENABLED"]:
        csrf.protect(apply_exemptions=True)


class _Kept(NamedTuple):
    keys: tuple[Any, ...]
    serializer: URLSafeTimedSerializer | None
    verified: dict[str, tuple[int, Any]]  # cookie: (when it was signed, its data), checked with these keys


MAX_VERIFIED = 1000  # cookies kept verified per process: past this many, start again


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, its serializer made once for the app's keys rather than
    on every request (a twentieth of a kept page's time, issue #10). A cookie whose signature
    has been checked is not checked again while the keys stay the same: the next request with it
    only has its age tested, as itsdangerous would, and gets a copy of its data."""

    def _kept(self, app: Flask) -> _Kept:
        keys: tuple[Any, ...] = (app.secret_key, *(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        kept: _Kept | None = app.extensions.get("portal.session_serializer")
        if kept is None or kept.keys != keys:
            kept = _Kept(keys, super().get_signing_serializer(app), {})
            app.extensions["portal.session_serializer"] = kept
        return kept

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        return self._kept(app).serializer

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        kept = self._kept(app)
        if kept.serializer is None:
            return None
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        verified = kept.verified.get(cookie)
        if verified is None:
            try:
                data, signed = kept.serializer.loads(cookie, max_age=max_age, return_timestamp=True)
            except BadSignature:  # SignatureExpired included
                return self.session_class()
            if len(kept.verified) >= MAX_VERIFIED:
                kept.verified.clear()
            verified = kept.verified[cookie] = (int(signed.timestamp()), data)
        elif not 0 <= int(time.time()) - verified[0] <= max_age:  # itsdangerous's test of age
            return self.session_class()
        return self.session_class(copy.deepcopy(verified[1]))


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
    app.wsgi_app = SecurityHeaders(app.wsgi_app)  # type: ignore[method-assign]
    app.jinja_env.globals["csp_nonce"] = csp_nonce
