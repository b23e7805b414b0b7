"""Enterprise registration use cases: save, fetch registry data, submit, review, core changes."""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.services.unit_of_work import use_case
from app.services.lookup import owned_by
from app.services import enterprise_form as form
from app.services.errors import Conflict, NotFound, ServiceError
from app.services.registry import lookup_registry
from app.i18n import violation_message
from app.workflows import engine
from app.workflows.definitions import CORE_INFO_CHANGE, ENTERPRISE_REGISTRATION
from app.workflows.model import APPLICANT
from models import Agency, Attachment, CoreInfoChange, Enterprise, Shareholder, VentureInvestment
from rules.credit_code import validate_credit_code


def enterprise_of(user) -> Enterprise | None:
    return db.session.get(Enterprise, user.enterprise_id) if user.enterprise_id else None


def get_or_create(user) -> Enterprise:
    enterprise = enterprise_of(user)
    if enterprise is None:
        enterprise = Enterprise(status="draft", draft={})
        db.session.add(enterprise)
        db.session.flush()
        user.enterprise_id = enterprise.id
        db.session.commit()
    return enterprise


def editable_sections(enterprise: Enterprise) -> tuple[str, ...]:
    """Before approval everything is editable in the draft; afterwards only the details
    (core information goes through a change request)."""
    if enterprise.status in ("draft", "returned"):
        return ("basic", "details")
    if enterprise.status == "approved":
        return ("details",)
    return ()


@use_case
def save_draft(user, data: dict[str, Any], expected_version: int | None = None) -> tuple[Enterprise, dict[str, str]]:
    """Keep everything typed, valid or not; return the messages for what is not valid yet.

    After approval, saving the details applies them at once when they are all valid.
    """
    enterprise = get_or_create(user)
    sections = editable_sections(enterprise)
    if not sections:
        raise ServiceError(_("The registration is under review and cannot be changed now."))
    if expected_version is not None and int(expected_version) != enterprise.version:
        raise Conflict(_("This record was changed by someone else meanwhile. Please reload and check it again."))
    allowed = {f.name for f in form.FIELDS if f.section in sections}
    if "details" in sections:
        allowed |= {"shareholders", "venture_investments"}
    draft = dict(enterprise.draft or {})
    for key, value in data.items():
        if key in allowed:
            draft[key] = value
    if "credit_code" in draft and isinstance(draft["credit_code"], str):
        draft["credit_code"] = draft["credit_code"].strip()
    enterprise.draft = draft
    errors = form.validate(draft, for_submit=enterprise.status == "approved", sections=sections)
    if enterprise.status == "approved" and not errors:
        changes = _apply_details(enterprise, draft)
        if changes:  # edits of approved data are part of the record's history
            engine.record_event(ENTERPRISE_REGISTRATION, enterprise, "edit", user, changes=changes)
    db.session.commit()
    return enterprise, errors


@use_case
def attach_licence(user, stream, filename: str) -> Attachment:
    from app.storage import save_upload

    enterprise = get_or_create(user)
    if "basic" not in editable_sections(enterprise):
        raise ServiceError(_("The business licence can only be replaced through a core information change."))
    attachment = save_upload(
        stream, filename, "business_licence",
        enterprise_id=enterprise.id, record_type="enterprise", record_id=enterprise.id, uploaded_by_id=user.id,
    )
    db.session.flush()
    enterprise.draft = {**(enterprise.draft or {}), "licence_attachment_id": str(attachment.id)}
    db.session.commit()
    return attachment


def fetch_registry(credit_code: str) -> dict[str, str]:
    code = (credit_code or "").strip()
    problem = validate_credit_code(code)
    if problem is not None:  # a mistyped code is not "not found": say what is wrong with it
        message = violation_message(problem)
        raise ServiceError(message, {"credit_code": message})
    entry = lookup_registry(code)
    if entry is None:
        raise NotFound(_("No enterprise with this credit code was found in the business registry."))
    return entry


def route_agency(province_code: str, city_code: str, county_code: str) -> Agency | None:
    """The most local active agency for the region: county, else city, else province."""
    for code in (county_code, city_code, province_code):
        agency = db.session.execute(
            select(Agency).where(Agency.region_code == code, Agency.active.is_(True)).order_by(Agency.id).limit(1)
        ).scalar_one_or_none()
        if agency is not None:
            return agency
    return None


