"""Values every template can use: council details, advocacy, the Ombudsman, timescales, language."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import format_date

from portal.config import ADVOCACY, Ombudsman
from portal.htmx import is_fragment_request
from portal.i18n import LANGUAGE_NAMES, available, current_language, text_direction
from portal.services.rules import rules


def timescales() -> dict[str, int | None]:
    """The numbers public pages quote, read from the one procedure table."""
    stat = rules().procedure("statutory")
    corp = rules().procedure("corporate")
    return {
        "stat_ack": stat.clock("acknowledgement").limit,
        "stat_s1": stat.clock("stage1_response").limit,
        "stat_s1_ext": stat.clock("stage1_response").extended_limit,
        "stat_s2_request": stat.clock("stage2_request_window").limit,
        "stat_s2": stat.clock("stage2_response").limit,
        "stat_s2_ext": stat.clock("stage2_response").extended_limit,
        "stat_s3_request": stat.clock("stage3_request_window").limit,
        "stat_s3_panel": stat.clock("stage3_panel").limit,
        "stat_s3_report": stat.clock("stage3_panel_report").limit,
        "stat_s3_response": stat.clock("stage3_council_response").limit,
        "corp_ack": corp.clock("acknowledgement").limit,
        "corp_s1": corp.clock("stage1_response").limit,
        "corp_s1_ext": corp.clock("stage1_response").extended_limit,
        "corp_s2_request": corp.clock("stage2_request_window").limit,
        "corp_s2_ack": corp.clock("stage2_acknowledgement").limit,
        "corp_s2": corp.clock("stage2_response").limit,
        "corp_s2_ext": corp.clock("stage2_response").extended_limit,
    }


class _Timescales(dict[str, Any]):
    __getattr__ = dict.__getitem__


def template_context() -> dict[str, Any]:
    lang = current_language()
    return {
        "council": current_app.config["COUNCIL"],
        "advocacy": ADVOCACY,
        "ombudsman": Ombudsman(),
        "t": _Timescales(timescales()),
        "current_lang": lang,
        "text_dir": text_direction(lang),
        "languages": [(code, LANGUAGE_NAMES[code]) for code in available()],
        "is_fragment": is_fragment_request(),
        "format_date": format_date,
    }
