"""Pages that are the same for everyone: rendered once per language, served with a fresh nonce.

The start page and the information pages depend only on the app's configuration, the language
and the URL, so after the first render each request costs a dictionary look-up and one string
replace (issue #10: the start page spent most of its time re-rendering the same GOV.UK page).
The CSP nonce is rendered as a placeholder and replaced by this request's nonce every time.
Only plain GETs without a query string are kept (the language switcher links carry the path),
and a render that made a CSRF token or touched the session is never kept.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import current_app, g, render_template, request, session
from flask_babel import get_locale

from portal.htmx import is_fragment_request
from portal.security import csp_nonce

# Random per process, never sent: a page containing it verbatim is not possible by chance.
_NONCE_SLOT = "portal-nonce-" + secrets.token_hex(16)


def _store() -> dict[tuple[Any, ...], str]:
    store: dict[tuple[Any, ...], str] = current_app.extensions.setdefault("portal.page_cache", {})
    return store


def cached_page(template: str) -> str:
    """render_template(template), rendered once per language and fragment-or-not."""
    if request.method != "GET" or request.query_string:
        return render_template(template)
    key = (template, str(get_locale()), request.path, is_fragment_request())
    page = _store().get(key)
    if page is None:
        fresh = "csp_nonce" not in g and "csrf_token" not in g
        g.csp_nonce = _NONCE_SLOT
        try:
            page = render_template(template)
        finally:
            g.pop("csp_nonce", None)
        if not (fresh and "csrf_token" not in g and not session.modified):
            return page.replace(_NONCE_SLOT, csp_nonce())
        _store()[key] = page
    return page.replace(_NONCE_SLOT, csp_nonce())
