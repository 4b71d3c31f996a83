"""The case's stages in plain words for the family: what has happened, what is next, and by when."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l

from portal.domain.working_days import Explanation
from portal.i18n import day_and_month, format_date, list_separator, long_date
from portal.models import Case, Deadline
from portal.services import deadlines
from portal.services.rules import Rules

STAGE_NAMES = {
    "statutory": {
        1: _l("Stage 1: we try to sort it out"),
        2: _l("Stage 2: an independent investigation"),
        3: _l("Stage 3: a review panel"),
    },
    "corporate": {
        1: _l("Stage 1: we look into your complaint"),
        2: _l("Stage 2: a senior manager looks again"),
    },
}


# What started the count, as the end of "from the day after ..." (the stored clock's start).
START_EVENTS = {
    "received": _l("we got your complaint"),
    "acknowledged": _l("we acknowledged your complaint"),
    "stage1_response_sent": _l("we sent our stage 1 response"),
    "stage2_requested": _l("you asked for stage 2"),
    "stage2_response_sent": _l("we sent our stage 2 response"),
    "statement_agreed": _l("we agreed the statement of your complaint with you"),
    "panel_requested": _l("you asked for a review panel"),
    "stage2_acknowledged": _l("we acknowledged your stage 2 request"),
    "panel_held": _l("the review panel met"),
    "panel_report_received": _l("we got the review panel's report"),
}


def family_explanation(e: Explanation) -> str:
    """How we worked out a due date, in the family's language (staff get Explanation.for_staff)."""
    days = ngettext("%(num)d working day", "%(num)d working days", e.working_days)
    event = START_EVENTS.get(e.start_label)
    if e.start_counted and event:
        first = gettext("We count %(days)s, starting on the day %(event)s.", days=days, event=event)
    elif e.start_counted:
        first = gettext("We count %(days)s, starting on %(date)s.", days=days, date=long_date(e.start))
    elif event:
        first = gettext("We count %(days)s from the day after %(event)s.", days=days, event=event)
    else:
        first = gettext("We count %(days)s from the day after %(date)s.", days=days, date=long_date(e.start))
    named = [day_and_month(d) for d, _ in e.holidays_skipped]
    if named:
        dates = list_separator().join(named)
        second = gettext("Weekends and bank holidays (%(dates)s) do not count.", dates=dates)
    else:
        second = gettext("Weekends and bank holidays do not count.")
    third = gettext("So the date is %(date)s.", date=long_date(e.due))
    return f"{first} {second} {third}"


def _stage_of(deadline: Deadline) -> int:
    return max(deadline.stage, 1)  # acknowledgement clocks are stage 0: they belong to stage 1


def _entry(deadline: Deadline, rules: Rules, case: Case, simple: bool) -> dict[str, Any]:
    due = deadline.effective_due_on
    when = format_date(deadline.met_on or due, format="long") if (deadline.met_on or due) else ""
    texts = {
        ("acknowledgement", True): _l("We told you we had your complaint"),
        ("acknowledgement", False): _l("We will tell you we have your complaint by"),
        ("response", True): _l("We sent our response"),
        ("response", False): _l("We will send our response by")
        if not simple
        else _l("We will write to you by"),
        ("window", True): _l("You asked for the next stage"),
        ("window", False): _l("You can ask for the next stage until"),
    }
    text = texts.get((deadline.kind, deadline.met_on is not None), _l("Due"))
    explanation = None
    if deadline.met_on is None and deadline.unit == "working_days":
        explained = deadlines.explanation(deadline, rules, case.procedure)
        explanation = family_explanation(explained) if explained else None
    return {
        "text": text,
        "date": when,
        "done": deadline.met_on is not None,
        "extended_reason": deadline.extension_reason
        if deadline.extended_due_on and not deadline.met_on
        else None,
        "paused": deadline.paused_since is not None,
        "explanation": explanation,
        "closed_unmet": not deadline.is_open and deadline.met_on is None,
    }


def _state(case: Case, number: int) -> str:
    if number < case.stage:
        return "done"
    if number > case.stage:
        return "not_started"
    return "done" if case.status in ("closed", "withdrawn") else "current"


def timeline(case: Case, rules: Rules, today: date, simple: bool = False) -> list[dict[str, Any]]:
    procedure = rules.procedure(case.procedure)
    names = STAGE_NAMES.get(case.procedure, {})
    stages = []
    for number in range(1, procedure.stages + 1):
        entries = [
            _entry(d, rules, case, simple)
            for d in case.deadlines
            if _stage_of(d) == number and not (d.kind == "window" and not d.is_open and d.met_on is None)
        ]
        stages.append(
            {
                "number": number,
                "name": names.get(number, _l("Stage %(number)s", number=number)),
                "state": _state(case, number),
                "entries": [e for e in entries if not e["closed_unmet"]],
            }
        )
    return stages
