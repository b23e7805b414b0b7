"""The 41 columns of the Tech-SME evaluation export: the record, its place, its result and the
figures of its tables. Names of regions, agencies, industries and fields are looked up once per
export (dicts), not once per row."""
from __future__ import annotations

from typing import Any

import orjson

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.reports.workbook import Column
from app.services.sme_form import INDICATOR_LABELS
from app.workflows.definitions import SME_EVALUATION

# The indicators' names are the regulation's (rules.sme), in the user's language (sme_form);
# 9–11 are exported as points.


def _names(model, key: str = "code") -> dict[Any, str]:
    return {getattr(row, key): row.name for row in db.session.execute(select(model)).scalars()}


def _number(value: Any) -> float | None:
    """A figure typed as text in the tables, as a number cell (the cell's format shows 4 decimals)."""
    if value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _json(text: str | None) -> dict:
    if not text or text == "null":
        return {}
    value = orjson.loads(text)
    return value if isinstance(value, dict) else {}


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def sme_export_rows(session, ids: list[int]):
    """One chunk as Core rows: the columns the export shows, the enterprise's name and code, and
    only the parts of the tables it needs (figures, staff, list lengths) extracted by the database,
    so the whole nine-table document is never sent nor parsed (bench/export_xlsx.py)."""
    from sqlalchemy import Integer, Text, cast, func
    from sqlalchemy.sql.functions import Function

    from models import Enterprise, SmeEvaluation as E

    # Function(...), not func.json_array_length: a library registers that name without a cache key.
    if session.get_bind().dialect.name == "postgresql":
        def count(key: str):
            return func.coalesce(Function("json_array_length", E.data[key], type_=Integer), 0)
    else:
        def count(key: str):
            return func.coalesce(Function("json_array_length", E.data, f"$.{key}", type_=Integer), 0)
    stmt = (select(E.id, E.system_number, E.year, E.status, E.province_code, E.city_code, E.agency_id,
                   E.industry_code, E.tech_field_code, E.submitted_at, E.stored_at, E.certificate_number,
                   E.qualified, E.path, E.total_score, E.sampled, E.ruleset_id,
                   # As text, parsed by orjson in the row function: the drivers' JSON decoding
                   # of three documents a row was the slowest part on PostgreSQL.
                   cast(E.result, Text).label("result_json"), cast(E.data["finance"], Text).label("finance_json"),
                   cast(E.data["hr"], Text).label("hr_json"),
                   count("ip").label("ip_count"), count("standards").label("standards_count"),
                   count("institutions").label("institutions_count"),
                   Enterprise.name.label("enterprise_name"), Enterprise.credit_code.label("enterprise_credit_code"))
            .join(Enterprise, Enterprise.id == E.enterprise_id)
            .where(E.id.in_(ids)))
    return session.execute(stmt)


def sme_export_layout() -> tuple[list[Column], Any]:
    """The 41 columns and the function that turns one row of :func:`sme_export_rows` into values."""
    from models import Agency, Industry, Region, TechField

    from app.extensions import db
    from app.services.sme.rulesets import label as ruleset_label
    from models import SmeRuleset

    regions, agencies = _names(Region), _names(Agency, "id")
    rule_sets = {r.id: ruleset_label(r) for r in db.session.query(SmeRuleset).filter(SmeRuleset.status == "published")}
    industries, fields = _names(Industry), _names(TechField)
    states = {k: str(v) for k, v in SME_EVALUATION.states.items()}
    yes, no = _("Yes"), _("No")
    paths = {"scored": _("Scored"), "direct": _("Qualified directly"), "entry_failed": _("Entry condition not met")}
    passed, failed = _("Passed"), _("Not passed")

    labels = [f"{n}. {name}" for n, name in enumerate(INDICATOR_LABELS, start=1)]
    columns = [
        Column("system_number", _("System number")), Column("enterprise", _("Enterprise name")),
        Column("credit_code", _("Unified social credit code")), Column("year", _("Evaluation year"), "int"),
        Column("status", _("Status")), Column("province", _("Province")), Column("city", _("City")),
        Column("agency", _("Evaluation agency")), Column("industry", _("Industry")),
        Column("tech_field", _("Technology field")), Column("submitted_at", _("Submitted at"), "datetime"),
        Column("stored_at", _("Stored at"), "datetime"), Column("certificate_number", _("Registration number")),
        Column("qualified", _("Qualified")), Column("path", _("Path")), Column("total_score", _("Total score"), "int"),
        Column("ruleset", _("Scored by the rule set")),
        *[Column(f"indicator_{n}", label if n <= 8 else _("%(indicator)s (points)", indicator=label), "text" if n <= 8 else "number")
          for n, label in enumerate(labels, start=1)],
        Column("rd_total", _("Total R&D expenses (10,000 yuan)"), "wan"),
        Column("sales_revenue", _("Sales revenue (10,000 yuan)"), "wan"),
        Column("total_assets", _("Total assets (10,000 yuan)"), "wan"),
        Column("cost_expenses", _("Total costs and expenses (10,000 yuan)"), "wan"),
        Column("net_profit", _("Net profit (10,000 yuan)"), "wan"),
        Column("taxes_paid", _("Taxes paid (10,000 yuan)"), "wan"),
        Column("employees", _("Employees total"), "int"), Column("tech_staff", _("Tech staff total"), "int"),
        Column("ip_count", _("Intellectual property"), "int"), Column("class_i", _("Class I"), "int"),
        Column("standards", _("Standards"), "int"), Column("institutions", _("R&D institutions"), "int"),
        Column("sampled", _("Drawn for spot check")),
    ]

    def row(e) -> list[Any]:
        # One function per row (not 40 getters): the export's hot loop (bench/export_xlsx.py).
        result = _json(e.result_json)
        finance, hr = _json(e.finance_json), _json(e.hr_json)
        indicators = result.get("indicators") or {}
        judged = []
        for n in range(1, 12):
            item = indicators.get(str(n)) or {}
            if n >= 9:
                judged.append(item.get("points"))
            else:
                flag = item.get("passed")
                judged.append(None if flag is None else (passed if flag else failed))
        return [
            e.system_number, e.enterprise_name, e.enterprise_credit_code, e.year, states.get(e.status, e.status),
            regions.get(e.province_code), regions.get(e.city_code), agencies.get(e.agency_id),
            f"{e.industry_code} {industries.get(e.industry_code, '')}".strip() if e.industry_code else None,
            fields.get(e.tech_field_code), _beijing(e.submitted_at), _beijing(e.stored_at), e.certificate_number,
            None if e.qualified is None else (yes if e.qualified else no), paths.get(e.path), e.total_score,
            rule_sets.get(e.ruleset_id), *judged,
            _number(result.get("rd_total")), _number(finance.get("sales_revenue")),
            _number(finance.get("total_assets")), _number(finance.get("cost_expenses")),
            _number(finance.get("net_profit")), _number(finance.get("taxes_paid")),
            _int(hr.get("fulltime")) + _int(hr.get("parttime")) + _int(hr.get("temporary")),
            _int(hr.get("tech_fulltime")) + _int(hr.get("tech_parttime")) + _int(hr.get("tech_temporary")),
            e.ip_count, (indicators.get("11") or {}).get("class_i"), e.standards_count, e.institutions_count,
            yes if e.sampled else no,
        ]

    return columns, row


def _beijing(value):
    from app.timeutil import beijing_naive

    return beijing_naive(value) if value is not None else None