def submit(user, expected_version: int | None = None) -> Enterprise:
    enterprise = enterprise_of(user)
    if enterprise is None:
        raise NotFound(_("Record not found."))
    draft = enterprise.draft or {}
    errors = form.validate(draft, for_submit=True)
    if errors:
        raise ServiceError(_("Please correct the marked fields."), errors)
    taken = db.session.execute(
        select(Enterprise.id).where(Enterprise.credit_code == draft["credit_code"], Enterprise.id != enterprise.id)
    ).first()
    if taken:
        msg = _("This credit code is already registered by another account.")
        raise ServiceError(msg, {"credit_code": msg})
    licence = db.session.get(Attachment, int(draft["licence_attachment_id"]))
    if licence is None or licence.enterprise_id != enterprise.id:
        msg = _("Please upload the business licence.")
        raise ServiceError(msg, {"licence_attachment_id": msg})
    agency = route_agency(draft["province_code"], draft["city_code"], draft["county_code"])
    if agency is None:
        raise ServiceError(_("No evaluation agency serves this region yet. Please contact the platform operator."))

    try:
        return engine.apply(ENTERPRISE_REGISTRATION, Enterprise, enterprise.id, "submit", user, channel=APPLICANT,
                            expected_version=expected_version, params={"draft": draft, "agency_id": agency.id})
    except engine.IntegrityConflict:
        msg = _("This credit code is already registered by another account.")
        raise ServiceError(msg, {"credit_code": msg})


def apply_submitted_draft(step) -> dict:
    """Hook of "submit": the draft becomes the columns and tables under review."""
    record, draft = step.record, step.params["draft"]
    changes = _apply_columns(record, form.column_values(draft))
    _replace_tables(record, draft)
    record.agency_id = step.params["agency_id"]
    return changes


def review(actor, enterprise_id: int, action: str, comment: str | None, expected_version: int | None) -> Enterprise:
    """Agency decision on a submitted registration: approve, or return with a reason."""
    return engine.apply(ENTERPRISE_REGISTRATION, Enterprise, enterprise_id, action, actor,
                        comment=comment, expected_version=expected_version)


def _apply_columns(record: Any, values: dict[str, Any]) -> dict[str, list]:
    changes: dict[str, list] = {}
    for key, new in values.items():
        old = getattr(record, key)
        if old != new:
            changes[key] = [old, new]
            setattr(record, key, new)
    return changes


def _replace_tables(enterprise: Enterprise, draft: dict) -> None:
    enterprise.shareholders = [
        Shareholder(position=i, name=row["name"].strip(), kind=row["kind"],
                    amount=form.parse_money(row["amount"]), ratio=form.parse_money(row["ratio"]))
        for i, row in enumerate(draft.get("shareholders") or [])
    ]
    investments = draft.get("venture_investments") or [] if draft.get("venture_capital") == "yes" else []
    enterprise.venture_investments = [
        VentureInvestment(position=i, investor=row["investor"].strip(), amount=form.parse_money(row["amount"]),
                          invested_on=form.parse_date(row["date"]))
        for i, row in enumerate(investments)
    ]


def _apply_details(enterprise: Enterprise, draft: dict) -> dict[str, list]:
    values = form.column_values(draft)
    detail_names = {f.name for f in form.FIELDS if f.section == "details"}
    details = {k: v for k, v in values.items() if k in detail_names or k.startswith(("domestic_", "overseas_", "hightech_", "econdev_"))}
    changes = _apply_columns(enterprise, details)
    _replace_tables(enterprise, draft)
    return changes


# --- core information change (企业核心信息变更) ------------------------------------

CORE_COLUMNS = form.CORE_FIELDS


@use_case
def open_core_change(user) -> CoreInfoChange:
    enterprise = enterprise_of(user)
    if enterprise is None or enterprise.status != "approved":
        raise ServiceError(_("Core information can be changed once the registration is approved."))
    pending = db.session.execute(
        select(CoreInfoChange).where(
            CoreInfoChange.enterprise_id == enterprise.id,
            CoreInfoChange.status.in_(("draft", "submitted", "returned")),
        )
    ).scalar_one_or_none()
    if pending is not None:
        return pending
    change = CoreInfoChange(
        enterprise_id=enterprise.id,
        status="draft",
        data={k: getattr(enterprise, k) or "" for k in CORE_COLUMNS},
    )
    db.session.add(change)
    db.session.commit()
    return change


