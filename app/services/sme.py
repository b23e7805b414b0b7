"""Tech-SME evaluation use cases: fill, self-evaluate, cover, submit, withdraw, review,
spot check, publicity, store, number, bulk actions."""
from __future__ import annotations

import datetime as dt
import random
import secrets
from dataclasses import dataclass
from typing import Iterable

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import commit_keeping_loaded, db
from app.services.lookup import owned_by
from app.security import roles as R
from app.services import enterprise as enterprise_svc
from app.services import industries
from app.services import sme_form as form
from app.services.errors import Forbidden, NotFound, ServiceError
from app.storage import attach_to, save_upload
from app.workflows import engine
from app.workflows.definitions import SME_EVALUATION
from models import Attachment, CertificateCounter, PublicityBatch, SmeEvaluation, SpotCheckDraw
from models.base import utcnow
from rules.sme import evaluate, parse_interchange, result_to_json
from rules.sme.interchange import InterchangeError

EDITABLE = ("draft", "returned_by_agency")


def evaluation_year() -> int:
    return int(current_app.config.get("SME_EVALUATION_YEAR") or dt.date.today().year)


class SystemActor:
    """Who scheduled jobs act as: recorded in the log as the platform itself."""

    is_authenticated = True
    id = None
    agency = None
    agency_id = None
    enterprise_id = None
    first_name = "系统"
    last_name = ""
    username = "system"

    class _Role:
        name = R.SYSTEM

    roles = [_Role()]


def list_for(user) -> list[SmeEvaluation]:
    if not user.enterprise_id:
        return []
    stmt = select(SmeEvaluation).where(SmeEvaluation.enterprise_id == user.enterprise_id).order_by(SmeEvaluation.year.desc())
    return list(db.session.execute(stmt).scalars())


def create(user, year: int | None = None) -> SmeEvaluation:
    """新增填报材料: one evaluation per enterprise per year (a database constraint)."""
    year = year or evaluation_year()
    enterprise = enterprise_svc.get_or_create(user)
    evaluation = SmeEvaluation(enterprise_id=enterprise.id, year=year, status="draft",
                               data={"main": {}, "entry": {}, "finance": {}, "hr": {}, "other": {}})
    db.session.add(evaluation)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise ServiceError(_("Your enterprise already has evaluation materials for %(year)d.", year=year))
    evaluation.system_number = f"{year}{evaluation.id:08d}"
    db.session.commit()
    return evaluation


def own(user, evaluation_id: int) -> SmeEvaluation:
    return owned_by(user, SmeEvaluation, evaluation_id)


def save_table(user, evaluation_id: int, table_key: str, values: dict | None, rows: list[dict] | None,
               proofs: dict[int, tuple] | None = None) -> tuple[SmeEvaluation, dict[str, str]]:
    """Keep what was typed in one table; recompute the self-evaluation when the data allows.

    :param proofs: row index -> (stream, filename) of proof files uploaded with the rows.
    """
    evaluation = own(user, evaluation_id)
    if evaluation.status not in EDITABLE:
        raise ServiceError(_("The materials are under review and cannot be changed now."))
    table = form.TABLE_BY_KEY.get(table_key)
    if table is None:
        raise NotFound(_("Record not found."))
    data = dict(evaluation.data or {})
    if table.fields and values is not None:
        data[table.key] = {c.name: values.get(c.name, "") for c in table.fields}
    if table.rows and rows is not None:
        for index, (stream, filename) in (proofs or {}).items():
            if index < len(rows):
                attachment = save_upload(stream, filename, "sme_proof", enterprise_id=evaluation.enterprise_id,
                                         record_type="sme_evaluation", record_id=evaluation.id, uploaded_by_id=user.id)
                db.session.flush()
                rows[index]["proof"] = str(attachment.id)
        data[table.rows] = rows
    evaluation.data = data
    errors = form.validate(data, for_submit=False, year=evaluation.year, industries=industries.parent_by_code())
    rule_errors = self_evaluate(evaluation)
    commit_keeping_loaded()
    # Report what belongs to the table on screen; the rest shows on the self-evaluation page.
    mine = (table.key, table.rows)
    return evaluation, {k: v for k, v in {**rule_errors, **errors}.items() if k.split(".")[0] in mine}


def registered_in_mainland(enterprise) -> bool:
    """Indicator 1: registered in mainland China (not Taiwan, Hong Kong or Macao). Before the
    registration is submitted the region typed in its draft is used."""
    code = enterprise.province_code or (enterprise.draft or {}).get("province_code") or ""
    return code[:2] not in ("71", "81", "82")


