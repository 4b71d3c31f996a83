"""Rows for "Check your answers": each answer in words, with a link to change it."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from wtforms.fields.core import UnboundField

from portal.i18n import format_date
from portal.models import Case, Draft
from portal.public import forms, journey


def _labels(form_class: type, name: str) -> dict[str, str]:
    field = getattr(form_class, name)
    if not isinstance(field, UnboundField):
        return {}
    choices = field.kwargs.get("choices") or []
    return {str(c.value): str(c.label) for c in choices}


def _display(step: journey.Step, name: str, value: Any) -> str:
    if name == "service_area":
        return str(dict(forms.area_choices()).get(value, value))
    labels = _labels(step.form, name)
    if isinstance(value, list):
        return ", ".join(labels.get(str(v), str(v)) for v in value) if value else _("None")
    if name in step.dates:
        return format_date(date.fromisoformat(value), format="long") if value else _("Not given")
    if value in (None, ""):
        return _("Not given")
    return labels.get(str(value), str(value))


def _label(step: journey.Step, name: str) -> str:
    field = getattr(step.form, name)
    return str(field.args[0]) if field.args else name


# Follow-up fields shown only when the answer they depend on was given.
SHOWN_WHEN = {
    "advocate_org_other": lambda a: a.get("advocate_org") == "other",
    "large_print_size": lambda a: "large_print" in (a.get("formats") or []),
    "paper_colour": lambda a: "coloured_paper" in (a.get("formats") or []),
    "interpreter_language": lambda a: "interpreter" in (a.get("adjustments") or []),
    "advocate_name": lambda a: a.get("contact_method") == "advocate",
    "advocate_email": lambda a: a.get("contact_method") == "advocate",
}


def rows(answers: journey.Answers, draft: Draft) -> list[dict[str, Any]]:
    result = []
    for step in journey.applicable(answers):
        change = url_for("public.question", slug=step.slug, change=1)
        if step.slug == "evidence":
            files = ", ".join(u.original_name for u in draft.uploads) or _("None")
            result.append(_row(_("Documents or photos"), files, change, _("documents or photos")))
            continue
        for name in journey.field_names(step.form):
            if name not in answers or not SHOWN_WHEN.get(name, lambda a: True)(answers):
                continue
            label = _label(step, name)
            result.append(_row(label, _display(step, name, answers[name]), change, label.lower()))
    return result


def _row(key: str, value: str, href: str, hidden: str) -> dict[str, Any]:
    return {
        "key": {"text": key},
        "value": {"text": value},
        "actions": {"items": [{"href": href, "text": _("Change"), "visuallyHiddenText": hidden}]},
    }


def case_rows(case: Case) -> list[dict[str, Any]]:
    """What the person told us, from the case itself (for copies made after the draft is gone)."""
    person = case.complainant
    pairs = [
        (_("Reference"), case.reference),
        (_("Name"), person.name if person else ""),
        (_("Child or young person"), case.child_name or _("Not given")),
        (_("What it is about"), str(dict(forms.area_choices()).get(case.service_area, case.service_area))),
        (_("What happened"), case.summary),
        (
            _("When it happened"),
            format_date(case.arose_on, format="long") if case.arose_on else _("Not given"),
        ),
        (_("What you would like to happen"), case.desired_outcome or _("Not given")),
    ]
    return [_row(key, value, "", key) for key, value in pairs]
