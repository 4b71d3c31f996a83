"""The make-a-complaint journey: question pages, evidence, check answers, submit, save and return."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from werkzeug.wrappers import Response
from wtforms import BooleanField, RadioField, SelectField, SelectMultipleField

from portal import htmx
from portal.extensions import db
from portal.i18n import current_language
from portal.limits import client_address, limit
from portal.models import Draft
from portal.page_cache import cached_form_page
from portal.public import forms, journey
from portal.public.views import bp
from portal.services import drafts, submissions, uploads
from portal.services.rules import rules

SESSION_KEY = "draft_key"


def _draft() -> Draft | None:
    return drafts.find(db.session, session.get(SESSION_KEY))


def _open_draft() -> Draft | None:
    """The person's draft, unless it has already been sent (then the journey is over)."""
    draft = _draft()
    return draft if draft is not None and draft.submitted_case_id is None else None


def _step_url(step: journey.Step | None) -> str:
    if step is None:
        return url_for("public.check_answers")
    return url_for("public.question", slug=step.slug)


def _make_form(step: journey.Step, answers: journey.Answers) -> Any:
    kwargs: dict[str, Any] = {"data": journey.form_data(step, answers)}
    if step.form is forms.ContactForm and not kwargs["data"].get("language"):
        kwargs["data"]["language"] = current_language()  # the language they are reading us in
    if step.form is forms.AreaForm:
        kwargs["areas"] = _areas()
    return step.form(**kwargs)


def _areas() -> list[tuple[str, Any]]:
    offered = current_app.config.get("SERVICE_AREAS")
    areas = forms.area_choices()
    return [a for a in areas if not offered or a[0] in offered]


def _place(step: journey.Step, answers: journey.Answers) -> dict[str, Any]:
    """Where the step is in the journey: its position, and where Back goes."""
    position, total = journey.progress(step, answers)
    previous = journey.previous_step(step, answers)
    back = _step_url(previous) if previous else url_for("public.start")
    if request.args.get("change"):
        back = url_for("public.check_answers")
    return {"position": position, "total": total, "back_url": back}


def _render_step(step: journey.Step, form: Any, answers: journey.Answers, draft: Draft | None) -> str:
    full = step.template
    partial = full.replace("complaint/", "complaint/_")
    return htmx.render(
        full,
        partial,
        step=step,
        form=form,
        draft=draft,
        change=bool(request.args.get("change")),
        **_place(step, answers),
    )


# Fields whose saved answer is one of a fixed list of choices, never something typed.
_CHOICE_FIELDS = (RadioField, SelectField, SelectMultipleField, BooleanField)


def _show_step(step: journey.Step, answers: journey.Answers, draft: Draft | None) -> str:
    """A question page (GET). Until the person has typed into it, the page is the same for
    everyone at that point of the journey in that language, so it is rendered once and kept
    (issue #10: the GOV.UK form macros were most of a question page's time); the key is the step,
    its choice answers, its place in the journey and (in cached_form_page) the language and URL."""

    def render() -> str:
        return _render_step(step, _make_form(step, answers), answers, draft)

    data = journey.form_data(step, answers)
    typed = any(
        value not in (None, "", [])
        and not issubclass(getattr(step.form, name).field_class, _CHOICE_FIELDS)
        for name, value in data.items()
    )
    other_query = set(request.args) - {"change"}  # kept per URL: no page per made-up query string
    if typed or other_query or step.template != journey.QUESTION_TEMPLATE:
        return render()
    key = (step.slug, repr(sorted(data.items())), *_place(step, answers).values())
    return cached_form_page(key, render)


@bp.get("/make-a-complaint")
def journey_start() -> Response:
    return redirect(_step_url(journey.STEPS[0]))


@bp.route("/make-a-complaint/<slug>", methods=["GET", "POST"])
def question(slug: str) -> Response | str:
    step = journey.BY_SLUG.get(slug)
    if step is None:
        abort(404)
    draft = _open_draft()
    answers = draft.answers if draft else {}
    if step not in journey.applicable(answers):
        return redirect(_step_url(journey.first_unanswered(answers)))
    if request.method == "GET":
        return _show_step(step, answers, draft)
    form = _posted_form(step)
    if form.validate():
        return _save_step(step, form, draft)
    return _render_step(step, form, answers, draft)


def _posted_form(step: journey.Step) -> Any:
    if step.form is forms.AreaForm:
        return forms.AreaForm(areas=_areas())
    return step.form()


def _save_step(step: journey.Step, form: Any, draft: Draft | None) -> Response:
    with db.transaction() as s:
        if draft is None:
            draft, key = drafts.create(s)
            session[SESSION_KEY] = key
        else:
            draft = s.merge(draft)
        draft.answers = journey.store(step, form, draft.answers)
        answers = draft.answers
    if request.form.get("save_for_later"):
        return htmx.redirect_after_post(url_for("public.save_for_later"))
    following = journey.first_unanswered(answers) if request.args.get("change") else None
    target = following or (None if request.args.get("change") else journey.next_step(step, answers))
    return htmx.redirect_after_post(_step_url(target))


