"""Subject access requests in the back office: find a person's cases, download everything held (zip)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from flask import current_app, render_template, request, send_file
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from werkzeug.wrappers import Response
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from portal.domain.lifecycle import Role
from portal.extensions import db
from portal.models import Case, StaffUser
from portal.models.base import utcnow
from portal.services import subject_access
from portal.services.cases import Actor
from portal.staff.guard import current_staff, require_role
from portal.staff.views import bp

# UK GDPR art. 15 requests go to the complaints manager; administrators handle them too.
EXPORTERS = ("manager", "admin")


class ExportForm(FlaskForm):
    reason = StringField(
        "Subject access request reference",
        description=(
            "For example the request's reference and the date it was received. "
            "It is kept with the record of this export."
        ),
        widget=GovTextInput(),
        validators=[InputRequired("Enter the subject access request reference"), Length(max=200)],
    )


def _actor(user: StaffUser) -> Actor:
    # The role is not used to write a chronology entry; administrators have no case-handling role.
    return Actor("staff", Role.MANAGER if user.role == "manager" else Role.SYSTEM, user.id, user.name)


def _zip(export: subject_access.Export, html: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("subject-access.json", json.dumps(export.data, indent=2, ensure_ascii=False))
        archive.writestr("subject-access.html", html)
        for name, path in export.files:
            if path.exists():
                archive.write(path, name)
    return buffer.getvalue()


@bp.route("/subject-access", methods=["GET", "POST"])
@require_role(*EXPORTERS)
def subject_access_request() -> Response | str:
    query = (request.values.get("q") or "").strip()[:200]
    matches = subject_access.find(db.session, query)
    form = ExportForm()
    chosen_ids = set(request.form.getlist("case")) if request.method == "POST" else set()
    chosen = [case for case in matches if str(case.id) in chosen_ids]
    errors = []
    if request.method == "POST":
        if form.validate_on_submit() and chosen:
            return _download(chosen, form.reason.data or "")
        errors = [{"text": str(m), "href": "#reason"} for m in form.reason.errors]
        if not chosen:
            errors.insert(0, {"text": "Choose the cases that are about this person", "href": "#cases"})
    return render_template(
        "staff/data_protection/subject-access.html",
        form=form,
        query=query,
        matches=matches,
        chosen_ids=chosen_ids,
        errors=errors,
        has_errors=bool(errors),
    )


def _download(cases: list[Case], reason: str) -> Response:
    user, now = current_staff(), utcnow()
    export = subject_access.gather(db.session, cases, Path(current_app.config["DOCUMENT_DIR"]), user, now)
    html = render_template("staff/data_protection/export.html", data=export.data, reason=reason)
    archive = _zip(export, html)  # made before the record is written: no record without a file
    with db.transaction() as session:
        subject_access.record_export(
            session, [session.merge(c) for c in cases], _actor(user), reason, request.path
        )
    return send_file(
        io.BytesIO(archive),
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"subject-access-{now:%Y-%m-%d-%H%M}.zip",
    )
