"""Response headers on everything: CSP with a per-request nonce, HSTS, no-store for case data."""

from __future__ import annotations

import secrets
from typing import Any

from flask import Flask, Response, g, request
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    nonce: str = g.csp_nonce
    return nonce


def content_security_policy(nonce: str) -> str:
    # No 'unsafe-inline' / 'unsafe-eval': the only inline script (GOV.UK's js-enabled
    # class) carries the nonce; htmx is configured with allowEval false.
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "form-action 'self'",
        )
    )


def _set_headers(response: Response) -> Response:
    headers = response.headers
    headers["Content-Security-Policy"] = content_security_policy(csp_nonce())
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    headers["X-Frame-Options"] = "DENY"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), interest-cohort=()"
    headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if not request.path.startswith("/static/"):
        # Pages may carry children's personal data: never store them in any cache.
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    return response


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, its serializer made once for the app's keys rather than
    on every request (a twentieth of a kept page's time, issue #10)."""

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys: tuple[Any, ...] = (app.secret_key, *(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        kept = app.extensions.get("portal.session_serializer")
        if kept is None or kept[0] != keys:
            kept = app.extensions["portal.session_serializer"] = (keys, super().get_signing_serializer(app))
        serializer: URLSafeTimedSerializer | None = kept[1]
        return serializer


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
    app.after_request(_set_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