@bp.route("/make-a-complaint/evidence", methods=["GET", "POST"])
def evidence() -> Response | str:
    draft = _open_draft()
    answers = draft.answers if draft else {}
    step = journey.BY_SLUG["evidence"]
    if draft is None or step not in journey.applicable(answers):
        return redirect(_step_url(journey.first_unanswered(answers) or journey.STEPS[0]))
    form = forms.ConfirmForm()
    error = None
    if request.method == "POST" and form.validate():
        action = request.form.get("action", "continue")
        if action == "upload":
            error = _add_upload(draft)
        elif action.startswith("remove-"):
            _remove_upload(draft, action.removeprefix("remove-"))
        else:
            return _save_step(step, form, draft)
        if error is None:
            return htmx.redirect_after_post(url_for("public.evidence"))
    draft = _open_draft()
    return htmx.render(
        step.template,
        step.template.replace("complaint/", "complaint/_"),
        step=step,
        form=form,
        draft=draft,
        upload_error=error,
        has_errors=bool(error),
        position=journey.progress(step, answers)[0],
        total=journey.progress(step, answers)[1],
        back_url=_step_url(journey.previous_step(step, answers)),
        change=bool(request.args.get("change")),
    )


def _upload_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


def _add_upload(draft: Draft) -> str | None:
    file = request.files.get("evidence")
    if file is None or not file.filename:
        return _("Select a file to upload")
    stored = None
    try:
        with db.transaction() as s:
            upload = uploads.store(
                s.merge(draft),
                file.stream,
                file.filename,
                _upload_dir(),
                current_app.config["UPLOAD_MAX_BYTES"],
            )
            stored = upload.stored_name
    except uploads.UploadError as problem:
        return _upload_message(str(problem))
    except OSError:
        # Disk full or storage unavailable: the file is not kept, the answers are untouched.
        current_app.logger.exception("Upload could not be stored")
        if stored:
            uploads.discard(_upload_dir(), stored)
        return _("We could not save your file just now. Your answers are safe. Try again, or send it later.")
    except SQLAlchemyError:
        if stored:
            uploads.discard(_upload_dir(), stored)  # the row was never committed
        raise
    return _scan_now(upload.id)


def _scan_now(upload_id: int) -> str | None:
    """Scan at once when ClamAV is up, so the person hears straight away about an infected file.

    When it is down the file stays "pending": `flask scan-uploads` scans it later, and staff
    cannot open it before then. The person's answers are never held up.
    """
    from portal.models import Upload
    from portal.services import scanning

    config = current_app.config
    try:
        with db.transaction() as s:
            upload = s.get(Upload, upload_id)
            if upload is None:
                return None
            verdict = scanning.scan_upload(
                s, upload, _upload_dir(), Path(config["QUARANTINE_DIR"]), config["CLAMD_SOCKET"]
            )
            if verdict.status == scanning.INFECTED:
                s.delete(upload)  # quarantined file kept for the security team; not part of the draft
    except scanning.ScannerUnavailable:
        current_app.logger.warning("ClamAV unavailable: upload %s waits for scan-uploads", upload_id)
        return None
    if verdict.status == scanning.INFECTED:
        return _("The selected file contains a virus, so we have not kept it. Choose another file.")
    return None


def _upload_message(message: str) -> str:
    limit = current_app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024)
    known = {
        "The selected file is empty": _("The selected file is empty"),
        f"The selected file must be smaller than {limit} MB": _(
            "The selected file must be smaller than %(size)s MB", size=limit
        ),
        f"The selected file must be a {uploads.ACCEPTED_DESCRIPTION} file": _(
            "The selected file must be a PDF, Word, JPG, PNG, GIF, HEIC or plain text file"
        ),
    }
    return known.get(message, _("You can send up to 10 files. Remove one to add another."))


def _remove_upload(draft: Draft, upload_id: str) -> None:
    with db.transaction() as s:
        draft = s.merge(draft)
        for upload in list(draft.uploads):
            if str(upload.id) == upload_id:
                draft.uploads.remove(upload)
                s.delete(upload)
                name = upload.stored_name
                break
        else:
            return
    uploads.discard(_upload_dir(), name)


def _too_many_page() -> str:
    """Too many sends from this address (portal.limits): the answers again and the phone number."""
    draft = _open_draft()
    if draft is None:
        return render_template("errors/429.html", status=429)
    return htmx.render(
        "public/complaint/check-answers.html",
        "public/complaint/_check-answers.html",
        form=forms.ConfirmForm(),
        answers=draft.answers,
        rows=_summary_rows(draft.answers, draft),
        too_many=True,
        has_errors=True,
    )


