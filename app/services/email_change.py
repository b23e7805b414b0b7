"""忘记邮箱: a request to replace the contact e-mail, decided by the chosen agency."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.extensions import db
from app.i18n import violation_message
from app.services import captcha
from app.services.errors import ServiceError
from app.storage import save_upload
from app.workflows import engine
from app.workflows.definitions import EMAIL_CHANGE
from models import Agency, EmailChangeRequest, Enterprise, ShenbaoUser
from rules.contact import validate_email, validate_mobile
from rules.credit_code import validate_credit_code

MAX_IMAGES = 5


@dataclass
class EmailChangeForm:
    credit_code: str
    enterprise_name: str
    contact_name: str
    contact_mobile: str
    new_email: str
    agency_id: str
    captcha_id: str | None
    captcha: str


def submit(form: EmailChangeForm, files: list) -> EmailChangeRequest:
    """:param files: (stream, filename) pairs of the stamped request, 1 to 5 images."""
    errors: dict[str, str] = {}
    code = (form.credit_code or "").strip()
    problem = validate_credit_code(code)
    if problem:
        errors["credit_code"] = violation_message(problem)
    for name in ("enterprise_name", "contact_name"):
        if not (getattr(form, name) or "").strip():
            errors[name] = _("This field is required.")
    for name, check in (("contact_mobile", validate_mobile), ("new_email", validate_email)):
        problem = check(getattr(form, name))
        if problem:
            errors[name] = violation_message(problem)
    agency = None
    try:
        agency = db.session.get(Agency, int(form.agency_id))
    except (TypeError, ValueError):
        pass
    if agency is None:
        errors["agency_id"] = _("Please choose the accepting agency.")
    files = [f for f in files if f[1]]
    if not files:
        errors["images"] = _("Please upload the stamped request (1 to 5 images).")
    elif len(files) > MAX_IMAGES:
        errors["images"] = _("At most %(n)d images.", n=MAX_IMAGES)
    if not captcha.verify(form.captcha_id, form.captcha):
        errors["captcha"] = _("The verification characters are wrong or expired.")
    if errors:
        raise ServiceError(_("Please correct the marked fields."), errors)
    enterprise = db.session.execute(select(Enterprise).where(Enterprise.credit_code == code)).scalar_one_or_none()
    request = EmailChangeRequest(
        credit_code=code,
        enterprise_name=form.enterprise_name.strip(),
        contact_name=form.contact_name.strip(),
        contact_mobile=form.contact_mobile.strip(),
        new_email=form.new_email.strip(),
        agency_id=agency.id,
        enterprise_id=enterprise.id if enterprise else None,
        status="submitted",
    )
    db.session.add(request)
    db.session.flush()
    try:
        for stream, filename in files:
            save_upload(stream, filename, "email_change_proof", enterprise_id=None,
                        record_type="email_change", record_id=request.id, uploaded_by_id=None)
    except ServiceError as exc:
        db.session.rollback()
        raise ServiceError(exc.message, {"images": exc.message})
    engine.record_event(EMAIL_CHANGE, request, "submit", None)
    db.session.commit()
    return request


def _contact_user(request: EmailChangeRequest) -> ShenbaoUser | None:
    enterprise = request.enterprise
    if enterprise is None or enterprise.name != request.enterprise_name:
        return None
    return db.session.execute(
        select(ShenbaoUser).where(
            ShenbaoUser.enterprise_id == enterprise.id, ShenbaoUser.mobile == request.contact_mobile
        )
    ).scalar_one_or_none()


def applicability_problem(request: EmailChangeRequest) -> str | None:
    """Guard of "approve": the request names an account, and the new address is free."""
    user = _contact_user(request)
    if user is None:
        return _("No account matches the credit code, enterprise name and contact mobile of this request.")
    taken = db.session.execute(
        select(ShenbaoUser.id).where(func.lower(ShenbaoUser.email) == request.new_email.lower(), ShenbaoUser.id != user.id)
    ).first()
    if taken:
        return _("The new e-mail address is already used by another account.")
    return None


def apply_new_email(step) -> dict:
    """Hook of "approve": the contact's account takes the new address."""
    user = _contact_user(step.record)
    old = user.email
    user.email = step.record.new_email
    return {"email": [old, step.record.new_email]}


def decide(actor, request_id: int, action: str, comment: str | None, expected_version: int | None) -> EmailChangeRequest:
    return engine.apply(EMAIL_CHANGE, EmailChangeRequest, request_id, action, actor,
                        comment=comment, expected_version=expected_version)
