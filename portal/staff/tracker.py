"""The recommendations and actions tracker pages, and adding commitments and remedies to a case."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import cast

from flask import abort, render_template, request, url_for
from werkzeug.wrappers import Response

from portal import htmx
from portal.extensions import db
from portal.models import Case, Commitment, Remedy
from portal.services import commitments as svc
from portal.services.staff_actions import actor_for, assignees
from portal.staff import case_forms as forms
from portal.staff.cases import READERS, WORKERS, load_case, today
from portal.staff.guard import authorise_case, current_staff, require_role
from portal.staff.views import bp

FILTERS = {"open": "Not finished", "overdue": "Overdue", "done": "Complete or not accepted", "all": "All"}


@bp.get("/commitments")
@require_role(*READERS)
def commitments() -> str:
    wanted = svc.TrackerFilter(
        status=request.args.get("status", "open") if request.args.get("status") in FILTERS else "open",
        source=request.args.get("source", ""),
        owner="me" if request.args.get("owner") == "me" else "",
    )
    items = svc.tracker(db.session, current_staff(), wanted, today())
    return htmx.render("staff/tracker/list.html", "staff/tracker/_items.html", items=items,
                       wanted=wanted, filters=FILTERS, sources=svc.SOURCES, statuses=svc.STATUSES,
                       today=today())  # fmt: skip


def _errors(form: forms.FlaskForm, refused: str | None) -> list[dict[str, str]]:
    items = [{"text": str(m), "href": f"#{name}"} for name, ms in form.errors.items() for m in ms]
    return items + ([{"text": refused, "href": "#main-form"}] if refused else [])


def _form_page(case: Case, form: forms.FlaskForm, refused: str | None, title: str, button: str) -> str:
    errors = _errors(form, refused)
    return render_template("staff/tracker/form.html", case=case, form=form, errors=errors,
                           has_errors=bool(errors), title=title, button=button)  # fmt: skip


@bp.route("/cases/<reference>/commitments/new", methods=["GET", "POST"])
@require_role(*WORKERS)
def new_commitment(reference: str) -> Response | str:
    case = load_case(reference, change=True)
    form = forms.CommitmentForm()
    form.owner.choices = [forms.SelectChoice(str(u.id), u.name) for u in assignees(db.session)]
    refused = None
    if form.validate_on_submit():
        try:
            with db.transaction() as session:
                svc.add(session, case, actor_for(current_staff()), source=form.source.data or "",
                        text=form.text.data or "", owner_id=int(form.owner.data),
                        due_on=cast(date, form.due_on.data))  # fmt: skip
            return htmx.redirect_after_post(url_for("staff.case", reference=reference))
        except svc.CommitmentError as error:
            refused = str(error)
        case = load_case(reference, change=True)
    return _form_page(case, form, refused, "Add an action or recommendation", "Add")


@bp.route("/commitments/<int:commitment_id>", methods=["GET", "POST"])
@require_role(*READERS)
def commitment(commitment_id: int) -> Response | str:
    item = db.session.get(Commitment, commitment_id)
    if item is None:
        abort(404)
    user = current_staff()
    can_change = user.role in WORKERS
    case = authorise_case(item.case, change=request.method == "POST")
    form = forms.CommitmentUpdateForm(data={"status": item.status, "evidence": item.evidence or "",
                                            "reason": item.not_accepted_reason or ""})  # fmt: skip
    refused = None
    if can_change and form.validate_on_submit():
        try:
            with db.transaction() as session:
                svc.update(session, item, actor_for(user), status=form.status.data or "",
                           evidence=form.evidence.data or "", reason=form.reason.data or "",
                           on=today())  # fmt: skip
            return htmx.redirect_after_post(url_for("staff.case", reference=case.reference))
        except svc.CommitmentError as error:
            refused = str(error)
        item = db.session.get(Commitment, commitment_id)
        case = item.case if item else case
    errors = _errors(form, refused)
    return render_template("staff/tracker/commitment.html", case=case, item=item, form=form,
                           errors=errors, has_errors=bool(errors), can_change=can_change,
                           sources=svc.SOURCES, statuses=svc.STATUSES)  # fmt: skip


def _pence(text: str) -> int | None:
    try:
        value = Decimal(text.replace("£", "").replace(",", "").strip())
    except InvalidOperation:
        return None
    return int(value * 100) if value > 0 else None


@bp.route("/cases/<reference>/remedies/new", methods=["GET", "POST"])
@require_role(*WORKERS)
def new_remedy(reference: str) -> Response | str:
    case = load_case(reference, change=True)
    form = forms.RemedyForm()
    refused = None
    if form.validate_on_submit():
        try:
            with db.transaction() as session:
                svc.add_remedy(session, case, actor_for(current_staff()), kind=form.kind.data or "",
                               description=form.description.data or "",
                               amount_pence=_pence(form.amount.data or ""),
                               due_on=cast(date, form.due_on.data))  # fmt: skip
            return htmx.redirect_after_post(url_for("staff.case", reference=reference))
        except svc.CommitmentError as error:
            refused = str(error)
        case = load_case(reference, change=True)
    return _form_page(case, form, refused, "Add a remedy", "Add the remedy")


@bp.route("/cases/<reference>/remedies/<int:remedy_id>", methods=["GET", "POST"])
@require_role(*WORKERS)
def remedy_done(reference: str, remedy_id: int) -> Response | str:
    case = load_case(reference, change=True)
    remedy = db.session.get(Remedy, remedy_id)
    if remedy is None or remedy.case_id != case.id:
        abort(404)
    form = forms.RemedyDoneForm()
    refused = None
    if form.validate_on_submit():
        try:
            with db.transaction() as session:
                actor = actor_for(current_staff())
                svc.remedy_done(session, case, remedy, actor, form.proof.data or "", today())
            return htmx.redirect_after_post(url_for("staff.case", reference=reference))
        except svc.CommitmentError as error:
            refused = str(error)
        case = load_case(reference, change=True)
    title = f"Record that the remedy happened: {remedy.description[:60]}"
    return _form_page(case, form, refused, title, "Save")