@bp.route("/make-a-complaint/check-your-answers", methods=["GET", "POST"])
@limit("submit_per_ip", client_address, _too_many_page)
def check_answers() -> Response | str:
    draft = _draft()
    if draft is not None and draft.submitted_case_id is not None:
        return redirect(url_for("public.confirmation"))
    answers = draft.answers if draft else {}
    missing = journey.first_unanswered(answers)
    if draft is None or missing is not None:
        return redirect(_step_url(missing or journey.STEPS[0]))
    form = forms.ConfirmForm()
    failed = False
    if request.method == "POST" and form.validate():
        result = _submit(draft)
        if result is not None:
            return result
        failed = True
    return htmx.render(
        "public/complaint/check-answers.html",
        "public/complaint/_check-answers.html",
        form=form,
        answers=answers,
        rows=_summary_rows(answers, draft),
        failed=failed,
        has_errors=failed,
    )


def _submit(draft: Draft) -> Response | None:
    """Send the complaint; None when the database failed (the answers are still in the draft)."""
    try:
        with db.transaction() as s:
            submissions.submit(s, s.merge(draft), rules(), date.today())
    except IntegrityError:
        # A double click raced us: the other request made the case; use it.
        if submissions.existing_case(db.session, draft.id) is None:
            current_app.logger.exception("Submission failed")
            return None
    except SQLAlchemyError:
        current_app.logger.exception("Submission failed")
        return None
    _produce_first_letter(draft.id)
    return htmx.redirect_after_post(url_for("public.confirmation"))


def _produce_first_letter(draft_id: int) -> None:
    """Make the acknowledgement in the person's formats, after the case is safely committed.

    A failure here never touches the submission: it is logged, and `flask produce-letters`
    (run by cron) makes whatever is still missing.
    """
    from portal.services.letters_due import produce_acknowledgement

    try:
        with db.transaction() as s:
            case = submissions.existing_case(s, draft_id)
            if case is not None:
                produce_acknowledgement(s, case)
    except Exception:  # noqa: BLE001 - any renderer failure must leave the submission alone
        current_app.logger.exception("Acknowledgement letter not produced yet; produce-letters will retry")


def _summary_rows(answers: journey.Answers, draft: Draft) -> list[dict[str, Any]]:
    from portal.public.summary import rows

    return rows(answers, draft)


@bp.get("/make-a-complaint/confirmation")
def confirmation() -> Response | str:
    from portal.models import Case

    draft = _draft()
    case = db.session.get(Case, draft.submitted_case_id) if draft and draft.submitted_case_id else None
    if case is None:
        return redirect(_step_url(journey.STEPS[0]))
    code = draft.answers.get("_security_code") if draft else None
    return render_template("public/complaint/confirmation.html", case=case, rules=rules(), security_code=code)


@bp.route("/make-a-complaint/save", methods=["GET", "POST"])
def save_for_later() -> Response | str:
    draft = _open_draft()
    if draft is None:
        return redirect(_step_url(journey.STEPS[0]))
    form = forms.SaveForm(data={"email": draft.answers.get("email")} if request.method == "GET" else None)
    if request.method == "POST" and form.validate():
        _send_return_link(draft, form.email.data.strip())
        session.pop(SESSION_KEY, None)
        return htmx.redirect_after_post(url_for("public.saved"))
    return render_template("public/complaint/save.html", form=form)


def _send_return_link(draft: Draft, email: str) -> None:
    from portal.notify.outbox import queue_email

    with db.transaction() as s:
        draft = s.merge(draft)
        token, expires = drafts.issue_return_link(draft)
        link = url_for("public.return_to_draft", token=token, _external=True)
        queue_email(
            s,
            template="save_return_link",
            recipient=email,
            recipient_kind="complainant",
            language=current_language(),
            context={"link": link, "expires": expires.isoformat()},
        )


@bp.get("/make-a-complaint/saved")
def saved() -> str:
    return render_template("public/complaint/saved.html")


@bp.route("/make-a-complaint/return/<token>", methods=["GET", "POST"])
def return_to_draft(token: str) -> Response | str | tuple[str, int]:
    # A GET only shows a button: mail scanners that follow links must not spend it.
    draft = drafts.return_link_draft(db.session, token)
    if draft is None:
        return render_template("public/complaint/link-expired.html"), 404
    form = forms.ConfirmForm()
    if request.method == "POST" and form.validate():
        with db.transaction() as s:
            key = drafts.redeem(s.merge(draft))
        session[SESSION_KEY] = key
        return htmx.redirect_after_post(url_for("public.check_answers"))
    return render_template("public/complaint/return.html", form=form)


@bp.get("/make-a-complaint/receipt/<size>")
def receipt(size: str) -> Response:
    """A copy of what was sent, as an accessible PDF (standard or large print)."""
    from portal.models import Case
    from portal.public.receipts import receipt_download

    draft = _draft()
    case = db.session.get(Case, draft.submitted_case_id) if draft and draft.submitted_case_id else None
    if case is None or draft is None:
        abort(404)
    return receipt_download(case, _summary_rows(draft.answers, draft), size)
