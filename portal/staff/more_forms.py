"""Forms for Ombudsman enquiries, compliments, linked cases, themes and who a complaint is about."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, Optional

from portal.public.fields import GovDateField
from portal.services.ombudsman import DECISIONS
from portal.staff.case_forms import AREAS, choices


def _text(label: str, message: str, hint: str = "", limit: int = 5000) -> TextAreaField:
    return TextAreaField(
        label, description=hint, widget=GovTextArea(), validators=[InputRequired(message), Length(max=limit)]
    )


class LgoEnquiryForm(FlaskForm):
    lgo_reference = StringField(
        "The Ombudsman's reference",
        description="For example, 24 012 345",
        widget=GovTextInput(),
        validators=[InputRequired("Enter the Ombudsman's reference"), Length(max=40)],
    )
    received_on = GovDateField(
        "Date the enquiry was received", validators=[InputRequired("Enter the date the enquiry was received")]
    )
    response_due_on = GovDateField(
        "Date the Ombudsman wants the council's response by",
        validators=[InputRequired("Enter the date the Ombudsman wants the council's response by")],
    )


class LgoResponseForm(FlaskForm):
    sent_on = GovDateField(
        "Date the council's response was sent to the Ombudsman",
        validators=[InputRequired("Enter the date the response was sent")],
    )


class LgoDecisionForm(FlaskForm):
    decision = RadioField(
        "The Ombudsman's decision",
        widget=GovRadioInput(),
        choices=choices(DECISIONS),
        validators=[InputRequired("Choose the Ombudsman's decision")],
    )
    decided_on = GovDateField(
        "Date of the decision", validators=[InputRequired("Enter the date of the decision")]
    )
    public_report = BooleanField(
        "The Ombudsman issued a public report (Local Government Act 1974 s30)",
        widget=GovCheckboxInput(),
        default=False,
    )
    report_received_on = GovDateField(
        "Date the report was received (public reports only)",
        description="The council has 3 months from this date to tell the "
        "Ombudsman what action it has taken or proposes.",
        validators=[Optional()],
    )


class LgoNotifiedForm(FlaskForm):
    notified_on = GovDateField(
        "Date the council told the Ombudsman what action it has taken or proposes",
        validators=[InputRequired("Enter the date the Ombudsman was told")],
    )


class RecommendationForm(FlaskForm):
    text = _text("The Ombudsman's recommendation", "Enter the recommendation")
    owner = SelectField(
        "Owner", widget=GovSelect(), choices=[], validators=[InputRequired("Choose the owner")]
    )
    due_on = GovDateField("Due date", validators=[InputRequired("Enter the due date")])


class ComplimentForm(FlaskForm):
    worker_name = StringField(
        "Worker thanked (optional)", widget=GovTextInput(), validators=[Optional(), Length(max=200)]
    )
    worker_email = StringField(
        "Worker's email address (optional)",
        description="Thanks can be passed on to this address.",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=254), Email("Enter an email address like name@example.gov.uk")],
        render_kw={"spellcheck": "false", "autocomplete": "off"},
    )
    team = StringField("Team (optional)", widget=GovTextInput(), validators=[Optional(), Length(max=100)])
    service_area = SelectField("Service", widget=GovSelect(), choices=choices(AREAS))


class ThanksForm(FlaskForm):
    passed_to = _text(
        "Who were the thanks passed on to?",
        "Enter who the thanks were passed on to",
        "For example, the worker and their team manager.",
        2000,
    )
    email_worker = BooleanField("Email the thanks to the worker", widget=GovCheckboxInput(), default=True)


class ComplimentFilterForm(FlaskForm):
    """The GET filter form (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    service_area = SelectField("Service", widget=GovSelect(), choices=choices(AREAS, "Any"), default="")
    team = StringField("Team", widget=GovTextInput(), validators=[Optional(), Length(max=100)])
    worker = StringField("Worker", widget=GovTextInput(), validators=[Optional(), Length(max=200)])


class LinkForm(FlaskForm):
    other = StringField(
        "Reference of the case to link to",
        description="For example, CC-2026-000123",
        widget=GovTextInput(),
        validators=[InputRequired("Enter the reference of the case to link to"), Length(max=20)],
        render_kw={"spellcheck": "false"},
    )
    reason = _text("Why are the cases linked?", "Enter why the cases are linked", limit=2000)


class UnlinkForm(FlaskForm):
    reason = _text("Why is the link removed?", "Enter why the link is removed", limit=2000)


class ThemeForm(FlaskForm):
    theme = RadioField(
        "What is the complaint mostly about?",
        widget=GovRadioInput(),
        choices=[],
        validators=[InputRequired("Choose a theme")],
    )


class ComplainedAboutForm(FlaskForm):
    name = StringField(
        "Name of the person the complaint is about",
        widget=GovTextInput(),
        validators=[InputRequired("Enter the name of the person the complaint is about"), Length(max=200)],
    )
    staff_user = SelectField(
        "If they have a portal account, who are they?",
        description="The case cannot then be assigned to them without a warning.",
        widget=GovSelect(),
        choices=[],
        validators=[Optional()],
    )


class RestrictionForm(FlaskForm):
    reason = _text(
        "Why?",
        "Enter why",
        "For example: the complaint is about a member of the complaints team. This goes on the chronology.",
        limit=500,
    )
