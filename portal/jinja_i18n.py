"""Faster gettext: the same translations as Flask-Babel's, looked up once per request.

Flask-Babel installs `lambda s: get_translations().ugettext(s)` in Jinja, which works out the
request's Babel context, domain and locale again for every string: a page has 150 to 200
strings, and that was a third of the start page's time (issue #10). These callables take
Jinja's eval context, not its context (which Jinja copies for every call inside a block), and
keep Jinja's "newstyle" behaviour exactly (autoescaped result, `%` formatting with the variables,
`num` and `context` filled in) but remember the request's translations beside Flask-Babel's
own locale; `force_locale` (letters and emails in the person's language) and `refresh()`
replace that locale object, so the next string looks the translations up again. Python code
keeps Flask-Babel's own functions; RequestDomain gives them the same memory.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, NamedTuple

from flask import Flask, g
from flask_babel import Babel, Domain, get_domain, get_locale
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup


class _Current(NamedTuple):
    translations: Any
    locale: str  # str(get_locale()), e.g. "en_GB"


def current() -> _Current:
    """The request's translations and locale name, worked out once per request and locale."""
    try:
        ctx = g._flask_babel
        locale, found = ctx.portal_translations
        if locale is ctx.babel_locale:
            return found
    except (AttributeError, RuntimeError):  # not looked up yet in this request, or no app context
        pass
    found = _Current(Domain.get_translations(get_domain()), str(get_locale()))
    ctx = g.get("_flask_babel") if g else None
    if ctx is not None and getattr(ctx, "babel_locale", None) is not None:
        ctx.portal_translations = (ctx.babel_locale, found)
    return found


class RequestDomain(Domain):
    """The app's message domain with the same per-request memory, for Python code: Flask-Babel's
    gettext, ngettext and lazy strings (labels, stage names, letters) ask the domain for its
    translations on every call, and its own answer works the locale out again each time."""

    def get_translations(self) -> Any:
        return current().translations


class PortalBabel(Babel):
    """Flask-Babel, with RequestDomain as the default domain (portal.extensions.babel)."""

    @cached_property
    def domain_instance(self) -> Domain:
        return RequestDomain(domain=self.domain)


def _translations() -> Any:
    return current().translations


def _finish(context: EvalContext, rv: str, variables: dict[str, Any]) -> str:
    if context.autoescape:
        rv = Markup(rv)  # noqa: S704 - catalogue text, marked safe exactly as Jinja's own newstyle gettext does
    # Jinja always formats newstyle strings ("%%" becomes "%"); without variables or a "%",
    # formatting would return the same string, so it is skipped.
    return rv % variables if variables or "%" in rv else rv


@pass_eval_context
def gettext(__context: EvalContext, __string: str, **variables: Any) -> str:
    return _finish(__context, _translations().ugettext(__string), variables)


@pass_eval_context
def ngettext(__context: EvalContext, __singular: str, __plural: str, __num: int, **variables: Any) -> str:
    variables.setdefault("num", __num)
    return _finish(__context, _translations().ungettext(__singular, __plural, __num), variables)


@pass_eval_context
def pgettext(__context: EvalContext, __string_ctx: str, __string: str, **variables: Any) -> str:
    variables.setdefault("context", __string_ctx)
    return _finish(__context, _translations().upgettext(__string_ctx, __string), variables)


@pass_eval_context
def npgettext(
    __context: EvalContext, __string_ctx: str, __singular: str, __plural: str, __num: int, **variables: Any
) -> str:
    variables.setdefault("context", __string_ctx)
    variables.setdefault("num", __num)
    rv = _translations().unpgettext(__string_ctx, __singular, __plural, __num)
    return _finish(__context, rv, variables)


def init_app(app: Flask) -> None:
    """Replace Flask-Babel's template callables (call after Babel's init_app)."""
    env = app.jinja_env
    if not getattr(env, "newstyle_gettext", False):
        raise RuntimeError("Flask-Babel must install newstyle gettext before portal.jinja_i18n")
    env.globals.update(_=gettext, gettext=gettext, ngettext=ngettext, pgettext=pgettext, npgettext=npgettext)
