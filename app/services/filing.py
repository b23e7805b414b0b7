"""Quality benchmark organization filing (组织备案, manual §3): save what is typed, attach
the watermarked licence and yearly proofs, file with three years of data, association review."""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.services.unit_of_work import use_case
from app.services.lookup import owned_by
from app.services import enterprise as enterprise_svc
from app.services.enterprise_form import money_error, parse_money
from app.security.actors import SystemActor
from app.services.errors import ServiceError
from app.storage import save_upload
from app.workflows import engine
from app.workflows.definitions import BENCHMARK_ACTIVITY, ORGANIZATION_FILING
from app.workflows.model import APPLICANT, SCHEDULER
from models import EconomicType, FilingEconomicYear, Industry, OrganizationFiling

ORG_SIZES = (("micro", _l("Micro")), ("small", _l("Small")), ("medium", _l("Medium")), ("large", _l("Large")))
FIELDS = ("org_name", "economic_type_code", "province_code", "city_code", "address", "industry_code",
          "quality_head", "quality_head_phone", "org_size")
YEAR_FIELDS = ("total_assets", "operating_revenue", "other_revenue", "total_profit", "total_tax", "employees")
EDITABLE = ("draft", "returned", "updating")
WATERMARK = "仅用于备案审核"


def required_years(for_year: int) -> list[int]:
    """The three years before the activity year (2016–2018 for 2019)."""
    return [for_year - 3, for_year - 2, for_year - 1]


def list_for(user) -> list[OrganizationFiling]:
    if not user.enterprise_id:
        return []
    return list(db.session.execute(select(OrganizationFiling).where(
        OrganizationFiling.enterprise_id == user.enterprise_id).order_by(OrganizationFiling.id.desc())).scalars())


def approved_for(user) -> list[OrganizationFiling]:
    """Approved filings the applicant can declare with (picked from a list, not filed again),
    whatever activity year they were first filed for."""
    return [f for f in list_for(user) if f.status == "approved"]


def missing_for(filing: OrganizationFiling, activity_year: int) -> list[int]:
    """The years an activity of ``activity_year`` needs that the filed economic data lack."""
    held = {row.year for row in filing.economic_years}
    return [y for y in required_years(activity_year) if y not in held]


def years_to_update(filing: OrganizationFiling) -> list[int]:
    """Years of open activities, later than the filing's, whose three years it lacks."""
    return sorted({a.year for a in open_activities() if a.year > filing.for_year and missing_for(filing, a.year)})


def start_update(user, filing_id: int, year: Any) -> OrganizationFiling:
    """Add the economic data a later activity needs to an approved filing (reviewed again)."""
    filing = own(user, filing_id)
    try:
        year = int(year)
    except (TypeError, ValueError):
        year = 0
    if year not in years_to_update(filing):
        msg = _("Choose the year of an open activity for which the economic data are missing.")
        raise ServiceError(msg, {"year": msg})
    return engine.apply(ORGANIZATION_FILING, OrganizationFiling, filing.id, "update", user, channel=APPLICANT,
                        params={"year": year})


def open_update(step) -> dict:
    """Hook of "update": the filing now serves ``year``; the draft's years become the three
    before it, those already filed kept with their proofs."""
    record, year = step.record, step.params["year"]
    draft = dict(record.draft or {})
    rows = {str(r.get("year")): r for r in draft.get("economic_years") or []}
    draft["economic_years"] = [rows.get(str(y)) or {"year": str(y)} for y in required_years(year)]
    record.draft = draft
    old, record.for_year = record.for_year, year
    return {"for_year": [old, year]}


@use_case
def create(user, for_year: int) -> OrganizationFiling:
    enterprise = enterprise_svc.get_or_create(user)
    draft = {"org_name": enterprise.name or "", "economic_type_code": enterprise.economic_type_code or "",
             "province_code": enterprise.province_code or "", "city_code": enterprise.city_code or "",
             "economic_years": [{"year": str(y)} for y in required_years(for_year)]}
    filing = OrganizationFiling(enterprise_id=enterprise.id, for_year=for_year, status="draft", draft=draft)
    db.session.add(filing)
    db.session.commit()
    return filing


def own(user, filing_id: int) -> OrganizationFiling:
    return owned_by(user, OrganizationFiling, filing_id)


