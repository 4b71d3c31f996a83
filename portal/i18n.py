"""Locale selection (session choice, then Accept-Language) and language names for the switcher."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from functools import lru_cache
from typing import Any, TypeVar

import flask_babel
from babel import Locale
from babel import dates as babel_dates
from babel.dates import format_skeleton
from flask import Flask, current_app, request, session
from flask_babel import get_locale

from portal import jinja_i18n
from portal.domain.working_days import long_date as english_long_date
from portal.extensions import babel

# Each language's name written in that language (the switcher marks each with lang).
LANGUAGE_NAMES = {
    "en": "English",
    "pl": "Polski",
    "lt": "Lietuvių",
    "ro": "Română",
    "ar": "العربية",
}
RTL = frozenset({"ar"})


def available() -> tuple[str, ...]:
    langs: tuple[str, ...] = tuple(current_app.config["LANGUAGES"])
    return langs


# Babel locale per language: English is British English (dates as "1 October 2026").
BABEL_LOCALES = {"en": "en_GB"}


def choose_language() -> str:
    """The language of this request: the person's choice, else their browser's, else English.
    The back office is in English whatever the browser asks for (staff read the English copy)."""
    if request.path == "/staff" or request.path.startswith("/staff/"):
        return "en"
    chosen = session.get("lang")
    if chosen in available():
        return str(chosen)
    return request.accept_languages.best_match(available()) or "en"


def babel_locale(lang: str) -> str:
    """The Babel locale that writes a language (force_locale for letters and emails)."""
    return BABEL_LOCALES.get(lang, lang)


def select_locale() -> Locale:
    """Flask-Babel's locale selector. A Locale, not its name: Flask-Babel parses a name again
    on every request (a fortieth of a kept page's time, issue #10)."""
    return _parsed(babel_locale(choose_language()))


@lru_cache(maxsize=32)
def _parsed(name: str) -> Locale:
    return Locale.parse(name)


def current_language() -> str:
    """The language code (not the Babel locale) for lang attributes and stored preferences."""
    locale = get_locale()
    return locale.language if locale is not None else "en"


@lru_cache(maxsize=8192)
def _babel_date(d: date, format: str, locale: str) -> str:
    return babel_dates.format_date(d, format, locale=locale)


def format_date(value: date | datetime | None = None, format: str | None = None) -> str:
    """Flask-Babel's format_date, with each plain date formatted once per format and language
    (a family's case page shows a dozen dates and Babel took a tenth of its time, issue #10).
    Datetimes and the default format go to Flask-Babel (they depend on the timezone and config)."""
    if type(value) is not date or format not in ("short", "medium", "long", "full"):
        return flask_babel.format_date(value, format)
    return _babel_date(value, format, str(get_locale() or "en_GB"))


def long_date(d: date) -> str:
    """A date with its weekday in the reader's language: "Tuesday 22 December 2026" in English
    (GOV.UK style, no comma), "wtorek, 22 grudnia 2026" in Polish."""
    locale = get_locale()
    if locale is None or locale.language == "en":
        return english_long_date(d)
    return _babel_date(d, "full", str(locale))


@lru_cache(maxsize=8192)
def _day_and_month(d: date, locale: str) -> str:
    return format_skeleton("MMMMd", d, locale=locale)


def day_and_month(d: date) -> str:
    """ "25 December" in the reader's language (for lists of holidays)."""
    return _day_and_month(d, str(get_locale() or "en_GB"))


def list_separator() -> str:
    """ ", " between the items of a short list; Arabic writes its own comma."""
    locale = get_locale()
    return "، " if locale is not None and locale.language == "ar" else ", "


# U+2066 LEFT-TO-RIGHT ISOLATE ... U+2069 POP DIRECTIONAL ISOLATE: in Arabic text a phone
# number's space-separated groups would otherwise be laid out right to left ("000 960 01632").
_LTR_ISOLATE, _POP_ISOLATE = "\u2066", "\u2069"
_PHONE_FIELDS = ("phone", "textphone")
T = TypeVar("T")


def with_readable_numbers(details: T, lang: str) -> T:
    """Contact details (a council, advocate or ombudsman dataclass) whose phone numbers keep
    their left-to-right order inside right-to-left text; unchanged for other languages."""
    if lang not in RTL:
        return details
    changes = {
        name: f"{_LTR_ISOLATE}{value}{_POP_ISOLATE}"
        for name in _PHONE_FIELDS
        if (value := getattr(details, name, ""))
    }
    replaced: Any = dataclasses.replace(details, **changes)  # type: ignore[type-var]
    return replaced


def text_direction(lang: str) -> str:
    return "rtl" if lang in RTL else "ltr"


def short_date(d: date) -> str:
    """ "3 Mar 2026" in the reader's language, for tables (the back office's queues): each date
    is formatted by Babel once, not once per row per request."""
    return _babel_date(d, "d MMM yyyy", jinja_i18n.current().locale)


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters["short_date"] = short_date
