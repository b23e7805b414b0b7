"""Enterprise registration: save keeps everything, submit validates, agency review loop,
core-information change, concurrent review conflict."""
from __future__ import annotations

import io

import pytest

from app.extensions import db
from app.security import roles as R
from app.services import enterprise as svc
from app.services.errors import Conflict, NotFound, ServiceError
from models import Enterprise, WorkflowLog
from tests import factories as f
from tests.factories import with_hook


def test_save_keeps_invalid_values_with_messages(app):
    user = f.gen_applicant()
    enterprise, errors = svc.save_draft(user, {"credit_code": "91330106ma27abcd1c", "legal_rep_mobile": "123",
                                               "name": "半成品企业"})
    assert enterprise.draft["credit_code"] == "91330106ma27abcd1c"
    assert enterprise.draft["legal_rep_mobile"] == "123"
    assert "credit_code" in errors and "legal_rep_mobile" in errors
    assert enterprise.status == "draft"


def test_submit_refuses_incomplete_form_and_names_fields(app):
    user = f.gen_applicant()
    svc.save_draft(user, {"name": "只填了名字"})
    with pytest.raises(ServiceError) as exc:
        svc.submit(user)
    assert {"credit_code", "legal_rep_name", "licence_attachment_id", "county_code"} <= set(exc.value.field_errors)
    assert svc.enterprise_of(user).status == "draft"


def test_submit_routes_to_the_city_agency_and_copies_columns(app):
    enterprise = f.gen_enterprise(status="submitted")
    assert enterprise.status == "submitted"
    assert enterprise.agency.region_code == "330100"
    assert enterprise.name.startswith("测试企业")
    assert [s.name for s in enterprise.shareholders] == ["韩梅梅", "某投资公司"]
    assert str(enterprise.shareholders[0].amount) == "100.5000"


def test_shareholder_ratios_over_100_percent_are_refused(app):
    user = f.gen_applicant()
    _, errors = svc.save_draft(user, {"shareholders": [{"name": "a", "kind": "natural", "amount": "1", "ratio": "70"},
                                                         {"name": "b", "kind": "natural", "amount": "1", "ratio": "40"}]})
    assert "shareholders" in errors


def test_letter_initial_credit_code_is_accepted(app):
    user = f.gen_applicant()
    _, errors = svc.save_draft(user, {"credit_code": "N2330104MA0123456U"})
    assert "credit_code" not in errors


def test_credit_code_unique_across_enterprises(app):
    first = f.gen_enterprise(status="submitted")
    other = f.gen_applicant()
    svc.get_or_create(other)
    svc.attach_licence(other, io.BytesIO(f.PDF_MIN), "licence.pdf")
    svc.save_draft(other, f.full_draft(credit_code=first.credit_code))
    with pytest.raises(ServiceError) as exc:
        svc.submit(other)
    assert "credit_code" in exc.value.field_errors


def test_review_loop_return_fix_resubmit_approve(app):
    enterprise = f.gen_enterprise(status="submitted")
    user = db.session.query(f.ShenbaoUser).filter_by(enterprise_id=enterprise.id).one()
    reviewer = f.gen_user(R.AGENCY_REVIEWER, agency_region="330100")
    with pytest.raises(ServiceError) as exc:
        svc.review(reviewer, enterprise.id, "return", "  ", enterprise.version)
    assert "comment" in exc.value.field_errors
    svc.review(reviewer, enterprise.id, "return", "营业执照不清晰", enterprise.version)
    assert svc.enterprise_of(user).status == "returned"
    assert svc.enterprise_of(user).return_reason == "营业执照不清晰"
    svc.save_draft(user, {"registration_authority": "杭州市西湖区市场监督管理局"})
    svc.submit(user)
    svc.review(reviewer, enterprise.id, "approve", None, svc.enterprise_of(user).version)
    approved = svc.enterprise_of(user)
    assert approved.status == "approved" and approved.approved_at is not None
    steps = [(e.action, e.to_state, e.actor_agency) for e in
             db.session.query(WorkflowLog).filter_by(record_id=enterprise.id, record_type="enterprise").order_by(WorkflowLog.id)]
    assert steps == [("submit", "submitted", None), ("return", "returned", "杭州市科学技术局"),
                     ("submit", "submitted", None), ("approve", "approved", "杭州市科学技术局")]


