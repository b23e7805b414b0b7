"""Tech-SME evaluation, decisions: submit, withdraw, the reviewers' actions (one engine call over
the workflow row), certificate numbers, the signed certificate, bulk actions."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.services import industries
from app.services import sme_form as form
from app.services.errors import ServiceError
from app.services.sme.filling import own, self_evaluate
from app.workflows import engine
from app.workflows.definitions import SME_EVALUATION
from app.workflows.model import APPLICANT, BULK, REVIEW
from models import CertificateCounter, SmeEvaluation

def submit_problems(evaluation: SmeEvaluation) -> list[str]:
    problems = []
    if evaluation.enterprise.status != "approved":
        problems.append(_("The enterprise registration must be approved before submitting (you can save until then)."))
    errors = form.validate(evaluation.data or {}, for_submit=True, year=evaluation.year, industries=industries.parent_by_code())
    if errors or self_evaluate(evaluation):
        problems.append(_("Some tables are incomplete or contain errors."))
    elif not evaluation.qualified:
        problems.append(_("The self-evaluation does not meet the conditions of a tech-based SME."))
    if not evaluation.cover_attachment_id:
        problems.append(_("Please upload the stamped cover."))
    return problems


def submit(user, evaluation_id: int, expected_version: int | None = None) -> SmeEvaluation:
    evaluation = own(user, evaluation_id)
    return engine.apply(SME_EVALUATION, SmeEvaluation, evaluation.id, "submit", user, channel=APPLICANT,
                        expected_version=expected_version)


def snapshot_enterprise(step) -> None:
    """Hook of "submit": the region, agency and fields reviewers filter by, as they are now."""
    record = step.record
    record.agency_id = record.enterprise.agency_id
    record.province_code = record.enterprise.province_code
    record.city_code = record.enterprise.city_code
    record.industry_code = str((record.data or {}).get("main", {}).get("industry_code") or "")[:8] or None
    record.tech_field_code = record.enterprise.tech_field_code


def withdraw(user, evaluation_id: int, expected_version: int | None = None) -> SmeEvaluation:
    evaluation = own(user, evaluation_id)
    return engine.apply(SME_EVALUATION, SmeEvaluation, evaluation.id, "withdraw", user, channel=APPLICANT,
                        expected_version=expected_version)


def review(actor, evaluation_id: int, action: str, comment: str | None = None,
           expected_version: int | None = None, channel: str = REVIEW) -> SmeEvaluation:
    """Any reviewer action of the workflow table (role, scope, channel and guard checked by the engine)."""
    return engine.apply(SME_EVALUATION, SmeEvaluation, evaluation_id, action, actor,
                        comment=comment, expected_version=expected_version, channel=channel)


def assign_certificate_number(step) -> dict:
    """Hook of "number"."""
    step.record.certificate_number = next_certificate_number(step.record)
    return {"certificate_number": [None, step.record.certificate_number]}


def issue_certificate(evaluation: SmeEvaluation, actor=None, task_id: int | None = None):
    """The signed electronic registration certificate (入库登记编号), a new version on re-issue."""
    from app.services.eseal import issued_documents

    if not evaluation.certificate_number:
        raise ServiceError(_("The evaluation has no registration number yet."))
    enterprise = evaluation.enterprise
    return issued_documents.issue(
        kind="sme_certificate", number=evaluation.certificate_number, title="科技型中小企业入库登记证书",
        holder_name=enterprise.name, credit_code=enterprise.credit_code or "",
        paragraphs=[f"{enterprise.name}经自主评价、评价工作机构审核及公示，符合《科技型中小企业评价办法》规定的条件，"
                    f"已纳入{evaluation.year}年全国科技型中小企业信息库。"],
        fields=[("评价年度", str(evaluation.year)), ("入库登记编号", evaluation.certificate_number),
                ("评价得分", "" if evaluation.total_score is None else str(evaluation.total_score))],
        enterprise_id=enterprise.id, record_type="sme_evaluation", record_id=evaluation.id, actor=actor,
        task_id=task_id)


def next_certificate_number(evaluation: SmeEvaluation) -> str:
    """年份(4) + 企业注册地区划代码(6) + 顺序号(5), unique and gapless per region and year.

    The counter row is locked (SELECT … FOR UPDATE) and incremented in the caller's
    transaction, so a failed transition gives its number back.
    """
    region = evaluation.enterprise.county_code or evaluation.enterprise.city_code or evaluation.province_code
    key = {"year": evaluation.year, "region_code": region}
    counter = db.session.execute(select(CertificateCounter).filter_by(**key).with_for_update()).scalar_one_or_none()
    if counter is None:
        counter = CertificateCounter(last_number=0, **key)
        db.session.add(counter)
        db.session.flush()
    counter.last_number += 1
    return f"{evaluation.year}{region}{counter.last_number:05d}"


@dataclass
class BulkResult:
    record_id: int
    ok: bool
    message: str


BULK_ACTIONS = tuple(dict.fromkeys(t.action for t in SME_EVALUATION.transitions if BULK in t.channels))


def bulk(actor, ids: Iterable[int], action: str, comment: str | None = None) -> list[BulkResult]:
    """The same transition for many records, each in its own transaction."""
    results = []
    for record_id in ids:
        try:
            review(actor, int(record_id), action, comment, channel=BULK)
            results.append(BulkResult(int(record_id), True, _("Done")))
        except ServiceError as exc:
            results.append(BulkResult(int(record_id), False, exc.message))
    return results
