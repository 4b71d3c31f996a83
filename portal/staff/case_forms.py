"""Forms for the back office case pages: the queue filters and each action, in GOV.UK widgets."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from portal.domain.routing import ComplainantCategory, ServiceArea
from portal.public.fields import GovDateField
from portal.services.commitments import REMEDY_KINDS, SOURCES, STATUSES
from portal.services.queues import ASSIGNMENT, QUEUES, SORTS
from portal.services.staff_actions import CHANNELS, OUTCOMES

PROCEDURE_NAMES = {
    "statutory": "Statutory (children's social care)",
    "corporate": "Corporate",
    "compliment": "Compliment",
    "enquiry_general": "General enquiry",
    "enquiry_councillor": "Councillor enquiry",
    "enquiry_mp": "MP enquiry",
    "lgo": "Ombudsman enquiry",
}
AREAS = {a.value: a.value.replace("_", " ").capitalize() for a in ServiceArea}
CATEGORIES = {c.value: c.value.replace("_", " ").capitalize() for c in ComplainantCategory}
KINDS = {"complaint": "Complaint", "compliment": "Compliment", "enquiry_general": "General enquiry",
         "enquiry_councillor": "Councillor enquiry", "enquiry_mp": "MP enquiry"}  # fmt: skip
STAGES = {"1": "Stage 1", "2": "Stage 2", "3": "Stage 3"}
POINTS = 5  # slots for complaint points on the response form (blank ones are ignored)
PROMISES = 3  # slots for commitments made in the response (blank ones are ignored)


def choices(pairs: dict[str, str], blank: str | None = None) -> list[SelectChoice]:
    found = [SelectChoice("", blank)] if blank is not None else []
    return found + [SelectChoice(k, v) for k, v in pairs.items()]


def _reason(label: str, message: str, hint: str = "") -> TextAreaField:
    return TextAreaField(label, description=hint, widget=GovTextArea(),
                         validators=[InputRequired(message), Length(max=5000)])  # fmt: skip


class QueueForm(FlaskForm):
    """The GET filter form (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    queue = SelectField("Queue", widget=GovSelect(), choices=choices(QUEUES), default="open")
    procedure = SelectField("Procedure", widget=GovSelect(), choices=choices(PROCEDURE_NAMES, "Any"),
                            default="")  # fmt: skip
    stage = SelectField("Stage", widget=GovSelect(), choices=choices(STAGES, "Any"), default="")
    service_area = SelectField("Service area", widget=GovSelect(), choices=choices(AREAS, "Any"), default="")
    # Choices are the council's themes, set by the view (portal.services.case_details.themes).
    theme = SelectField("Theme", widget=GovSelect(), choices=[], default="")
    assigned = SelectField("Assigned to", widget=GovSelect(), choices=choices(ASSIGNMENT), default="any")
    q = StringField("Search by reference, name or words in the complaint", validators=[
        Optional(), Length(max=100, message="Search must be 100 characters or fewer")])  # fmt: skip
    sort = SelectField("Sort by", widget=GovSelect(), choices=choices(SORTS), default="due")


class ConfirmForm(FlaskForm):
    pass


class NoteForm(FlaskForm):
    note = TextAreaField("Note for the chronology (optional)", widget=GovTextArea(),
                         validators=[Optional(), Length(max=5000)])  # fmt: skip


class ReasonForm(FlaskForm):
    reason = _reason("Reason", "Enter the reason", "This goes on the chronology.")


class WithdrawForm(FlaskForm):
    reason = _reason("How and why did the complainant withdraw?",
                     "Enter how and why the complainant withdrew")


class AssignForm(FlaskForm):
    assignee = RadioField("Who should work on this case?", widget=GovRadioInput(), choices=[],
                          validators=[InputRequired("Choose who to assign the case to")])  # fmt: skip
    confirm = BooleanField("Assign anyway: I have read the warning", widget=GovCheckboxInput(), default=False)


DAYS = "Enter a number of working days"


class ExtendForm(FlaskForm):
    total_days = IntegerField("New total time in working days", widget=GovTextInput(),
                              validators=[InputRequired("Enter the new total in working days"),
                                          NumberRange(min=1, max=400, message=DAYS)],
                              render_kw={"inputmode": "numeric"})  # fmt: skip
    reason = _reason("Reason for the extension", "Enter the reason for the extension",
                     "The complainant is told this reason and the new date.")


class DecisionForm(FlaskForm):
    decision = RadioField("Decision", widget=GovRadioInput(),
                          choices=choices({"accept": "Accept: consider the complaint",
                                           "refuse": "Refuse: take no further action"}),
                          validators=[InputRequired("Choose accept or refuse")])  # fmt: skip
    reasons = _reason("Reasons for the decision", "Enter the reasons for the decision")


class ProcedureForm(FlaskForm):
    procedure = RadioField("Correct procedure", widget=GovRadioInput(), choices=[],
                           validators=[InputRequired("Choose the correct procedure")])  # fmt: skip
    reason = _reason("Reason for the correction", "Enter the reason for the correction")


class ResponseForm(FlaskForm):
    letter_body = _reason("Response letter", "Enter the response letter",
                          "Written to the complainant. It goes into the council's letter template and is "
                          "made in every format they need.")


for _n in range(1, POINTS + 1):
    setattr(ResponseForm, f"point_{_n}", TextAreaField(f"Complaint point {_n}", widget=GovTextArea(),
                                                       validators=[Optional(), Length(max=2000)]))
    setattr(ResponseForm, f"outcome_{_n}", RadioField(f"Outcome of point {_n}", widget=GovRadioInput(),
                                                      choices=choices(OUTCOMES), validators=[Optional()]))


# Commitments made in the response (blank ones are ignored): each lands in the tracker.
# fmt: off
for _n in range(1, PROMISES + 1):
    setattr(ResponseForm, f"commitment_{_n}", TextAreaField(
        f"Commitment {_n} made in the response (optional)", widget=GovTextArea(),
        description="For example, an apology meeting or a review of the plan.",
        validators=[Optional(), Length(max=2000)]))
    setattr(ResponseForm, f"commitment_owner_{_n}", SelectField(
        f"Owner of commitment {_n}", widget=GovSelect(), choices=[], validators=[Optional()]))
    setattr(ResponseForm, f"commitment_due_{_n}", GovDateField(
        f"Due date of commitment {_n}", validators=[Optional()]))
# fmt: on


class EscalationRequestForm(FlaskForm):
    asked_on = GovDateField("When did the complainant ask?", validators=[InputRequired("Enter the date")])
    what = _reason("What did they ask for, and how?", "Enter what the complainant asked for")


class EscalationDecisionForm(FlaskForm):
    decision = RadioField("Decision", widget=GovRadioInput(),
                          choices=choices({"accept": "Accept: start the next stage",
                                           "refuse": "Refuse, with valid reasons (complaints manager only)"}),
                          validators=[InputRequired("Choose accept or refuse")])  # fmt: skip
    reasons = TextAreaField("Reasons (needed to refuse)", widget=GovTextArea(),
                            validators=[Optional(), Length(max=5000)])  # fmt: skip


class NewCaseForm(FlaskForm):
    kind = RadioField("What was received?", widget=GovRadioInput(),
                      choices=choices(KINDS),
                      validators=[InputRequired("Choose what was received")])  # fmt: skip
    channel = RadioField("How was it received?", widget=GovRadioInput(), choices=choices(CHANNELS),
                         validators=[InputRequired("Choose how it was received")])  # fmt: skip
    received_on = GovDateField("Date received", validators=[InputRequired("Enter the date it was received")])
    category = SelectField("Who is it from?", widget=GovSelect(), choices=choices(CATEGORIES))
    service_area = SelectField("Service area", widget=GovSelect(), choices=choices(AREAS))
    person_name = StringField("Their name", widget=GovTextInput(),
                              validators=[InputRequired("Enter their name"), Length(max=200)])  # fmt: skip
    person_email = StringField("Email address (optional)", widget=GovTextInput(),
                               validators=[Optional(), Length(max=254)])  # fmt: skip
    person_phone = StringField("Phone number (optional)", widget=GovTextInput(),
                               validators=[Optional(), Length(max=40)])  # fmt: skip
    arose_on = GovDateField("When did the matter arise? (optional)", validators=[Optional()])
    summary = _reason("What is it about?", "Enter what it is about")


class CommitmentForm(FlaskForm):
    source = RadioField("Where does it come from?", widget=GovRadioInput(), choices=choices(SOURCES),
                        validators=[InputRequired("Choose where it comes from")])  # fmt: skip
    text = _reason("Action or recommendation", "Enter the action or recommendation")
    owner = SelectField("Owner", widget=GovSelect(), choices=[],
                        validators=[InputRequired("Choose the owner")])  # fmt: skip
    due_on = GovDateField("Due date", validators=[InputRequired("Enter the due date")])


class CommitmentUpdateForm(FlaskForm):
    status = RadioField("Status", widget=GovRadioInput(), choices=choices(STATUSES),
                        validators=[InputRequired("Choose a status")])  # fmt: skip
    evidence = TextAreaField("Evidence (needed to mark it complete)", widget=GovTextArea(),
                             validators=[Optional(), Length(max=5000)])  # fmt: skip
    reason = TextAreaField("Reason it was not accepted (needed for not accepted)", widget=GovTextArea(),
                           validators=[Optional(), Length(max=5000)])  # fmt: skip


class RemedyForm(FlaskForm):
    kind = RadioField("Kind of remedy", widget=GovRadioInput(), choices=choices(REMEDY_KINDS),
                      validators=[InputRequired("Choose the kind of remedy")])  # fmt: skip
    description = _reason("What was agreed", "Describe the remedy")
    amount = StringField("Amount in pounds (payments only)", widget=GovTextInput(),
                         validators=[Optional(), Length(max=12)],
                         render_kw={"inputmode": "decimal"})  # fmt: skip
    due_on = GovDateField("Due date", validators=[InputRequired("Enter the due date")])


class RemedyDoneForm(FlaskForm):
    proof = _reason("Proof that it happened", "Enter the proof that the remedy happened")