def _editable(filing: OrganizationFiling) -> None:
    if filing.status not in EDITABLE:
        raise ServiceError(_("This filing cannot be changed in its current status."))


@use_case
def save(user, filing_id: int, values: dict[str, Any], years: list[dict] | None) -> tuple[OrganizationFiling, dict[str, str]]:
    filing = own(user, filing_id)
    _editable(filing)
    draft = dict(filing.draft or {})
    draft.update({k: (values.get(k) or "").strip() for k in FIELDS if k in values})
    if years is not None:
        proofs = {str(y.get("year")): y.get("proof", "") for y in draft.get("economic_years") or []}
        draft["economic_years"] = [{**y, "proof": y.get("proof") or proofs.get(str(y.get("year")), "")} for y in years]
    filing.draft = draft
    db.session.commit()
    return filing, validate(filing, for_submit=False)


def _stamp(data: bytes, content_type: str) -> bytes:
    from app.documents.watermark import stamp_watermark

    return stamp_watermark(data, content_type, WATERMARK)


@use_case
def attach_licence(user, filing_id: int, stream, filename: str):
    """Store the business licence with the watermark "仅用于备案审核" already stamped on it."""
    filing = own(user, filing_id)
    _editable(filing)
    attachment = save_upload(stream, filename, "filing_licence", enterprise_id=filing.enterprise_id,
                             record_type="organization_filing", record_id=filing.id, uploaded_by_id=user.id,
                             transform=_stamp)
    db.session.flush()
    filing.draft = {**filing.draft, "licence_attachment_id": str(attachment.id)}
    db.session.commit()
    return attachment


@use_case
def attach_year_proof(user, filing_id: int, year: int, stream, filename: str):
    filing = own(user, filing_id)
    _editable(filing)
    if year not in required_years(filing.for_year):
        raise ServiceError(_("Proof can only be attached to the three required years."))
    attachment = save_upload(stream, filename, "filing_proof", enterprise_id=filing.enterprise_id,
                             record_type="organization_filing", record_id=filing.id, uploaded_by_id=user.id)
    db.session.flush()
    years = [dict(y) for y in filing.draft.get("economic_years") or []]
    for row in years:
        if str(row.get("year")) == str(year):
            row["proof"] = str(attachment.id)
    filing.draft = {**filing.draft, "economic_years": years}
    db.session.commit()
    return attachment


def validate(filing: OrganizationFiling, *, for_submit: bool) -> dict[str, str]:
    draft = filing.draft or {}
    errors: dict[str, str] = {}
    for name in FIELDS:
        value = (draft.get(name) or "").strip()
        if not value:
            if for_submit:
                errors[name] = _("This field is required.")
            continue
        if name == "economic_type_code" and db.session.get(EconomicType, value) is None:
            errors[name] = _("Please choose a value from the list.")
        elif name == "industry_code":
            industry = db.session.get(Industry, value)
            if industry is None or industry.level != "division":
                errors[name] = _("Please choose a value from the list.")
        elif name == "org_size" and value not in dict(ORG_SIZES):
            errors[name] = _("Please choose a value from the list.")
        elif name == "quality_head_phone" and not _phone_ok(value):
            errors[name] = _("Enter a mobile number or an area code and number, e.g. 010-12345678.")
    if for_submit and not draft.get("licence_attachment_id"):
        errors["licence"] = _("Please upload the business licence.")
    rows = {str(r.get("year")): r for r in draft.get("economic_years") or []}
    for year in required_years(filing.for_year):
        row = rows.get(str(year)) or {}
        for name in YEAR_FIELDS:
            value = str(row.get(name) or "").strip()
            key = f"economic_years.{year}.{name}"
            if not value:
                if for_submit:
                    errors[key] = _("Economic data for %(year)d is incomplete.", year=year)
                continue
            if name == "employees":
                if not value.isdigit():
                    errors[key] = _("Enter a whole number, 0 or more.")
            elif money_error(value, signed=name == "total_profit"):  # a loss is a negative profit
                errors[key] = money_error(value, signed=name == "total_profit")
    return errors


def _phone_ok(value: str) -> bool:
    import re

    return bool(re.fullmatch(r"1\d{10}|0\d{2,3}-\d{7,8}(-\d{1,6})?", value))


