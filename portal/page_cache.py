"""Pages, and parts of pages, that are the same for everyone: rendered once per language.

The start page and the information pages depend only on the app's configuration, the language
and the URL, so after the first render each request costs a dictionary look-up and one string
replace (issue #10: the start page spent most of its time re-rendering the same GOV.UK page).
The CSP nonce is rendered as a placeholder and replaced by this request's nonce every time.
Only plain GETs without a query string are kept (the language switcher links carry the path),
and a render that made a CSRF token or touched the session is never kept.

`{% cached "name", key... %}...{% endcached %}` does the same for a part of any page: the GOV.UK
header, footer, skip link and "Exit this page" are the same on every page in a language, yet
cost a macro call each (a quarter of a question page). The part is kept under its name, the
language and the keys given, so a part may only depend on those and on the app's configuration;
never put a nonce, a CSRF token or anything of the person's inside one.

`cached_form_page(key, render)` keeps a page with a form whose only parts of the person's are
the CSRF token and the nonce (a question not yet answered, or answered by a choice): the key
given must settle everything else the page shows. `personal_page(name, key, render)` is the
same for a page of personal data (the family's case page, the staff queues and case page), kept
apart and fewer, under a revision that rises with every change it could show.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, NamedTuple

from flask import current_app, g, render_template, request, session
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.parser import Parser
from markupsafe import Markup

from portal.htmx import is_fragment_request
from portal.security import csp_nonce

# Random per process, never sent: a page containing it verbatim is not possible by chance.
_NONCE_SLOT = "portal-nonce-" + secrets.token_hex(16)
_CSRF_SLOT = "portal-csrf-" + secrets.token_hex(16)
# Parts kept per app (a key may carry a path): past this many, start again rather than grow.
MAX_PARTS = 2000
MAX_PERSONAL = 300


class Kept(NamedTuple):
    page: str
    until: datetime | None  # served until then (None: until its key changes)


_NEVER = datetime.min.replace(tzinfo=UTC)  # keep_until(None): the page is not kept


def _store() -> dict[tuple[Any, ...], Any]:
    store: dict[tuple[Any, ...], Any] = current_app.extensions.setdefault("portal.page_cache", {})
    return store


def cached_form_page(key: tuple[Any, ...], render: Callable[[], str]) -> str:
    """render(), once per key, language, path with its query, and fragment-or-not; later requests
    get the same page with their own CSRF token and nonce. Only for GETs: a form with errors, or
    with anything the person typed, must not be kept (the caller decides, and puts in the key
    whatever else the page depends on: the form's data, the step's position, the back link)."""
    return _kept(_store(), MAX_PARTS, "form-page", key, render)


def personal_page(
    name: str, key: tuple[Any, ...], render: Callable[[], str], now: datetime | None = None
) -> str:
    """A page of one person's case, or one member of staff's view of the cases, kept like
    cached_form_page but apart from the pages that are the same for everyone, and fewer of them
    (each is tens of kilobytes of personal data, kept in this process's memory only). The key
    must change whenever anything the page shows does, so it carries a revision from
    portal.models.revision (the case's, or the data version) and who is looking. A render may
    also say the page is good only until a time (`keep_until`, checked against `now`) or is not
    to be kept at all (`keep_until(None)`)."""
    store: dict[tuple[Any, ...], Kept] = current_app.extensions.setdefault("portal.personal_pages", {})
    return _kept(store, MAX_PERSONAL, name, key, render, now)


def keep_until(when: datetime | None) -> None:
    """For personal_page's render: the page may be served until `when`; None: not kept."""
    g.page_keep_until = when if when is not None else _NEVER


def _kept(
    store: dict[tuple[Any, ...], Kept],
    limit: int,
    name: str,
    key: tuple[Any, ...],
    render: Callable[[], str],
    now: datetime | None = None,
) -> str:
    if "csp_nonce" in g or "csrf_token" in g:  # already made for this request: the render has them
        return render()
    full_key = (name, str(get_locale()), request.full_path, is_fragment_request(), *key)
    kept = store.get(full_key)
    if kept is not None and kept.until is not None and (now is None or now >= kept.until):
        kept = None
    if kept is None:
        g.csp_nonce, g.csrf_token = _NONCE_SLOT, _CSRF_SLOT
        try:
            kept = Kept(render(), g.get("page_keep_until"))
        finally:
            g.pop("csp_nonce", None)
            g.pop("csrf_token", None)
            g.pop("page_keep_until", None)
        if not session.modified and kept.until is not _NEVER:
            if len(store) >= limit:
                store.clear()
            store[full_key] = kept
    page = kept.page
    if _CSRF_SLOT in page:  # not every page has a form (a queue fragment has none)
        page = page.replace(_CSRF_SLOT, generate_csrf())
    return page.replace(_NONCE_SLOT, csp_nonce())


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


class PartCache(Extension):
    """The `{% cached %}` tag (see the module's docstring)."""

    tags = {"cached"}

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        environment.extend(portal_parts={})

    def parse(self, parser: Parser) -> nodes.Node:
        lineno = next(parser.stream).lineno
        keys = [parser.parse_expression()]
        while parser.stream.skip_if("comma"):
            keys.append(parser.parse_expression())
        body = parser.parse_statements(("name:endcached",), drop_needle=True)
        call = self.call_method("_part", [nodes.List(keys)])
        return nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    def _part(self, keys: list[Any], caller: Any) -> Markup:
        parts: dict[tuple[Any, ...], Markup] = self.environment.portal_parts  # type: ignore[attr-defined]
        key = (str(get_locale()), *keys)
        html = parts.get(key)
        if html is None:
            html = caller()
            if self.environment.auto_reload:  # templates are being edited: keep nothing
                return html
            if len(parts) >= MAX_PARTS:
                parts.clear()
            parts[key] = html
        return html
