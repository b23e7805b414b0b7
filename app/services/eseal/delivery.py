"""E-seal invoices and shipment (申请指南 三、3 关于发票): the CA operator records the invoice and
ships the USB-Key; an invoice that goes with the key (the default) must exist before the key
leaves, unless the operator decides to mail the invoice separately by registered mail."""
from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _

from app.extensions import db
from app.services.errors import ServiceError
from app.services.eseal.seal_application import INVOICE_MAILING, _operator_record
from app.services.unit_of_work import use_case
from app.workflows import engine
from app.workflows.definitions import SEAL_APPLICATION
from app.workflows.model import OPERATOR
from models import SealApplication
from models.base import utcnow

INVOICE_NUMBER = re.compile(r"[0-9A-Za-z-]{6,32}")
TRACKING_NUMBER = re.compile(r"[0-9A-Za-z]{6,32}")


def invoice_problem(application: SealApplication) -> str | None:
    """Guard of "ship" (with the tracking number): an invoice mailed with the key is recorded."""
    if application.invoice_mailing == "with_key" and not application.invoice_number:
        return _("The invoice goes with the USB-Key: record the invoice number first, or choose to mail the "
                 "invoice separately.")
    return None


def shipment_problem(application: SealApplication) -> str | None:
    if not application.ems_tracking:
        return _("Enter the EMS tracking number.")
    return invoice_problem(application)


def invoice_of(application: SealApplication) -> dict[str, Any]:
    """The invoice as the applicant reads it: title, number, amount, how it is mailed."""
    separate = application.invoice_mailing == "separate"
    return {"title": application.invoice_title or application.payer_name or "", "number": application.invoice_number,
            "amount": application.fee_amount, "issued_at": application.invoice_issued_at,
            "mailing": str(dict(INVOICE_MAILING).get(application.invoice_mailing, "")), "separate": separate,
            "tracking": application.invoice_tracking if separate else None}


def _invoice_errors(application: SealApplication, number: str, tracking: str | None) -> dict[str, str]:
    errors = {}
    if not INVOICE_NUMBER.fullmatch(number):
        errors["invoice_number"] = _("Enter the invoice number (6 to 32 letters or digits).")
    if application.payment_confirmed_at is None:
        raise ServiceError(_("An invoice is issued after the payment is confirmed."))
    if application.invoice_mailing == "separate" and not tracking:
        errors["invoice_tracking"] = _("The invoice is mailed separately: enter the registered-mail number.")
    if tracking and not TRACKING_NUMBER.fullmatch(tracking):
        errors["invoice_tracking"] = _("Enter the tracking number (6 to 32 letters or digits).")
    return errors


def _record_invoice(application: SealApplication, actor, number: str, tracking: str | None) -> None:
    application.invoice_number = number
    application.invoice_tracking = tracking
    application.invoice_issued_at = utcnow()
    engine.record_event(SEAL_APPLICATION, application, "issue_invoice", actor,
                        changes={"invoice_number": [None, number]})


@use_case
def issue_invoice(actor, application_id: int, number: str, tracking: str | None = None) -> SealApplication:
    application = _operator_record(actor, application_id)
    number = (number or "").strip()
    tracking = (tracking or "").strip() or None
    errors = _invoice_errors(application, number, tracking)
    if errors:
        raise ServiceError(_("Please correct the marked fields."), errors)
    _record_invoice(application, actor, number, tracking)
    db.session.commit()
    return application


@use_case
def ship(actor, application_id: int, tracking: str | None, expected_version: int | None = None, *,
         invoice_number: str | None = None, invoice_separately: bool = False) -> SealApplication:
    """Record the EMS number and ship. An invoice going with the key is recorded first: its
    number may be given here; or the operator decides to mail the invoice separately.

    :raises ServiceError: with the field it concerns (``ems_tracking``, ``invoice_number``).
    """
    application = _operator_record(actor, application_id, expected_version)
    tracking = (tracking or "").strip()
    number = (invoice_number or "").strip()
    errors = {}
    if not TRACKING_NUMBER.fullmatch(tracking):
        errors["ems_tracking"] = _("Enter the tracking number (6 to 32 letters or digits).")
    pending = application.invoice_mailing == "with_key" and not application.invoice_number
    if pending and number:
        errors.update(_invoice_errors(application, number, None))
    if errors:
        raise ServiceError(next(iter(errors.values())) if len(errors) == 1 else _("Please correct the marked fields."),
                           errors)
    if pending and number:
        _record_invoice(application, actor, number, None)
    elif pending and invoice_separately:
        application.invoice_mailing = "separate"
        engine.record_event(SEAL_APPLICATION, application, "invoice_separately", actor)
    problem = invoice_problem(application)
    if problem:
        raise ServiceError(problem, {"invoice_number": problem})
    application.ems_tracking = tracking  # read by the guard; a refusal rolls it all back
    return engine.apply(SEAL_APPLICATION, SealApplication, application.id, "ship", actor, channel=OPERATOR)
