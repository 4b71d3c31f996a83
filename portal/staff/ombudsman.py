"""Back office pages for Ombudsman (LGSCO) enquiries: record one, the response, the decision, the report."""

from __future__ import annotations

from typing import Any

from flask import abort, url_for
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from portal.extensions import db
from portal.models import Case, LgoEnquiry
from portal.services import ombudsman as svc
from portal.services.rules import rules
from portal.services.staff_actions import actor_for, assignees
from portal.staff import more_forms as forms
from portal.staff.case_forms import SelectChoice
from portal.staff.cases import WORKERS, load_case, today
from portal.staff.form_pages import form_page
from portal.staff.guard import current_staff, require_role
from portal.staff.views import bp

REFUSALS = (svc.OmbudsmanError,)


def _enquiry(reference: str) -> LgoEnquiry:
    """The enquiry of an Ombudsman case the user may change (403 first, then 404 for other cases)."""
    case = load_case(reference, change=True)
    enquiry = svc.enquiry_of(db.session, case)
    if enquiry is None:
        abort(404)
    return enquiry


def _on_enquiry(
    reference: str, form: FlaskForm, perform: Any, title: str, button: str, intro: str = ""
) -> Any:
    enquiry_id = _enquiry(reference).id

    def run(session: Session, case: Case) -> None:
        enquiry = session.get(LgoEnquiry, enquiry_id)
        assert enquiry is not None
        perform(session, case, enquiry)

    return form_page(reference, form, run, REFUSALS, title=title, button=button, intro=intro)


@bp.route("/cases/<reference>/ombudsman/new", methods=["GET", "POST"])
@require_role(*WORKERS)
def lgo_new(reference: str) -> Response | str:
    form = forms.LgoEnquiryForm()

    def perform(session: Session, case: Case) -> str:
        created = svc.record_enquiry(
            session,
            case,
            actor_for(current_staff()),
            lgo_reference=form.lgo_reference.data or "",
            received_on=form.received_on.data,
            response_due_on=form.response_due_on.data,
            today=today(),
            rules=rules(),
        )
        return created.reference

    return form_page(
        reference,
        form,
        perform,
        REFUSALS,
        title="Record an Ombudsman enquiry",
        button="Record the enquiry",
        kinds=("complaint",),
        intro="The enquiry gets its own case (LG reference), linked to this complaint. Its response "
        "date is the one the Ombudsman set.",
        done=lambda _case, created: url_for("staff.case", reference=created),
    )


@bp.route("/cases/<reference>/ombudsman/response", methods=["GET", "POST"])
@require_role(*WORKERS)
def lgo_response(reference: str) -> Response | str:
    form = forms.LgoResponseForm()

    def perform(session: Session, case: Case, enquiry: LgoEnquiry) -> None:
        svc.record_response(session, case, enquiry, actor_for(current_staff()), form.sent_on.data, today())

    return _on_enquiry(reference, form, perform, "Record the council's response to the Ombudsman", "Save")


@bp.route("/cases/<reference>/ombudsman/decision", methods=["GET", "POST"])
@require_role(*WORKERS)
def lgo_decision(reference: str) -> Response | str:
    form = forms.LgoDecisionForm()

    def perform(session: Session, case: Case, enquiry: LgoEnquiry) -> None:
        svc.record_decision(
            session,
            case,
            enquiry,
            actor_for(current_staff()),
            decision=form.decision.data or "",
            decided_on=form.decided_on.data,
            public_report=bool(form.public_report.data),
            report_received_on=form.report_received_on.data,
            today=today(),
            rules=rules(),
        )

    return _on_enquiry(
        reference,
        form,
        perform,
        "Record the Ombudsman's decision",
        "Record the decision",
        "The decision counts in the annual report in the year it was made. A public report gives "
        "the council 3 months to say what it has done (Local Government Act 1974 s31(2)).",
    )


@bp.route("/cases/<reference>/ombudsman/report-action", methods=["GET", "POST"])
@require_role(*WORKERS)
def lgo_report_action(reference: str) -> Response | str:
    form = forms.LgoNotifiedForm()

    def perform(session: Session, case: Case, enquiry: LgoEnquiry) -> None:
        svc.record_action_notified(
            session, case, enquiry, actor_for(current_staff()), form.notified_on.data, today()
        )

    return _on_enquiry(
        reference, form, perform, "Record that the Ombudsman was told what the council has done", "Save"
    )


@bp.route("/cases/<reference>/ombudsman/recommendations/new", methods=["GET", "POST"])
@require_role(*WORKERS)
def lgo_recommendation(reference: str) -> Response | str:
    _enquiry(reference)
    form = forms.RecommendationForm()
    form.owner.choices = [SelectChoice(str(u.id), u.name) for u in assignees(db.session)]

    def perform(session: Session, case: Case) -> None:
        svc.add_recommendation(
            session,
            case,
            actor_for(current_staff()),
            text=form.text.data or "",
            owner_id=int(form.owner.data),
            due_on=form.due_on.data,
        )

    return form_page(
        reference,
        form,
        perform,
        REFUSALS,
        title="Add an Ombudsman recommendation",
        button="Add the recommendation",
        intro="It goes into the actions and recommendations tracker. The enquiry cannot be closed "
        "until it is complete or recorded as not accepted.",
    )