def test_other_agency_cannot_review(app):
    enterprise = f.gen_enterprise(status="submitted")
    outsider = f.gen_user(R.AGENCY_REVIEWER, agency_region="330700")
    with pytest.raises(NotFound):
        svc.review(outsider, enterprise.id, "approve", None, None)


def test_applicant_cannot_approve_itself(app):
    enterprise = f.gen_enterprise(status="submitted")
    user = db.session.query(f.ShenbaoUser).filter_by(enterprise_id=enterprise.id).one()
    with pytest.raises(ServiceError):
        svc.review(user, enterprise.id, "approve", None, None)
    assert db.session.get(Enterprise, enterprise.id).status == "submitted"


def test_concurrent_review_second_reviewer_gets_conflict(app):
    enterprise = f.gen_enterprise(status="submitted")
    seen_version = enterprise.version
    first = f.gen_user(R.AGENCY_REVIEWER, agency_region="330100")
    second = f.gen_user(R.AGENCY_REVIEWER, agency_region="330100")
    svc.review(first, enterprise.id, "approve", None, seen_version)
    with pytest.raises(Conflict):
        svc.review(second, enterprise.id, "return", "重复操作", seen_version)
    assert db.session.get(Enterprise, enterprise.id).status == "approved"


def test_stale_flush_is_a_conflict_not_a_crash(app, monkeypatch):
    """Both reviewers pass the version check; the database decides (UPDATE ... WHERE version)."""
    from sqlalchemy import update

    enterprise = f.gen_enterprise(status="submitted")
    reviewer = f.gen_user(R.AGENCY_REVIEWER, agency_region="330100")

    def sneaky_update(step):
        # Another transaction commits in between: simulate by bumping the version in SQL.
        with db.session.no_autoflush:
            db.session.execute(update(Enterprise).where(Enterprise.id == step.record.id)
                               .values(version=Enterprise.version + 1).execution_options(synchronize_session=False))
        return None

    from app.workflows import engine
    from app.workflows.definitions import ENTERPRISE_REGISTRATION

    workflow = with_hook(monkeypatch, ENTERPRISE_REGISTRATION, "approve", sneaky_update)
    with pytest.raises(Conflict):
        engine.apply(workflow, Enterprise, enterprise.id, "approve", reviewer)


def test_core_change_keeps_approved_data_until_approved(app):
    enterprise = f.gen_enterprise(status="approved")
    user = db.session.query(f.ShenbaoUser).filter_by(enterprise_id=enterprise.id).one()
    old_name = enterprise.name
    change = svc.open_core_change(user)
    svc.save_core_change(user, change.id, {"name": "新名称科技有限公司", "province_code": "330000",
                                           "city_code": "330700", "county_code": "330702"})
    svc.submit_core_change(user, change.id)
    assert svc.enterprise_of(user).name == old_name  # still in force
    reviewer = f.gen_user(R.AGENCY_REVIEWER, agency_region="330100")
    svc.review_core_change(reviewer, change.id, "approve", None, None)
    refreshed = svc.enterprise_of(user)
    assert refreshed.name == "新名称科技有限公司"
    assert refreshed.agency.region_code == "330700"  # re-routed with the region
    log = db.session.query(WorkflowLog).filter_by(record_type="core_info_change", action="approve").one()
    assert log.changes["name"] == [old_name, "新名称科技有限公司"]


def test_core_change_return_needs_reason_and_keeps_data(app):
    enterprise = f.gen_enterprise(status="approved")
    user = db.session.query(f.ShenbaoUser).filter_by(enterprise_id=enterprise.id).one()
    change = svc.open_core_change(user)
    svc.save_core_change(user, change.id, {"legal_rep_name": "新法人"})
    svc.submit_core_change(user, change.id)
    reviewer = f.gen_user(R.AGENCY_REVIEWER, agency_region="330100")
    svc.review_core_change(reviewer, change.id, "return", "请上传变更证明", None)
    assert svc.enterprise_of(user).legal_rep_name == "李雷"
    assert svc.open_core_change(user).id == change.id  # the returned change is reopened for editing
