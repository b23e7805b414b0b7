"""The public publicity lists (公示名单): Tech-SME records in open batches, the results of
closed batches (公示结果) and the benchmark selection lists. Only what the public may read:
enterprise name, unified social credit code, region, evaluation agency and the batch's dates
(for the benchmark: organization, credit code, project, activity and year)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.extensions import db
from app.services.errors import NotFound
from app.services.lookup import get_or_none
from app.timeutil import today_in_china
from models import Activity, Agency, Declaration, Enterprise, Project, PublicityBatch, Region, SmeEvaluation

PER_PAGE = 20
SEARCH_MAX = 64
# In an open batch: in publicity, or held by an objection (more may be raised). Rejected ones are gone.
OPEN_STATUSES = ("in_publicity", "objection")
# The records of a closed batch that completed publicity (a revoked registration is not listed).
COMPLETED_STATUSES = ("publicity_done", "stored", "numbered")


@dataclass
class PublicRecord:
    record_id: int
    name: str
    credit_code: str
    region: str
    agency: str
    open_to_objection: bool


@dataclass
class PublicBatch:
    batch_id: int
    province: str
    name: str
    starts_on: dt.date
    ends_on: dt.date
    records: list[PublicRecord] = field(default_factory=list)


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _search(value: str | None) -> str:
    return (value or "").strip()[:SEARCH_MAX]


def _page(value) -> int:
    try:
        return max(1, min(int(value or 1), 10_000))
    except (TypeError, ValueError):
        return 1


def _region_names(codes: set[str]) -> dict[str, str]:
    codes = {c for c in codes if c}
    if not codes:
        return {}
    return dict(db.session.execute(select(Region.code, Region.name).where(Region.code.in_(codes))).all())


def _region(enterprise: Enterprise, names: dict[str, str]) -> str:
    parts = [names.get(c or "", "") for c in (enterprise.province_code, enterprise.city_code, enterprise.county_code)]
    shown = []
    for part in parts:  # 北京市 北京市 东城区: the municipality once
        if part and part not in shown:
            shown.append(part)
    return " ".join(shown)


def _records_page(statuses, batch_filter, q, page) -> tuple[list[PublicBatch], int, int]:
    """Records in ``statuses`` of the batches ``batch_filter`` selects, grouped by batch."""
    q, page = _search(q), _page(page)
    stmt = (select(SmeEvaluation, PublicityBatch, Enterprise, Agency)
            .join(PublicityBatch, SmeEvaluation.publicity_batch_id == PublicityBatch.id)
            .join(Enterprise, SmeEvaluation.enterprise_id == Enterprise.id)
            .outerjoin(Agency, SmeEvaluation.agency_id == Agency.id)
            .where(batch_filter, SmeEvaluation.status.in_(statuses)))
    if q:
        stmt = stmt.where(Enterprise.name.contains(q, autoescape=True))
    total = db.session.execute(select(func.count()).select_from(stmt.subquery())).scalar()
    rows = db.session.execute(stmt.order_by(PublicityBatch.province_code, PublicityBatch.starts_on.desc(),
                                            PublicityBatch.id, Enterprise.name, SmeEvaluation.id)
                              .limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    names = _region_names({c for _e, b, ent, _a in rows for c in (b.province_code, ent.province_code,
                                                                   ent.city_code, ent.county_code)})
    batches: dict[int, PublicBatch] = {}
    for evaluation, batch, enterprise, agency in rows:
        group = batches.setdefault(batch.id, PublicBatch(batch.id, names.get(batch.province_code, ""), batch.name,
                                                         batch.starts_on, batch.ends_on))
        group.records.append(PublicRecord(evaluation.id, enterprise.name or "", enterprise.credit_code or "",
                                          _region(enterprise, names), agency.name if agency else "",
                                          batch.status == "open"))
    return list(batches.values()), total, page


def open_publicity(q: str | None = None, page=1) -> tuple[Page, str]:
    """The records of every open batch (正在公示), grouped by province and batch."""
    batches, total, page = _records_page(OPEN_STATUSES, PublicityBatch.status == "open", q, page)
    return Page(batches, total, page), _search(q)


def closed_batches(page=1) -> Page:
    """Batches whose publicity ended (公示结果), newest first, with their province."""
    page = _page(page)
    total = db.session.execute(select(func.count(PublicityBatch.id)).where(PublicityBatch.status == "closed")).scalar()
    batches = db.session.execute(select(PublicityBatch).where(PublicityBatch.status == "closed")
                                 .order_by(PublicityBatch.ends_on.desc(), PublicityBatch.id.desc())
                                 .limit(PER_PAGE).offset((page - 1) * PER_PAGE)).scalars().all()
    names = _region_names({b.province_code for b in batches})
    return Page([PublicBatch(b.id, names.get(b.province_code, ""), b.name, b.starts_on, b.ends_on) for b in batches],
                total, page)


def batch_results(batch_id, q: str | None = None, page=1) -> tuple[PublicBatch, Page, str]:
    """A closed batch's records that completed publicity (read-only).

    :raises NotFound: unknown, planned or still open batch.
    """
    batch = _batch(batch_id, "closed")
    groups, total, page = _records_page(COMPLETED_STATUSES, PublicityBatch.id == batch.id, q, page)
    header = PublicBatch(batch.id, _region_names({batch.province_code}).get(batch.province_code, ""), batch.name,
                         batch.starts_on, batch.ends_on)
    return header, Page(groups[0].records if groups else [], total, page), _search(q)


def _batch(batch_id, status: str) -> PublicityBatch:
    batch = get_or_none(PublicityBatch, batch_id)
    if batch is None or batch.status != status:
        raise NotFound(_("This record is not on a public list."))
    return batch


def sme_record_open_to_objection(evaluation_id) -> SmeEvaluation:
    """The record, when it is listed in an open batch.

    :raises NotFound: otherwise (planned or closed batch, removed from publicity, unknown).
    """
    evaluation = get_or_none(SmeEvaluation, evaluation_id)
    batch = evaluation.publicity_batch if evaluation is not None else None
    if batch is None or batch.status != "open" or evaluation.status not in OPEN_STATUSES:
        raise NotFound(_("This record is not on a public list."))
    return evaluation


def public_sme_record(evaluation: SmeEvaluation) -> PublicRecord:
    enterprise = evaluation.enterprise
    names = _region_names({enterprise.province_code, enterprise.city_code, enterprise.county_code})
    return PublicRecord(evaluation.id, enterprise.name or "", enterprise.credit_code or "", _region(enterprise, names),
                        evaluation.agency.name if evaluation.agency else "", True)


# --- 全国质量标杆 selection lists ------------------------------------------------------------

@dataclass
class PublicSelection:
    declaration_id: int
    organization: str
    credit_code: str
    project: str


@dataclass
class PublicActivity:
    activity_id: int
    name: str
    year: int
    published_on: dt.date | None
    ends_on: dt.date | None
    open_to_objection: bool
    selections: list[PublicSelection] = field(default_factory=list)


def _objections_open(activity: Activity, today: dt.date | None = None) -> bool:
    today = today or today_in_china()
    return (activity.status == "published" and activity.results_publicity_ends_on is not None
            and today <= activity.results_publicity_ends_on)


def selection_lists() -> list[PublicActivity]:
    """Every published activity's selected declarations, the newest activity first."""
    activities = db.session.execute(select(Activity).where(Activity.status == "published")
                                    .order_by(Activity.year.desc(), Activity.id.desc())).scalars().all()
    shown = []
    for activity in activities:
        rows = db.session.execute(
            select(Declaration.id, Enterprise.name, Enterprise.credit_code, Project.name)
            .join(Enterprise, Declaration.enterprise_id == Enterprise.id)
            .join(Project, Declaration.project_id == Project.id)
            .where(Declaration.activity_id == activity.id, Declaration.status == "selected")
            .order_by(Enterprise.name, Declaration.id)).all()
        published = activity.results_published_at
        shown.append(PublicActivity(activity.id, activity.name, activity.year,
                                    published.date() if published else None, activity.results_publicity_ends_on,
                                    _objections_open(activity),
                                    [PublicSelection(i, n or "", c or "", p or "") for i, n, c, p in rows]))
    return shown


def declaration_open_to_objection(declaration_id) -> Declaration:
    """A selected declaration of an activity whose selection list is public and open to objections.

    :raises NotFound: otherwise.
    """
    declaration = get_or_none(Declaration, declaration_id)
    if declaration is None or declaration.status != "selected" or not _objections_open(declaration.activity):
        raise NotFound(_("This record is not on a public list."))
    return declaration


def public_selection(declaration: Declaration) -> PublicSelection:
    return PublicSelection(declaration.id, declaration.enterprise.name or "", declaration.enterprise.credit_code or "",
                           declaration.project.name if declaration.project else "")
