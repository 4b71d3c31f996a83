"""Back office case pages: the queues, one case (banner, dates, chronology, letters), recording a new case."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple, cast

from flask import abort, render_template, request, send_file, url_for
from werkzeug.wrappers import Response

from portal import htmx
from portal.domain.lifecycle import Status, actions_for
from portal.domain.routing import ComplainantCategory, ServiceArea
from portal.extensions import db
from portal.i18n import LANGUAGE_NAMES, short_date
from portal.models import Case, Deadline, StaffUser
from portal.notify import outbox
from portal.page_cache import keep_until, personal_page
from portal.services import case_details, commitments, deadlines, documents, queues, staff_actions, staff_auth
from portal.services.cases import NewCase
from portal.services.rules import rules
from portal.services.staff_cases import can_open_restricted
from portal.staff import case_extras
from portal.staff.case_forms import AREAS, PROCEDURE_NAMES, NewCaseForm, QueueForm, SelectChoice
from portal.staff.guard import authorise_case, current_staff, live, require_role
from portal.staff.views import LONDON, bp

READERS = ("officer", "manager", "responding_manager", "reporting")
WORKERS = ("officer", "manager", "responding_manager")
INTAKE = ("officer", "manager")


def today() -> date:
    return staff_auth.clock().astimezone(LONDON).date()


def load_case(reference: str, *, change: bool = False) -> Case:
    """The case, if the signed-in user may see (or change) it: 403 and a log entry otherwise."""
    return authorise_case(queues.case_by_reference(db.session, reference), change=change)


def _filter(args: Mapping[str, str]) -> queues.QueueFilter:
    """The queue filter straight from the query string (unknown values fall back to defaults)."""
    try:
        page = int(args.get("page", "1"))
    except ValueError:
        page = 1
    stage = args.get("stage", "")
    return queues.QueueFilter(
        queue=args.get("queue") or "open", procedure=args.get("procedure", ""),
        stage=int(stage) if stage.isdigit() else None, service_area=args.get("service_area", ""),
        theme=args.get("theme", ""), assigned=args.get("assigned") or "any", q=args.get("q", ""),
        sort=args.get("sort") or "due", page=page,
    ).normalised()  # fmt: skip


@bp.get("/cases")
@require_role(*READERS)
def cases() -> str:
    # Kept rendered for each viewer, query and day until any case, person or staff user changes
    # (portal.models.revision): a queue is read far more often than the cases in it change.
    who = live()
    return personal_page("staff-queue", (who.data_version, who.user_id, who.role, today()), _queue_page)


def _queue_page() -> str:
    wanted = _filter(request.args)
    result = queues.search(db.session, current_staff(), wanted, today(), rules().calendar_for("corporate"))
    args: dict[str, Any] = {k: v for k, v in request.args.items() if k != "page" and v}
    # One url_for for every pagination link: the same URL, page last.
    page_prefix = url_for("staff.cases", **args, page=0).removesuffix("0")

    def page_url(n: int) -> str:
        return f"{page_prefix}{n}"

    shown = dict(
        result=result, lines=_lines(result.rows, current_staff()), wanted=wanted, page_url=page_url,
        queue_names=queues.QUEUES, today=today(), case_path=_case_path(),
    )  # fmt: skip
    if htmx.is_fragment_request():  # a filter changed: the results only, no form to build
        return render_template("staff/cases/_results.html", **shown)
    shown.update(make_filter_form=_filter_form, filter_key=_filter_key())
    return render_template("staff/cases/queue.html", **shown)


class QueueLine(NamedTuple):
    """A queue row in the words its table shows."""

    reference: str
    who: str | None  # None: a restricted case this viewer may not see the name of
    area: str
    procedure: str  # and stage
    status: str
    due: str
    overdue: bool
    due_soon: bool
    overdue_actions: int
    assigned_to: str


def _lines(rows: list[queues.QueueRow], viewer: StaffUser) -> list[QueueLine]:
    def hidden(row: queues.QueueRow) -> bool:
        return row.restricted and not can_open_restricted(viewer, row)

    return [
        QueueLine(
            row.reference,
            None if hidden(row) else row.complainant or "",
            AREAS.get(row.service_area, row.service_area),
            f"{PROCEDURE_NAMES.get(row.procedure, row.procedure)}, stage {row.stage}",
            row.status.replace("_", " ").capitalize(),
            short_date(row.due) if row.due else "No date running",
            row.overdue,
            row.due_soon,
            row.overdue_actions,
            row.assigned_to or "Not assigned",
        )  # fmt: skip
        for row in rows
    ]


def _filter_form() -> QueueForm:
    """The filter form as asked for, with its messages (the search has already ignored bad values)."""
    form = QueueForm(request.args)
    form.theme.choices = [SelectChoice("", "Any"), *(SelectChoice(t, t) for t in case_details.themes())]
    form.validate()
    return form


def _filter_key() -> tuple[tuple[str, tuple[str, ...]], ...] | None:
    """What the filter form shows depends on the query string alone (the themes are
    configuration): the queue page keeps it rendered under it, but for the page number
    ({% cached %}), unless a search was typed (nothing typed is kept)."""
    if request.args.get("q"):
        return None
    return tuple(sorted((name, tuple(values)) for name, values in request.args.lists() if name != "page"))


def _case_path() -> str:
    """Where a case's page is, but for its reference: one url_for for a queue's 25 links."""
    slot = "REFERENCE"
    return url_for("staff.case", reference=slot).removesuffix(slot)


@dataclass(frozen=True)
class DueLine:
    label: str
    deadline: Deadline
    explanation: str


def _due_lines(case: Case) -> list[DueLine]:
    procedure = rules().procedure(case.procedure)
    lines = []
    for deadline in case.deadlines:
        known = deadline.event in procedure.events
        label = procedure.clock(deadline.event).label if known else deadline.event
        explained = deadlines.explanation(deadline, rules(), case.procedure)
        text = explained.for_staff() if explained else "This date was set by others or is counted in months."
        if deadline.extension_reason:
            text += f" Extended to {deadline.extended_limit_days} working days: {deadline.extension_reason}"
        if deadline.basis.get("pauses"):
            text += f" Moved on by {deadline.paused_working_days} working day(s) while the clock was paused."
        lines.append(DueLine(label, deadline, text))
    return lines


@bp.get("/cases/<reference>")
@require_role(*READERS)
def case(reference: str) -> str:
    # Kept like the queues, until this viewer's next "viewed" entry is due (see _case_page).
    who, now = live(), staff_auth.clock()
    key = (who.data_version, who.user_id, who.role, today())
    return personal_page("staff-case", key, lambda: _case_page(reference, current_staff(), now), now)


def _case_page(reference: str, user: StaffUser, now: datetime) -> str:
    session = db.session
    loaded, has = case_extras.case_and_present(session, reference)
    found = authorise_case(loaded)
    if not queues.viewed_recently(found, user, now):  # most views write nothing (no lock)
        with db.transaction() as session:
            queues.record_view(session, found, user, now)
        found = queues.case_by_reference(session, reference, reload=True) or found  # with this view
        keep_until(None)  # the view is a change: the next request has a new data version
    else:  # a restricted case's every read is logged (authorise_case), so it is never kept
        keep_until(None if found.restricted else queues.next_view_due(found, user))
    role = staff_actions.ROLES.get(user.role)
    return render_template(
        "staff/cases/case.html",
        case=found,
        dues=_due_lines(found),
        letters=documents.letters_of(session, found) if "letters" in has else [],
        emails=outbox.of_case(session, found) if "emails" in has else [],
        language_names=LANGUAGE_NAMES,
        points=queues.response_points(session, found) if "points" in has else [],
        items=commitments.of_case(session, found) if "commitments" in has else [],
        remedies=commitments.remedies_of(session, found) if "remedies" in has else [],
        **case_extras.extras(session, found, user, has),
        allowed={a.value for a in actions_for(Status(found.status), role)} if role else set(),
        can_change=role is not None and user.role in WORKERS,
        procedures=PROCEDURE_NAMES,
        today=today(),
        when=_when,
    )


def _when(at: datetime) -> str:
    local = at.astimezone(LONDON)
    return f"{local.day} {local:%b %Y, %H:%M}"


@require_role(*READERS)
def case_document(reference: str, document_id: int) -> Response:
    """A letter file of the case (PDF, BRF, MP3...): a download, not a page."""
    found = load_case(reference)
    document = documents.document_for_family(db.session, found, document_id)
    if document is None:
        abort(404)
    name = f"{found.reference}-{document.letter}-{document.format}-{document.language}"
    return send_file(documents.path_of(document), mimetype=document.content_type, as_attachment=True,
                     download_name=name + _suffix(document.content_type))  # fmt: skip


# Registered on the app, not the blueprint: downloads are not pages, so the staff page checks
# (which visit every staff.* page) leave them out; require_role signs the request in instead.
bp.record_once(lambda state: state.app.add_url_rule(
    "/staff/cases/<reference>/documents/<int:document_id>", "staff_document", case_document))  # fmt: skip


def _suffix(content_type: str) -> str:
    return {"application/pdf": ".pdf", "text/html": ".html", "text/plain": ".txt", "audio/mpeg": ".mp3"}.get(
        content_type.split(";")[0], ".brf" if "braille" in content_type else ""
    )


@bp.route("/cases/new", methods=["GET", "POST"])
@require_role(*INTAKE)
def new_case() -> Response | str:
    form = NewCaseForm()
    if form.validate_on_submit():
        new = NewCase(
            kind=form.kind.data or "complaint", category=ComplainantCategory(form.category.data),
            service_area=ServiceArea(form.service_area.data), summary=(form.summary.data or "").strip(),
            received_on=cast(date, form.received_on.data), person_name=(form.person_name.data or "").strip(),
            person_email=(form.person_email.data or "").strip() or None,
            person_phone=(form.person_phone.data or "").strip() or None, arose_on=form.arose_on.data,
            channel=form.channel.data or "",
        )  # fmt: skip
        actor = staff_actions.actor_for(current_staff())
        with db.transaction() as session:
            created = staff_actions.record_received(session, new, actor, rules())
            reference = created.reference
        return htmx.redirect_after_post(url_for("staff.case", reference=reference))
    return render_template("staff/cases/new.html", form=form)
