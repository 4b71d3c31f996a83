"""Locale selection (session choice, then Accept-Language) and language names for the switcher."""

from __future__ import annotations

from flask import Flask, current_app, request, session

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


def select_locale() -> str:
    chosen = session.get("lang")
    if chosen in available():
        return str(chosen)
    return request.accept_languages.best_match(available()) or "en"


def text_direction(lang: str) -> str:
    return "rtl" if lang in RTL else "ltr"


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
