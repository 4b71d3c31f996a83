"""Rate limits (Flask-Limiter) on submission, tracking, staff sign-in and MFA, counted in our database.

Counters live in the `rate_limit_counter` table through `DatabaseStorage`, a `limits` storage
registered under the `portal-db://` scheme, so every gunicorn worker (and every server behind a
load balancer) shares them; `memory://` would give each worker its own count (NFR 1.7, SEC-10).
The limits themselves are configuration (`RATE_LIMITS`, env `PORTAL_RATE_LIMITS` as JSON):
generous per address, because schools, libraries and council offices put many people behind
one IP, and tight per target (a reference, a reference and email pair, a staff account).
Keys are keyed hashes: no IP address, email or reference is stored in the counter table.

When a limit is reached the page the person was on is shown again with what they typed, a
message saying how long to wait, and the council's phone number (status 429, Retry-After).
"""

from __future__ import annotations

import hashlib
import math
import secrets
import time
from collections.abc import Callable
from functools import partial
from typing import Any, cast

from flask import Flask, Response, current_app, g, make_response, request, session
from flask_babel import ngettext
from flask_limiter import Limiter, RequestLimit
from flask_limiter.errors import RateLimitExceeded
from limits.storage import Storage
from sqlalchemy import Engine, Table, case, delete, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.middleware.proxy_fix import ProxyFix

from portal.db import SAFE_METHODS
from portal.models import RateLimitCounter

COUNTERS = cast(Table, RateLimitCounter.__table__)
PRUNE_ONE_IN = 200  # about one hit in this many also deletes expired counters


class DatabaseStorage(Storage):
    """A fixed-window counter store for `limits` in the portal's database (SQLite or PostgreSQL).

    Each hit is one atomic upsert (INSERT .. ON CONFLICT DO UPDATE .. RETURNING) in its own short
    transaction, so concurrent workers never lose a count. The engine is the current app's, so
    the module-level limiter serves every app (the tests make many).
    """

    STORAGE_SCHEME = ["portal-db"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: Any) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return SQLAlchemyError

    @staticmethod
    def _engine() -> Engine:
        engine: Engine = current_app.extensions["portal.db"].engine
        return engine

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        engine, now = self._engine(), time.time()
        insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        expired = COUNTERS.c.expires_at <= now
        statement = (
            insert(COUNTERS)
            .values(key=key, count=amount, expires_at=now + expiry)
            .on_conflict_do_update(
                index_elements=[COUNTERS.c.key],
                set_={
                    "count": case((expired, amount), else_=COUNTERS.c.count + amount),
                    "expires_at": case((expired, now + expiry), else_=COUNTERS.c.expires_at),
                },
            )
            .returning(COUNTERS.c.count)
        )
        with engine.begin() as conn:
            count = int(conn.execute(statement).scalar_one())
            if secrets.randbelow(PRUNE_ONE_IN) == 0:
                conn.execute(delete(COUNTERS).where(COUNTERS.c.expires_at < now))
        return count

    def _row(self, key: str) -> tuple[int, float] | None:
        with self._engine().connect() as conn:
            row = conn.execute(
                select(COUNTERS.c.count, COUNTERS.c.expires_at).where(
                    COUNTERS.c.key == key, COUNTERS.c.expires_at > time.time()
                )
            ).first()
        return (int(row[0]), float(row[1])) if row else None

    def get(self, key: str) -> int:
        row = self._row(key)
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return row[1] if row else time.time()

    def check(self) -> bool:
        try:
            with self._engine().connect() as conn:
                conn.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with self._engine().begin() as conn:
            return conn.execute(delete(COUNTERS)).rowcount

    def clear(self, key: str) -> None:
        with self._engine().begin() as conn:
            conn.execute(delete(COUNTERS).where(COUNTERS.c.key == key))


def _keyed(kind: str, value: str) -> str:
    """A keyed hash, so the counter table never holds an address, email or reference."""
    secret = current_app.config["SECRET_KEY"]
    return hashlib.sha256(f"{secret}:{kind}:{value}".encode()).hexdigest()[:40]


def client_address() -> str:
    return _keyed("ip", request.remote_addr or "unknown")


def _form_value(name: str) -> str:
    return "".join((request.form.get(name) or "").split()).upper()


def reference_key() -> str:
    """Per reference number (empty when none was typed: Flask-Limiter then skips the limit)."""
    reference = _form_value("reference")
    return _keyed("reference", reference) if reference else ""