def self_evaluate(evaluation: SmeEvaluation) -> dict[str, str]:
    """Run the year's rules on the tables; store the result or say which field blocks it."""
    payload = form.to_interchange(evaluation.data or {}, year=evaluation.year,
                                  registered_in_mainland=registered_in_mainland(evaluation.enterprise))
    try:
        result = result_to_json(evaluate(parse_interchange(payload)))
    except InterchangeError as exc:
        evaluation.result = None
        evaluation.qualified = None
        evaluation.total_score = None
        evaluation.path = None
        return {form.form_key(exc.field): exc.message}
    evaluation.result = result
    evaluation.qualified = bool(result["qualified"])
    evaluation.total_score = result["total_score"]
    evaluation.path = result["path"]
    return {}


def add_from_registry(user, evaluation_id: int, ip_ids: Iterable[int]) -> int:
    """Batch-add IP rows from the enterprise's own registry (skips ones already listed)."""
    from models import EnterpriseIp

    evaluation = own(user, evaluation_id)
    if evaluation.status not in EDITABLE:
        raise ServiceError(_("The materials are under review and cannot be changed now."))
    items = db.session.execute(select(EnterpriseIp).where(
        EnterpriseIp.id.in_([int(i) for i in ip_ids]), EnterpriseIp.enterprise_id == evaluation.enterprise_id)).scalars()
    rows = list((evaluation.data or {}).get("ip") or [])
    present = {(r.get("kind"), r.get("number")) for r in rows}
    added = 0
    for item in items:
        if (item.kind, item.number) in present:
            continue
        rows.append({"name": item.name, "kind": item.kind, "grant_date": item.grant_date.isoformat() if item.grant_date else "",
                     "number": item.number, "acquisition": item.acquisition, "proof": "", "registry_id": str(item.id)})
        added += 1
    evaluation.data = {**evaluation.data, "ip": rows}
    self_evaluate(evaluation)
    db.session.commit()
    return added


def delete_ip_rows(user, evaluation_id: int, indexes: Iterable[int]) -> int:
    evaluation = own(user, evaluation_id)
    if evaluation.status not in EDITABLE:
        raise ServiceError(_("The materials are under review and cannot be changed now."))
    drop = {int(i) for i in indexes}
    rows = [r for i, r in enumerate((evaluation.data or {}).get("ip") or []) if i not in drop]
    removed = len((evaluation.data or {}).get("ip") or []) - len(rows)
    evaluation.data = {**evaluation.data, "ip": rows}
    self_evaluate(evaluation)
    db.session.commit()
    return removed


def upload_cover(user, evaluation_id: int, stream, filename: str) -> Attachment:
    evaluation = own(user, evaluation_id)
    if evaluation.status not in EDITABLE:
        raise ServiceError(_("The materials are under review and cannot be changed now."))
    from app.services.issued_documents import signed_copy_check

    return attach_to(evaluation, "cover_attachment_id", stream, filename, "sme_cover", record_type="sme_evaluation",
                     uploaded_by_id=user.id,
                     transform=signed_copy_check("sme_cover", evaluation.id, evaluation.enterprise_id))


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


@engine.guard("sme_submittable")
def _submittable(evaluation: SmeEvaluation) -> str | None:
    problems = submit_problems(evaluation)
    return " ".join(problems) if problems else None


def submit(user, evaluation_id: int, expected_version: int | None = None) -> SmeEvaluation:
    evaluation = own(user, evaluation_id)

    def enter(record: SmeEvaluation) -> None:
        record.agency_id = record.enterprise.agency_id
        record.province_code = record.enterprise.province_code
        record.city_code = record.enterprise.city_code
        record.industry_code = str((record.data or {}).get("main", {}).get("industry_code") or "")[:8] or None
        record.tech_field_code = record.enterprise.tech_field_code
        record.submitted_at = utcnow()
        record.return_reason = None

    return engine.apply(SME_EVALUATION, SmeEvaluation, evaluation.id, "submit", user,
                        expected_version=expected_version, on_enter=enter)


def withdraw(user, evaluation_id: int, expected_version: int | None = None) -> SmeEvaluation:
    evaluation = own(user, evaluation_id)
    return engine.apply(SME_EVALUATION, SmeEvaluation, evaluation.id, "withdraw", user, expected_version=expected_version)


def review(actor, evaluation_id: int, action: str, comment: str | None = None,
           expected_version: int | None = None) -> SmeEvaluation:
    """Any reviewer action of the workflow table (role, scope and guard checked by the engine)."""

    def enter(record: SmeEvaluation) -> dict | None:
        if action in ("return", "return_to_agency", "reject", "check_fail"):
            record.return_reason = comment
        if action == "object":
            record.objection_reason = comment
        if action == "store":
            record.stored_at = utcnow()
        if action == "number":
            record.certificate_number = next_certificate_number(record)
            return {"certificate_number": [None, record.certificate_number]}
        return None

    if action in ("submit", "withdraw"):
        raise ServiceError(_("This action is not possible in the current status."))
    record = engine.apply(SME_EVALUATION, SmeEvaluation, evaluation_id, action, actor,
                          comment=comment, expected_version=expected_version, on_enter=enter)
    if action == "number":
        from app.services import issued_documents

        issued_documents.issue_quietly(issue_certificate, record, actor)
    return record


