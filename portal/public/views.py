"""Public pages: start page, information pages and the language choice."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, redirect, request, session, url_for
from werkzeug.wrappers import Response

from portal.i18n import available
from portal.page_cache import cached_page

bp = Blueprint("public", __name__)


@bp.get("/")
def start() -> str:
    return cached_page("public/start.html")


@bp.get("/accessibility-statement")
def accessibility() -> str:
    return cached_page("public/accessibility.html")


@bp.get("/privacy-notice")
def privacy() -> str:
    return cached_page("public/privacy.html")


@bp.get("/cookies")
def cookies() -> str:
    return cached_page("public/cookies.html")


@bp.get("/contact")
def contact() -> str:
    return cached_page("public/contact.html")


def _safe_next(target: str | None) -> str:
    # Only same-site paths: never redirect to another host (open redirect).
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/"):
            return target
    return url_for("public.start")


@bp.get("/language/<lang>")
def choose_language(lang: str) -> Response:
    if lang not in available():
        abort(404)
    session["lang"] = lang
    return redirect(_safe_next(request.args.get("next")), code=303)
