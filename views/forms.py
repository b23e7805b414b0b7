"""WTForms for the public account pages. Business checks are in app.services.accounts;
these forms only carry the fields (with CSRF) and show the service's messages."""
from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, RadioField, SelectField, StringField
from wtforms.validators import Length, ValidationError


class NoControlCharacters:
    """Refuse control characters (Unicode category Cc: NUL, ESC, DEL, ...) in a text field.

    Nobody types them, and PostgreSQL cannot store or even compare a NUL: psycopg refuses the
    whole statement, which was a 500 (login name, recovery forms). Multi-line fields keep tab,
    CR and LF. Every free-text field of a form here carries it; requests that reach the
    database without a form are checked for NUL by app.web (refuse_nul).
    """

    ALLOWED_IN_MULTILINE = frozenset("\t\r\n")

    def __init__(self, multiline: bool = False, message=None):
        self.allowed = self.ALLOWED_IN_MULTILINE if multiline else frozenset()
        self.message = message

    def __call__(self, form, field) -> None:
        if has_control_characters(field.data, self.allowed):
            raise ValidationError(self.message or _l("This field must not contain control characters."))


def has_control_characters(value, allowed: frozenset = frozenset()) -> bool:
    return isinstance(value, str) and any(
        unicodedata.category(c) == "Cc" and c not in allowed for c in value
    )


_TEXT = NoControlCharacters()


class CaptchaMixin:
    captcha = StringField(_l("Verification characters"), validators=[Length(max=10), _TEXT])


class RegisterForm(CaptchaMixin, FlaskForm):
    commitment = BooleanField(_l("I have read and accept the enterprise registration commitment letter"))
    contact_name = StringField(_l("Contact name"), validators=[Length(max=64), _TEXT])
    email = StringField(_l("Contact e-mail"), validators=[Length(max=254), _TEXT])
    password = PasswordField(_l("Password"), validators=[Length(max=64)])
    password_confirm = PasswordField(_l("Confirm password"), validators=[Length(max=64)])
    mobile = StringField(_l("Contact mobile (your temporary account)"), validators=[Length(max=20), _TEXT])
    sms_code = StringField(_l("SMS verification code"), validators=[Length(max=10), _TEXT])


class ChangePasswordForm(FlaskForm):
    old_password = PasswordField(_l("Current password"), validators=[Length(max=64)])
    new_password = PasswordField(_l("New password"), validators=[Length(max=64)])
    new_password_confirm = PasswordField(_l("Confirm new password"), validators=[Length(max=64)])


class RecoverEmailForm(CaptchaMixin, FlaskForm):
    channel = RadioField(
        _l("Send the link to"),
        choices=[("contact_email", _l("Contact e-mail")), ("legal_rep_email", _l("Legal representative's e-mail"))],
        default="contact_email",
    )
    credit_code = StringField(_l("Unified social credit code"), validators=[Length(max=18), _TEXT])
    legal_rep_name = StringField(_l("Legal representative"), validators=[Length(max=64), _TEXT])


class ResetPasswordForm(CaptchaMixin, FlaskForm):
    password = PasswordField(_l("New password"), validators=[Length(max=64)])
    password_confirm = PasswordField(_l("Confirm new password"), validators=[Length(max=64)])
    credit_code = StringField(_l("Unified social credit code"), validators=[Length(max=18), _TEXT])
    enterprise_name = StringField(_l("Enterprise name"), validators=[Length(max=128), _TEXT])


class RecoverMobileForm(FlaskForm):
    credit_code = StringField(_l("Unified social credit code"), validators=[Length(max=18), _TEXT])
    legal_rep_name = StringField(_l("Legal representative"), validators=[Length(max=64), _TEXT])
    mobile = StringField(_l("Legal representative's mobile"), validators=[Length(max=20), _TEXT])
    sms_code = StringField(_l("SMS verification code"), validators=[Length(max=10), _TEXT])
    password = PasswordField(_l("New password"), validators=[Length(max=64)])
    password_confirm = PasswordField(_l("Confirm new password"), validators=[Length(max=64)])


class ForgotEmailForm(CaptchaMixin, FlaskForm):
    credit_code = StringField(_l("Unified social credit code"), validators=[Length(max=18), _TEXT])
    enterprise_name = StringField(_l("Enterprise name"), validators=[Length(max=128), _TEXT])
    contact_name = StringField(_l("Contact name"), validators=[Length(max=64), _TEXT])
    contact_mobile = StringField(_l("Contact mobile"), validators=[Length(max=20), _TEXT])
    new_email = StringField(_l("New e-mail address"), validators=[Length(max=254), _TEXT])
    agency_id = SelectField(_l("Accepting agency"), choices=[], validate_choice=False)


class DecisionForm(FlaskForm):
    action = HiddenField()
    version = HiddenField()
    comment = StringField(_l("Opinion / reason"), validators=[Length(max=2000), NoControlCharacters(multiline=True)])


def apply_errors(form: FlaskForm, field_errors: dict[str, str]) -> list[str]:
    """Put service messages beside their fields; return those that match no field."""
    rest = []
    for name, message in field_errors.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors or []) + [message]
        else:
            rest.append(message)
    return rest
