"""Follow my complaint: access without an account, the case page, and what the person can do."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any, TypeVar

from flask import abort, g, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from portal import htmx
from portal.extensions import db
from portal.i18n import current_language
from portal.limits import client_address, limit, reference_email_key, reference_key
from portal.models import Case
from portal.page_cache import personal_page
from portal.public import forms
from portal.public.views import bp
from portal.services import complainant, ombudsman, tracking
from portal.services.rules import rules

TRACK_KEY = "track"
F = TypeVar("F", bound=Callable[..., Any])


def _start_session(s: Any, case: Case, holder: str) -> None:
    """Signed in to this case: the cookie holds a token, the database its hash (caller's transaction)."""
    session.pop("draft_key", None)
    session[TRACK_KEY] = {"token": tracking.start_session(s, case, holder)}


def _token() -> str | None:
    data = session.get(TRACK_KEY)
    token = data.get("token") if isinstance(data, dict) else None
    return token if isinstance(token, str) else None


def _tracked_case() -> Case | None:
    found = tracking.live_case(db.session, _token())
    if found is None:
        return None
    g.track_holder, g.track_ombudsman = found.holder, found.ombudsman
    return found.case


def needs_case(view: F) -> F:
    """Case pages open only in a tracking session, for that case alone."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        case = _tracked_case()
        if case is None:
            return redirect(url_for("public.track", expired=1))
        g.case = case
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def document_of_case(view: F) -> F:
    """Documents: without a session for the case, they do not exist (404, not a redirect)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        case = _tracked_case()
        if case is None:
            abort(404)
        g.case = case
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _too_many(template: str, form: Callable[[], Any]) -> Callable[[], str]:
    # Rate limited (portal.limits): the same page with what was typed and the phone number.
    return lambda: render_template(template, form=form(), too_many=True, has_errors=True)


_TRACK_PAGE = _too_many("public/track/start.html", lambda: forms.TrackRequestForm())
_CODE_PAGE = _too_many("public/track/code.html", lambda: forms.TrackCodeForm())


@bp.route("/track", methods=["GET", "POST"])
@limit("track_per_ip", client_address, _TRACK_PAGE)
@limit("track_per_reference", reference_key, _TRACK_PAGE)
@limit("track_link_per_reference_email", reference_email_key, _TRACK_PAGE)
def track() -> Response | str:
    form = forms.TrackRequestForm()
    if request.method == "POST" and form.validate():
        with db.transaction() as s:
            tracking.request_link(
                s,
                form.reference.data,
                form.email.data,
                lambda token: url_for("public.track_link", token=token, _external=True),
                current_language(),
            )
        return htmx.redirect_after_post(url_for("public.track_sent"))
    return render_template("public/track/start.html", form=form, expired=bool(request.args.get("expired")))


@bp.get("/track/check-your-email")
def track_sent() -> str:
    return render_template("public/track/sent.html")


@bp.route("/track/code", methods=["GET", "POST"])
@limit("track_per_ip", client_address, _CODE_PAGE)
@limit("track_per_reference", reference_key, _CODE_PAGE)
def track_code() -> Response | str:
    form = forms.TrackCodeForm()
    wrong = False
    if request.method == "POST" and form.validate():
        case = tracking.case_by_code(db.session, form.reference.data, form.code.data)
        if case is not None:
            with db.transaction() as s:
                from portal.services.cases import SYSTEM, add_event

                add_event(
                    s,
                    s.merge(case),
                    SYSTEM,
                    "viewed_online",
                    "The complainant opened the case with the security code.",
                )
                _start_session(s, case, "complainant")
            return htmx.redirect_after_post(url_for("public.track_case"))
        wrong = True
    return render_template(
        "public/track/code.html", form=form, wrong=wrong, has_errors=wrong or bool(form.errors)
    )


@bp.route("/track/link/<token>", methods=["GET", "POST"])
def track_link(token: str) -> Response | str | tuple[str, int]:
    # GET shows a button only: mail scanners that follow links must not spend it.
    link = tracking.usable_link(db.session, token)
    if link is None:
        return render_template("public/track/link-expired.html"), 404
    form = forms.ConfirmForm()
    if request.method == "POST" and form.validate():
        with db.transaction() as s:
            link = s.merge(link)
            case = tracking.redeem(s, link)
            _start_session(s, case, link.holder)
        return htmx.redirect_after_post(url_for("public.track_case"))
    return render_template("public/track/link.html", form=form)


@bp.post("/track/sign-out")
def track_sign_out() -> Response:
    if forms.ConfirmForm().validate():
        with db.transaction() as s:
            tracking.end_session(s, _token())  # a copy of the cookie stops working too
        session.pop(TRACK_KEY, None)
    return htmx.redirect_after_post(url_for("public.track", signed_out=1))


def _simple() -> bool:
    return request.args.get("view") == "young-person"


@bp.get("/track/case")
def track_case() -> Response | str:
    # Kept rendered until anything on it changes (the case's revision), the day turns or the
    # language does: most views are a family coming back to see whether anything has moved.
    key = tracking.page_key(db.engine, _token())
    if key is None:
        return redirect(url_for("public.track", expired=1))
    message = session.pop("track_message", None) if "track_message" in session else None
    today = date.today()
    return personal_page("track-case", (*key, today, message), lambda: _case_page(today, message))


def _case_page(today: date, message: str | None) -> str:
    from portal.public.timeline import timeline

    case = _tracked_case()
    if case is None:  # the session ended since page_key read it
        abort(redirect(url_for("public.track", expired=1)))
    return render_template(
        "public/track/case.html",
        case=case,
        simple=_simple(),
        message=message,
        timeline=timeline(case, rules(), today, _simple()),
        window=complainant.window_state(case, rules(), today),
        can_escalate=complainant.can_ask_next_stage(case, rules()),
        ombudsman_now=_ombudsman_now(case, today),
        lgo_enquiries=ombudsman.for_family(db.session, case) if g.track_ombudsman else [],
        holder=g.track_holder,
    )


def _ombudsman_now(case: Case, today: date) -> bool:
    """Explain the Ombudsman once our procedure is finished, or when we are late."""
    procedure = rules().procedure(case.procedure)
    finished = case.status in ("closed", "responded") and procedure.next_stage(case.stage) is None
    late = any(
        d.is_open and d.kind != "window" and d.effective_due_on and d.effective_due_on < today
        for d in case.deadlines
    )
    return finished or late or case.status == "closed"


def _action_page(
    template: str, form: Any, done: Callable[[Any], None], message: str, *, allowed: bool = True
) -> Response | str:
    case: Case = g.case
    if not allowed:
        abort(404)
    if request.method == "POST" and form.validate():
        with db.transaction() as s:
            g.case = s.merge(case)
            done(form)
        session["track_message"] = message
        return htmx.redirect_after_post(url_for("public.track_case"))
    return render_template(template, form=form, case=case)


@bp.route("/track/case/add-information", methods=["GET", "POST"])
@needs_case
def track_add_information() -> Response | str:
    form = forms.AddInformationForm()
    return _action_page(
        "public/track/add-information.html",
        form,
        lambda f: complainant.add_information(db.session, g.case, f.information.data),
        "added",
        allowed=g.case.status not in ("closed", "withdrawn"),
    )


@bp.route("/track/case/next-stage", methods=["GET", "POST"])
@needs_case
def track_next_stage() -> Response | str:
    form = forms.NextStageForm()
    result: dict[str, bool] = {}

    def ask(f: Any) -> None:
        result["in_time"] = complainant.ask_next_stage(
            db.session, g.case, f.reason.data, date.today(), rules()
        )

    response = _action_page(
        "public/track/next-stage.html",
        form,
        ask,
        "next_stage",
        allowed=complainant.can_ask_next_stage(g.case, rules()),
    )
    if result and not result["in_time"]:
        session["track_message"] = "next_stage_late"
    return response


@bp.route("/track/case/response", methods=["GET", "POST"])
@needs_case
def track_resolved() -> Response | str:
    form = forms.ResolvedForm()
    return _action_page(
        "public/track/resolved.html",
        form,
        lambda f: complainant.record_resolution(
            db.session, g.case, f.resolved.data == "yes", f.comment.data or ""
        ),
        "feedback",
        allowed=g.case.status in ("responded", "closed"),
    )


@bp.route("/track/case/withdraw", methods=["GET", "POST"])
@needs_case
def track_withdraw() -> Response | str:
    form = forms.WithdrawForm()
    return _action_page(
        "public/track/withdraw.html",
        form,
        lambda f: complainant.withdraw(db.session, g.case, f.reason.data or "", date.today(), rules()),
        "withdrawn",
        allowed=g.case.status not in ("closed", "withdrawn"),
    )


@bp.post("/track/case/advocate")
@needs_case
def track_advocate() -> Response:
    if not forms.ConfirmForm().validate():
        abort(400)
    with db.transaction() as s:
        complainant.request_advocate(s, s.merge(g.case))
    session["track_message"] = "advocate"
    return htmx.redirect_after_post(url_for("public.track_case"))


@bp.route("/track/case/contact-details", methods=["GET", "POST"])
@needs_case
def track_contact() -> Response | str:
    person = g.case.complainant
    data = _contact_data(person) if request.method == "GET" else None
    form = forms.ContactForm(data=data)
    return _action_page(
        "public/track/contact.html",
        form,
        lambda f: complainant.update_preferences(db.session, g.case, f.data, g.case.complainant.needs or {}),
        "preferences",
    )


@bp.route("/track/case/formats", methods=["GET", "POST"])
@needs_case
def track_needs() -> Response | str:
    from portal.services.submissions import needs_from_answers

    needs = g.case.complainant.needs or {}
    data = {**needs, "other": needs.get("other", "")} if request.method == "GET" else None
    form = forms.NeedsForm(data=data)
    return _action_page(
        "public/track/formats.html",
        form,
        lambda f: complainant.update_preferences(db.session, g.case, {}, needs_from_answers(f.data)),
        "preferences",
    )


def _contact_data(person: Any) -> dict[str, Any]:
    safe = [flag for flag in ("no_post_home", "no_voicemail") if getattr(person, flag)]
    return {
        "name": person.name,
        "contact_method": person.contact_method,
        "email": person.email,
        "phone": person.phone,
        "address": person.address,
        "safe": safe,
        "safe_times": person.safe_times,
        "language": person.preferred_language,
        "advocate_name": person.advocate_name,
        "advocate_email": person.advocate_email,
    }


@bp.get("/track/case/receipt/<size>")
@document_of_case
def track_receipt(size: str) -> Response:
    from portal.public.receipts import receipt_download
    from portal.public.summary import case_rows

    return receipt_download(g.case, case_rows(g.case), size)
