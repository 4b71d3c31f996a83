"""Forms for staff sign-in and MFA: GOV.UK widgets, autocomplete hints, errors in plain words."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovTextInput
from wtforms import Field, PasswordField, StringField
from wtforms.validators import InputRequired, Length, ValidationError

_SIX_DIGITS = re.compile(r"\d{6}")


def add_error(field: Field, message: str) -> None:
    """An error found after validation (wrong password, wrong code), shown like any other."""
    field.errors = [*field.errors, message]


class SignInForm(FlaskForm):
    email = StringField(
        _l("Email address"),
        widget=GovTextInput(),
        validators=[InputRequired(_l("Enter your email address")), Length(max=254)],
        render_kw={"autocomplete": "username", "spellcheck": "false", "type": "email"},
    )
    password = PasswordField(
        _l("Password"),
        widget=GovPasswordInput(),
        validators=[InputRequired(_l("Enter your password")), Length(max=1000)],
    )


def _six_digits(_form: FlaskForm, field: Field) -> None:
    field.data = "".join((field.data or "").split())  # apps show "123 456"
    if not _SIX_DIGITS.fullmatch(field.data):
        raise ValidationError(_l("The code must be 6 numbers, like 123456"))


class TotpForm(FlaskForm):
    code = StringField(
        _l("Code from your authenticator app"),
        description=_l("For example, 123456. The code changes every 30 seconds."),
        widget=GovTextInput(),
        validators=[InputRequired(_l("Enter the 6-digit code from your authenticator app")), _six_digits],
        render_kw={
            "autocomplete": "one-time-code",
            "inputmode": "numeric",
            "spellcheck": "false",
        },
    )


class RecoveryCodeForm(FlaskForm):
    code = StringField(
        _l("Recovery code"),
        description=_l("One of the 10 codes you saved when you set up your app, like abcd-efgh-jkmn."),
        widget=GovTextInput(),
        validators=[InputRequired(_l("Enter one of your recovery codes")), Length(max=40)],
        render_kw={
            "autocomplete": "one-time-code",
            "spellcheck": "false",
            "autocapitalize": "none",
        },
    )


class ConfirmForm(FlaskForm):
    """A button with nothing to fill in (sign out, "I have saved these codes")."""
