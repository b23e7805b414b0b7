"""Public portal content: what the public sees (published, within its dates), who may edit which
program's content, rich text sanitising, the files of articles, the service desks and contacts.

Nothing here reads enterprise data: the public pages show articles, agencies, recommending
units and service desks only.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, BinaryIO, Iterable

import nh3
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from app.extensions import db
from app.security import roles as R
from app.security.scope import role_names
from app.services.errors import Forbidden, NotFound, ServiceError
from app.services.lookup import get_or_none, valid_pk
from app.timeutil import today_in_china
from models import Agency, Attachment, PortalArticle, RecommendingUnit, Region, ServiceDesk

RECORD_TYPE = "portal_article"
PURPOSE = "portal_file"
PER_PAGE = 15

PROGRAM_LABELS = {"platform": _l("Platform-wide"), "sme": _l("Tech-SME evaluation"),
                  "benchmark": _l("Quality benchmark"), "eseal": _l("E-seal service")}
KIND_LABELS = {"notice": _l("Notice"), "regulation": _l("Policy or regulation"), "download": _l("Download"),
               "faq": _l("Frequently asked question")}
STATUS_LABELS = {"draft": _l("Draft (not public)"), "published": _l("Published")}

# Who edits which program's content: the admin all of it; each program's own staff theirs.
EDITORS: dict[str, frozenset[str]] = {
    R.ADMIN: frozenset(PROGRAM_LABELS),
    R.PROVINCE_REVIEWER: frozenset({"sme"}),
    R.ASSOCIATION_REVIEWER: frozenset({"benchmark"}),
    R.CA_OPERATOR: frozenset({"eseal"}),
}

# Rich text: the usual formatting, links (opened with rel=noopener), tables; no scripts, styles,
# event attributes, images or javascript: URLs.
ALLOWED_TAGS = {"p", "br", "hr", "strong", "b", "em", "i", "u", "s", "sub", "sup", "small", "span", "div",
                "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd", "blockquote", "pre", "code", "a",
                "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"colspan", "rowspan", "scope"}, "td": {"colspan", "rowspan"},
                      "ol": {"start"}}


def sanitize(html: str | None) -> str:
    """The rich text with only the allowed tags, attributes and URL schemes left."""
    if not html:
        return ""
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                     link_rel="noopener noreferrer", strip_comments=True)


# --- who may edit ---------------------------------------------------------------------------

def editable_programs(user: Any) -> frozenset[str]:
    programs: set[str] = set()
    for role in role_names(user):
        programs |= EDITORS.get(role, frozenset())
    return frozenset(programs)


def check_editable(user: Any, program: str | None) -> None:
    """:raises Forbidden: the user may not edit content of ``program``."""
    if program not in editable_programs(user):
        raise Forbidden(_("You may not edit the content of this program."),
                        {"program": _("You may not edit the content of this program.")})


def editable_criterion(user: Any):
    return PortalArticle.program.in_(sorted(editable_programs(user)))


def check_dates(publish_on: dt.date | None, expires_on: dt.date | None) -> str | None:
    if publish_on and expires_on and expires_on < publish_on:
        return _("The expiry date must not be before the publish date.")
    return None


def prepare(user: Any, article: PortalArticle) -> None:
    """Before an article is saved: the editor's scope, the dates, the rich text sanitised.

    :raises ServiceError: with field errors.
    """
    check_editable(user, article.program)
    problem = check_dates(article.publish_on, article.expires_on)
    if problem:
        raise ServiceError(problem, {"expires_on": problem})
    if not (article.title_zh or "").strip():
        raise ServiceError(_("Please enter the title."), {"title_zh": _("Please enter the title.")})
    article.title_zh = article.title_zh.strip()
    article.title_en = (article.title_en or "").strip() or None
    article.body_zh = sanitize(article.body_zh)
    article.body_en = sanitize(article.body_en) or None
    if article.kind != "regulation":
        article.doc_number = article.issuer_zh = article.issuer_en = None


# --- files of an article ----------------------------------------------------------------------

def files_of(article_ids: Iterable[int]) -> dict[int, list[Attachment]]:
    ids = list(article_ids)
    found: dict[int, list[Attachment]] = {i: [] for i in ids}
    if not ids:
        return found
    for attachment in db.session.execute(select(Attachment).where(
            Attachment.record_type == RECORD_TYPE, Attachment.record_id.in_(ids)).order_by(Attachment.id)).scalars():
        found[attachment.record_id].append(attachment)
    return found


def add_file(user: Any, article: PortalArticle, stream: BinaryIO, filename: str) -> Attachment:
    """Store a file of the article (PDF, DOCX, XLSX) and commit."""
    from app import storage

    check_editable(user, article.program)
    try:
        attachment = storage.save_upload(stream, filename, PURPOSE, enterprise_id=None, record_type=RECORD_TYPE,
                                         record_id=article.id, uploaded_by_id=getattr(user, "id", None))
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return attachment


def remove_file(user: Any, article: PortalArticle, attachment_id: int) -> None:
    """Detach a file from the article (the stored file goes with the orphan sweep) and commit."""
    check_editable(user, article.program)
    attachment = get_or_none(Attachment, attachment_id)
    if attachment is None or attachment.record_type != RECORD_TYPE or attachment.record_id != article.id:
        raise NotFound(_("Record not found."))
    db.session.delete(attachment)
    db.session.commit()


# --- what the public sees -----------------------------------------------------------------------

def public_criterion(today: dt.date | None = None):
    today = today or today_in_china()
    return ((PortalArticle.status == "published") & (PortalArticle.publish_on <= today)
            & or_(PortalArticle.expires_on.is_(None), PortalArticle.expires_on >= today))


@dataclass
class Page:
    items: list[PortalArticle]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def public_list(kind: str, *, program: str | None = None, q: str | None = None, page: int = 1,
                per_page: int = PER_PAGE) -> Page:
    """Public articles of ``kind``: pinned first, then newest; FAQ searchable in both languages."""
    stmt = select(PortalArticle).where(PortalArticle.kind == kind, public_criterion())
    if program in PROGRAM_LABELS:
        stmt = stmt.where(PortalArticle.program == program)
    q = (q or "").strip()[:100]
    if q:
        needle = q.lower()
        stmt = stmt.where(or_(*(func.lower(column).contains(needle, autoescape=True) for column in (
            PortalArticle.title_zh, PortalArticle.title_en, PortalArticle.body_zh, PortalArticle.body_en))))
    total = db.session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    page = max(1, min(page, max(1, -(-total // per_page))))
    items = list(db.session.execute(stmt.order_by(PortalArticle.pinned.desc(), PortalArticle.publish_on.desc(),
                                                  PortalArticle.id.desc())
                                    .limit(per_page).offset((page - 1) * per_page)).scalars())
    return Page(items, total, page, per_page)


def public_article(kind: str, article_id: int) -> PortalArticle:
    """:raises NotFound: no such public article of this kind (a draft, expired or future one too)."""
    article = valid_pk(article_id) is not None and db.session.execute(select(PortalArticle).where(
        PortalArticle.id == article_id, PortalArticle.kind == kind, public_criterion())).scalar_one_or_none()
    if not article:
        raise NotFound(_("This page does not exist or is no longer published."))
    return article


def public_file(attachment_id: int) -> Attachment:
    """A file of a public article; any other attachment is not found."""
    attachment = valid_pk(attachment_id) is not None and db.session.execute(
        select(Attachment).join(PortalArticle, PortalArticle.id == Attachment.record_id)
        .where(Attachment.id == attachment_id, Attachment.record_type == RECORD_TYPE, public_criterion())
    ).scalar_one_or_none()
    if not attachment:
        raise NotFound(_("This file does not exist or is no longer published."))
    return attachment


def latest_by_program(kind: str = "notice", per_program: int = 5) -> dict[str, list[PortalArticle]]:
    return {program: public_list(kind, program=program, per_page=per_program).items for program in PROGRAM_LABELS}


# --- service desks and contacts -----------------------------------------------------------------

def service_desk(program: str) -> ServiceDesk | None:
    return db.session.execute(select(ServiceDesk).where(ServiceDesk.program == program)).scalar_one_or_none()


def service_desks() -> list[ServiceDesk]:
    order = {p: i for i, p in enumerate(PROGRAM_LABELS)}
    return sorted(db.session.execute(select(ServiceDesk)).scalars(), key=lambda d: order.get(d.program, 99))


def contacts() -> dict[str, Any]:
    """Agencies grouped by province (province agency first), recommending units, service desks."""
    agencies = list(db.session.execute(select(Agency).where(Agency.active.is_(True))
                                       .order_by(Agency.province_code, Agency.level.desc(), Agency.name)).scalars())
    codes = {a.province_code for a in agencies}
    names = dict(db.session.execute(select(Region.code, Region.name).where(Region.code.in_(codes))).all()) if codes else {}
    by_province: dict[str, list[Agency]] = {}
    for agency in sorted(agencies, key=lambda a: (a.province_code, a.level != "province", a.name)):
        by_province.setdefault(names.get(agency.province_code, agency.province_code), []).append(agency)
    units = list(db.session.execute(select(RecommendingUnit).where(RecommendingUnit.active == 1)
                                    .order_by(RecommendingUnit.name)).scalars())
    return {"agencies": by_province, "units": units, "desks": service_desks()}


def localized(record: Any, field: str) -> str:
    """``field_en`` on English pages when it is filled in, else ``field_zh``."""
    if str(get_locale() or "zh").startswith("en"):
        value = getattr(record, f"{field}_en", None)
        if value:
            return value
    return getattr(record, f"{field}_zh", None) or ""
