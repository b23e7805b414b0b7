"""The public certificate query (证书查询): by the full unified social credit code or by the
enterprise name (exact, or containing at least 4 characters), at most 20 enterprises, each
with its Tech-SME registrations (入库登记编号, year, status) and benchmark selections, and the
verification page of each signed certificate. Nothing else about the enterprise."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import or_, select

from app.extensions import db
from app.services.errors import ServiceError
from models import Activity, Declaration, Enterprise, IssuedDocument, SmeEvaluation
from rules.credit_code import validate_credit_code

MAX_RESULTS = 20
NAME_MIN = 4
QUERY_MAX = 64
# The statuses the public sees, in the manual's words (入库 / 生成证书编号 / 已撤销).
SME_STATUSES = ("stored", "numbered", "revoked")


@dataclass
class Certificate:
    """A signed certificate's verification page: /verify/<number>/<version>."""

    number: str
    version: int


@dataclass
class SmeRegistration:
    year: int
    certificate_number: str
    status: str  # stored | numbered | revoked
    certificate: Certificate | None


@dataclass
class BenchmarkSelection:
    activity: str
    year: int
    project: str
    certificate: Certificate | None


@dataclass
class EnterpriseResult:
    name: str
    credit_code: str
    registrations: list[SmeRegistration] = field(default_factory=list)
    selections: list[BenchmarkSelection] = field(default_factory=list)


def _criterion(text: str):
    """How ``text`` selects enterprises.

    :raises ServiceError: (field ``q``) too short a name, or an invalid code.
    """
    text = (text or "").strip()
    if not text:
        raise ServiceError(_("Enter a unified social credit code or an enterprise name."),
                           {"q": _("Enter a unified social credit code or an enterprise name.")})
    if len(text) > QUERY_MAX:
        text = text[:QUERY_MAX]
    if len(text) == 18 and text.isascii() and text.isalnum():
        if validate_credit_code(text) is None:
            return Enterprise.credit_code == text
        message = _("This is not a valid unified social credit code.")
        raise ServiceError(message, {"q": message})
    if len(text) < NAME_MIN:
        return Enterprise.name == text
    return or_(Enterprise.name == text, Enterprise.name.contains(text, autoescape=True))


def query(text: str) -> list[EnterpriseResult]:
    """Enterprises matching ``text`` that hold a registration or a selection (at most 20)."""
    criterion = _criterion(text)
    registered = select(SmeEvaluation.enterprise_id).where(SmeEvaluation.status.in_(SME_STATUSES))
    selected = select(Declaration.enterprise_id).where(Declaration.status == "selected")
    enterprises = db.session.execute(
        select(Enterprise).where(criterion, or_(Enterprise.id.in_(registered), Enterprise.id.in_(selected)))
        .order_by(Enterprise.name, Enterprise.id).limit(MAX_RESULTS)).scalars().all()
    return [_result(e) for e in enterprises]


def _latest_certificate(record_type: str, record_id: int) -> Certificate | None:
    document = db.session.execute(select(IssuedDocument).where(
        IssuedDocument.record_type == record_type, IssuedDocument.record_id == record_id)
        .order_by(IssuedDocument.version.desc())).scalars().first()
    return Certificate(document.number, document.version) if document is not None else None


def _result(enterprise: Enterprise) -> EnterpriseResult:
    result = EnterpriseResult(enterprise.name or "", enterprise.credit_code or "")
    for evaluation in db.session.execute(select(SmeEvaluation).where(
            SmeEvaluation.enterprise_id == enterprise.id, SmeEvaluation.status.in_(SME_STATUSES))
            .order_by(SmeEvaluation.year.desc())).scalars():
        result.registrations.append(SmeRegistration(evaluation.year, evaluation.certificate_number or "",
                                                    evaluation.status,
                                                    _latest_certificate("sme_evaluation", evaluation.id)))
    for declaration, activity in db.session.execute(
            select(Declaration, Activity).join(Activity, Declaration.activity_id == Activity.id)
            .where(Declaration.enterprise_id == enterprise.id, Declaration.status == "selected")
            .order_by(Activity.year.desc())).all():
        result.selections.append(BenchmarkSelection(activity.name, activity.year,
                                                    declaration.project.name if declaration.project else "",
                                                    _latest_certificate("declaration", declaration.id)))
    return result
