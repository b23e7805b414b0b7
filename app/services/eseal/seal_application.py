"""E-seal service applications (企业电子签章服务申请指南 steps 2–4 and 三、汇款): the form,
papers received by post, the remittance and its confirmation.

Key production (provision, renew) lives in app.services.eseal.seal_keys; invoices and shipment
in app.services.eseal.delivery.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.services.unit_of_work import use_case
from app.services import enterprise as enterprise_svc
from app.services.errors import ServiceError
from app.services.lookup import owned_by
from app.workflows import engine
from app.workflows.definitions import SEAL_APPLICATION
from app.workflows.model import APPLICANT, OPERATOR
from models import FeeItem, SealApplication, SealKey
from models.base import utcnow
from rules import eseal as rules
from rules.contact import validate_email
from app.timeutil import beijing_date, today_in_china

KIND_LABELS = {
    "first": _l("Enterprise certificate + USB-Key + e-seal service, first application"),
    "renewal": _l("Annual fee renewal"),
    "replacement": _l("Replacement USB-Key (lost or broken)"),
}
# 业务所属部门: the program the key is mainly used for.
BUSINESS_DEPARTMENTS = (
    ("tech_sme", _l("Tech-based SME evaluation")),
    ("quality_benchmark", _l("National quality benchmark")),
    ("general", _l("General affairs")),
)
FORM_FIELDS = ("company_name", "department", "system_user_id", "ems_contact", "ems_company", "ems_department",
               "ems_address", "ems_postcode", "ems_phone", "ems_email", "business_department")
FIELD_LIMITS = {"company_name": 128, "department": 64, "system_user_id": 64, "ems_contact": 64,
                "ems_company": 128, "ems_department": 64, "ems_address": 200, "ems_phone": 32, "ems_email": 120}
# Papers the CA operator ticks on receipt. (code, label, required) — None: required only when
# the matching circumstance box is ticked.
PAPER_ITEMS = (
    ("stamped_form", _l("Application form with the company seal"), True),
    ("business_licence", _l("Copy of the business licence (duplicate), sealed"), True),
    ("org_code", _l("Copy of the organization code certificate, sealed (not needed with a unified social credit code)"), False),
    ("contact_id", _l("Copy of the contact's ID card, sealed"), True),
    ("foreign_qualification", _l("Qualification proof issued by the local government (foreign enterprise)"), None),
    ("authorization_letter", _l("Authorization letter (application by an agent)"), None),
)
CIRCUMSTANCES = (("is_foreign", "foreign_qualification", _l("The applicant is a foreign enterprise")),
                 ("via_agent", "authorization_letter", _l("The application is made by an agent")))
PAYABLE = ("submitted", "papers_returned", "papers_received")
INVOICE_MAILING = (("with_key", _l("With the USB-Key")), ("separate", _l("Separately by registered mail")))


def fee_schedule() -> dict[str, Decimal]:
    return {f.code: Decimal(f.amount) for f in db.session.execute(select(FeeItem)).scalars()}


def fee_for(kind: str, years: int) -> Decimal:
    try:
        return rules.application_fee(kind, years, fee_schedule())
    except KeyError:
        raise ServiceError(_("The fee schedule is incomplete. Please contact the CA operator."))


def bank_details(config) -> dict[str, str]:
    """Where fees are remitted: the e-seal service desk's account (Portal content, edited by the
    admin or the CA operators), else the ESEAL_BANK_* settings."""
    from app.services.portal import service_desk

    desk = service_desk("eseal")
    if desk is not None and desk.bank_account:
        return {"account_name": desk.bank_account_name or "", "bank": desk.bank_name or "",
                "account_number": desk.bank_account}
    return {"account_name": config["ESEAL_BANK_ACCOUNT_NAME"], "bank": config["ESEAL_BANK_NAME"],
            "account_number": config["ESEAL_BANK_ACCOUNT"]}


# Where the papers are posted when no service desk says otherwise (guide 001, 二、2).
DEFAULT_MAIL_ADDRESS = "北京中认环宇信息安全技术有限公司，北京南四环西路188号9区8号楼4层，邮编100070"


def mail_address() -> str:
    """The e-seal service desk's mailing address for papers (printed on the form: Chinese)."""
    from app.services.portal import service_desk

    desk = service_desk("eseal")
    return (desk.mail_address_zh if desk is not None and desk.mail_address_zh else DEFAULT_MAIL_ADDRESS)


def list_for(user) -> list[SealApplication]:
    if not user.enterprise_id:
        return []
    return list(db.session.execute(select(SealApplication).where(
        SealApplication.enterprise_id == user.enterprise_id).order_by(SealApplication.id.desc())).scalars())


