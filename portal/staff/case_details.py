"""Back office pages for a case's details: its theme, who it is about, and its links to other cases."""

from __future__ import annotations

from flask import abort
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from portal.extensions import db
from portal.models import Case, CaseLink
from portal.services import case_details as svc
from portal.services import links, queues, restriction
from portal.services.staff_actions import actor_for, assignees
from portal.staff import more_forms as forms
from portal.staff.case_forms import SelectChoice
from portal.staff.cases import INTAKE, WORKERS, load_case
from portal.staff.form_pages import form_page
from portal.staff.guard import current_staff, require_role
from portal.staff.views import bp

REFUSALS = (svc.DetailError, links.LinkError)


@bp.route("/cases/<reference>/theme", methods=["GET", "POST"])
@require_role(*WORKERS)
def case_theme(reference: str) -> Response | str:
    form = forms.ThemeForm()
    allowed = svc.themes()
    form.theme.choices = [SelectChoice(t, t) for t in allowed]

    def prepare(case: Case, _form: FlaskForm) -> None:
        if not form.is_submitted():
            form.theme.data = svc.theme_of(db.session, case)

    def perform(session: Session, case: Case) -> None:
        svc.set_theme(session, case, actor_for(current_staff()), form.theme.data or "", allowed)

    return form_page(
        reference,
        form,
        perform,
        REFUSALS,
        title="Set the theme",
        button="Save",
        prepare=prepare,
        intro="The theme is what the annual report counts the complaint under, at every stage.",
        kinds=("complaint", "lgo"),
    )


@bp.route("/cases/<reference>/complained-about", methods=["GET", "POST"])
@require_role(*INTAKE)
def case_complained_about(reference: str) -> Response | str:
    form = forms.ComplainedAboutForm()
    people = assignees(db.session)
    form.staff_user.choices = [SelectChoice("", "Not someone with a portal account")] + [
        SelectChoice(str(u.id), u.name) for u in people
    ]

    def prepare(case: Case, _form: FlaskForm) -> None:
        row = svc.complained_about(db.session, case)
        if row is not None and not form.is_submitted():
            form.name.data = row.name
            form.staff_user.data = str(row.staff_user_id or "")

    def perform(session: Session, case: Case) -> None:
        chosen = form.staff_user.data or ""
        svc.set_complained_about(
            session,
            case,
            actor_for(current_staff()),
            form.name.data or "",
            int(chosen) if chosen.isdigit() else None,
        )

    return form_page(
        reference,
        form,
        perform,
        REFUSALS,
        title="Who the complaint is about",
        button="Save",
        prepare=prepare,
        kinds=("complaint",),
        intro="Assigning the case to this person shows a warning first (Complaint Handling Code "
        "5.4: a complaint is not handled by the person it is about).",
    )


@bp.route("/cases/<reference>/links/new", methods=["GET", "POST"])
@require_role(*WORKERS)
def case_link(reference: str) -> Response | str:
    form = forms.LinkForm()

    def perform(session: Session, case: Case) -> None:
        user = current_staff()
        links.link(session, case, form.other.data or "", form.reason.data or "", actor_for(user), user)

    return form_page(
        reference,
        form,
        perform,
        REFUSALS,
        title="Link to another case",
        button="Link the cases",
        intro="The link shows on both cases, with the reason.",
    )


@bp.route("/cases/<reference>/links/<int:link_id>/remove", methods=["GET", "POST"])
@require_role(*WORKERS)
def case_unlink(reference: str, link_id: int) -> Response | str:
    case = load_case(reference, change=True)
    row = db.session.get(CaseLink, link_id)
    if row is None or case.id not in (row.case_id, row.linked_case_id):
        abort(404)
    other = row.linked_case if row.case_id == case.id else row.case
    form = forms.UnlinkForm()

    def perform(session: Session, case: Case) -> None:
        links.unlink(session, case, link_id, form.reason.data or "", actor_for(current_staff()))

    return form_page(
        reference,
        form,
        perform,
        REFUSALS,
        title=f"Remove the link to {other.reference}",
        button="Remove the link",
        intro=f"Linked because: {row.reason}",
    )


@bp.route("/cases/<reference>/restriction", methods=["GET", "POST"])
@require_role("manager")
def case_restriction(reference: str) -> Response | str:
    """Restrict a case to complaints managers and the person assigned, or lift that."""
    form = forms.RestrictionForm()
    found = queues.case_by_reference(db.session, reference)  # form_page checks access (and logs the read)
    restricted = found is not None and found.restricted

    def perform(session: Session, case: Case) -> None:
        change = restriction.lift if case.restricted else restriction.restrict
        change(session, case, actor_for(current_staff()), form.reason.data or "")

    if restricted:
        title, button = "Lift the restriction", "Lift the restriction"
        intro = "Everyone who can read cases will be able to open this one again."
    else:
        title, button = "Restrict this case", "Restrict the case"
        intro = (
            "Only complaints managers and the person assigned will be able to open it. "
            "Every time someone opens it is logged."
        )
    return form_page(
        reference, form, perform, (restriction.RestrictionError,), title=title, button=button, intro=intro
    )
