"""The only module that reads HX-* headers: fragment detection, redirects, Vary."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, redirect, render_template
from htmx_flask import Htmx, request
from werkzeug.wrappers import Response as BaseResponse

_htmx = Htmx()


def init_app(app: Flask) -> None:
    _htmx.init_app(app)
    app.after_request(_add_vary)


def is_fragment_request() -> bool:
    """True for an htmx request that wants a fragment (not a history restore, not boosted)."""
    environ = request.environ  # the headers themselves: request.htmx makes an object per look
    return (
        environ.get("HTTP_HX_REQUEST", "").lower() == "true"
        and environ.get("HTTP_HX_HISTORY_RESTORE_REQUEST", "").lower() != "true"
        and environ.get("HTTP_HX_BOOSTED", "").lower() != "true"
    )


def render(full_template: str, partial_template: str, **context: Any) -> str:
    """Same URL, two shapes: the whole page, or for htmx the partial the page includes."""
    return render_template(partial_template if is_fragment_request() else full_template, **context)


def redirect_after_post(location: str) -> BaseResponse:
    """Post/Redirect/Get that htmx follows as a full page load (so focus and history are right)."""
    if request.htmx:
        response = Response(status=204)
        response.headers["HX-Redirect"] = location
        return response
    return redirect(location, code=303)


def _add_vary(response: Response) -> Response:
    # Caches must not serve a fragment where a page was asked for, or the reverse.
    if "Vary" in response.headers:
        response.vary.add("HX-Request")
    else:  # most responses: one header set, without parsing and writing back a header set
        response.headers["Vary"] = "HX-Request"
    return response