def own(user, application_id: int) -> SealApplication:
    return owned_by(user, SealApplication, application_id)


def _registered_enterprise(user):
    enterprise = enterprise_svc.enterprise_of(user)
    if enterprise is None or enterprise.status != "approved" or not enterprise.name:
        raise ServiceError(_("Please complete the enterprise registration first: the e-seal is issued to the "
                             "registered enterprise."))
    return enterprise


# Taken over from the key's last application by its renewal or replacement.
CARRIED_OVER = tuple(name for name in FORM_FIELDS if name != "company_name")


def defaults(user, kind: str = "first", key: SealKey | None = None) -> dict[str, str]:
    """The form pre-filled from the registration and the user's account; for a renewal or a
    replacement, from the key's last application (department, CMS user id, EMS details)."""
    enterprise = _registered_enterprise(user)
    name = " ".join(p for p in (user.first_name, user.last_name) if p)
    values = {"company_name": enterprise.name, "ems_company": enterprise.name, "ems_contact": name,
              "ems_phone": getattr(user, "mobile", "") or "", "ems_email": user.email or "",
              "business_department": "tech_sme", "years": "1", "kind": kind}
    previous = last_application_of(key) if key is not None else None
    if previous is not None:
        values.update({name: getattr(previous, name) or "" for name in CARRIED_OVER})
    return values


def last_application_of(key: SealKey) -> SealApplication | None:
    """The latest application that produced or renewed this key."""
    return db.session.execute(select(SealApplication).where(
        SealApplication.key_id == key.id, SealApplication.enterprise_id == key.enterprise_id,
        SealApplication.status != "cancelled").order_by(SealApplication.id.desc())).scalars().first()


def _own_key(user, key_id: Any) -> SealKey:
    return owned_by(user, SealKey, key_id)


def validate(values: dict[str, Any], enterprise, kind: str) -> tuple[dict[str, Any], dict[str, str]]:
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name in FORM_FIELDS:
        value = re.sub(r"\s+", " ", str(values.get(name) or "")).strip()
        clean[name] = value
        if not value:
            errors[name] = _("This field is required.")
        elif name in FIELD_LIMITS and len(value) > FIELD_LIMITS[name]:
            errors[name] = _("At most %(n)d characters.", n=FIELD_LIMITS[name])
    if clean["company_name"] and clean["company_name"] != enterprise.name:
        errors["company_name"] = _("The company name must be exactly the registered enterprise name: %(name)s.",
                                   name=enterprise.name)
    if clean["ems_postcode"] and not rules.postcode_ok(clean["ems_postcode"]):
        errors["ems_postcode"] = _("A postcode has six digits.")
    if clean["ems_phone"] and not re.fullmatch(r"1\d{10}|0\d{2,3}-?\d{7,8}(-\d{1,6})?", clean["ems_phone"]):
        errors["ems_phone"] = _("Enter a mobile number or an area code and number, e.g. 010-12345678.")
    if clean["ems_email"] and "ems_email" not in errors and validate_email(clean["ems_email"]) is not None:
        errors["ems_email"] = _("Enter a valid e-mail address.")
    if clean["business_department"] and clean["business_department"] not in dict(BUSINESS_DEPARTMENTS):
        errors["business_department"] = _("Please choose a value from the list.")
    years = rules.parse_years(kind, values.get("years"))
    if years is None:
        errors["years"] = _("Choose 1 to %(n)d years.", n=rules.MAX_YEARS)
    clean["years"] = years or 1
    return clean, errors


@use_case
def apply(user, kind: str, values: dict[str, Any], key_id: Any = None) -> SealApplication:
    """Confirm the application (步骤 3 "确认"): validated, fee fixed from the schedule.

    :raises ServiceError: with field errors; nothing is stored then.
    """
    if kind not in rules.KINDS:
        raise ServiceError(_("Please choose a value from the list."))
    enterprise = _registered_enterprise(user)
    key = None
    if kind != "first":
        key = _own_key(user, key_id)
        if kind == "renewal" and key.status == "revoked":
            raise ServiceError(_("A revoked key cannot be renewed. Apply for a replacement key instead."))
        if _open_application_for(key) is not None:
            raise ServiceError(_("An application for this key is already in progress."))
    clean, errors = validate(values, enterprise, kind)
    if errors:
        raise ServiceError(_("Please correct the marked fields."), errors)
    years = clean.pop("years")
    application = SealApplication(
        enterprise_id=enterprise.id, applicant_id=user.id, kind=kind, key_id=key.id if key else None,
        status=SEAL_APPLICATION.initial, years=years, fee_amount=fee_for(kind, years), papers={}, **clean)
    db.session.add(application)
    db.session.flush()
    engine.log_transition(SEAL_APPLICATION, application, "apply", None, application.status, user, None, None)
    db.session.commit()
    return application


