"""Back office action pages: a GET form and a POST per action, each one service call in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from portal import htmx
from portal.domain.lifecycle import Action
from portal.extensions import db
from portal.models import Case
from portal.reports.stages import OutcomeError
from portal.services import staff_actions as svc
from portal.services.cases import Actor
from portal.services.documents import NotReadyToSend
from portal.services.rules import rules
from portal.staff import case_forms as forms
from portal.staff.cases import INTAKE, WORKERS, load_case, today
from portal.staff.form_pages import errors_of
from portal.staff.guard import current_staff, require_role
from portal.staff.views import bp

Perform = Callable[[Session, Case, Actor, Any, date], str | None]


@dataclass(frozen=True)
class Page:
    slug: str
    title: str
    form: type[FlaskForm]
    perform: Perform
    action: Action | None = None  # the lifecycle action that must be allowed now
    roles: tuple[str, ...] = WORKERS
    button: str = "Save"
    intro: str = ""
    context: Callable[[Case], dict[str, Any]] = field(default=lambda _case: {})

    @property
    def endpoint(self) -> str:
        return "case_" + self.slug.replace("-", "_")


def _prepare(page: Page, case: Case, form: FlaskForm) -> None:
    """Choices that depend on the database (who can be assigned, which procedures)."""
    if isinstance(form, forms.AssignForm):
        form.assignee.choices = [forms.SelectChoice(str(u.id), f"{u.name} ({u.role.replace('_', ' ')})")
                                 for u in svc.assignees(db.session)]  # fmt: skip
    elif isinstance(form, forms.ResponseForm):
        owners = [forms.SelectChoice("", "Choose the owner")] + [
            forms.SelectChoice(str(u.id), u.name) for u in svc.assignees(db.session)]  # fmt: skip
        for n in range(1, forms.PROMISES + 1):
            getattr(form, f"commitment_owner_{n}").choices = owners
    elif isinstance(form, forms.ProcedureForm):
        form.procedure.choices = [forms.SelectChoice(code, forms.PROCEDURE_NAMES[code])
                                  for code in svc.CORRECTABLE if code != case.procedure]  # fmt: skip


def _not_for_enquiries(page: Page, case: Case) -> str | None:
    """An Ombudsman enquiry is answered to the Ombudsman (portal.staff.ombudsman), not with these."""
    from portal.services.ombudsman import NOT_FOR_ENQUIRIES

    if case.kind == "lgo" and page.action is not None and page.action.value in NOT_FOR_ENQUIRIES:
        return "this is an Ombudsman enquiry: record the response and the decision from its case page."
    return None


def handle(page: Page, reference: str) -> Response | str:
    case = load_case(reference, change=True)
    actor = svc.actor_for(current_staff())
    blocked = None
    if page.action is not None:
        try:
            svc.check(case, page.action, actor)
        except svc.ActionRefused as error:
            blocked = str(error)
    blocked = blocked or _not_for_enquiries(page, case)
    form = page.form()
    _prepare(page, case, form)
    refused = warning = None
    if blocked is None and request.method == "POST" and form.validate_on_submit():
        try:
            with db.transaction() as session:
                warning = page.perform(session, case, actor, form, today())
        except (svc.ActionRefused, NotReadyToSend, OutcomeError) as error:
            refused = str(error)
        if refused is None and warning is None:
            return htmx.redirect_after_post(url_for("staff.case", reference=case.reference))
        case = load_case(reference, change=True)  # the rollback expired it
    errors = errors_of(form, refused, form_id="action-form")
    return render_template("staff/cases/action.html", page=page, case=case, form=form, blocked=blocked,
                           warning=warning, errors=errors, has_errors=bool(errors),
                           **page.context(case))  # fmt: skip


def _text(form: Any, name: str) -> str:
    return str(getattr(form, name).data or "")


# --- what each action does --------------------------------------------------------------------


def _acknowledge(s: Session, case: Case, actor: Actor, form: Any, on: date) -> None:
    svc.acknowledge(s, case, actor, on, rules())


def _assign(s: Session, case: Case, actor: Actor, form: Any, on: date) -> str | None:
    return svc.assign(s, case, actor, int(form.assignee.data), on, confirmed=bool(form.confirm.data))


def _extend(s: Session, case: Case, actor: Actor, form: Any, on: date) -> None:
    svc.extend(s, case, actor, int(form.total_days.data), _text(form, "reason"), on, rules())


def _pause(s: Session, case: Case, actor: Actor, form: Any, on: date) -> None:
    svc.pause(s, case, actor, _text(form, "reason"), on, rules())


def _resume(s: Session, case: Case, actor: Actor, form: Any, on: date) -> None:
    svc.resume(s, case, actor, _text(form, "reason"), on, rules())


def _decide(s: Session, case: Case, actor: Actor, form: Any, on: date) -> None:
    svc.decide(s, case, actor, form.decision.data == "accept", _text(form, "reasons"), on, rules())


def _correct(s: Session, case: Case, actor: Actor, form: Any, on: date) -> None:
    svc.correct_procedure(s, case, actor, _text(form, "procedure"), _text(form, "reason"), on, rules())


def _respond(s: Session, case: Case, actor: Actor, form: Any, on: date) -> None:
    points = []
    for n in range(1, forms.POINTS + 1):
        text, outcome = _text(form, f"point_{n}"), _text(form, f"outcome_{n}")
        if text.strip() and not outcome:
            raise svc.ActionRefused(f"Choose the outcome of complaint point {n}.")
        points.append((text, outcome))
    promises = []
    for n in range(1, forms.PROMISES + 1):
        owner = _text(form, f"commitment_owner_{n}")
        promises.append(svc.Promise(_text(form, f"commitment_{n}"), int(owner) if owner.isdigit() else None,
                                    getattr(form, f"commitment_due_{n}").data))  # fmt: skip
    svc.respond(s, case, actor, points, _text(form, "letter_body"), on, rules(), promises)


def _escalation_request(s: Session, case: Case, actor: Actor, form: Any, on: date) -> None:
    svc.record_escalation_request(s, case, actor, form.asked_on.data, _text(form, "what"), rules())


def _escalation_decision(s: Session, case: Case, actor: Actor, form: Any, on: date) -> None:
    svc.decide_escalation(s, case, actor, form.decision.data == "accept", _text(form, "reasons"), on, rules())


def _reopen(s: Session, case: Case, actor: Actor, form: Any, on: date) -> None:
    svc.reopen(s, case, actor, _text(form, "reason"), on, rules())


def _close(s: Session, case: Case, actor: Actor, form: Any, on: date) -> None:
    svc.close(s, case, actor, _text(form, "note"), on, rules())


def _withdraw(s: Session, case: Case, actor: Actor, form: Any, on: date) -> None:
    svc.withdraw(s, case, actor, _text(form, "reason"), on, rules())


def _extend_context(case: Case) -> dict[str, Any]:
    return {"extendable": svc.extendable(case, rules())}


def _escalation_context(case: Case) -> dict[str, Any]:
    return {"late_today": svc.escalation_late(case, today())}


A = Action
PAGES = (
    Page("acknowledge", "Acknowledge the case", forms.NoteForm, _acknowledge, A.ACKNOWLEDGE,
         button="Acknowledge"),
    Page("assign", "Assign the case", forms.AssignForm, _assign, roles=INTAKE, button="Assign"),
    Page("extend", "Extend the response deadline", forms.ExtendForm, _extend, A.EXTEND, button="Extend",
         context=_extend_context),
    Page("pause", "Pause the clock", forms.ReasonForm, _pause, A.PAUSE, button="Pause the clock",
         intro="The complainant is told the case is paused and why."),
    Page("resume", "Restart the clock", forms.ReasonForm, _resume, A.RESUME, button="Restart the clock",
         intro="Due dates move on by the working days the clock was stopped."),
    Page("decision", "Decide whether to consider the complaint", forms.DecisionForm, _decide,
         A.DECIDE_ACCEPT, button="Record the decision",
         intro="Sufficient interest (Children Act 1989 s26(3)(e)) or the 12-month time limit (reg 9; Code "
               "2.2). Only the complaints manager can refuse."),
    Page("correct-procedure", "Correct the procedure", forms.ProcedureForm, _correct, roles=INTAKE,
         button="Correct the procedure", intro="Running deadlines are worked out again under the new rules."),
    Page("respond", "Record the response", forms.ResponseForm, _respond, A.RESPOND,
         button="Send the response",
         intro="Give the outcome of each complaint point (blank points are ignored). The letter is made in "
               "every format the complainant needs; it is not sent if one is missing."),
    Page("escalation-request", "Record a request for the next stage", forms.EscalationRequestForm,
         _escalation_request, A.REQUEST_ESCALATION, button="Record the request", context=_escalation_context,
         intro="Late requests are recorded too: the decision to accept them is yours."),
    Page("escalation-decision", "Decide on the request for the next stage", forms.EscalationDecisionForm,
         _escalation_decision, A.ACCEPT_ESCALATION, button="Record the decision",
         intro="Code 5.7: an escalation is refused only for valid reasons, by the complaints manager."),
    Page("reopen", "Reopen the case", forms.ReasonForm, _reopen, A.REOPEN, roles=("manager",),
         button="Reopen"),
    Page("close", "Close the case", forms.NoteForm, _close, A.CLOSE, button="Close the case",
         intro="A case cannot be closed while an action or recommendation is still open."),
    Page("withdraw", "Record a withdrawal", forms.WithdrawForm, _withdraw, A.WITHDRAW,
         button="Record the withdrawal"),
)  # fmt: skip
BY_SLUG = {p.slug: p for p in PAGES}


def _register(page: Page) -> None:
    def view(reference: str) -> Response | str:
        return handle(page, reference)

    view.__name__ = page.endpoint
    bp.add_url_rule(f"/cases/<reference>/{page.slug}", page.endpoint, require_role(*page.roles)(view),
                    methods=["GET", "POST"])  # fmt: skip


for _page in PAGES:
    _register(_page)
