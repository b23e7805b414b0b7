"""The program registry: every kind of record an applicant submits, in one table.

Each entry names the record's model, its workflow, how it is titled, which program it belongs
to, and whom its results reach (the record's own contact, not the account). The progress page
and the notifications loop over it; adding a record type is one entry here (docs/programs.md).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from flask_babel import lazy_gettext as _l

from app.workflows import definitions as wf
from app.workflows.model import Workflow


@dataclass(frozen=True)
class Contact:
    """Where a record's results go. In-app messages go to the enterprise's accounts besides."""

    enterprise_id: int | None
    mobile: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class RecordType:
    """:param submitted_at: the attribute shown as "submitted at" on the progress page.
    :param order_by: the attribute the enterprise's records are listed by (newest first).
    """

    record_type: str
    model_name: str
    workflow: Workflow
    label: Any
    program: str
    title: Callable[[Any], str]
    contact: Callable[[Any], Contact]
    submitted_at: str = "submitted_at"
    order_by: str = "id"
    on_progress_page: bool = True

    @property
    def model(self) -> type:
        import models

        return getattr(models, self.model_name)


def _mobile(value: str | None) -> str | None:
    value = (value or "").strip()
    return value if len(value) == 11 and value.startswith("1") and value.isdigit() else None


def _nobody(record) -> Contact:
    """Records of the programme itself (a publicity batch, an activity): their records' own
    transitions tell the enterprises."""
    return Contact(None)


def _legal_rep(enterprise) -> Contact:
    if enterprise is None:
        return Contact(None)
    return Contact(enterprise.id, _mobile(enterprise.legal_rep_mobile), enterprise.legal_rep_email or None)


def _enterprise_contact(record) -> Contact:
    from app.extensions import db
    from models import Enterprise

    return _legal_rep(db.session.get(Enterprise, record.enterprise_id) if record.enterprise_id else None)


def _seal_application_contact(application) -> Contact:
    return Contact(application.enterprise_id, _mobile(application.ems_phone), application.ems_email or None)


def _seal_key_contact(key) -> Contact:
    """The latest application's EMS contact (who receives the key), else the legal representative."""
    from sqlalchemy import select

    from app.extensions import db
    from models import SealApplication

    application = db.session.execute(select(SealApplication).where(
        SealApplication.enterprise_id == key.enterprise_id).order_by(SealApplication.id.desc())).scalars().first()
    return _seal_application_contact(application) if application is not None else _legal_rep(key.enterprise)


def _declaration_contact(declaration) -> Contact:
    contact = declaration.contact or {}
    fallback = _legal_rep(declaration.enterprise)
    return Contact(declaration.enterprise_id, _mobile(contact.get("mobile")) or fallback.mobile,
                   contact.get("email") or fallback.email)


def _filing_contact(filing) -> Contact:
    fallback = _legal_rep(filing.enterprise)
    return Contact(filing.enterprise_id, _mobile(filing.quality_head_phone) or fallback.mobile, fallback.email)


def _email_change_contact(request) -> Contact:
    # The request's contact, by SMS only: the new address is not confirmed until approved.
    return Contact(request.enterprise_id, _mobile(request.contact_mobile), None)


RECORD_TYPES: tuple[RecordType, ...] = (
    RecordType("enterprise", "Enterprise", wf.ENTERPRISE_REGISTRATION, _l("Enterprise registration"), "platform",
               title=lambda e: e.name or "", contact=_legal_rep),
    RecordType("core_info_change", "CoreInfoChange", wf.CORE_INFO_CHANGE, _l("Core information change"), "platform",
               title=lambda c: (c.data or {}).get("name") or "", contact=lambda c: _legal_rep(c.enterprise)),
    RecordType("email_change", "EmailChangeRequest", wf.EMAIL_CHANGE, _l("E-mail change"), "platform",
               title=lambda r: r.new_email, contact=_email_change_contact, submitted_at="created_at"),
    RecordType("sme_evaluation", "SmeEvaluation", wf.SME_EVALUATION, _l("Tech-based SME evaluation"), "sme",
               title=lambda ev: f"{ev.year} {ev.system_number or ''}".strip(),
               contact=lambda ev: _legal_rep(ev.enterprise), order_by="year"),
    RecordType("publicity_batch", "PublicityBatch", wf.PUBLICITY_BATCH, _l("Publicity batch"), "sme",
               title=lambda b: b.name, contact=_nobody, submitted_at="created_at", on_progress_page=False),
    RecordType("organization_filing", "OrganizationFiling", wf.ORGANIZATION_FILING, _l("Organization filing"),
               "benchmark", title=lambda f: f"{f.for_year} {f.org_name or ''}".strip(), contact=_filing_contact,
               submitted_at="filed_at"),
    RecordType("activity", "Activity", wf.BENCHMARK_ACTIVITY, _l("Declaration activity"), "benchmark",
               title=lambda a: a.name, contact=_nobody, submitted_at="created_at", on_progress_page=False),
    RecordType("declaration", "Declaration", wf.DECLARATION, _l("Quality benchmark declaration"), "benchmark",
               title=str, contact=_declaration_contact),
    RecordType("seal_application", "SealApplication", wf.SEAL_APPLICATION, _l("E-seal service application"), "eseal",
               title=lambda a: f"ES{a.id:06d}", contact=_seal_application_contact),
    RecordType("seal_key", "SealKey", wf.SEAL_KEY, _l("USB-Key"), "eseal", title=lambda k: k.token_label,
               contact=_seal_key_contact, submitted_at="created_at"),
    RecordType("issued_document", "IssuedDocument", wf.ISSUED_DOCUMENT, _l("Electronic certificate"), "eseal",
               title=lambda d: f"{d.number} v{d.version}", contact=_enterprise_contact,
               submitted_at="issued_at", on_progress_page=False),
    # The objector is not a user: the reply is looked up by reference number (public page).
    RecordType("publicity_objection", "PublicityObjection", wf.PUBLICITY_OBJECTION, _l("Publicity objection"), "sme",
               title=lambda o: o.reference, contact=_nobody, submitted_at="created_at", on_progress_page=False),
    # Administered data, not an application: its timeline is on the rule set's own page.
    RecordType("sme_ruleset", "SmeRuleset", wf.SME_RULESET, _l("Tech-SME rule set"), "sme",
               title=lambda r: r.label, contact=_nobody, submitted_at="created_at", on_progress_page=False),
)
BY_RECORD_TYPE: dict[str, RecordType] = {r.record_type: r for r in RECORD_TYPES}


def record_type_of(name: str) -> RecordType:
    return BY_RECORD_TYPE[name]