def _open_application_for(key: SealKey) -> SealApplication | None:
    return db.session.execute(select(SealApplication).where(
        SealApplication.key_id == key.id, SealApplication.kind != "first",
        SealApplication.status.notin_(tuple(SEAL_APPLICATION.final)))).scalars().first()


@use_case
def update(user, application_id: int, values: dict[str, Any]) -> SealApplication:
    """Correct a returned application before sending it again."""
    application = own(user, application_id)
    if application.status != "papers_returned":
        raise ServiceError(_("This application cannot be changed in its current status."))
    enterprise = _registered_enterprise(user)
    clean, errors = validate(values, enterprise, application.kind)
    if errors:
        raise ServiceError(_("Please correct the marked fields."), errors)
    years = clean.pop("years")
    changes = {}
    for name, value in {**clean, "years": years, "fee_amount": fee_for(application.kind, years)}.items():
        old = getattr(application, name)
        if str(old) != str(value):
            changes[name] = [old, value]
            setattr(application, name, value)
    if changes:  # the timeline shows what the applicant corrected
        engine.record_event(SEAL_APPLICATION, application, "edit", user, changes=changes)
    db.session.commit()
    return application


def resubmit(user, application_id: int) -> SealApplication:
    application = own(user, application_id)
    return engine.apply(SEAL_APPLICATION, SealApplication, application.id, "resubmit", user, channel=APPLICANT)


def cancel(user, application_id: int) -> SealApplication:
    application = own(user, application_id)
    return engine.apply(SEAL_APPLICATION, SealApplication, application.id, "cancel", user, channel=APPLICANT)


# --- remittance and invoice (applicant) -------------------------------------------------

