"""The nine tables of the Tech-SME evaluation (manual 4.4.1) as data: fields, row tables,
checks, and the conversion to the rules' interchange format (rules.sme)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.services.enterprise_form import money_error, parse_date, parse_money
from rules.sme.interchange import MAX_COUNT


@dataclass(frozen=True)
class Col:
    name: str
    label: Any
    kind: str  # text | money | signed_money | int | date | choice | conform | yesno | section | division | textarea | file
    required: bool = True
    choices: tuple[tuple[str, Any], ...] = ()
    when: str | None = None


@dataclass(frozen=True)
class Table:
    key: str
    label: Any
    fields: tuple[Col, ...] = ()
    rows: str | None = None  # name of the row list in the data
    columns: tuple[Col, ...] = ()
    note: Any = None
    tab: Any = None  # the short name on the table's tab (the manual's table name)


CONFORM = (("yes", _l("Conforms")), ("no", _l("Does not conform")))
YES_NO = (("yes", _l("Yes")), ("no", _l("No")))
RD_FORMS = (
    ("independent", _l("Independent R&D")),
    ("cooperative", _l("Cooperative R&D")),
    ("centralized", _l("Centralized R&D")),
    ("commissioned_domestic", _l("Commissioned (domestic)")),
    ("commissioned_foreign", _l("Commissioned (abroad)")),
)
RD_STATUS = (("completed", _l("Completed")), ("ongoing", _l("Not completed")))
IP_KINDS = (
    ("invention_patent", _l("Invention patent")),
    ("new_drug", _l("National new drug")),
    ("plant_variety", _l("New plant variety")),
    ("tcm_protected_variety", _l("National first-grade protected TCM variety")),
    ("crop_variety", _l("National crop variety")),
    ("ic_layout", _l("IC layout design")),
    ("utility_model", _l("Utility model")),
    ("design_patent", _l("Design patent")),
    ("software_copyright", _l("Software copyright")),
)
IP_ACQUISITION = (
    ("original", _l("Own R&D")),
    ("transfer", _l("Transfer")),
    ("gift", _l("Gift")),
    ("merger", _l("Merger")),
)
INSTITUTION_LEVELS = (("provincial", _l("Provincial / ministerial")), ("national", _l("National")))
STANDARD_LEVELS = (("international", _l("International standard")), ("national", _l("National standard")),
                   ("industry", _l("Industry standard")))
AWARD_LEVELS = (("special", _l("Special prize")), ("first", _l("First prize")), ("second", _l("Second prize")))

RD_RULE_TEXT = _l(
    "1. R&D forms: independent, cooperative, centralized, commissioned domestic and commissioned abroad. "
    "2. Projects commissioned to domestic institutions or individuals count at 80 percent of the actual expense. "
    "3. R&D commissioned to institutions or individuals abroad does not count. "
    "4. Project status: completed or not completed. "
    "5. Fill in according to Cai Shui [2015] No. 119 on the pre-tax super deduction of R&D expenses."
)

# Field definitions in the manuals' own words (docs/manual: sme-table-hr, sme-table-ip).
HR_NOTE = _l(
    "Tech staff are the people directly engaged in R&D and related technical innovation, and those who "
    "manage these activities or provide direct services to them. Employees and tech staff each add up "
    "full-time, part-time and temporary staff; tech staff cannot exceed the employees."
)
IP_NOTE = _l(
    "Class I: invention patent, national new drug, new plant variety, national first-grade protected TCM "
    "variety, national crop variety, IC layout design. Class II: utility model, design patent, software copyright."
)

TABLES: tuple[Table, ...] = (
    Table("main", _l("1. Enterprise main data"), tab=_l("Enterprise main data"), fields=(
        Col("industry_section", _l("Industry category"), "section"),
        Col("industry_code", _l("Industry (second level)"), "division"),
    )),
    Table("entry", _l("2. Basic entry conditions"), tab=_l("Basic entry conditions"), fields=(
        Col("products_ok", _l("The products and services are not in the categories the state prohibits, restricts or eliminates"), "conform"),
        Col("credit_ok", _l("In the last year and this year no major safety or quality accident, serious environmental violation or serious research misconduct, and not on the abnormal-operation or serious-dishonesty lists"), "conform"),
    )),
    Table("finance", _l("3. Last year's enterprise data"), tab=_l("Last year's enterprise data"), fields=(
        Col("sales_revenue", _l("Sales revenue (10,000 yuan)"), "money"),
        Col("main_business_revenue", _l("Main business revenue (10,000 yuan)"), "money", required=False),
        Col("total_assets", _l("Total assets (10,000 yuan)"), "money"),
        Col("cost_expenses", _l("Total costs and expenses (10,000 yuan)"), "money"),
        Col("net_profit", _l("Net profit (10,000 yuan)"), "signed_money", required=False),
        Col("taxes_paid", _l("Taxes paid (10,000 yuan)"), "money", required=False),
    ), rows="rd_projects", columns=(
        Col("name", _l("Project name"), "text"),
        Col("number", _l("Project number"), "text"),
        Col("form", _l("R&D form"), "choice", choices=RD_FORMS),
        Col("status", _l("Project status"), "choice", choices=RD_STATUS),
        Col("amount", _l("R&D expense this year (10,000 yuan)"), "money"),
    ), note=RD_RULE_TEXT),
    Table("hr", _l("4. Human resources"), tab=_l("Human resources"), fields=(
        Col("fulltime", _l("Employees: full-time"), "int"),
        Col("parttime", _l("Employees: part-time"), "int"),
        Col("temporary", _l("Employees: temporary"), "int"),
        Col("tech_fulltime", _l("Tech staff: full-time"), "int"),
        Col("tech_parttime", _l("Tech staff: part-time"), "int"),
        Col("tech_temporary", _l("Tech staff: temporary"), "int"),
        Col("new_hires", _l("New hires this year"), "int"),
        Col("fresh_graduates", _l("Fresh graduates hired"), "int"),
        Col("edu_doctor", _l("Doctorate"), "int"),
        Col("edu_master", _l("Master's degree"), "int"),
        Col("edu_bachelor", _l("Bachelor's degree"), "int"),
        Col("edu_college", _l("Junior college"), "int"),
        Col("edu_other", _l("Other education"), "int"),
        Col("title_senior", _l("Senior title"), "int"),
        Col("title_intermediate", _l("Intermediate title"), "int"),
        Col("title_junior", _l("Junior title"), "int"),
        Col("title_none", _l("No title"), "int"),
    ), note=HR_NOTE),
    Table("ip", _l("5. Intellectual property"), tab=_l("Intellectual property rights"), rows="ip", columns=(
        Col("name", _l("IP name"), "text"),
        Col("kind", _l("Kind"), "choice", choices=IP_KINDS),
        Col("grant_date", _l("Grant date"), "date"),
        Col("number", _l("Grant number"), "text"),
        Col("acquisition", _l("Acquisition"), "choice", choices=IP_ACQUISITION),
        Col("proof", _l("Proof"), "file", required=False),
    ), note=IP_NOTE),
    Table("standards", _l("6. Standards led in the last five years"), tab=_l("Standards led"), rows="standards", columns=(
        Col("name", _l("Standard name"), "text"),
        Col("number", _l("Standard number"), "text"),
        Col("level", _l("Standard level"), "choice", choices=STANDARD_LEVELS),
        Col("year", _l("Year issued"), "int"),
        Col("rank", _l("Rank among drafting units"), "int"),
        Col("proof", _l("Proof"), "file", required=False),
    )),
    Table("institutions", _l("7. R&D institutions at provincial level or above"), tab=_l("Provincial R&D institutions"), rows="institutions", columns=(
        Col("name", _l("Institution name"), "text"),
        Col("level", _l("Level"), "choice", choices=INSTITUTION_LEVELS),
        Col("proof", _l("Proof"), "file", required=False),
    )),
    Table("awards", _l("8. National science and technology awards in the last five years"), tab=_l("National S&T awards"), rows="awards", columns=(
        Col("name", _l("Award name"), "text"),
        Col("level", _l("Award level"), "choice", choices=AWARD_LEVELS),
        Col("year", _l("Year awarded"), "int"),
        Col("rank", _l("Rank"), "int"),
        Col("proof", _l("Proof"), "file", required=False),
    )),
    Table("other", _l("9. Other information"), tab=_l("Other"), fields=(
        Col("high_tech_cert", _l("Holds a valid high-tech enterprise certificate"), "yesno"),
        Col("high_tech_cert_number", _l("Certificate number"), "text", when="high_tech_cert"),
        Col("high_tech_cert_valid_until", _l("Valid until"), "date", when="high_tech_cert"),
        Col("notes", _l("Other information"), "textarea", required=False),
    )),
)
TABLE_BY_KEY = {t.key: t for t in TABLES}

#: The 11 indicators' names in the user's language, indicator 1 first. The zh catalog gives
#: exactly rules.sme.INDICATOR_NAMES (the rules stay plain Python, so they name them in Chinese).
INDICATOR_LABELS: tuple[Any, ...] = (
    _l("Resident enterprise registered in mainland China"),
    _l("Enterprise size (employees, annual sales, total assets)"),
    _l("Products and services not in the prohibited, restricted or eliminated categories"),
    _l("Credit standing (no major accident, serious violation or dishonesty)"),
    _l("Valid high-tech enterprise qualification"),
    _l("National S&T award in the last five years, ranked in the top three"),
    _l("Recognized R&D institution at provincial level or above"),
    _l("Led an international, national or industry standard in the last five years"),
    _l("Tech staff ratio"),
    _l("R&D expense ratio"),
    _l("S&T achievements (intellectual property)"),
)
ROW_TABLES = {t.rows: t for t in TABLES if t.rows}


def _s(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value))


def _int(value: Any) -> int | None:
    # ASCII digits only ("²".isdigit() is true, int("²") raises), up to the rules' MAX_COUNT.
    text = _s(value)
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 10 and int(text) <= MAX_COUNT else None


def _check(col: Col, value: Any, errors: dict[str, str], key: str, for_submit: bool, industries: dict | None) -> None:
    text = _s(value)
    if not text:
        if for_submit and col.required and col.kind != "file":
            errors[key] = _("%(field)s is required.", field=col.label)
        return
    if col.kind in ("money", "signed_money") and money_error(text, signed=col.kind == "signed_money"):
        errors[key] = money_error(text, signed=col.kind == "signed_money")
    elif col.kind == "int" and _int(text) is None:
        errors[key] = _("Enter a whole number, 0 or more.")
    elif col.kind == "date" and (parse_date(text) is None):
        errors[key] = _("Please enter a valid date.")
    elif col.kind in ("choice", "conform", "yesno") and text not in {c for c, _l2 in (col.choices or (CONFORM if col.kind == "conform" else YES_NO))}:
        errors[key] = _("Please choose a value from the list.")
    elif col.kind in ("section", "division") and industries is not None and text not in industries:
        errors[key] = _("Please choose a value from the list.")
    elif col.kind == "text" and len(text) > 200:
        errors[key] = _("At most %(n)d characters.", n=200)


def validate(data: dict, *, for_submit: bool, year: int, industries: dict | None = None,
             only: Table | None = None) -> dict[str, str]:
    """Messages keyed ``table.field`` or ``rows.index.column``. Saving never fails on them.

    :param only: one table's checks alone (its page shows no other table's messages).
    """
    errors: dict[str, str] = {}
    keys = None if only is None else {only.key, only.rows}
    for table in TABLES if only is None else (only,):
        values = data.get(table.key) or {}
        for col in table.fields:
            if col.when and _s(values.get(col.when)) != "yes":
                continue
            _check(col, values.get(col.name), errors, f"{table.key}.{col.name}", for_submit, industries)
        if table.rows:
            for i, row in enumerate(data.get(table.rows) or []):
                for col in table.columns:
                    _check(col, row.get(col.name), errors, f"{table.rows}.{i}.{col.name}", True, industries)
    main = data.get("main") or {}
    if (keys is None or "main" in keys) and industries and _s(main.get("industry_code")) and _s(main.get("industry_section")):
        if industries.get(_s(main["industry_code"])) != _s(main["industry_section"]):
            errors["main.industry_code"] = _("The industry is not in the chosen category.")
    if keys is None or "hr" in keys:
        _hr_checks(data.get("hr") or {}, errors)
    for rows_key in ("standards", "awards"):
        if keys is None or rows_key in keys:
            for i, row in enumerate(data.get(rows_key) or []):
                _recent_year(row, year, errors, f"{rows_key}.{i}.year")
    return errors


def _recent_year(row: dict, year: int, errors: dict[str, str], key: str) -> None:
    value = _int(row.get("year"))
    if value is not None and value > year:
        errors[key] = _("The year cannot be after the evaluation year.")


def _hr_checks(hr: dict, errors: dict[str, str]) -> None:
    numbers = {k: _int(v) for k, v in hr.items()}
    parts = [numbers.get(k) for k in ("fulltime", "parttime", "temporary")]
    tech = [numbers.get(k) for k in ("tech_fulltime", "tech_parttime", "tech_temporary")]
    if any(p is None for p in parts):
        return
    total = sum(parts)
    if all(t is not None for t in tech) and sum(tech) > total:
        errors["hr.tech_fulltime"] = _("Tech staff (%(tech)d) cannot exceed the employees (%(total)d).", tech=sum(tech), total=total)
    for prefix, label in (("edu_", _("education")), ("title_", _("titles"))):
        group = [v for k, v in numbers.items() if k.startswith(prefix)]
        if group and all(v is not None for v in group) and len(group) >= 4 and sum(group) != total:
            errors[f"hr.{prefix}structure"] = _("The %(group)s add up to %(sum)d but the employees total %(total)d.",
                                                group=label, sum=sum(group), total=total)


def hr_totals(hr: dict) -> dict[str, int]:
    def total(keys):
        return sum(_int(hr.get(k)) or 0 for k in keys)

    return {"employees_total": total(("fulltime", "parttime", "temporary")),
            "tech_total": total(("tech_fulltime", "tech_parttime", "tech_temporary"))}


def ip_stats(rows: list[dict], ruleset) -> dict[str, Any]:
    """Counts per kind and per class, from the rows themselves: never negative."""
    by_kind = {code: 0 for code, _label in IP_KINDS}
    for row in rows:
        kind = _s(row.get("kind"))
        if kind in by_kind:
            by_kind[kind] += 1
    class1 = sum(n for k, n in by_kind.items() if k in ruleset.ip_class_i_kinds)
    class2 = sum(n for k, n in by_kind.items() if k in ruleset.ip_class_ii_kinds)
    # The manual's grid (figure 4-4-1-6): each class with the count of each of its kinds.
    grid = [(label, total, [(code, kind_label, by_kind[code]) for code, kind_label in IP_KINDS if code in kinds])
            for label, total, kinds in ((_l("Class I IP (items)"), class1, ruleset.ip_class_i_kinds),
                                        (_l("Class II IP (items)"), class2, ruleset.ip_class_ii_kinds))]
    return {"by_kind": by_kind, "class1": class1, "class2": class2, "grid": grid}


def to_interchange(data: dict, *, year: int, registered_in_mainland: bool) -> dict:
    """The rules' input (rules.sme.interchange) built from the tables as typed."""
    entry = data.get("entry") or {}
    finance = data.get("finance") or {}
    hr = data.get("hr") or {}
    other = data.get("other") or {}
    valid_until = parse_date(other.get("high_tech_cert_valid_until"))
    return {
        "year": year,
        "registered_in_mainland": registered_in_mainland,
        "products_not_prohibited": _s(entry.get("products_ok")) == "yes",
        "credit_ok": _s(entry.get("credit_ok")) == "yes",
        "employees": {k: _num(hr.get(k)) for k in ("fulltime", "parttime", "temporary")},
        "tech_staff": {k: _num(hr.get(f"tech_{k}")) for k in ("fulltime", "parttime", "temporary")},
        "sales_revenue": _s(finance.get("sales_revenue")),
        "total_assets": _s(finance.get("total_assets")),
        "cost_expenses": _s(finance.get("cost_expenses")),
        "rd_projects": [{"name": _s(r.get("name")), "form": _s(r.get("form")), "amount": _s(r.get("amount"))}
                        for r in data.get("rd_projects") or []],
        "high_tech_certificate_valid": _s(other.get("high_tech_cert")) == "yes" and valid_until is not None
        and valid_until >= dt.date(year, 1, 1),
        "national_awards": [{"name": _s(r.get("name")), "year": _num(r.get("year")), "rank": _num(r.get("rank"))}
                            for r in data.get("awards") or []],
        "rd_institutions": [{"name": _s(r.get("name")), "level": _s(r.get("level"))} for r in data.get("institutions") or []],
        "standards": [{"name": _s(r.get("name")), "level": _s(r.get("level")), "year": _num(r.get("year")),
                       "rank": _num(r.get("rank"))} for r in data.get("standards") or []],
        "ip": [{"name": _s(r.get("name")), "kind": _s(r.get("kind"))} for r in data.get("ip") or []],
    }


def _num(value: Any) -> Any:
    parsed = _int(value)
    return parsed if parsed is not None else _s(value)


INTERCHANGE_FIELD_TO_FORM = {
    "sales_revenue": "finance.sales_revenue", "total_assets": "finance.total_assets",
    "cost_expenses": "finance.cost_expenses", "employees": "hr.fulltime", "tech_staff": "hr.tech_fulltime",
}


def form_key(interchange_field: str) -> str:
    """Where a rules-input error belongs on the form (e.g. ``employees.parttime`` -> ``hr.parttime``)."""
    head, _, rest = interchange_field.partition(".")
    if head in ("employees",) and rest:
        return f"hr.{rest}"
    if head == "tech_staff" and rest:
        return f"hr.tech_{rest}"
    return INTERCHANGE_FIELD_TO_FORM.get(interchange_field, interchange_field)


def money_sum(values) -> Decimal:
    return sum((parse_money(v) or Decimal(0) for v in values), Decimal(0))
