"""Back office compliment pages: the filtered list, what a compliment is about, passing the thanks on."""

from __future__ import annotations

from flask import request
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from portal import htmx
from portal.extensions import db
from portal.models import Case
from portal.services import compliments as svc
from portal.services.staff_actions import actor_for
from portal.staff import more_forms as forms
from portal.staff.case_forms import AREAS
from portal.staff.cases import READERS, WORKERS, today
from portal.staff.form_pages import form_page
from portal.staff.guard import current_staff, require_role
from portal.staff.views import bp

REFUSALS = (svc.ComplimentError,)


@bp.get("/compliments")
@require_role(*READERS)
def compliments() -> str:
    form = forms.ComplimentFilterForm(request.args)
    form.validate()
    wanted = svc.ComplimentFilter(
        service_area=form.service_area.data if form.service_area.data in AREAS else "",
        team=(form.team.data or "")[:100],
        worker=(form.worker.data or "")[:200],
    )
    rows = svc.listing(db.session, current_staff(), wanted)
    return htmx.render(
        "staff/compliments/list.html",
        "staff/compliments/_rows.html",
        rows=rows,
        form=form,
        areas=AREAS,
        limit=svc.LIST_LIMIT,
    )


@bp.route("/cases/<reference>/compliment", methods=["GET", "POST"])
@require_role(*WORKERS)
def compliment_details(reference: str) -> Response | str:
    form = forms.ComplimentForm()

    def prepare(case: Case, _form: FlaskForm) -> None:
        if request.method == "GET":
            detail = svc.detail_of(db.session, case)
            form.service_area.data = case.service_area
            if detail is not None:
                form.worker_name.data = detail.worker_name or ""
                form.worker_email.data = detail.worker_email or ""
                form.team.data = detail.team or ""

    def perform(session: Session, case: Case) -> None:
        svc.record(
            session,
            case,
            actor_for(current_staff()),
            worker_name=form.worker_name.data or "",
            worker_email=form.worker_email.data or "",
            team=form.team.data or "",
            service_area=form.service_area.data or "",
        )

    return form_page(
        reference,
        form,
        perform,
        REFUSALS,
        title="Who the compliment is about",
        button="Save",
        intro="Compliments are counted by worker, team and service.",
        prepare=prepare,
        kinds=("compliment",),
    )


@bp.route("/cases/<reference>/compliment/thanks", methods=["GET", "POST"])
@require_role(*WORKERS)
def compliment_thanks(reference: str) -> Response | str:
    form = forms.ThanksForm()

    def perform(session: Session, case: Case) -> None:
        svc.pass_on_thanks(
            session,
            case,
            actor_for(current_staff()),
            passed_to=form.passed_to.data or "",
            email_worker=bool(form.email_worker.data),
            on=today(),
        )

    return form_page(
        reference,
        form,
        perform,
        REFUSALS,
        title="Pass on the thanks",
        button="Save",
        intro="Record who the thanks went to. The worker can be sent the compliment by email.",
        kinds=("compliment",),
    )
