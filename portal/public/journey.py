"""The steps of the public journey: which apply, in what order, and how answers map to forms."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.fields.core import UnboundField

from portal.public import forms

Answers = dict[str, Any]
QUESTION_TEMPLATE = "public/complaint/question.html"


def _complaint(a: Answers) -> bool:
    return a.get("kind") == "complaint"


def _compliment(a: Answers) -> bool:
    return a.get("kind") == "compliment"


@dataclass(frozen=True)
class Step:
    slug: str
    title: Any  # lazy string: the page's title and h1
    form: type[FlaskForm]
    applies: Callable[[Answers], bool] = lambda a: True
    template: str = QUESTION_TEMPLATE
    # Fields that are dates (stored as ISO strings in the answers).
    dates: tuple[str, ...] = ()
    # The field whose label or legend is the page's h1 (GOV.UK: no heading repeated above it).
    heading_field: str | None = None


STEPS: tuple[Step, ...] = (
    Step("what-to-do", _l("What would you like to do?"), forms.KindForm, heading_field="kind"),
    Step("who", _l("Who are you?"), forms.WhoForm, _complaint, heading_field="who"),
    Step(
        "advocate",
        _l("About you as an advocate"),
        forms.AdvocateForm,
        lambda a: _complaint(a) and a.get("who") == "advocate",
    ),
    Step(
        "advocacy",
        _l("Would you like an advocate to help you?"),
        forms.AdvocacyForm,
        lambda a: _complaint(a) and a.get("who") == "young_person",
        heading_field="wants_advocate",
    ),
    Step(
        "child",
        _l("About the child or young person"),
        forms.ChildForm,
        lambda a: _complaint(a) and a.get("who") != "young_person",
        dates=("child_dob",),
    ),
    Step(
        "about", _l("What is your complaint about?"), forms.AreaForm, _complaint, heading_field="service_area"
    ),
    Step(
        "what-happened",
        _l("What happened?"),
        forms.WhatHappenedForm,
        _complaint,
        dates=("happened_on",),
        heading_field="what_happened",
    ),
    Step(
        "outcome",
        _l("What would you like to happen?"),
        forms.OutcomeForm,
        _complaint,
        heading_field="outcome",
    ),
    Step("compliment", _l("Your compliment"), forms.ComplimentForm, _compliment),
    Step("contact", _l("Your contact details"), forms.ContactForm),
    Step("needs", _l("Formats and help you need"), forms.NeedsForm, template="public/complaint/needs.html"),
    Step(
        "evidence",
        _l("Documents or photos (optional)"),
        forms.ConfirmForm,
        _complaint,
        template="public/complaint/evidence.html",
    ),
)
BY_SLUG = {step.slug: step for step in STEPS}


def applicable(answers: Answers) -> list[Step]:
    return [step for step in STEPS if step.applies(answers)]


def next_step(current: Step, answers: Answers) -> Step | None:
    steps = applicable(answers)
    later = steps[steps.index(current) + 1 :] if current in steps else steps
    return later[0] if later else None


def previous_step(current: Step, answers: Answers) -> Step | None:
    steps = applicable(answers)
    if current not in steps or steps.index(current) == 0:
        return None
    return steps[steps.index(current) - 1]


def progress(current: Step, answers: Answers) -> tuple[int, int]:
    # Before the first answer, count the longer (complaint) route so the total does not grow.
    steps = applicable(answers if answers.get("kind") else {**answers, "kind": "complaint"})
    position = steps.index(current) + 1 if current in steps else 1
    return position, len(steps) + 1  # + check your answers


def first_unanswered(answers: Answers) -> Step | None:
    for step in applicable(answers):
        if step.slug not in answers.get("_done", []):
            return step
    return None


def form_data(step: Step, answers: Answers) -> dict[str, Any]:
    """Saved answers as the form's initial data (dates back to date objects)."""
    data = {}
    for name in field_names(step.form):
        if name in answers:
            value = answers[name]
            data[name] = date.fromisoformat(value) if name in step.dates and value else value
    return data


def field_names(form_class: type[FlaskForm]) -> list[str]:
    """The form's field names in the order they are declared (as WTForms renders them)."""
    fields = [(name, getattr(form_class, name)) for name in dir(form_class)]
    unbound = [(f.creation_counter, name) for name, f in fields if isinstance(f, UnboundField)]
    return [name for _, name in sorted(unbound)]


def store(step: Step, form: FlaskForm, answers: Answers) -> Answers:
    """Copy a valid form's values into the answers; mark the step done."""
    updated = dict(answers)
    for name, field in form._fields.items():
        if name == "csrf_token":
            continue
        value = field.data
        if isinstance(value, date):
            value = value.isoformat()
        if isinstance(value, str):
            value = value.strip()
        updated[name] = value
    done = [s for s in updated.get("_done", []) if s != step.slug]
    updated["_done"] = [*done, step.slug]
    return updated
