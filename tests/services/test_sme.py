"""Tech-SME evaluation: filling keeps everything, self-evaluation, submission rules, the
15-status review with roles, spot check, publicity by schedule, certificate numbers."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import select

from app.extensions import db
from app.security import roles as R
from app.services import sme as svc
from app.services.errors import Forbidden, NotFound, ServiceError
from app.workflows.definitions import SME_EVALUATION
from models import SmeEvaluation, WorkflowLog
from tests import factories as f


def _agency():
    return f.gen_user(R.AGENCY_REVIEWER, agency_region="330100")


def _province():
    return f.gen_user(R.PROVINCE_REVIEWER, agency_region="330000")


def test_fill_keeps_invalid_values_and_reports_them(app):
    user = f.gen_applicant()
    f.gen_enterprise(user, status="approved")
    evaluation = svc.create(user, 2026)
    evaluation, errors = svc.save_table(user, evaluation.id, "finance",
                                        {"sales_revenue": "12.34567", "total_assets": "abc", "cost_expenses": "10"}, [])
    assert evaluation.data["finance"]["sales_revenue"] == "12.34567"
    assert "finance.sales_revenue" in errors and "finance.total_assets" in errors


def test_self_evaluation_scores_the_tables(app):
    evaluation = f.gen_sme()
    assert evaluation.qualified is True and evaluation.path == "scored" and evaluation.total_score == 100
    assert evaluation.result["indicators"]["10"]["points"] == 50


def test_commissioned_projects_count_80_and_0_percent(app):
    evaluation = f.gen_sme(rd_projects=[
        {"name": "a", "number": "1", "form": "commissioned_domestic", "status": "completed", "amount": "50"},
        {"name": "b", "number": "2", "form": "commissioned_foreign", "status": "completed", "amount": "500"},
    ])
    assert float(evaluation.result["rd_total"]) == 40.0  # 50 x 80% + 500 x 0%
    assert evaluation.result["indicators"]["10"]["points"] == 30  # 40 / 1000 = 4% of sales


def test_a_save_writes_the_new_tables_and_score_in_one_update(app):
    from sqlalchemy import event

    user = f.gen_applicant()
    evaluation = f.gen_sme(user)
    finance = dict(f.sme_tables()["finance"], sales_revenue="10000")  # R&D now a smaller share of sales
    rows = [dict(r) for r in f.sme_tables()["rd_projects"]]
    updates = []

    def count(_conn, _cursor, statement, *_a):
        if statement.startswith("UPDATE sme_evaluation"):
            updates.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        svc.save_table(user, evaluation.id, "finance", finance, rows)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(updates) == 1  # the rule set in force is read without flushing the tables first
    db.session.expire_all()
    stored = db.session.get(SmeEvaluation, evaluation.id)
    assert stored.data["finance"]["sales_revenue"] == "10000"
    assert stored.result["indicators"]["10"]["points"] < 50 and stored.total_score < 100


def test_hr_structure_must_match_totals(app):
    user = f.gen_applicant()
    f.gen_enterprise(user, status="approved")
    evaluation = svc.create(user, 2026)
    hr = dict(f.sme_tables()["hr"], edu_other="9")
    _, errors = svc.save_table(user, evaluation.id, "hr", hr, None)
    assert "hr.edu_structure" in errors


def test_one_evaluation_per_enterprise_per_year(app):
    evaluation = f.gen_sme()
    user = db.session.execute(select(f.ShenbaoUser).where(f.ShenbaoUser.enterprise_id == evaluation.enterprise_id)).scalar_one()
    with pytest.raises(ServiceError):
        svc.create(user, 2026)
    assert svc.create(user, 2027).year == 2027


def test_fill_before_registration_approval_but_not_submit(app):
    evaluation = f.gen_sme(enterprise_status="submitted")
    user = db.session.execute(select(f.ShenbaoUser).where(f.ShenbaoUser.enterprise_id == evaluation.enterprise_id)).scalar_one()
    with pytest.raises(ServiceError) as exc:
        svc.submit(user, evaluation.id)
    assert "approved" in exc.value.message or "审核通过" in exc.value.message
    assert db.session.get(SmeEvaluation, evaluation.id).status == "draft"


def test_submit_needs_cover_and_qualified_result(app):
    user = f.gen_applicant()
    f.gen_enterprise(user, status="approved")
    evaluation = svc.create(user, 2026)
    with pytest.raises(ServiceError):
        svc.submit(user, evaluation.id)
    unqualified = f.gen_sme(entry={"products_ok": "no", "credit_ok": "yes"})
    owner = db.session.execute(select(f.ShenbaoUser).where(f.ShenbaoUser.enterprise_id == unqualified.enterprise_id)).scalar_one()
    assert unqualified.qualified is False
    with pytest.raises(ServiceError):
        svc.submit(owner, unqualified.id)


def test_withdraw_until_agency_confirms(app):
    evaluation = f.gen_sme(status="pending_agency")
    user = db.session.execute(select(f.ShenbaoUser).where(f.ShenbaoUser.enterprise_id == evaluation.enterprise_id)).scalar_one()
    svc.withdraw(user, evaluation.id)
    assert db.session.get(SmeEvaluation, evaluation.id).status == "draft"
    svc.submit(user, evaluation.id)
    svc.review(_agency(), evaluation.id, "confirm")
    with pytest.raises(ServiceError):
        svc.withdraw(user, evaluation.id)


def test_full_path_to_certificate_number_with_publicity_by_schedule(app):
    evaluation = f.gen_sme(status="recommended")
    province = _province()
    draw = svc.draw_spot_check(province, 0, seed="s1", year=2026)
    assert draw.sampled_ids == [] and db.session.get(SmeEvaluation, evaluation.id).status == "publicity_queued"
    batch = svc.create_batch(province, "2026年第一批", dt.date(2026, 5, 1), dt.date(2026, 5, 10), [evaluation.id])
    assert svc.publicity_tick(dt.date(2026, 4, 30)) == {"opened": 0, "closed": 0}
    assert svc.publicity_tick(dt.date(2026, 5, 1))["opened"] == 1
    assert db.session.get(SmeEvaluation, evaluation.id).status == "in_publicity"
    assert svc.publicity_tick(dt.date(2026, 5, 10))["closed"] == 0  # the last day is still public
    assert svc.publicity_tick(dt.date(2026, 5, 11))["closed"] == 1
    svc.review(province, evaluation.id, "store")
    numbered = svc.review(province, evaluation.id, "number")
    county = numbered.enterprise.county_code
    assert numbered.certificate_number == f"2026{county}00001"
    actions = [e.action for e in db.session.execute(select(WorkflowLog).where(
        WorkflowLog.record_type == "sme_evaluation", WorkflowLog.record_id == evaluation.id).order_by(WorkflowLog.id)).scalars()]
    assert actions == ["submit", "confirm", "send", "approve", "queue", "open_publicity", "close_publicity", "store", "number"]
    system_steps = db.session.execute(select(WorkflowLog).where(WorkflowLog.action == "open_publicity")).scalar_one()
    assert system_steps.actor_name == "系统"
    assert batch.id == db.session.get(SmeEvaluation, evaluation.id).publicity_batch_id
    # Numbering issues the signed registration certificate; re-issuing makes version 2.
    from app.services.eseal import issued_documents
    from models import IssuedDocument

    certificate = db.session.execute(select(IssuedDocument).filter_by(number=numbered.certificate_number)).scalar_one()
    assert certificate.kind == "sme_certificate" and certificate.enterprise_id == numbered.enterprise_id
    assert issued_documents.verify_issued(certificate.number, 1).indication == "TOTAL_PASSED"
    assert svc.issue_certificate(numbered, province).version == 2
    assert issued_documents.verify_issued(certificate.number, 1).document_status == "superseded"


def test_objection_holds_the_record_until_resolved(app):
    evaluation = f.gen_sme(status="recommended")
    province = _province()
    svc.draw_spot_check(province, 0, seed="x", year=2026)
    svc.create_batch(province, "批次", dt.date(2026, 5, 1), dt.date(2026, 5, 10), [evaluation.id])
    svc.publicity_tick(dt.date(2026, 5, 1))
    with pytest.raises(ServiceError):
        svc.review(province, evaluation.id, "object", "")
    svc.review(province, evaluation.id, "object", "公众举报数据不实")
    svc.publicity_tick(dt.date(2026, 5, 11))
    assert db.session.get(SmeEvaluation, evaluation.id).status == "objection"  # held past the window
    svc.review(province, evaluation.id, "resolve", "核查属实无误")
    svc.publicity_tick(dt.date(2026, 5, 12))
    assert db.session.get(SmeEvaluation, evaluation.id).status == "publicity_done"


def test_spot_check_sample_is_reproducible(app):
    province = _province()
    ids = [f.gen_sme(status="recommended").id for _ in range(6)]
    draw = svc.draw_spot_check(province, 50, seed="fixed-seed", year=2026)
    assert len(draw.sampled_ids) == 3 and set(draw.sampled_ids) <= set(ids)
    import random

    assert sorted(random.Random(f"fixed-seed:2026:330000").sample(sorted(ids), 3)) == draw.sampled_ids
    sampled = db.session.get(SmeEvaluation, draw.sampled_ids[0])
    assert sampled.status == "spot_check" and sampled.sampled
    svc.review(province, sampled.id, "check_fail", "抽查发现研发费用不实")
    assert db.session.get(SmeEvaluation, sampled.id).status == "rejected"
    passed = db.session.get(SmeEvaluation, draw.sampled_ids[1])
    svc.review(province, passed.id, "check_pass")
    assert db.session.get(SmeEvaluation, passed.id).status == "publicity_queued"
    not_sampled = next(i for i in ids if i not in draw.sampled_ids)
    assert db.session.get(SmeEvaluation, not_sampled).status == "publicity_queued"


def test_agency_cannot_draw_or_approve(app):
    evaluation = f.gen_sme(status="pending_province")
    agency = _agency()
    with pytest.raises(Forbidden):
        svc.draw_spot_check(agency, 10, year=2026)
    with pytest.raises(Forbidden):
        svc.review(agency, evaluation.id, "approve")


def test_other_region_agency_cannot_see_or_act(app):
    evaluation = f.gen_sme(status="pending_agency")
    outsider = f.gen_user(R.AGENCY_REVIEWER, agency_region="330700")
    with pytest.raises(NotFound):
        svc.review(outsider, evaluation.id, "confirm")


def test_rejected_enterprise_cannot_submit_again_that_year(app):
    evaluation = f.gen_sme(status="pending_province")
    svc.review(_province(), evaluation.id, "reject", "不符合条件")
    user = db.session.execute(select(f.ShenbaoUser).where(f.ShenbaoUser.enterprise_id == evaluation.enterprise_id)).scalar_one()
    with pytest.raises(ServiceError):
        svc.create(user, 2026)
    with pytest.raises(ServiceError):
        svc.submit(user, evaluation.id)


def test_province_return_goes_back_to_agency_then_enterprise(app):
    evaluation = f.gen_sme(status="pending_province")
    agency = _agency()
    svc.review(_province(), evaluation.id, "return_to_agency", "请复核研发费用")
    assert db.session.get(SmeEvaluation, evaluation.id).status == "returned_by_province"
    svc.review(agency, evaluation.id, "return", "请补充研发项目")
    user = db.session.execute(select(f.ShenbaoUser).where(f.ShenbaoUser.enterprise_id == evaluation.enterprise_id)).scalar_one()
    svc.save_table(user, evaluation.id, "other", {"high_tech_cert": "no", "notes": "已补充"}, None)
    svc.submit(user, evaluation.id)
    assert db.session.get(SmeEvaluation, evaluation.id).status == "pending_agency"


def test_bulk_actions_report_per_record(app):
    good = f.gen_sme(status="pending_agency")
    other = f.gen_sme(status="agency_confirmed")
    results = svc.bulk(_agency(), [good.id, other.id], "confirm")
    assert [(r.record_id, r.ok) for r in results] == [(good.id, True), (other.id, False)]


def test_certificate_numbers_are_gapless_per_region_and_year(app):
    province = _province()
    records = [f.gen_sme(status="recommended") for _ in range(3)]
    svc.draw_spot_check(province, 0, seed="n", year=2026)
    svc.create_batch(province, "b", dt.date(2026, 5, 1), dt.date(2026, 5, 2), [r.id for r in records])
    svc.publicity_tick(dt.date(2026, 5, 1))
    svc.publicity_tick(dt.date(2026, 5, 3))
    results = svc.bulk(province, [r.id for r in records], "store")
    assert all(r.ok for r in results)
    svc.bulk(province, [r.id for r in records], "number")
    numbers = sorted(db.session.get(SmeEvaluation, r.id).certificate_number for r in records)
    assert [n[-5:] for n in numbers] == ["00001", "00002", "00003"]


def test_every_transition_checks_the_role(app):
    """For each transition, a role outside its set is refused (Forbidden) or cannot see it (NotFound)."""
    evaluation = f.gen_sme(status="pending_agency")
    others = {R.APPLICANT: None, R.MANAGER: f.gen_user(R.MANAGER), R.AGENCY_REVIEWER: _agency(),
              R.PROVINCE_REVIEWER: _province()}
    owner = db.session.execute(select(f.ShenbaoUser).where(f.ShenbaoUser.enterprise_id == evaluation.enterprise_id)).scalar_one()
    others[R.APPLICANT] = owner
    for transition in SME_EVALUATION.transitions:
        for role, actor in others.items():
            if role in transition.roles:
                continue
            record = db.session.get(SmeEvaluation, evaluation.id)
            record.status = transition.sources[0]
            db.session.commit()
            with pytest.raises((Forbidden, NotFound, ServiceError)):
                if transition.action in ("submit", "withdraw") and role == R.APPLICANT:
                    raise Forbidden("n/a")
                svc.review(actor, evaluation.id, transition.action, "理由")
            assert db.session.get(SmeEvaluation, evaluation.id).status == transition.sources[0], (transition.action, role)
