"""REST APIs of the e-seal service (企业电子签章): applications, USB-Keys, issued certificates.

The CA operator (and managers, admin) read every row; an applicant its own enterprise's
(app.security.scope, as the HTML lists). Read-only and JWT only (views/api.py: ReadOnlyApi).

A key's secrets never leave: the user PIN is handed out once at production and never stored;
the key pair stays on the token. Its public key, its CKA_ID (``key_ref``) and the certificates'
DER are not columns of any API here either (they identify the token's objects, nothing a reader
of a list needs); tests/web/test_eseal_api.py checks the responses and the OpenAPI schemas.
"""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.datamodel import PagedSQLAInterface
from app.security.scope import scoped_base_filters
from app.services.eseal import issued_documents, seal_keys
from app.services.eseal import seal_application as seal_svc
from app.workflows.definitions import SEAL_APPLICATION
from models import IssuedDocument, SealApplication, SealKey
from views.api import ReadOnlyApi
from views.review import status_formatter

# Columns no e-seal API may list or show (the key material and the token's object ids).
SECRET_COLUMNS = frozenset({"key_ref", "public_key", "der", "pin", "so_pin", "user_pin"})

_LABELS = {
    "id": "ID", "company_name": _l("Company name"), "enterprise.name": _l("Enterprise name"),
    "kind": _l("Product or service"), "years": _l("Years of annual fee"), "department": _l("Functional department"),
    "business_department": _l("Business department"), "fee_amount": _l("Fee (yuan)"),
    "paid_amount": _l("Amount (yuan)"), "status": _l("Status"), "submitted_at": _l("Submitted at"),
    "return_reason": _l("Return reason"), "ems_contact": _l("Contact"), "ems_company": _l("Contact's company"),
    "ems_address": _l("EMS address"), "ems_postcode": _l("Postcode"), "ems_phone": _l("Contact phone"),
    "ems_email": _l("E-mail"), "ems_tracking": _l("EMS tracking number"), "shipped_at": _l("Shipped at"),
    "payer_name": _l("Payer"), "paid_on": _l("Remittance date"), "payment_reference": _l("Bank reference"),
    "payer_differs": _l("Check"), "payment_confirmed_at": _l("Payment confirmed at"),
    "payment_note": _l("Payment note"), "invoice_title": _l("Invoice title"), "invoice_mailing": _l("Invoice mailing"),
    "invoice_number": _l("Invoice number"), "invoice_tracking": _l("Invoice tracking number"),
    "key.token_label": _l("Token label"), "token_label": _l("Token label"),
    "paid_until": _l("Annual fee paid until"), "revoked_at": _l("Revoked at"), "revocation_reason": _l("Reason"),
    "number": _l("Certificate number"), "version": _l("Version"), "title": _l("Certificate"),
    "holder_name": _l("Holder"), "issued_at": _l("Issued at"), "superseded_at": _l("Superseded at"),
    "revoke_reason": _l("Reason"), "sha256": _l("SHA-256 of the file"),
}


def _yuan(value) -> str:
    return "" if value is None else f"{value:,.2f}"


def _payer_differs(value) -> str:
    return _("Payer is not the company") if value else ""


class SealApplicationApi(ReadOnlyApi):
    """企业电子签名/签章服务申请: what the applicant filled in and where the operator has taken it."""

    resource_name = "seal_application"
    datamodel = PagedSQLAInterface(SealApplication)
    base_filters = scoped_base_filters()
    base_order = ("submitted_at", "desc")
    list_columns = ["id", "company_name", "kind", "fee_amount", "paid_amount", "payer_differs", "status",
                    "submitted_at"]
    show_columns = list_columns + [
        "enterprise.name", "department", "years", "business_department", "return_reason", "ems_contact",
        "ems_company", "ems_address", "ems_postcode", "ems_phone", "ems_email", "ems_tracking", "shipped_at",
        "payer_name", "paid_on", "payment_reference", "payment_confirmed_at", "payment_note", "invoice_title",
        "invoice_mailing", "invoice_number", "invoice_tracking", "key.token_label"]
    search_columns = ["company_name", "kind", "status", "submitted_at", "payer_differs"]
    order_columns = ["id", "company_name", "status", "submitted_at"]
    label_columns = _LABELS
    # 申请号 as the screens write it (ES000002), not a bare number read back as 2.0.
    export_kinds = {"id": "text"}
    formatters_columns = {"status": status_formatter(SEAL_APPLICATION),
                          "kind": lambda v: str(seal_svc.KIND_LABELS.get(v, v)),
                          "fee_amount": _yuan, "paid_amount": _yuan, "payer_differs": _payer_differs,
                          "id": lambda v: f"ES{v:06d}"}


class SealKeyApi(ReadOnlyApi):
    """USB-Keys: label, holder, status and the paid period; never the key material."""

    resource_name = "seal_key"
    datamodel = PagedSQLAInterface(SealKey)
    base_filters = scoped_base_filters()
    base_order = ("id", "desc")
    list_columns = ["id", "token_label", "enterprise.name", "status", "paid_until", "revoked_at"]
    show_columns = list_columns + ["revocation_reason"]
    search_columns = ["token_label", "status", "paid_until"]
    order_columns = ["id", "token_label", "status", "paid_until"]
    label_columns = _LABELS
    formatters_columns = {"status": seal_keys.key_status_label}


class IssuedDocumentApi(ReadOnlyApi):
    """电子版证书 Shenbao issued: the operator's all, the holder enterprise its own."""

    resource_name = "issued_document"
    datamodel = PagedSQLAInterface(IssuedDocument)
    base_filters = scoped_base_filters()
    base_order = ("issued_at", "desc")
    list_columns = ["id", "number", "version", "title", "kind", "holder_name", "status", "issued_at"]
    show_columns = list_columns + ["superseded_at", "revoked_at", "revoke_reason", "sha256"]
    search_columns = ["number", "title", "holder_name", "status", "issued_at"]
    order_columns = ["id", "number", "version", "status", "issued_at"]
    label_columns = _LABELS
    formatters_columns = {"status": lambda v: _(issued_documents.DOCUMENT_STATUS.get(v, v)),
                          "kind": lambda v: _(issued_documents.DOCUMENT_KINDS.get(v, v))}


APIS = (SealApplicationApi, SealKeyApi, IssuedDocumentApi)