def issue_certificate(evaluation: SmeEvaluation, actor=None):
    """The signed electronic registration certificate (入库登记编号), a new version on re-issue."""
    from app.services import issued_documents

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
        enterprise_id=enterprise.id, record_type="sme_evaluation", record_id=evaluation.id, actor=actor)


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


BULK_ACTIONS = ("confirm", "send", "approve", "store", "number", "queue")


def bulk(actor, ids: Iterable[int], action: str, comment: str | None = None) -> list[BulkResult]:
    """The same transition for many records, each in its own transaction."""
    if action not in BULK_ACTIONS:
        raise ServiceError(_("This action is not possible in the current status."))
    results = []
    for record_id in ids:
        try:
            review(actor, int(record_id), action, comment)
            results.append(BulkResult(int(record_id), True, _("Done")))
        except ServiceError as exc:
            db.session.rollback()
            results.append(BulkResult(int(record_id), False, exc.message))
    return results


def draw_spot_check(actor, percentage: int, seed: str | None = None, year: int | None = None) -> SpotCheckDraw:
    """抽查: a reproducible random sample of the province's recommended records; the rest
    are queued for publicity. The seed is kept so anyone can redraw the same sample."""
    from app.security.scope import scope_criterion

    if not 0 <= int(percentage) <= 100:
        raise ServiceError(_("Enter a percentage between 0 and 100."))
    province = _province_of(actor)
    year = year or evaluation_year()
    candidates = sorted(db.session.execute(select(SmeEvaluation.id).where(
        SmeEvaluation.status == "recommended", SmeEvaluation.year == year,
        SmeEvaluation.province_code == province, scope_criterion(SmeEvaluation, actor))).scalars())
    seed = seed or secrets.token_hex(8)
    count = round(len(candidates) * int(percentage) / 100)
    sampled = sorted(random.Random(f"{seed}:{year}:{province}").sample(candidates, count))
    draw = SpotCheckDraw(province_code=province, year=year, percentage=int(percentage), seed=seed,
                         candidate_ids=candidates, sampled_ids=sampled, drawn_by_id=actor.id)
    db.session.add(draw)
    db.session.commit()
    chosen = set(sampled)
    for record_id in candidates:
        record = review(actor, record_id, "sample" if record_id in chosen else "queue")
        record.sampled = record_id in chosen
        db.session.commit()
    return draw


def create_batch(actor, name: str, starts_on: dt.date, ends_on: dt.date, ids: Iterable[int]) -> PublicityBatch:
    """A publicity window for queued records of the actor's province."""
    from app.security.scope import scope_criterion

    province = _province_of(actor)
    if not name or not starts_on or not ends_on or ends_on < starts_on:
        raise ServiceError(_("Please give a name and a start date not after the end date."))
    batch = PublicityBatch(province_code=province, name=name.strip()[:128], starts_on=starts_on, ends_on=ends_on)
    db.session.add(batch)
    db.session.flush()
    records = db.session.execute(select(SmeEvaluation).where(
        SmeEvaluation.id.in_([int(i) for i in ids]), SmeEvaluation.status == "publicity_queued",
        SmeEvaluation.publicity_batch_id.is_(None), scope_criterion(SmeEvaluation, actor))).scalars().all()
    if not records:
        db.session.rollback()
        raise ServiceError(_("Choose records queued for publicity that are not in a batch yet."))
    for record in records:
        record.publicity_batch_id = batch.id
    db.session.commit()
    return batch


def _province_of(actor) -> str:
    """The province a provincial reviewer acts for; anyone else may not draw or batch."""
    from app.security.scope import role_names

    agency = getattr(actor, "agency", None)
    if R.PROVINCE_REVIEWER not in role_names(actor) or agency is None:
        raise Forbidden(_("Your role may not take this action."))
    return agency.province_code


@engine.guard("publicity_started")
def _publicity_started(record: SmeEvaluation) -> str | None:
    batch = record.publicity_batch
    if batch is None or batch.status != "open":
        return _("The publicity window has not opened.")
    return None


@engine.guard("publicity_ended")
def _publicity_ended(record: SmeEvaluation) -> str | None:
    batch = record.publicity_batch
    if batch is None or batch.status != "closed":
        return _("The publicity window has not ended.")
    return None


