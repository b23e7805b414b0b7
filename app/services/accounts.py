"""Account use cases: registration, password change and the three recovery paths."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from app import notify
from app.extensions import db
from app.i18n import violation_message
from app.security.roles import APPLICANT
from app.services import captcha, sms_codes
from app.services.errors import ServiceError
from models import Enterprise, PasswordResetToken, ShenbaoUser
from models.base import utcnow
from rules.contact import validate_email, validate_mobile, validate_sms_code
from rules.credit_code import validate_credit_code
from rules.password import validate_password


@dataclass
class Registration:
    commitment_accepted: bool
    contact_name: str
    email: str
    password: str
    password_confirm: str
    mobile: str
    sms_code: str
    captcha_id: str | None
    captcha: str


def _password_errors(password: str, confirm: str, errors: dict[str, str], field: str = "password") -> None:
    problem = validate_password(password)
    if problem:
        errors[field] = violation_message(problem)
    elif password != confirm:
        errors[f"{field}_confirm"] = _("The two passwords differ.")


def _require_captcha(captcha_id, answer, errors: dict[str, str]) -> None:
    if not captcha.verify(captcha_id, answer):
        errors["captcha"] = _("The verification characters are wrong or expired.")


def _fail(errors: dict[str, str]) -> None:
    if errors:
        raise ServiceError(_("Please correct the marked fields."), errors)


def request_registration_code(mobile: str) -> None:
    problem = validate_mobile(mobile)
    if problem:
        raise ServiceError(violation_message(problem), {"mobile": violation_message(problem)})
    if _user_by_mobile(mobile) is not None:
        msg = _("This mobile number is already registered; please sign in or recover the password.")
        raise ServiceError(msg, {"mobile": msg})
    sms_codes.issue("register", mobile)


def register(form: Registration) -> ShenbaoUser:
    """Create an applicant account whose user name is the contact mobile (临时账号)."""
    errors: dict[str, str] = {}
    if not form.commitment_accepted:
        errors["commitment"] = _("Please read and accept the registration commitment letter.")
    name = (form.contact_name or "").strip()
    if not name or len(name) > 32:
        errors["contact_name"] = _("Please enter the contact's name (at most 32 characters).")
    for field, problem in (("email", validate_email(form.email)), ("mobile", validate_mobile(form.mobile))):
        if problem:
            errors[field] = violation_message(problem)
    _password_errors(form.password, form.password_confirm, errors)
    if validate_sms_code(form.sms_code):
        errors["sms_code"] = violation_message(validate_sms_code(form.sms_code))
    email = (form.email or "").strip()
    if "email" not in errors and _user_by_email(email) is not None:
        errors["email"] = _("This e-mail address is already used by another account.")
    if "mobile" not in errors and _user_by_mobile(form.mobile) is not None:
        errors["mobile"] = _("This mobile number is already registered; please sign in or recover the password.")
    _require_captcha(form.captcha_id, form.captcha, errors)
    _fail(errors)
    sms_codes.consume("register", form.mobile, form.sms_code)
    sm = current_app.appbuilder.sm
    role = sm.find_role(APPLICANT)
    user = sm.add_user(
        username=form.mobile, first_name=name, last_name="", email=email, role=role, password=form.password
    )
    if not user:
        db.session.rollback()
        raise ServiceError(_("The account could not be created. Please try again."))
    user.mobile = form.mobile
    user.commitment_accepted_at = utcnow()
    db.session.commit()
    return user


def change_password(user: ShenbaoUser, old: str, new: str, confirm: str) -> None:
    from app.security import passwords

    errors: dict[str, str] = {}
    if not passwords.verify(user.password, old):
        errors["old_password"] = _("The current password is wrong.")
    _password_errors(new, confirm, errors, field="new_password")
    _fail(errors)
    _set_password(user, new)


def _set_password(user: ShenbaoUser, password: str) -> None:
    current_app.appbuilder.sm.reset_password(user.id, password)
    db.session.commit()


# --- recovery -------------------------------------------------------------------

RECOVERY_CHANNELS = ("contact_email", "legal_rep_email")


def _enterprise_for(credit_code: str, legal_rep_name: str) -> Enterprise | None:
    return db.session.execute(
        select(Enterprise).where(
            Enterprise.credit_code == (credit_code or "").strip(),
            Enterprise.legal_rep_name == (legal_rep_name or "").strip(),
        )
    ).scalar_one_or_none()


def _contact_user(enterprise: Enterprise) -> ShenbaoUser | None:
    return db.session.execute(
        select(ShenbaoUser).where(ShenbaoUser.enterprise_id == enterprise.id).order_by(ShenbaoUser.id).limit(1)
    ).scalar_one_or_none()


def _identity_errors(credit_code: str, legal_rep_name: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    problem = validate_credit_code((credit_code or "").strip())
    if problem:
        errors["credit_code"] = violation_message(problem)
    if not (legal_rep_name or "").strip():
        errors["legal_rep_name"] = _("Please enter the legal representative's name.")
    return errors


def start_email_recovery(channel: str, credit_code: str, legal_rep_name: str, captcha_id, captcha_answer) -> None:
    """Send a one-time reset link (30 min) to the chosen e-mail if the details match.

    The answer is the same whether or not they match, so the form reveals nothing.
    """
    errors = _identity_errors(credit_code, legal_rep_name)
    if channel not in RECOVERY_CHANNELS:
        errors["channel"] = _("Please choose where to send the link.")
    _require_captcha(captcha_id, captcha_answer, errors)
    _fail(errors)
    enterprise = _enterprise_for(credit_code, legal_rep_name)
    user = _contact_user(enterprise) if enterprise else None
    if user is None:
        return
    address = user.email if channel == "contact_email" else enterprise.legal_rep_email
    if not address:
        return
    token = secrets.token_urlsafe(32)
    ttl = current_app.config["RESET_LINK_TTL_SECONDS"]
    db.session.add(
        PasswordResetToken(
            token_hash=hashlib.sha256(token.encode()).hexdigest(),
            user_id=user.id,
            enterprise_id=enterprise.id,
            channel=channel,
            expires_at=utcnow() + dt.timedelta(seconds=ttl),
        )
    )
    # Built from PUBLIC_BASE_URL, not the request: the link must point at the public site.
    link = f'{current_app.config["PUBLIC_BASE_URL"].rstrip("/")}/account/reset/{token}'
    notify.send_email(
        address,
        _("Shenbao password recovery"),
        _("Open this link within %(minutes)d minutes to set a new password: %(link)s", minutes=ttl // 60, link=link),
    )
    db.session.commit()


def reset_token_valid(token: str) -> PasswordResetToken | None:
    record = db.session.get(PasswordResetToken, hashlib.sha256((token or "").encode()).hexdigest())
    if record is None or record.used_at is not None or record.expires_at < utcnow():
        return None
    return record


def complete_email_recovery(token: str, password: str, confirm: str, credit_code: str, enterprise_name: str, captcha_id, captcha_answer) -> None:
    record = reset_token_valid(token)
    if record is None:
        raise ServiceError(_("This link is invalid or has expired. Please request a new one."))
    errors: dict[str, str] = {}
    _password_errors(password, confirm, errors)
    _require_captcha(captcha_id, captcha_answer, errors)
    enterprise = db.session.get(Enterprise, record.enterprise_id)
    if (credit_code or "").strip() != enterprise.credit_code:
        errors["credit_code"] = _("The credit code does not match.")
    if (enterprise_name or "").strip() != enterprise.name:
        errors["enterprise_name"] = _("The enterprise name does not match.")
    _fail(errors)
    record.used_at = utcnow()
    _set_password(db.session.get(ShenbaoUser, record.user_id), password)


def request_mobile_recovery_code(credit_code: str, legal_rep_name: str, mobile: str) -> None:
    errors = _identity_errors(credit_code, legal_rep_name)
    problem = validate_mobile(mobile)
    if problem:
        errors["mobile"] = violation_message(problem)
    _fail(errors)
    enterprise = _enterprise_for(credit_code, legal_rep_name)
    if enterprise is not None and enterprise.legal_rep_mobile == mobile.strip():
        sms_codes.issue("recover_mobile", mobile.strip())


def complete_mobile_recovery(credit_code: str, legal_rep_name: str, mobile: str, sms_code: str, password: str, confirm: str) -> None:
    errors = _identity_errors(credit_code, legal_rep_name)
    _password_errors(password, confirm, errors)
    _fail(errors)
    enterprise = _enterprise_for(credit_code, legal_rep_name)
    if enterprise is None or enterprise.legal_rep_mobile != (mobile or "").strip():
        msg = _("The details do not match a registered enterprise.")
        raise ServiceError(msg)
    sms_codes.consume("recover_mobile", mobile.strip(), sms_code)
    user = _contact_user(enterprise)
    if user is None:
        raise ServiceError(_("The details do not match a registered enterprise."))
    _set_password(user, password)


def _user_by_mobile(mobile: str) -> ShenbaoUser | None:
    return db.session.execute(select(ShenbaoUser).where(ShenbaoUser.mobile == (mobile or "").strip())).scalar_one_or_none()


def _user_by_email(email: str) -> ShenbaoUser | None:
    return db.session.execute(
        select(ShenbaoUser).where(func.lower(ShenbaoUser.email) == email.lower())
    ).scalar_one_or_none()
