"""Records on the public lists, made through the real services: a Tech-SME record in an open
publicity batch, a numbered one with its signed certificate, a published benchmark selection."""
from __future__ import annotations

import datetime as dt
import io

from app.extensions import db
from app.security import roles as R
from app.services import sme as svc
from app.services.sme import objections
from app.timeutil import today_in_china
from models import Activity, Declaration, OrganizationFiling, Project, PublicityBatch, SmeEvaluation
from tests import factories as f

START = dt.date(2026, 5, 1)
END = dt.date(2026, 5, 10)


def province_reviewer(region: str = "330000"):
    return f.gen_user(R.PROVINCE_REVIEWER, agency_region=region)


def sme_in_publicity(count: int = 1, province=None, name: str = "浙江第一批") -> tuple[list[SmeEvaluation], object, PublicityBatch]:
    """``count`` Zhejiang records in an open batch; returns (records, the province reviewer, batch)."""
    records = [f.gen_sme(status="recommended") for _ in range(count)]
    province = province or province_reviewer()
    svc.draw_spot_check(province, 0, seed="public", year=2026)
    batch = svc.create_batch(province, name, START, END, [r.id for r in records])
    svc.publicity_tick(START)
    return [db.session.get(SmeEvaluation, r.id) for r in records], province, db.session.get(PublicityBatch, batch.id)


def close_publicity() -> None:
    svc.publicity_tick(END + dt.timedelta(days=1))


def numbered_sme() -> tuple[SmeEvaluation, object]:
    """A record through publicity, stored and numbered (its certificate signed and stored)."""
    (record,), province, _batch = sme_in_publicity(name="浙江入库批")
    close_publicity()
    svc.review(province, record.id, "store")
    svc.review(province, record.id, "number")
    return db.session.get(SmeEvaluation, record.id), province


def published_selection(ends_on: dt.date | None = None) -> tuple[Declaration, object]:
    """A selected declaration of a closed activity whose results the association published."""
    from app.services import benchmark_results

    user = f.gen_applicant()
    enterprise = f.gen_enterprise(user, status="approved")
    filing = OrganizationFiling(enterprise_id=enterprise.id, for_year=2026, status="approved", draft={},
                                org_name=enterprise.name)
    project = Project(enterprise_id=enterprise.id, name="卓越绩效数字化项目", keywords=["质量"], data={})
    activity = Activity(name="2026年全国质量标杆活动", year=2026, status="closed", opens_on=dt.date(2026, 1, 1),
                        closes_on=dt.date(2026, 3, 31), commitment_text="承诺")
    db.session.add_all([filing, project, activity])
    db.session.flush()
    declaration = Declaration(activity_id=activity.id, enterprise_id=enterprise.id, filing_id=filing.id,
                              project_id=project.id, status="selected", commitment_text="承诺",
                              commitment_accepted_at=dt.datetime(2026, 3, 1), commitment_by_id=user.id,
                              contact={"mobile": "13900001111", "email": "quality@example.com"}, snapshot={})
    db.session.add(declaration)
    db.session.commit()
    association = f.gen_user(R.ASSOCIATION_REVIEWER)
    benchmark_results.publish(association, activity.id, ends_on or today_in_china() + dt.timedelta(days=7))
    return db.session.get(Declaration, declaration.id), association


def objection_form(**overrides) -> objections.ObjectionForm:
    from app.services import captcha

    values = dict(objector_name="张三", contact="13812345678", reason="该企业研发人员数据与实际不符，请核查。",
                  form_token=objections.new_form_token(), captcha_id=captcha.new_challenge()[0], captcha=f.CAPTCHA)
    values.update(overrides)
    return objections.ObjectionForm(**values)


def file_objection(record: SmeEvaluation, evidence: bool = False, **overrides):
    files = (io.BytesIO(f.PDF_MIN), "evidence.pdf") if evidence else None
    return objections.file_sme_objection(record.id, objection_form(**overrides), files).objection