def missing_years(filing: OrganizationFiling) -> list[int]:
    rows = {str(r.get("year")): r for r in (filing.draft or {}).get("economic_years") or []}
    return [y for y in required_years(filing.for_year)
            if not all(str((rows.get(str(y)) or {}).get(n) or "").strip() for n in YEAR_FIELDS)]


def completeness_problem(filing: OrganizationFiling) -> str | None:
    """Guard of "file": three years of economic data and a valid form."""
    missing = missing_years(filing)
    if missing:
        return _("The economic data of %(years)s is missing: all three years before the activity year are required.",
                 years="、".join(str(y) for y in missing))
    if validate(filing, for_submit=True):
        return _("Please correct the marked fields.")
    return None


def file(user, filing_id: int, expected_version: int | None = None) -> OrganizationFiling:
    """备案: validate everything (three years included), copy into columns, send to the association."""
    filing = own(user, filing_id)
    missing = missing_years(filing)
    errors = validate(filing, for_submit=True)
    if missing:
        raise ServiceError(_("The economic data of %(years)s is missing: all three years before the activity year are required.",
                             years="、".join(str(y) for y in missing)), errors)
    if errors:
        raise ServiceError(_("Please correct the marked fields."), errors)
    return engine.apply(ORGANIZATION_FILING, OrganizationFiling, filing.id, "file", user, channel=APPLICANT,
                        expected_version=expected_version)


def apply_filed_draft(step) -> None:
    """Hook of "file": the draft becomes the columns and the three years under review."""
    record = step.record
    draft = record.draft
    for name in FIELDS:
        setattr(record, name, (draft.get(name) or "").strip() or None)
    record.licence_attachment_id = int(draft["licence_attachment_id"])
    rows = {str(r["year"]): r for r in draft["economic_years"]}
    # Refiling replaces the years: remove the old rows first (unique per filing and year).
    record.economic_years.clear()
    db.session.flush()
    record.economic_years = [
        FilingEconomicYear(year=y, employees=int(rows[str(y)]["employees"]),
                           proof_attachment_id=int(rows[str(y)]["proof"]) if rows[str(y)].get("proof") else None,
                           **{n: parse_money(str(rows[str(y)][n]).lstrip("-")) * (-1 if str(rows[str(y)][n]).startswith("-") else 1)
                              for n in YEAR_FIELDS if n != "employees"})
        for y in required_years(record.for_year)
    ]


def cancel(user, filing_id: int) -> OrganizationFiling:
    filing = own(user, filing_id)
    return engine.apply(ORGANIZATION_FILING, OrganizationFiling, filing.id, "cancel", user, channel=APPLICANT)


def review(actor, filing_id: int, action: str, comment: str | None = None,
           expected_version: int | None = None) -> OrganizationFiling:
    return engine.apply(ORGANIZATION_FILING, OrganizationFiling, filing_id, action, actor,
                        comment=comment, expected_version=expected_version)


def activity_tick(today: dt.date) -> dict[str, int]:
    """Open and close activity windows that are due (scheduled daily; idempotent). An activity
    whose whole window passed unseen is closed directly and counted as opened."""
    from models import Activity

    actor = SystemActor()
    moved = {"opened": 0, "closed": 0}
    due = db.session.execute(select(Activity.id, Activity.closes_on).where(
        Activity.status == "planned", Activity.opens_on <= today)).all()
    for activity_id, closes_on in due:
        engine.apply(BENCHMARK_ACTIVITY, Activity, activity_id, "open" if closes_on >= today else "close", actor,
                     channel=SCHEDULER)
        moved["opened"] += 1
    for activity_id in db.session.execute(select(Activity.id).where(
            Activity.status == "open", Activity.closes_on < today)).scalars().all():
        engine.apply(BENCHMARK_ACTIVITY, Activity, activity_id, "close", actor, channel=SCHEDULER)
        moved["closed"] += 1
    return moved


@use_case
def upload_activity_template(actor, activity, stream, filename: str):
    """The summary-material template (.docx or PDF) applicants of ``activity`` download."""
    attachment = save_upload(stream, filename, "declaration_summary", enterprise_id=None, record_type="activity",
                             record_id=activity.id, uploaded_by_id=actor.id)
    db.session.flush()
    activity.template_attachment_id = attachment.id
    db.session.commit()
    return attachment


def open_activities() -> list:
    from models import Activity

    return list(db.session.execute(select(Activity).where(Activity.status == "open").order_by(Activity.closes_on)).scalars())
