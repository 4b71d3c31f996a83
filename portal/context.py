"""Values every template can use: council details, advocacy, the Ombudsman, timescales, language."""

from __future__ import annotations

from typing import Any

from flask import current_app

from portal.config import ADVOCACY, Ombudsman
from portal.htmx import is_fragment_request
from portal.i18n import (
    LANGUAGE_NAMES,
    available,
    current_language,
    format_date,
    text_direction,
    with_readable_numbers,
)
from portal.services.rules import rules


def template_context() -> dict[str, Any]:
    lang = current_language()
    return {
        "council": with_readable_numbers(current_app.config["COUNCIL"], lang),
        "advocacy": [with_readable_numbers(a, lang) for a in ADVOCACY],
        "ombudsman": with_readable_numbers(Ombudsman(), lang),
        "t": rules().timescales,
        "current_lang": lang,
        "text_dir": text_direction(lang),
        "languages": [(code, LANGUAGE_NAMES[code]) for code in available()],
        "is_fragment": is_fragment_request(),
        "format_date": format_date,
    }
