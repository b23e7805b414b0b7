"""Statistics of the three programs, as data: each report is a set of dimensions (what to group
by, how to name a group), counted in SQL within the user's scope. The same numbers feed the
dashboard page and the multi-sheet workbook with native Excel charts."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from app.extensions import db
from app.security import roles as R
from app.security.scope import role_names, scope_criterion
from app.workflows.definitions import DECLARATION, SEAL_APPLICATION, SME_EVALUATION
from models import (
    Activity,
    Agency,
    Declaration,
    Industry,
    OrganizationFiling,
    RecommendingUnit,
    Region,
    SealApplication,
    SealKey,
    SmeEvaluation,
    TechField,
)


@dataclass(frozen=True)
class Dimension:
    key: str
    title: Any  # lazy string
    column: Callable[[], Any]  # the SQL expression grouped by
    label: Callable[[Any], str]  # group value -> name
    joins: tuple = ()  # (target, on-clause factory) pairs
    chart: str = "bar"  # bar | pie | line (year over year)


@dataclass(frozen=True)
class Report:
    key: str
    title: Any
    model: type
    roles: frozenset[str]
    dimensions: tuple[Dimension, ...]
    where: Callable[[], Any] | None = None
    headline: Callable[[Any], list[tuple[str, Any]]] | None = None  # user -> [(label, value)]


def _names(model) -> Callable[[Any], str]:
    def label(value) -> str:
        if value is None or value == "":
            return _("Not given")
        row = db.session.get(model, value)
        return getattr(row, "name", None) or str(value)

    return label


def _states(workflow) -> Callable[[Any], str]:
    return lambda value: workflow.state_label(value)


def _score_band():
    score = SmeEvaluation.total_score
    return case((score.is_(None), "none"), (score < 60, "0-59"), (score < 70, "60-69"), (score < 80, "70-79"),
                (score < 90, "80-89"), else_="90-100")


_BAND_LABELS = {"none": "Not scored", "0-59": "Below 60", "60-69": "60–69", "70-79": "70–79", "80-89": "80–89",
                "90-100": "90–100"}
_PATH_LABELS = {"scored": "Scored", "direct": "Qualified directly", "entry_failed": "Entry condition not met"}
_KIND_LABELS = {"first": "First application", "renewal": "Annual fee renewal", "replacement": "Replacement key"}


def _sme_where():
    return SmeEvaluation.status != "draft"


SME = Report(
    key="sme", title=_l("Tech-based SME evaluation"), model=SmeEvaluation,
    roles=frozenset({R.AGENCY_REVIEWER, R.PROVINCE_REVIEWER, R.MANAGER, R.ADMIN}), where=_sme_where,
    dimensions=(
        Dimension("province", _l("By province"), lambda: SmeEvaluation.province_code, _names(Region)),
        Dimension("city", _l("By city"), lambda: SmeEvaluation.city_code, _names(Region)),
        Dimension("agency", _l("By evaluation agency"), lambda: SmeEvaluation.agency_id, _names(Agency)),
        Dimension("status", _l("By status"), lambda: SmeEvaluation.status, _states(SME_EVALUATION), chart="pie"),
        Dimension("industry", _l("By industry"), lambda: SmeEvaluation.industry_code, _names(Industry)),
        Dimension("tech_field", _l("By technology field"), lambda: SmeEvaluation.tech_field_code, _names(TechField)),
        Dimension("score_band", _l("By score band"), _score_band, lambda v: _(_BAND_LABELS.get(v, v))),
        Dimension("path", _l("By qualification path"), lambda: SmeEvaluation.path,
                  lambda v: _(_PATH_LABELS.get(v, "Not evaluated")), chart="pie"),
        Dimension("year", _l("Year over year"), lambda: SmeEvaluation.year, lambda v: str(v), chart="line"),
    ),
)

BENCHMARK = Report(
    key="benchmark", title=_l("National quality benchmark"), model=Declaration,
    roles=frozenset({R.ASSOCIATION_REVIEWER, R.RECOMMENDER, R.MANAGER, R.ADMIN}),
    where=lambda: Declaration.status != "draft",
    dimensions=(
        Dimension("activity", _l("By activity"), lambda: Declaration.activity_id,
                  lambda v: str(db.session.get(Activity, v) or v)),
        Dimension("recommending_unit", _l("By recommending unit"), lambda: Declaration.recommending_unit_id,
                  _names(RecommendingUnit)),
        Dimension("status", _l("By status"), lambda: Declaration.status, _states(DECLARATION), chart="pie"),
        Dimension("industry", _l("By industry"), lambda: OrganizationFiling.industry_code, _names(Industry),
                  joins=((OrganizationFiling, lambda: OrganizationFiling.id == Declaration.filing_id),)),
        Dimension("region", _l("By region"), lambda: OrganizationFiling.province_code, _names(Region),
                  joins=((OrganizationFiling, lambda: OrganizationFiling.id == Declaration.filing_id),)),
    ),
)


def _eseal_headline(user) -> list[tuple[str, Any]]:
    from app.timeutil import today_in_china

    today = today_in_china()
    keys = scope_criterion(SealKey, user)
    apps = scope_criterion(SealApplication, user)

    def count(model, *where) -> int:
        return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar() or 0

    fees = db.session.execute(select(func.coalesce(func.sum(SealApplication.paid_amount), 0)).where(
        apps, SealApplication.payment_confirmed_at.is_not(None))).scalar() or 0
    return [
        (_("Keys issued"), count(SealKey, keys)),
        (_("Active keys"), count(SealKey, keys, SealKey.status == "active", SealKey.paid_until >= today)),
        (_("Due within 30 days"), count(SealKey, keys, SealKey.status == "active", SealKey.paid_until >= today,
                                       SealKey.paid_until <= today + dt.timedelta(days=30))),
        (_("Overdue"), count(SealKey, keys, SealKey.status == "overdue")),
        (_("Revoked"), count(SealKey, keys, SealKey.status == "revoked")),
        (_("Fees received (yuan)"), Decimal(fees)),
        (_("Invoices issued"), count(SealApplication, apps, SealApplication.invoice_number.is_not(None))),
    ]


ESEAL = Report(
    key="eseal", title=_l("E-seal service"), model=SealApplication,
    roles=frozenset({R.CA_OPERATOR, R.MANAGER, R.ADMIN}), headline=_eseal_headline,
    dimensions=(
        Dimension("status", _l("Applications by status"), lambda: SealApplication.status, _states(SEAL_APPLICATION),
                  chart="pie"),
        Dimension("kind", _l("Applications by kind"), lambda: SealApplication.kind,
                  lambda v: _(_KIND_LABELS.get(v, v))),
    ),
)

REPORTS: dict[str, Report] = {r.key: r for r in (SME, BENCHMARK, ESEAL)}


def reports_for(user) -> list[Report]:
    roles = role_names(user)
    return [r for r in REPORTS.values() if r.roles & roles]


def breakdown(report: Report, dimension: Dimension, user) -> list[tuple[str, int]]:
    """(group name, count) within the user's scope, largest first (year over year: by year)."""
    column = dimension.column()
    stmt = select(column, func.count()).select_from(report.model)
    for target, on in dimension.joins:
        stmt = stmt.join(target, on())
    stmt = stmt.where(scope_criterion(report.model, user))
    if report.where is not None:
        stmt = stmt.where(report.where())
    stmt = stmt.group_by(column)
    rows = db.session.execute(stmt).all()
    if dimension.chart == "line":
        rows.sort(key=lambda r: (r[0] is None, r[0]))
    else:
        rows.sort(key=lambda r: -r[1])
    return [(dimension.label(value), count) for value, count in rows]


def total(report: Report, user) -> int:
    stmt = select(func.count()).select_from(report.model).where(scope_criterion(report.model, user))
    if report.where is not None:
        stmt = stmt.where(report.where())
    return db.session.execute(stmt).scalar() or 0


def compute(report: Report, user) -> dict:
    """Everything the dashboard and the workbook show for one report."""
    headline = report.headline(user) if report.headline else [(_("Records"), total(report, user))]
    return {"report": report, "headline": headline,
            "sections": [(d, breakdown(report, d, user)) for d in report.dimensions]}