def publicity_tick(today: dt.date) -> dict[str, int]:
    """Scheduled daily (and safe to run again): open batches whose start date has come,
    close those whose end date has passed, moving their records through the workflow."""
    actor = SystemActor()
    moved = {"opened": 0, "closed": 0}
    for batch in db.session.execute(select(PublicityBatch).where(
            PublicityBatch.status == "planned", PublicityBatch.starts_on <= today)).scalars().all():
        batch.status, batch.opened_at = "open", utcnow()
        db.session.commit()
        for record_id in _batch_records(batch.id, "publicity_queued"):
            review(actor, record_id, "open_publicity")
            moved["opened"] += 1
    for batch in db.session.execute(select(PublicityBatch).where(
            PublicityBatch.status == "open", PublicityBatch.ends_on < today)).scalars().all():
        batch.status, batch.closed_at = "closed", utcnow()
        db.session.commit()
    # Includes records whose objection was resolved after their window had closed.
    closed_ids = select(PublicityBatch.id).where(PublicityBatch.status == "closed")
    for record_id in db.session.execute(select(SmeEvaluation.id).where(
            SmeEvaluation.status == "in_publicity", SmeEvaluation.publicity_batch_id.in_(closed_ids))).scalars().all():
        review(actor, record_id, "close_publicity")
        moved["closed"] += 1
    return moved


def _batch_records(batch_id: int, status: str) -> list[int]:
    return list(db.session.execute(select(SmeEvaluation.id).where(
        SmeEvaluation.publicity_batch_id == batch_id, SmeEvaluation.status == status)).scalars())


# --- interchange (REST import / export) ---------------------------------------------

def export_interchange(evaluation: SmeEvaluation) -> dict:
    """The evaluation in the rules' interchange format (what ``flask score`` reads)."""
    return form.to_interchange(evaluation.data or {}, year=evaluation.year,
                               registered_in_mainland=registered_in_mainland(evaluation.enterprise))


def import_interchange(user, evaluation_id: int, payload: dict) -> SmeEvaluation:
    """Fill the tables from an interchange document (validated by the rules first).

    :raises ServiceError: with ``field_errors`` naming the interchange field.
    """
    evaluation = own(user, evaluation_id)
    if evaluation.status not in EDITABLE:
        raise ServiceError(_("The materials are under review and cannot be changed now."))
    if not isinstance(payload, dict):
        raise ServiceError(_("The document must be a JSON object."), {"$": _("The document must be a JSON object.")})
    try:
        parsed = parse_interchange(payload)
    except InterchangeError as exc:
        raise ServiceError(exc.message, {exc.field: exc.message})
    if parsed.year != evaluation.year:
        raise ServiceError(_("The document is for another year."), {"year": _("The document is for another year.")})
    # The tables take the values as the rules read them, not as sent: 80.0 people or 1e-4 万元
    # are valid JSON for the rules, but "80.0" in a table is not a count (the score was lost).
    def money(amount) -> str:
        return format(amount, "f")

    data = dict(evaluation.data or {})
    data["entry"] = {"products_ok": "yes" if parsed.products_not_prohibited else "no",
                     "credit_ok": "yes" if parsed.credit_ok else "no"}
    data["finance"] = {**(data.get("finance") or {}), "sales_revenue": money(parsed.sales_revenue),
                       "total_assets": money(parsed.total_assets), "cost_expenses": money(parsed.cost_expenses)}
    staff_keys = ("fulltime", "parttime", "temporary")
    data["hr"] = {**(data.get("hr") or {}), **{k: str(getattr(parsed.employees, k)) for k in staff_keys},
                  **{f"tech_{k}": str(getattr(parsed.tech_staff, k)) for k in staff_keys}}
    data["rd_projects"] = [{"name": p.name, "number": "", "form": p.form, "status": "", "amount": money(p.amount)}
                           for p in parsed.rd_projects]
    data["awards"] = [{"name": a.name, "level": "", "year": str(a.year), "rank": str(a.rank), "proof": ""}
                      for a in parsed.national_awards]
    data["institutions"] = [{"name": i.name, "level": i.level, "proof": ""} for i in parsed.rd_institutions]
    data["standards"] = [{"name": s.name, "number": "", "level": s.level, "year": str(s.year), "rank": str(s.rank),
                          "proof": ""} for s in parsed.standards]
    data["ip"] = [{"name": i.name, "kind": i.kind, "grant_date": "", "number": "", "acquisition": "", "proof": ""}
                  for i in parsed.ip]
    data["other"] = {**(data.get("other") or {}), "high_tech_cert": "yes" if parsed.high_tech_certificate_valid else "no"}
    evaluation.data = data
    errors = self_evaluate(evaluation)
    if errors:  # the tables must hold what the rules accepted; never store a document they cannot
        db.session.rollback()
        raise ServiceError(next(iter(errors.values())), errors)
    db.session.commit()
    return evaluation
