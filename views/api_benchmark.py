"""REST APIs of the quality benchmark (全国质量标杆): organization filings, projects, declarations,
and the association's reference lists (activities, recommending units).

Read-only and JWT only, as every API here (views/api.py: ReadOnlyApi). Rows are the HTML lists'
rows: the same scope rule (app.security.scope) for filings, projects and declarations; the
reference lists are unscoped, as their screens, and readable by the roles that have those screens.
The export (``/export``) formats codes as the screens do (status labels, region names, Beijing time).
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.datamodel import PagedSQLAInterface
from app.security.scope import scoped_base_filters
from app.services import filing as filing_svc
from app.workflows.definitions import BENCHMARK_ACTIVITY, DECLARATION, ORGANIZATION_FILING
from models import Activity, Declaration, OrganizationFiling, Project, RecommendingUnit
from views.api import ReadOnlyApi
from views.review import status_formatter

_LABELS = {
    "id": "ID", "enterprise.name": _l("Enterprise name"), "org_name": _l("Organization name"),
    "for_year": _l("Activity year"), "org_size": _l("Organization size"), "status": _l("Status"),
    "filed_at": _l("Filed at"), "approved_at": _l("Approved at"), "economic_type.name": _l("Economic type"),
    "province.name": _l("Province"), "city.name": _l("City"), "address": _l("Address"),
    "industry.name": _l("Industry"), "quality_head": _l("Head of quality department"),
    "quality_head_phone": _l("Phone of the quality department head"), "return_reason": _l("Return reason"),
    "name": _l("Name"), "keywords": _l("Keywords"), "summary": _l("Summary"), "created_at": _l("Created at"),
    "activity.name": _l("Activity"), "activity.year": _l("Year"), "project.name": _l("Project"),
    "recommending_unit.name": _l("Recommending unit"), "submitted_at": _l("Submitted at"),
    "recommendation_opinion": _l("Recommendation opinion"), "year": _l("Year"),
    "opens_on": _l("Declaration opens"), "closes_on": _l("Declaration closes"),
    "commitment_text": _l("Commitment letter"), "results_published_at": _l("Selection results published at"),
    "results_publicity_ends_on": _l("Last day of the publicity"), "phone": _l("Phone"), "email": _l("E-mail"),
}


def _blank(value) -> str:
    return "" if value is None else value


def _keywords(value) -> str:
    return "、".join(str(word) for word in value or [])


class OrganizationFilingApi(ReadOnlyApi):
    """组织备案: the applicant's own; the association and managers every filing but drafts."""

    resource_name = "organization_filing"
    datamodel = PagedSQLAInterface(OrganizationFiling)
    base_filters = scoped_base_filters()
    base_order = ("id", "desc")
    list_columns = ["id", "org_name", "enterprise.name", "for_year", "org_size", "status", "filed_at", "approved_at"]
    show_columns = list_columns + ["economic_type.name", "province.name", "city.name", "address", "industry.name",
                                   "quality_head", "quality_head_phone", "return_reason"]
    search_columns = ["org_name", "for_year", "status", "filed_at"]
    order_columns = ["id", "org_name", "for_year", "status", "filed_at", "approved_at"]
    label_columns = _LABELS
    formatters_columns = {"status": status_formatter(ORGANIZATION_FILING),
                          "org_size": lambda v: str(dict(filing_svc.ORG_SIZES).get(v, v or ""))}


class BenchmarkProjectApi(ReadOnlyApi):
    """申报主体 (projects): the applicant's own (reviewers see a project through its declaration)."""

    resource_name = "benchmark_project"
    datamodel = PagedSQLAInterface(Project)
    base_filters = scoped_base_filters()
    base_order = ("id", "desc")
    list_columns = ["id", "name", "enterprise.name", "keywords", "created_at"]
    show_columns = list_columns + ["summary"]
    search_columns = ["name", "created_at"]
    order_columns = ["id", "name", "created_at"]
    label_columns = _LABELS
    formatters_columns = {"keywords": _keywords}


class DeclarationApi(ReadOnlyApi):
    """申报: the applicant's own, a recommending unit's those that chose it (once they reached it),
    the association's those past recommendation, managers all."""

    resource_name = "declaration"
    datamodel = PagedSQLAInterface(Declaration)
    base_filters = scoped_base_filters()
    base_order = ("id", "desc")
    list_columns = ["id", "activity.name", "activity.year", "project.name", "enterprise.name",
                    "recommending_unit.name", "status", "submitted_at"]
    show_columns = list_columns + ["recommendation_opinion", "return_reason"]
    search_columns = ["status", "submitted_at"]
    order_columns = ["id", "status", "submitted_at"]
    label_columns = _LABELS
    formatters_columns = {"status": status_formatter(DECLARATION), "recommending_unit.name": _blank}


class ActivityApi(ReadOnlyApi):
    """评选活动 (reference list): the association's, read by managers."""

    resource_name = "activity"
    datamodel = PagedSQLAInterface(Activity)
    base_order = ("opens_on", "desc")
    list_columns = ["id", "year", "name", "opens_on", "closes_on", "status"]
    show_columns = list_columns + ["commitment_text", "results_published_at", "results_publicity_ends_on"]
    search_columns = ["year", "name", "status"]
    order_columns = ["id", "year", "name", "opens_on", "closes_on", "status"]
    label_columns = _LABELS
    formatters_columns = {"status": status_formatter(BENCHMARK_ACTIVITY)}


class RecommendingUnitApi(ReadOnlyApi):
    """推荐单位 (reference list) with the contacts the public contacts page shows."""

    resource_name = "recommending_unit"
    datamodel = PagedSQLAInterface(RecommendingUnit)
    base_order = ("name", "asc")
    list_columns = ["id", "name", "phone", "email"]
    show_columns = list_columns + ["address"]
    search_columns = ["name"]
    order_columns = ["id", "name"]
    label_columns = _LABELS
    formatters_columns = {"phone": _blank, "email": _blank}


APIS = (OrganizationFilingApi, BenchmarkProjectApi, DeclarationApi, ActivityApi, RecommendingUnitApi)