def reference_email_key() -> str:
    reference, email = _form_value("reference"), _form_value("email")
    return _keyed("reference+email", f"{reference}|{email}") if reference and email else ""


def account_key() -> str:
    email = _form_value("email")
    return _keyed("account", email) if email else ""


def staff_sign_in_key() -> str:
    """The sign-in in progress (its server-side session token), for the MFA pages."""
    from portal.staff.guard import TOKEN_KEY

    token = session.get(TOKEN_KEY)
    return _keyed("staff-session", token) if isinstance(token, str) else ""


def configured(name: str) -> Callable[[], str]:
    """The limit named `name` in the app's RATE_LIMITS, read per request (so it is configuration)."""
    return lambda: str(current_app.config["RATE_LIMITS"][name])


limiter = Limiter(
    key_func=client_address,
    storage_uri="portal-db://",
    strategy="fixed-window",
    # A broken counter table must never stop a complaint being sent: log it and let it through.
    swallow_errors=True,
)


@limiter.request_filter
def _reads_only() -> bool:
    """Every limit counts POSTs only: a rate-limited view's own check (its decorator's) ends here
    on a page view, before the search for its endpoint's limits (the limiter's app-wide hooks are
    not run for page views at all, see _hooks_for_writes_only; issue #10)."""
    return request.method in SAFE_METHODS


def _hooks_for_writes_only(app: Flask) -> None:
    """The limiter's own before_request, after_request and teardown hooks, run only for the
    requests a limit can count (every limit counts POSTs only, see _reads_only): on a page view
    they did nothing, in a tenth of a kept page's time (issue #10)."""
    every: list[list[Any]] = [app.before_request_funcs[None], app.after_request_funcs[None]]
    every.append(app.teardown_request_funcs[None])
    for hooks in every:
        hooks[:] = [_for_writes(hook) if _of_limiter(hook) else hook for hook in hooks]


def _of_limiter(hook: Any) -> bool:
    owner = hook.args[0] if isinstance(hook, partial) and hook.args else getattr(hook, "__self__", None)
    return owner is limiter


def _for_writes(hook: Callable[..., Any]) -> Callable[..., Any]:
    def for_writes(*args: Any) -> Any:
        if request.method in SAFE_METHODS:
            return args[0] if args else None  # an after_request hook hands the response on unchanged
        return hook(*args)

    return for_writes


def limit(name: str, key_func: Callable[[], str], render: Callable[[], str]) -> Any:
    """Decorator: the configured limit `name` on POSTs, keyed by `key_func`; `render` re-shows the page."""
    return limiter.limit(
        configured(name),
        key_func=key_func,
        methods=["POST"],
        on_breach=too_many_page(render),
        # Nothing typed to count against (e.g. no reference): the per-address limit still applies.
        exempt_when=lambda: not key_func(),
    )


def too_many_page(render: Callable[[], str]) -> Callable[[RequestLimit], Response]:
    """On a breach: the same page again (with what was typed), a 429 status and Retry-After."""

    def on_breach(breached: RequestLimit) -> Response:
        seconds = max(1, math.ceil(breached.reset_at - time.time()))
        g.too_many_minutes = max(1, math.ceil(seconds / 60))
        response = make_response(render(), 429)
        response.headers["Retry-After"] = str(seconds)
        return response

    return on_breach


def too_many_message() -> str:
    """The message on a page shown again after a limit was reached (templates: too_many_message())."""
    minutes = int(g.get("too_many_minutes", 15))
    phone = current_app.config["COUNCIL"].phone
    return ngettext(
        "You have tried too many times. Wait %(num)d minute and try again, or call us on %(phone)s.",
        "You have tried too many times. Wait %(num)d minutes and try again, or call us on %(phone)s.",
        minutes,
        phone=phone,
    )


def _rate_limited(error: RateLimitExceeded) -> Any:
    if error.response is not None:
        return error.response
    from portal.errors import handle_http

    return handle_http(error)


def init_app(app: Flask) -> None:
    hops = int(app.config.get("PROXY_HOPS", 0))
    if hops:
        # Behind nginx: take the client address from X-Forwarded-For, trusting only our proxies.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    limiter.init_app(app)
    _hooks_for_writes_only(app)
    app.register_error_handler(RateLimitExceeded, _rate_limited)
    app.jinja_env.globals["too_many_message"] = too_many_message
