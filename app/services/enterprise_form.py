"""The enterprise registration form as data: fields, how each is checked, how it maps to
columns. Saving keeps the raw draft; submitting requires ``validate(...)`` to be empty."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.i18n import violation_message
from models import EconomicType, ForeignCapitalSource, Region, TechField, Zone
from rules.contact import validate_email, validate_mobile
from rules.credit_code import validate_credit_code
from rules.id_number import validate_id_number
from app.timeutil import today_in_china
from rules.money import wan_amount_problem


@dataclass(frozen=True)
class Field:
    name: str
    label: Any
    kind: str  # text | mobile | email | credit_code | id_type | id_number | region | file | choice | yesno | date | ref
    section: str  # basic | details
    required: bool = True
    core: bool = False  # changes after approval go through review (企业核心信息变更)
    choices: tuple[tuple[str, Any], ...] = ()
    ref: str | None = None
    when: str | None = None  # only required when this yes/no field is "yes"
    max_length: int = 128


ID_TYPES = (("id_card", _l("Resident ID card")), ("passport", _l("Passport")))
TAX_MODES = (("audit", _l("Audit collection")), ("assessed", _l("Assessed collection")))
YES_NO = (("yes", _l("Yes")), ("no", _l("No")))
DOMESTIC_LISTING = (
    ("main", _l("Main board")),
    ("chinext", _l("ChiNext")),
    ("star", _l("STAR Market")),
    ("bse", _l("Beijing Stock Exchange")),
    ("neeq", _l("NEEQ (New Third Board)")),
)
OVERSEAS_LISTING = (
    ("hkex", _l("Hong Kong Main Board")),
    ("hkgem", _l("Hong Kong GEM")),
    ("nyse", _l("New York Stock Exchange")),
    ("nasdaq", _l("NASDAQ")),
    ("other", _l("Other")),
)
SHAREHOLDER_KINDS = (
    ("natural", _l("Natural person")),
    ("legal", _l("Enterprise legal person")),
    ("state", _l("State-owned")),
    ("foreign", _l("Foreign")),
    ("other", _l("Other")),
)

FIELDS: tuple[Field, ...] = (
    Field("credit_code", _l("Unified social credit code"), "credit_code", "basic", max_length=18),
    Field("name", _l("Enterprise name"), "text", "basic", core=True),
    Field("legal_rep_name", _l("Legal representative"), "text", "basic", core=True, max_length=64),
    Field("legal_rep_mobile", _l("Legal representative's mobile"), "mobile", "basic", core=True),
    Field("legal_rep_id_type", _l("ID type"), "id_type", "basic", core=True, choices=ID_TYPES),
    Field("legal_rep_id_number", _l("ID number"), "id_number", "basic", core=True, max_length=32),
    Field("province_code", _l("Province"), "region", "basic", core=True),
    Field("city_code", _l("City"), "region", "basic", core=True),
    Field("county_code", _l("County / district"), "region", "basic", core=True),
    Field("licence_attachment_id", _l("Business licence"), "file", "basic"),
    Field("legal_rep_email", _l("Legal representative's e-mail"), "email", "details", required=False, max_length=254),
    Field("registration_authority", _l("Registration authority"), "text", "details"),
    Field("tax_authority", _l("Income tax authority"), "text", "details"),
    Field("tax_collection_mode", _l("Income tax collection mode"), "choice", "details", choices=TAX_MODES),
    Field("economic_type_code", _l("Economic type"), "ref", "details", required=False, ref="economic_type"),
    Field("domestic_listed", _l("Listed in mainland China"), "yesno", "details", choices=YES_NO),
    Field("domestic_listing_type", _l("Domestic listing type"), "choice", "details", choices=DOMESTIC_LISTING, when="domestic_listed"),
    Field("domestic_listing_date", _l("Domestic listing date"), "date", "details", when="domestic_listed"),
    Field("overseas_listed", _l("Listed overseas"), "yesno", "details", choices=YES_NO),
    Field("overseas_listing_type", _l("Overseas listing type"), "choice", "details", choices=OVERSEAS_LISTING, when="overseas_listed"),
    Field("overseas_listing_date", _l("Overseas listing date"), "date", "details", when="overseas_listed"),
    Field("in_hightech_zone", _l("In a national high-tech zone"), "yesno", "details", choices=YES_NO),
    Field("hightech_zone_id", _l("National high-tech zone"), "ref", "details", ref="hightech", when="in_hightech_zone"),
    Field("in_econdev_zone", _l("In a national economic-development zone"), "yesno", "details", choices=YES_NO),
    Field("econdev_zone_id", _l("National economic-development zone"), "ref", "details", ref="econdev", when="in_econdev_zone"),
    Field("foreign_capital_source_code", _l("Foreign capital source"), "ref", "details", required=False, ref="foreign_capital"),
    Field("tech_field_code", _l("Technology field"), "ref", "details", ref="tech_field"),
    Field("venture_capital", _l("Venture capital introduced"), "yesno", "details", choices=YES_NO),
)
FIELD_BY_NAME = {f.name: f for f in FIELDS}
CORE_FIELDS = tuple(f.name for f in FIELDS if f.core)


def _s(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value))


def parse_date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(_s(value))
    except ValueError:
        return None


def parse_money(value: Any) -> Decimal | None:
    """万元 with at most 4 decimal places, non-negative; None when not a valid amount."""
    return Decimal(_s(value)) if wan_amount_problem(_s(value)) is None else None


def money_error(value: Any, *, signed: bool = False) -> str | None:
    """The message for an amount in 万元 that is not acceptable, naming the real reason (a
    negative amount was told "at most 4 decimals"); None when it is fine."""
    problem = wan_amount_problem(_s(value), signed=signed)
    if problem is None:
        return None
    if problem == "negative":
        return _("The amount must not be negative.")
    if problem == "too_large":
        return _("The amount is too large.")
    return _("Enter an amount in 10,000 yuan, at most 4 decimals.")


def _ref_ok(field: Field, value: str) -> bool:
    if field.ref == "economic_type":
        return db.session.get(EconomicType, value) is not None
    if field.ref == "foreign_capital":
        return db.session.get(ForeignCapitalSource, value) is not None
    if field.ref == "tech_field":
        return db.session.get(TechField, value) is not None
    if field.ref in ("hightech", "econdev"):
        try:
            zone = db.session.get(Zone, int(value))
        except ValueError:
            return False
        return zone is not None and zone.kind == field.ref
    return False


def _region_errors(draft: dict, errors: dict[str, str]) -> None:
    codes = [_s(draft.get(k)) for k in ("province_code", "city_code", "county_code")]
    names = ("province_code", "city_code", "county_code")
    if not all(codes):
        for name, code in zip(names, codes):
            if not code:
                errors[name] = _("Please choose the registration region down to the county.")
        return
    regions = [db.session.get(Region, c) for c in codes]
    province, city, county = regions
    if province is None or province.level != "province":
        errors["province_code"] = _("Unknown province.")
    elif city is None or city.parent_code != province.code:
        errors["city_code"] = _("The city is not in the chosen province.")
    elif county is None or county.parent_code != city.code:
        errors["county_code"] = _("The county is not in the chosen city.")


def validate(draft: dict, *, for_submit: bool, sections: tuple[str, ...] = ("basic", "details")) -> dict[str, str]:
    """Messages per field name. With ``for_submit`` False only present values are checked."""
    errors: dict[str, str] = {}
    for field in FIELDS:
        if field.section not in sections:
            continue
        value = _s(draft.get(field.name))
        needed = field.required and (field.when is None or _s(draft.get(field.when)) == "yes")
        if not value:
            if for_submit and needed and field.kind != "region":
                errors[field.name] = _("%(field)s is required.", field=field.label)
            continue
        if field.when and _s(draft.get(field.when)) != "yes":
            continue
        problem = None
        if field.kind == "credit_code":
            problem = validate_credit_code(value)
        elif field.kind == "mobile":
            problem = validate_mobile(value)
        elif field.kind == "email":
            problem = validate_email(value)
        elif field.kind == "id_number":
            problem = validate_id_number(_s(draft.get("legal_rep_id_type")) or "id_card", value)
        if problem:
            errors[field.name] = violation_message(problem)
        elif len(value) > field.max_length:
            errors[field.name] = _("At most %(n)d characters.", n=field.max_length)
        elif field.kind in ("choice", "yesno", "id_type") and value not in {c for c, _label in field.choices}:
            errors[field.name] = _("Please choose a value from the list.")
        elif field.kind == "date" and (parse_date(value) is None or parse_date(value) > today_in_china()):
            errors[field.name] = _("Please enter a valid date that is not in the future.")
        elif field.kind == "ref" and not _ref_ok(field, value):
            errors[field.name] = _("Please choose a value from the list.")
    if "basic" in sections and (for_submit or any(_s(draft.get(k)) for k in ("province_code", "city_code", "county_code"))):
        _region_errors(draft, errors)
    if "details" in sections:
        _table_errors(draft, errors, for_submit)
    return errors


def _table_errors(draft: dict, errors: dict[str, str], for_submit: bool) -> None:
    rows = draft.get("shareholders") or []
    total = Decimal(0)
    kinds = {c for c, _label in SHAREHOLDER_KINDS}
    for i, row in enumerate(rows):
        prefix = f"shareholders.{i}."
        if not _s(row.get("name")):
            errors[prefix + "name"] = _("Please enter the shareholder's name.")
        if _s(row.get("kind")) not in kinds:
            errors[prefix + "kind"] = _("Please choose a value from the list.")
        if money_error(row.get("amount")):
            errors[prefix + "amount"] = money_error(row.get("amount"))
        ratio = parse_money(row.get("ratio"))
        if ratio is None or ratio > 100:
            errors[prefix + "ratio"] = _("Enter a percentage between 0 and 100.")
        else:
            total += ratio
    if total > 100:
        errors["shareholders"] = _("The shareholders' ratios add up to %(total)s%%, more than 100%%.", total=total)
    elif for_submit and not rows:
        errors["shareholders"] = _("Please add at least one shareholder.")
    if _s(draft.get("venture_capital")) == "yes":
        investments = draft.get("venture_investments") or []
        for i, row in enumerate(investments):
            prefix = f"venture_investments.{i}."
            if not _s(row.get("investor")):
                errors[prefix + "investor"] = _("Please enter the investor.")
            if money_error(row.get("amount")):
                errors[prefix + "amount"] = money_error(row.get("amount"))
            date = parse_date(row.get("date"))
            if date is None or date > today_in_china():
                errors[prefix + "date"] = _("Please enter a valid date that is not in the future.")
        if for_submit and not investments:
            errors["venture_investments"] = _("Please add the venture capital investments.")


def column_values(draft: dict) -> dict[str, Any]:
    """Typed column values of a validated draft (for the Enterprise row)."""
    def yes(name: str) -> bool:
        return _s(draft.get(name)) == "yes"

    def opt(name: str) -> str | None:
        return _s(draft.get(name)) or None

    values: dict[str, Any] = {
        name: opt(name)
        for name in (
            "credit_code", "name", "legal_rep_name", "legal_rep_mobile", "legal_rep_id_type",
            "legal_rep_id_number", "province_code", "city_code", "county_code", "legal_rep_email",
            "registration_authority", "tax_authority", "tax_collection_mode", "economic_type_code",
            "foreign_capital_source_code", "tech_field_code",
        )
    }
    values["licence_attachment_id"] = int(draft["licence_attachment_id"]) if opt("licence_attachment_id") else None
    values["domestic_listed"] = yes("domestic_listed")
    values["domestic_listing_type"] = opt("domestic_listing_type") if yes("domestic_listed") else None
    values["domestic_listing_date"] = parse_date(draft.get("domestic_listing_date")) if yes("domestic_listed") else None
    values["overseas_listed"] = yes("overseas_listed")
    values["overseas_listing_type"] = opt("overseas_listing_type") if yes("overseas_listed") else None
    values["overseas_listing_date"] = parse_date(draft.get("overseas_listing_date")) if yes("overseas_listed") else None
    values["hightech_zone_id"] = int(draft["hightech_zone_id"]) if yes("in_hightech_zone") else None
    values["econdev_zone_id"] = int(draft["econdev_zone_id"]) if yes("in_econdev_zone") else None
    values["venture_capital"] = yes("venture_capital")
    return values


def choice_label(field_name: str, value: Any) -> str:
    field = FIELD_BY_NAME.get(field_name)
    for code, label in (field.choices if field else ()):
        if code == value:
            return str(label)
    return "" if value is None else str(value)


def zones(kind: str) -> list[Zone]:
    return list(db.session.execute(select(Zone).where(Zone.kind == kind).order_by(Zone.province_code, Zone.name)).scalars())