@use_case
def save_core_change(user, change_id: int, data: dict[str, Any]) -> tuple[CoreInfoChange, dict[str, str]]:
    change = _own_change(user, change_id)
    if change.status not in ("draft", "returned"):
        raise ServiceError(_("This change is under review and cannot be edited now."))
    change.data = {**change.data, **{k: v for k, v in data.items() if k in CORE_COLUMNS}}
    db.session.commit()
    return change, _core_errors(change.data, for_submit=False)


def _core_errors(data: dict, for_submit: bool) -> dict[str, str]:
    errors = form.validate(data, for_submit=for_submit, sections=("basic",))
    # The credit code and licence are not part of a core change.
    errors.pop("credit_code", None)
    errors.pop("licence_attachment_id", None)
    return errors


def core_change_problem(change: CoreInfoChange) -> str | None:
    if _core_errors(change.data, for_submit=True):
        return _("Please complete the change form first.")
    return None


def submit_core_change(user, change_id: int, expected_version: int | None = None) -> CoreInfoChange:
    change = _own_change(user, change_id)
    errors = _core_errors(change.data, for_submit=True)
    if errors:
        raise ServiceError(_("Please correct the marked fields."), errors)
    enterprise = change.enterprise
    if all((change.data.get(k) or "") == (getattr(enterprise, k) or "") for k in CORE_COLUMNS):
        raise ServiceError(_("Nothing was changed."))
    return engine.apply(CORE_INFO_CHANGE, CoreInfoChange, change.id, "submit", user, channel=APPLICANT,
                        expected_version=expected_version)


def holdings(enterprise: Enterprise) -> dict[str, Any]:
    """The shareholders and venture capital in force, as JSON (amounts as exact strings)."""
    return {
        "shareholders": [{"name": s.name, "kind": s.kind, "amount": str(s.amount), "ratio": str(s.ratio)}
                         for s in enterprise.shareholders],
        "venture_capital": bool(enterprise.venture_capital),
        "venture_investments": [{"investor": v.investor, "amount": str(v.amount),
                                 "date": v.invested_on.isoformat() if v.invested_on else ""}
                                for v in enterprise.venture_investments],
    }


def snapshot_core_change(step) -> dict:
    """Hook of the change's "submit": the data in force beside the data asked for; the
    shareholders and venture capital in force are kept too, for the reviewer to read (they are
    not part of the change)."""
    record = step.record
    enterprise = record.enterprise
    record.before = {**{k: getattr(enterprise, k) for k in CORE_COLUMNS}, **holdings(enterprise)}
    record.agency_id = enterprise.agency_id
    return {k: [record.before.get(k), record.data.get(k)] for k in CORE_COLUMNS
            if (record.before.get(k) or "") != (record.data.get(k) or "")}


def apply_core_change(step) -> dict:
    """Hook of the change's "approve": the enterprise takes the new core data (and its agency)."""
    change = step.record
    enterprise = change.enterprise
    changes = _apply_columns(enterprise, {k: (change.data.get(k) or None) for k in CORE_COLUMNS})
    # Keep the draft in step so the enterprise form shows the data in force.
    enterprise.draft = {**(enterprise.draft or {}), **{k: change.data.get(k) for k in CORE_COLUMNS}}
    if {"province_code", "city_code", "county_code"} & set(changes):
        agency = route_agency(enterprise.province_code, enterprise.city_code, enterprise.county_code)
        if agency is not None:
            enterprise.agency_id = agency.id
    return changes


def review_core_change(actor, change_id: int, action: str, comment: str | None, expected_version: int | None) -> CoreInfoChange:
    return engine.apply(CORE_INFO_CHANGE, CoreInfoChange, change_id, action, actor,
                        comment=comment, expected_version=expected_version)


def cancel_core_change(user, change_id: int) -> CoreInfoChange:
    change = _own_change(user, change_id)
    return engine.apply(CORE_INFO_CHANGE, CoreInfoChange, change.id, "cancel", user, channel=APPLICANT)


def _own_change(user, change_id: int) -> CoreInfoChange:
    return owned_by(user, CoreInfoChange, change_id)


def timeline_date(value: dt.datetime | None) -> str:
    from app.timeutil import beijing

    return beijing(value)
