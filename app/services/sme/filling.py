"""Tech-SME evaluation, filling in: the nine tables, the self-evaluation, the stamped cover."""
from __future__ import annotations

import datetime as dt
from typing import Iterable

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defaultload, lazyload, load_only
from sqlalchemy.orm.attributes import set_committed_value

from app.extensions import commit_keeping_loaded, db
from app.services.unit_of_work import use_case
from app.services import enterprise as enterprise_svc
from app.services import industries
from app.services import sme_form as form
from app.services.sme import rulesets
from app.services.errors import NotFound, ServiceError
from app.services.lookup import owned_by
from app.storage import attach_to, save_upload
from models import Attachment, SmeEvaluation
from rules.sme import evaluate, parse_interchange, result_to_json
from rules.sme.interchange import InterchangeError
from app.timeutil import today_in_china

EDITABLE = ("draft", "returned_by_agency")


def evaluation_year() -> int:
    return int(current_app.config.get("SME_EVALUATION_YEAR") or today_in_china().year)


def list_for(user) -> list[SmeEvaluation]:
    if not user.enterprise_id:
        return []
    return list(db.session.execute(_LIST, {"enterprise_id": user.enterprise_id}).scalars())


# The list shows a few columns: not each evaluation's form (JSON), result or joined places.
# Built once: building a statement and its cache key cost as much CPU as running it.
_LIST = (select(SmeEvaluation).where(SmeEvaluation.enterprise_id == bindparam("enterprise_id"))
         .options(load_only(SmeEvaluation.system_number, SmeEvaluation.year, SmeEvaluation.status,
                            SmeEvaluation.enterprise_id, SmeEvaluation.created_at, SmeEvaluation.updated_at,
                            SmeEvaluation.version), lazyload("*"))
         .order_by(SmeEvaluation.year.desc()))


@use_case
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


# The table and self-evaluation pages show only the enterprise's name and credit code: its
# regions and the agencies (five joins more by the models' defaults) are left unloaded, read on
# use if ever. ~10-15 % of those pages' CPU (bench/load/profile_requests.py).
WITHOUT_PLACES = (lazyload(SmeEvaluation.agency), defaultload(SmeEvaluation.enterprise).lazyload("*"))


def own(user, evaluation_id: int, *, places: bool = True) -> SmeEvaluation:
    """:param places: False for a page that does not show the regions and agencies."""
    return owned_by(user, SmeEvaluation, evaluation_id, () if places else WITHOUT_PLACES)


@use_case
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
    errors = form.validate(data, for_submit=False, year=evaluation.year, industries=industries.parent_by_code(),
                           only=table)
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
    """Run the rules in force for the year on the tables; store the result and the set (id and
    version) that produced it, or say which field blocks it. Only the applicant's saves in an
    editable state call this, so a stored score keeps its set when a later one is published."""
    payload = form.to_interchange(evaluation.data or {}, year=evaluation.year,
                                  registered_in_mainland=registered_in_mainland(evaluation.enterprise))
    try:
        # Which set is in force does not depend on the evaluation's pending changes: no autoflush
        # here, so a save writes its record once, at the commit (one UPDATE instead of two).
        with db.session.no_autoflush:
            row, ruleset = rulesets.in_force(evaluation.year)
        result = result_to_json(evaluate(parse_interchange(payload), ruleset))
    except InterchangeError as exc:
        evaluation.result = None
        evaluation.qualified = None
        evaluation.total_score = None
        evaluation.path = None
        evaluation.ruleset_id = evaluation.ruleset_version = None
        return {form.form_key(exc.field): exc.message}
    evaluation.result = result
    evaluation.ruleset_id, evaluation.ruleset_version = row.id, row.version
    # The page drawn next names the set: hand it the row just read rather than reading it again
    # (set as loaded, not as a change: the id above is what is written).
    set_committed_value(evaluation, "ruleset", row)
    evaluation.qualified = bool(result["qualified"])
    evaluation.total_score = result["total_score"]
    evaluation.path = result["path"]
    return {}


@use_case
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


@use_case
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


@use_case
def upload_cover(user, evaluation_id: int, stream, filename: str) -> Attachment:
    evaluation = own(user, evaluation_id)
    if evaluation.status not in EDITABLE:
        raise ServiceError(_("The materials are under review and cannot be changed now."))
    from app.services.eseal.issued_documents import signed_copy_check

    return attach_to(evaluation, "cover_attachment_id", stream, filename, "sme_cover", record_type="sme_evaluation",
                     uploaded_by_id=user.id,
                     transform=signed_copy_check("sme_cover", evaluation.id, evaluation.enterprise_id))
