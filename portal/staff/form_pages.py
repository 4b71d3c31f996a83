"""One shape for the smaller back office forms on a case: GET the form, POST one service call, PRG."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, render_template, url_for
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from portal import htmx
from portal.extensions import db
from portal.models import Case
from portal.public.fields import GovDateField
from portal.staff.cases import load_case

# Service errors whose message is fit to show staff (each service's own ValueError subclass).
Refusals = tuple[type[Exception], ...]


def _anchor(form: FlaskForm, name: str) -> str:
    # A date's error links to its day box (GOV.UK date input: the first field of the group).
    return f"#{name}-day" if isinstance(getattr(form, name, None), GovDateField) else f"#{name}"


def errors_of(form: FlaskForm, refused: str | None, form_id: str = "main-form") -> list[dict[str, str]]:
    """The error summary's items: each field's errors, then the service's refusal (linked to the form)."""
    items = [{"text": str(m), "href": _anchor(form, name)} for name, ms in form.errors.items() for m in ms]
    return items + ([{"text": refused, "href": f"#{form_id}"}] if refused else [])


def form_page(
    reference: str,
    form: FlaskForm,
    perform: Callable[[Session, Case], Any],
    refusals: Refusals,
    *,
    title: str,
    button: str,
    intro: str = "",
    prepare: Callable[[Case, FlaskForm], None] | None = None,
    done: Callable[[Case, Any], str] | None = None,
    kinds: tuple[str, ...] | None = None,
) -> Response | str:
    """Show the form; on a valid POST run `perform` in one transaction and go back to the case.

    A refusal from the service rolls everything back and shows the form again with what was typed.
    `kinds`: the kinds of case the page is for (others get 404, after the access check).
    """
    case = load_case(reference, change=True)
    if kinds is not None and case.kind not in kinds:
        abort(404)
    if prepare is not None:
        prepare(case, form)
    refused = None
    if form.validate_on_submit():
        try:
            with db.transaction() as session:
                result = perform(session, case)
            target = done(case, result) if done else url_for("staff.case", reference=reference)
            return htmx.redirect_after_post(target)
        except refusals as error:
            refused = str(error)
        case = load_case(reference, change=True)  # the rollback expired it
    errors = errors_of(form, refused)
    return render_template(
        "staff/more/form.html",
        case=case,
        form=form,
        errors=errors,
        has_errors=bool(errors),
        title=title,
        button=button,
        intro=intro,
    )
