"""The recommendations and actions tracker pages, and adding commitments and remedies to a case."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import cast

from flask import abort, render_template, request, url_for
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from portal import htmx
from portal.extensions import db
from portal.models import Case, Commitment, Remedy
from portal.services import commitments as svc
from portal.services.staff_actions import actor_for, assignees
from portal.staff import case_forms as forms
from portal.staff.cases import READERS, WORKERS, today
from portal.staff.form_pages import errors_of, form_page
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


@bp.route("/cases/<reference>/commitments/new", methods=["GET", "POST"])
@require_role(*WORKERS)
def new_commitment(reference: str) -> Response | str:
    form = forms.CommitmentForm()
    form.owner.choices = [forms.SelectChoice(str(u.id), u.name) for u in assignees(db.session)]

    def perform(session: Session, case: Case) -> None:
        svc.add(session, case, actor_for(current_staff()), source=form.source.data or "",
                text=form.text.data or "", owner_id=int(form.owner.data),
                due_on=cast(date, form.due_on.data))  # fmt: skip

    title = "Add an action or recommendation"
    return form_page(reference, form, perform, (svc.CommitmentError,), title=title, button="Add")


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
    errors = errors_of(form, refused)
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
    form = forms.RemedyForm()

    def perform(session: Session, case: Case) -> None:
        svc.add_remedy(session, case, actor_for(current_staff()), kind=form.kind.data or "",
                       description=form.description.data or "", amount_pence=_pence(form.amount.data or ""),
                       due_on=cast(date, form.due_on.data))  # fmt: skip

    return form_page(reference, form, perform, (svc.CommitmentError,), title="Add a remedy",
                     button="Add the remedy")  # fmt: skip


@bp.route("/cases/<reference>/remedies/<int:remedy_id>", methods=["GET", "POST"])
@require_role(*WORKERS)
def remedy_done(reference: str, remedy_id: int) -> Response | str:
    remedy = db.session.get(Remedy, remedy_id)
    form = forms.RemedyDoneForm()

    def prepare(case: Case, _form: forms.FlaskForm) -> None:
        if remedy is None or remedy.case_id != case.id:  # after the access check, as for any case page
            abort(404)

    def perform(session: Session, case: Case) -> None:
        actor = actor_for(current_staff())
        svc.remedy_done(session, case, cast(Remedy, remedy), actor, form.proof.data or "", today())

    title = f"Record that the remedy happened: {remedy.description[:60]}" if remedy else ""
    return form_page(reference, form, perform, (svc.CommitmentError,), title=title, button="Save",
                     prepare=prepare)  # fmt: skip
