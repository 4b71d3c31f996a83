"""Forms for the public journey: one question or a short group per page, errors in plain words."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from portal.domain.routing import ServiceArea
from portal.i18n import LANGUAGE_NAMES
from portal.public.fields import GovDateField

LONG_TEXT = 10_000


def choices(*pairs: tuple[str, Any]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def required(message: str) -> InputRequired:
    return InputRequired(message=message)


class KindForm(FlaskForm):
    kind = RadioField(
        _l("What would you like to do?"),
        widget=GovRadioInput(),
        choices=choices(
            ("complaint", _l("Make a complaint")),
            ("compliment", _l("Pay a compliment or say thank you")),
        ),
        validators=[required(_l("Select whether you want to make a complaint or pay a compliment"))],
    )


WHO_CHOICES = (
    ("young_person", _l("I am the young person the complaint is about")),
    ("parent", _l("I am a parent or carer")),
    ("foster_carer", _l("I am a foster carer, special guardian or kinship carer")),
    ("advocate", _l("I am an advocate or representative acting for a young person")),
    ("other", _l("Someone else who is worried about a child or young person")),
)


class WhoForm(FlaskForm):
    who = RadioField(
        _l("Who are you?"),
        widget=GovRadioInput(),
        choices=choices(*WHO_CHOICES),
        validators=[required(_l("Select who you are"))],
    )


YES_NO = (("yes", _l("Yes")), ("no", _l("No")))


class AdvocateForm(FlaskForm):
    advocate_org = RadioField(
        _l("Which organisation are you from?"),
        widget=GovRadioInput(),
        choices=choices(
            ("NYAS", "NYAS"), ("VoiceAbility", "VoiceAbility"), ("other", _l("Another organisation"))
        ),
        validators=[required(_l("Select which organisation you are from"))],
    )
    advocate_org_other = StringField(
        _l("Name of the organisation (if another organisation)"),
        widget=GovTextInput(),
        validators=[Length(max=100, message=_l("Organisation name must be 100 characters or fewer"))],
    )
    consent = RadioField(
        _l("Has the young person agreed to you making this complaint for them?"),
        widget=GovRadioInput(),
        choices=choices(*YES_NO),
        validators=[required(_l("Select yes if the young person has agreed"))],
    )
    contact_directly = RadioField(
        _l("Does the young person want us to contact them directly as well?"),
        widget=GovRadioInput(),
        choices=choices(*YES_NO),
        validators=[required(_l("Select yes if the young person wants us to contact them directly"))],
    )

    def validate_advocate_org_other(self, field: StringField) -> None:
        if self.advocate_org.data == "other" and not (field.data or "").strip():
            raise ValidationError(_l("Enter the name of your organisation"))


class AdvocacyForm(FlaskForm):
    wants_advocate = RadioField(
        _l("Would you like an advocate to help you?"),
        description=_l("An advocate is someone who is on your side. They can help you say what you want."),
        widget=GovRadioInput(),
        choices=choices(
            ("yes", _l("Yes, please help me get an advocate")),
            ("have_one", _l("I already have an advocate")),
            ("no", _l("No, thank you")),
        ),
        validators=[required(_l("Select if you would like an advocate"))],
    )


class ChildForm(FlaskForm):
    child_name = StringField(
        _l("Full name of the child or young person"),
        widget=GovTextInput(),
        validators=[
            required(_l("Enter the name of the child or young person")),
            Length(max=200, message=_l("Name must be 200 characters or fewer")),
        ],
    )
    child_dob = GovDateField(
        _l("Their date of birth (if you know it)"),
        description=_l("For example, 27 3 2012"),
        validators=[Optional()],
    )


class AreaForm(FlaskForm):
    service_area = RadioField(
        _l("What is your complaint about?"),
        widget=GovRadioInput(),
        validators=[required(_l("Select what your complaint is about"))],
    )

    def __init__(self, *args: Any, areas: list[tuple[str, Any]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.service_area.choices = choices(*(areas or []))


class WhatHappenedForm(FlaskForm):
    what_happened = TextAreaField(
        _l("What happened?"),
        description=_l("Tell us what went wrong, who was involved and how it has affected you or the child."),
        widget=GovTextArea(),
        validators=[
            required(_l("Enter what happened")),
            Length(max=LONG_TEXT, message=_l("What happened must be 10,000 characters or fewer")),
        ],
    )
    happened_on = GovDateField(
        _l("When did it happen?"),
        description=_l(
            "If it went on for a while, or you are not sure, give the date it started. For example, 27 3 2026"
        ),
        validators=[required(_l("Enter the date it happened"))],
    )


PROCEEDINGS = (
    ("court", _l("A court")),
    ("tribunal", _l("A tribunal, for example the SEND Tribunal")),
    ("ombudsman", _l("The Ombudsman")),
    ("police", _l("The police")),
)


class OutcomeForm(FlaskForm):
    outcome = TextAreaField(
        _l("What would you like to happen?"),
        description=_l(
            "For example, an apology, a meeting, a decision looked at again, or a change in how we work."
        ),
        widget=GovTextArea(),
        validators=[
            required(_l("Enter what you would like to happen")),
            Length(max=LONG_TEXT, message=_l("This must be 10,000 characters or fewer")),
        ],
    )
    proceedings = SelectMultipleField(
        _l("Is any of this also with one of these? (select all that apply)"),
        description=_l("Leave these empty if none apply."),
        widget=GovCheckboxesInput(),
        choices=choices(*PROCEEDINGS),
        validators=[Optional()],
    )


CONTACT_METHODS = (
    ("email", _l("Email")),
    ("phone", _l("Phone")),
    ("post", _l("Letter by post")),
    ("advocate", _l("Only through my advocate or representative")),
)
SAFE_FLAGS = (
    ("no_post_home", _l("Do not send letters to my home address")),
    ("no_voicemail", _l("Do not leave voicemail messages")),
)
# Each language named in itself, as in the language switcher.
LANGUAGE_CHOICES = (*LANGUAGE_NAMES.items(), ("other", _l("Another language")))


class ContactForm(FlaskForm):
    name = StringField(
        _l("Your full name"),
        widget=GovTextInput(),
        validators=[
            required(_l("Enter your full name")),
            Length(max=200, message=_l("Name must be 200 characters or fewer")),
        ],
    )
    contact_method = RadioField(
        _l("How should we contact you?"),
        widget=GovRadioInput(),
        choices=choices(*CONTACT_METHODS),
        validators=[required(_l("Select how we should contact you"))],
    )
    # No Optional() on these: it would stop the chain before the "needed for the contact
    # method you chose" checks below.
    email = StringField(
        _l("Email address"),
        widget=GovTextInput(),
        validators=[Length(max=254, message=_l("Email address must be 254 characters or fewer"))],
    )
    phone = StringField(
        _l("Phone number"),
        widget=GovTextInput(),
        validators=[Length(max=40, message=_l("Phone number must be 40 characters or fewer"))],
    )
    address = TextAreaField(
        _l("Postal address"),
        widget=GovTextArea(),
        validators=[Length(max=500, message=_l("Address must be 500 characters or fewer"))],
    )
    advocate_name = StringField(
        _l("Your advocate's or representative's name"),
        widget=GovTextInput(),
        validators=[Optional(), Length(max=200)],
    )
    advocate_email = StringField(
        _l("Your advocate's or representative's email address"),
        widget=GovTextInput(),
        validators=[Length(max=254, message=_l("Email address must be 254 characters or fewer"))],
    )
    safe = SelectMultipleField(
        _l("Keeping you safe (select all that apply)"),
        description=_l("Tell us if it is not safe for us to write to you or leave messages."),
        widget=GovCheckboxesInput(),
        choices=choices(*SAFE_FLAGS),
        validators=[Optional()],
    )
    safe_times = StringField(
        _l("When is it safe to call you? (optional)"),
        widget=GovTextInput(),
        validators=[Optional(), Length(max=200, message=_l("This must be 200 characters or fewer"))],
    )
    language = SelectField(
        _l("Which language should we use when we write to you?"),
        widget=GovSelect(),
        choices=choices(*LANGUAGE_CHOICES),
        validators=[required(_l("Select a language"))],
    )

    def validate_email(self, field: StringField) -> None:
        if self.contact_method.data == "email" and not (field.data or "").strip():
            raise ValidationError(_l("Enter your email address, or choose another way for us to contact you"))
        _check_email(self, field)

    def validate_phone(self, field: StringField) -> None:
        if self.contact_method.data == "phone" and not (field.data or "").strip():
            raise ValidationError(_l("Enter your phone number, or choose another way for us to contact you"))
        digits = [c for c in (field.data or "") if c.isdigit()]
        if field.data and len(digits) < 7:
            raise ValidationError(_l("Enter a phone number, like 01632 960 001 or 07700 900 982"))

    def validate_address(self, field: TextAreaField) -> None:
        if self.contact_method.data == "post" and not (field.data or "").strip():
            raise ValidationError(
                _l("Enter your postal address, or choose another way for us to contact you")
            )

    def validate_advocate_email(self, field: StringField) -> None:
        if self.contact_method.data == "advocate" and not (field.data or "").strip():
            raise ValidationError(_l("Enter your advocate's email address so we can contact them"))
        _check_email(self, field)


def _check_email(form: FlaskForm, field: StringField) -> None:
    if (field.data or "").strip():
        field.data = field.data.strip()
        Email(message=_l("Enter an email address in the correct format, like name@example.com"))(form, field)


FORMATS = (
    ("large_print", _l("Large print")),
    ("coloured_paper", _l("Coloured paper")),
    ("easy_read", _l("Easy read")),
    ("braille", _l("Braille")),
    ("e_version", _l("Accessible PDF or e-version for a screen reader")),
    ("audio", _l("Audio")),
)
ADJUSTMENTS = (
    ("bsl", _l("A British Sign Language (BSL) interpreter")),
    ("interpreter", _l("A spoken language interpreter")),
    ("extra_time", _l("Extra time to reply to us")),
    ("named_contact", _l("One named person to contact")),
    ("help_to_fill_in", _l("Help to fill in forms")),
)
PRINT_SIZES = [(str(n), _l("%(size)s point", size=n)) for n in (16, 18, 20, 24, 28, 32, 36, 42, 48)]
PAPER_COLOURS = (
    ("cream", _l("Cream")),
    ("yellow", _l("Yellow")),
    ("blue", _l("Blue")),
    ("pink", _l("Pink")),
    ("green", _l("Green")),
    ("grey", _l("Grey")),
)


class NeedsForm(FlaskForm):
    formats = SelectMultipleField(
        _l("Formats"), widget=GovCheckboxesInput(), choices=choices(*FORMATS), validators=[Optional()]
    )
    large_print_size = SelectField(
        _l("Print size"),
        widget=GovSelect(),
        choices=choices(*PRINT_SIZES),
        default="24",
        validators=[Optional()],
    )
    paper_colour = SelectField(
        _l("Paper colour"),
        widget=GovSelect(),
        choices=choices(*PAPER_COLOURS),
        default="cream",
        validators=[Optional()],
    )
    adjustments = SelectMultipleField(
        _l("Other help"), widget=GovCheckboxesInput(), choices=choices(*ADJUSTMENTS), validators=[Optional()]
    )
    interpreter_language = StringField(
        _l("Which language?"),
        widget=GovTextInput(),
        validators=[Optional(), Length(max=100, message=_l("Language must be 100 characters or fewer"))],
    )
    other = TextAreaField(
        _l("Anything else we should do to make this easier for you? (optional)"),
        widget=GovTextArea(),
        validators=[Optional(), Length(max=2000, message=_l("This must be 2,000 characters or fewer"))],
    )

    def validate_interpreter_language(self, field: StringField) -> None:
        if "interpreter" in (self.adjustments.data or []) and not (field.data or "").strip():
            raise ValidationError(_l("Enter the language you need an interpreter for"))


COMPLIMENT_ABOUT = (
    ("worker", _l("A worker")),
    ("team", _l("A team")),
    ("service", _l("A service")),
)


class ComplimentForm(FlaskForm):
    about_type = RadioField(
        _l("Who is your compliment about?"),
        widget=GovRadioInput(),
        choices=choices(*COMPLIMENT_ABOUT),
        validators=[required(_l("Select who your compliment is about"))],
    )
    about_name = StringField(
        _l("Their name, or the name of the team or service"),
        widget=GovTextInput(),
        validators=[
            required(_l("Enter the name of the worker, team or service")),
            Length(max=200, message=_l("Name must be 200 characters or fewer")),
        ],
    )
    message = TextAreaField(
        _l("Your compliment"),
        widget=GovTextArea(),
        validators=[
            required(_l("Enter your compliment")),
            Length(max=LONG_TEXT, message=_l("Your compliment must be 10,000 characters or fewer")),
        ],
    )
    share_permission = RadioField(
        _l("Can we share your compliment, without your name, in our annual report?"),
        widget=GovRadioInput(),
        choices=choices(*YES_NO),
        validators=[required(_l("Select yes if we can share your compliment"))],
    )


class SaveForm(FlaskForm):
    email = StringField(
        _l("Email address"),
        description=_l(
            "We will email you a link to come back to your answers. It works once and lasts 7 days."
        ),
        widget=GovTextInput(),
        validators=[
            required(_l("Enter your email address")),
            Email(message=_l("Enter an email address in the correct format, like name@example.com")),
        ],
    )


class ConfirmForm(FlaskForm):
    """Just the CSRF token: used by pages whose only control is a button."""


def area_choices() -> list[tuple[str, Any]]:
    return [(area.value, AREA_LABELS[area]) for area in ServiceArea]


AREA_LABELS = {
    ServiceArea.SEND: _l(
        "Special educational needs and disabilities (SEND), EHC plans or the Statutory Assessment Team"
    ),
    ServiceArea.EDUCATION: _l(
        "Education services run by the council, for example school transport or admissions"
    ),
    ServiceArea.FRONT_DOOR: _l("The Integrated Front Door, referrals and assessments"),
    ServiceArea.FAMILY_SAFEGUARDING: _l("Family safeguarding and child protection work"),
    ServiceArea.CHILDREN_IN_CARE: _l("Children in care"),
    ServiceArea.CARE_LEAVERS: _l("Care leavers"),
    ServiceArea.FOSTERING: _l("Fostering"),
    ServiceArea.ADOPTION: _l("Adoption"),
    ServiceArea.DISABLED_CHILDREN: _l("Disabled children's services"),
    ServiceArea.OTHER_SOCIAL_CARE: _l("Other children's social care"),
    ServiceArea.OTHER: _l("Something else"),
}


REFERENCE_HINT = _l("For example, CC-2026-000123. It is on your confirmation page and our letters.")


class TrackRequestForm(FlaskForm):
    reference = StringField(
        _l("Reference number"),
        description=REFERENCE_HINT,
        widget=GovTextInput(),
        validators=[required(_l("Enter your reference number")), Length(max=30)],
    )
    email = StringField(
        _l("Email address"),
        description=_l("The email address you gave us, or your advocate's."),
        widget=GovTextInput(),
        validators=[
            required(_l("Enter your email address")),
            Email(message=_l("Enter an email address in the correct format, like name@example.com")),
        ],
    )


class TrackCodeForm(FlaskForm):
    reference = StringField(
        _l("Reference number"),
        description=REFERENCE_HINT,
        widget=GovTextInput(),
        validators=[required(_l("Enter your reference number")), Length(max=30)],
    )
    code = StringField(
        _l("Security code"),
        description=_l(
            "16 letters and numbers, for example 7K3M-Q9TX-2B8R-WD4F. "
            "It is on your confirmation page and our first letter."
        ),
        widget=GovTextInput(),
        validators=[required(_l("Enter your security code")), Length(max=40)],
    )


class AddInformationForm(FlaskForm):
    information = TextAreaField(
        _l("What would you like to add?"),
        widget=GovTextArea(),
        validators=[
            required(_l("Enter what you would like to add")),
            Length(max=LONG_TEXT, message=_l("This must be 10,000 characters or fewer")),
        ],
    )


class NextStageForm(FlaskForm):
    reason = TextAreaField(
        _l("Why are you still unhappy?"),
        description=_l(
            "Tell us which parts of our answer you disagree with, and what you would like to happen."
        ),
        widget=GovTextArea(),
        validators=[
            required(_l("Enter why you are still unhappy")),
            Length(max=LONG_TEXT, message=_l("This must be 10,000 characters or fewer")),
        ],
    )


class ResolvedForm(FlaskForm):
    resolved = RadioField(
        _l("Did our response sort things out for you?"),
        widget=GovRadioInput(),
        choices=choices(*YES_NO),
        validators=[required(_l("Select yes if our response sorted things out"))],
    )
    comment = TextAreaField(
        _l("Anything you would like to tell us? (optional)"),
        widget=GovTextArea(),
        validators=[Optional(), Length(max=LONG_TEXT, message=_l("This must be 10,000 characters or fewer"))],
    )


class WithdrawForm(FlaskForm):
    reason = TextAreaField(
        _l("Why are you withdrawing your complaint? (optional)"),
        description=_l("You do not have to tell us. It helps us learn."),
        widget=GovTextArea(),
        validators=[Optional(), Length(max=2000, message=_l("This must be 2,000 characters or fewer"))],
    )
