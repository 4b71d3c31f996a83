"""Error pages in the service's layout: never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)

# Status codes with their own page; anything else falls back to the generic one.
PAGES = {400, 403, 404, 405, 413, 429, 500, 503}


def _render(status: int, csrf: bool = False) -> tuple[str, int]:
    template = f"errors/{status}.html" if status in PAGES else "errors/generic.html"
    return render_template(template, status=status, csrf=csrf), status


def handle_http(error: HTTPException) -> tuple[str, int]:
    return _render(error.code or 500)


def handle_csrf(_error: CSRFError) -> tuple[str, int]:
    return _render(400, csrf=True)


def handle_unexpected(error: Exception) -> tuple[str, int]:
    if isinstance(error, HTTPException):
        return handle_http(error)
    log.exception("Unhandled error", exc_info=error)
    return _render(InternalServerError.code)


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(Exception, handle_unexpected)