def _parse_amount(raw: Any) -> Decimal | None:
    try:
        value = Decimal(str(raw).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        return None
    if value <= 0 or value.as_tuple().exponent < -2 or value >= Decimal("100000000"):
        return None
    return value


@use_case
def record_payment(user, application_id: int, values: dict[str, Any], statement=None) -> SealApplication:
    """The applicant records the remittance (payer, amount, date, reference) and the invoice title.

    :param statement: (stream, filename) of the signed statement needed when the invoice title
        is not the payer (发票抬头变更说明).
    """
    application = own(user, application_id)
    if application.status not in PAYABLE:
        raise ServiceError(_("The remittance can no longer be changed."))
    errors: dict[str, str] = {}
    payer = re.sub(r"\s+", " ", str(values.get("payer_name") or "")).strip()
    if not payer:
        errors["payer_name"] = _("This field is required.")
    elif len(payer) > 128:
        errors["payer_name"] = _("At most %(n)d characters.", n=128)
    amount = _parse_amount(values.get("paid_amount"))
    if amount is None:
        errors["paid_amount"] = _("Enter the amount in yuan, e.g. 1000 or 1000.00.")
    paid_on = _parse_date(values.get("paid_on"))
    if paid_on is None:
        errors["paid_on"] = _("Enter a date as YYYY-MM-DD.")
    elif paid_on > today_in_china() or paid_on < beijing_date(application.submitted_at) - dt.timedelta(days=60):
        errors["paid_on"] = _("The remittance date must lie between the application and today.")
    reference = str(values.get("payment_reference") or "").strip()
    if len(reference) > 64:
        errors["payment_reference"] = _("At most %(n)d characters.", n=64)
    title = re.sub(r"\s+", " ", str(values.get("invoice_title") or "")).strip() or payer
    if len(title) > 128:
        errors["invoice_title"] = _("At most %(n)d characters.", n=128)
    mailing = values.get("invoice_mailing") or "with_key"
    if mailing not in dict(INVOICE_MAILING):
        errors["invoice_mailing"] = _("Please choose a value from the list.")
    needs_statement = bool(payer) and title != payer
    if needs_statement and statement is None and application.invoice_statement_id is None:
        errors["invoice_statement"] = _("An invoice title other than the payer needs the signed statement of the "
                                        "change (发票抬头变更说明) with the payer's seal.")
    if errors:
        raise ServiceError(_("Please correct the marked fields."), errors)
    if needs_statement and statement is not None:
        from app.storage import save_upload

        attachment = save_upload(statement[0], statement[1], "invoice_statement", enterprise_id=application.enterprise_id,
                                 record_type="seal_application", record_id=application.id, uploaded_by_id=user.id)
        db.session.flush()
        application.invoice_statement_id = attachment.id
    elif not needs_statement:
        application.invoice_statement_id = None
    application.payer_name = payer
    application.paid_amount = amount
    application.paid_on = paid_on
    application.payment_reference = reference or None
    application.payer_differs = rules.payer_differs(payer, application.company_name)
    application.payment_recorded_at = utcnow()
    application.payment_note = None
    application.invoice_title = title
    application.invoice_mailing = mailing
    db.session.commit()
    return application


def _parse_date(raw: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(raw or "").strip())
    except ValueError:
        return None


# --- the CA operator --------------------------------------------------------------------

def required_papers(circumstances: dict[str, bool]) -> list[str]:
    conditional = {paper: circumstances.get(flag, False) for flag, paper, _label in CIRCUMSTANCES}
    return [code for code, _label, required in PAPER_ITEMS
            if required is True or (required is None and conditional.get(code))]


def papers_problem(application: SealApplication) -> str | None:
    """Guard of "receive_papers"."""
    papers = application.papers or {}
    missing = [str(label) for code, label, _r in PAPER_ITEMS if code in required_papers(papers) and not papers.get(code)]
    if missing:
        return _("Papers missing: %(items)s.", items="；".join(missing))
    if not papers.get("names_match"):
        return _("Confirm that the names on the papers and seals equal the applicant name, or return the "
                 "application with the reason.")
    return None


def receive_papers(actor, application_id: int, ticks: dict[str, Any], expected_version: int | None = None):
    """The operator ticks the papers received; all required ones and matching names move it on."""
    application = _operator_record(actor, application_id, expected_version)
    codes = [c for c, _l, _r in PAPER_ITEMS] + [flag for flag, _p, _l in CIRCUMSTANCES] + ["names_match"]
    # Set before the transition because its guard reads them (the version was checked above:
    # this change is flushed, and counted, before the engine looks); a refusal rolls it back.
    application.papers = {code: bool(ticks.get(code)) for code in codes}
    return engine.apply(SEAL_APPLICATION, SealApplication, application.id, "receive_papers", actor, channel=OPERATOR)


def return_papers(actor, application_id: int, reason: str | None, expected_version: int | None = None):
    return engine.apply(SEAL_APPLICATION, SealApplication, application_id, "return_papers", actor,
                        comment=reason, expected_version=expected_version)


def payment_problem(application: SealApplication) -> str | None:
    """Guard of "confirm_payment"."""
    if application.kind != "renewal" and application.status != "papers_received":
        return _("The papers have not been received yet.")
    if application.payment_recorded_at is None:
        return _("The applicant has not recorded the remittance yet.")
    if Decimal(application.paid_amount) < Decimal(application.fee_amount):
        return _("The remittance (%(paid)s yuan) is less than the fee (%(fee)s yuan).",
                 paid=application.paid_amount, fee=application.fee_amount)
    return None


def confirm_payment(actor, application_id: int, comment: str | None = None, expected_version: int | None = None):
    """Confirmed against the bank's receipt (汇款的确认以银行到帐的回单为准)."""
    return engine.apply(SEAL_APPLICATION, SealApplication, application_id, "confirm_payment", actor,
                        comment=comment, expected_version=expected_version)


@use_case
def reject_payment(actor, application_id: int, reason: str | None) -> SealApplication:
    """No such credit on the bank statement: the applicant must record the remittance again."""
    application = _operator_record(actor, application_id)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Please give a reason."), {"comment": _("Please give a reason.")})
    if application.status not in PAYABLE or application.payment_recorded_at is None:
        raise ServiceError(_("This action is not possible in the current status."))
    application.payment_recorded_at = None
    application.payment_note = reason
    engine.record_event(SEAL_APPLICATION, application, "reject_payment", actor, reason,
                        notify=("seal_payment_rejected",))
    db.session.commit()
    return application


def _operator_record(actor, application_id: int, expected_version: Any = None) -> SealApplication:
    from app.security.actors import require_operator
    from app.security.scope import in_scope
    from app.services.errors import Conflict, NotFound

    require_operator(actor)
    record = in_scope(db.session, SealApplication, application_id, actor)
    if record is None:
        raise NotFound(_("Record not found."))
    if expected_version not in (None, "") and int(expected_version) != record.version:
        raise Conflict(_("This record was changed by someone else meanwhile. Please reload and check it again."))
    return record


def decide(actor, application_id: int, action: str, comment: str | None = None,
           expected_version: int | None = None):
    """The review form's plain actions (the ones needing more input have their own routes)."""
    if action == "return_papers":
        return return_papers(actor, application_id, comment, expected_version)
    if action == "confirm_payment":
        return confirm_payment(actor, application_id, comment, expected_version)
    if action in ("provision", "renew"):
        from app.services.eseal import seal_keys

        return seal_keys.produce(actor, application_id, expected_version)[0]
    raise ServiceError(_("This action is not possible in the current status."))
