"""Quality benchmark projects and declarations: keywords 1–3, commitment recorded, window,
snapshot frozen at submission, recommender choice and scope, association reviews."""
from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest

from app.extensions import db
from sqlalchemy import select
from app.security import roles as R
from app.services import declaration as svc
from app.services import filing as filing_svc
from app.services.errors import NotFound, ServiceError
from models import Activity, Declaration, RecommendingUnit
from tests import factories as f
from tests.services.test_filing import _ready_filing

CONTACT = {"department": "质量管理部", "person": "李质量", "position": "部长", "mobile": "13911112222",
           "phone": "0571-88886666", "fax": "", "email": "q@example.com", "postcode": "310012", "address": "杭州市西湖区"}


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document>总结材料</w:document>")
    return out.getvalue()


@pytest.fixture
def world(app):
    return build_world()


def build_world() -> dict:
    """An approved filing, an open activity with two recommending units, a project, and the
    association and recommender accounts (also used by the browser notification test)."""
    user, filing = _ready_filing()
    filing_svc.file(user, filing.id)
    association = f.gen_user(R.ASSOCIATION_REVIEWER)
    filing_svc.review(association, filing.id, "approve")
    units = [RecommendingUnit(name="浙江省质量协会"), RecommendingUnit(name="某行业协会")]
    other_unit = RecommendingUnit(name="不在本活动的单位")
    activity = Activity(name="2019 质量标杆活动", year=2019, status="open", opens_on=dt.date(2019, 3, 1),
                        closes_on=dt.date(2019, 4, 30), commitment_text="承诺书正文", recommending_units=units)
    db.session.add_all([activity, other_unit])
    db.session.commit()
    project, errors = svc.save_project(user, None, {"name": "全面质量管理数字化实践", "keywords": "数字化，质量管理",
                                                    "summary": "摘要"},
                                       ip=[{"name": "一种检测方法", "category": "发明专利"}],
                                       honours=[{"award": "浙江省质量奖", "level": "省级"}])
    assert not errors
    recommender = f.gen_user(R.RECOMMENDER)
    recommender.recommending_unit_id = units[0].id
    other_recommender = f.gen_user(R.RECOMMENDER)
    other_recommender.recommending_unit_id = units[1].id
    db.session.commit()
    return {"user": user, "filing": filing, "activity": activity, "project": project, "units": units,
            "other_unit": other_unit, "association": association, "recommender": recommender,
            "other_recommender": other_recommender}


def _submitted(w) -> Declaration:
    declaration = svc.start(w["user"], w["activity"].id, w["filing"].id, w["project"].id, True)
    svc.save(w["user"], declaration.id, CONTACT)
    svc.upload_summary(w["user"], declaration.id, io.BytesIO(_docx()), "总结材料.docx")
    return svc.submit(w["user"], declaration.id)


@pytest.mark.parametrize("keywords,ok", [("", False), ("质量", True), ("a,b,c", True), ("a b c d", False)])
def test_keywords_one_to_three(app, keywords, ok):
    user = f.gen_applicant()
    _, errors = svc.save_project(user, None, {"name": "项目", "keywords": keywords})
    assert ("keywords" not in errors) is ok


def test_commitment_is_required_and_recorded(app, world):
    with pytest.raises(ServiceError):
        svc.start(world["user"], world["activity"].id, world["filing"].id, world["project"].id, False)
    declaration = svc.start(world["user"], world["activity"].id, world["filing"].id, world["project"].id, True)
    assert declaration.commitment_text == "承诺书正文" and declaration.commitment_by_id == world["user"].id
    assert declaration.commitment_accepted_at is not None


def test_contact_validation_keeps_values(app, world):
    declaration = svc.start(world["user"], world["activity"].id, world["filing"].id, world["project"].id, True)
    saved, errors = svc.save(world["user"], declaration.id, {**CONTACT, "mobile": "139", "phone": "88886666", "postcode": "31001"})
    assert saved.contact["mobile"] == "139"
    assert {"mobile", "phone", "postcode"} <= set(errors)


def test_submit_freezes_a_snapshot(app, world):
    declaration = _submitted(world)
    svc.save_project(world["user"], world["project"].id, {"name": "改过的名称", "keywords": "新"})
    frozen = db.session.get(Declaration, declaration.id).snapshot
    assert frozen["project"]["name"] == "全面质量管理数字化实践"
    assert [y["year"] for y in frozen["economic_years"]] == [2016, 2017, 2018]


def test_window_closed_refuses_submit_and_keeps_draft(app, world):
    declaration = svc.start(world["user"], world["activity"].id, world["filing"].id, world["project"].id, True)
    svc.save(world["user"], declaration.id, CONTACT)
    svc.upload_summary(world["user"], declaration.id, io.BytesIO(_docx()), "summary.docx")
    filing_svc.activity_tick(dt.date(2019, 5, 1))
    with pytest.raises(ServiceError) as exc:
        svc.submit(world["user"], declaration.id)
    assert "关闭" in exc.value.message or "closed" in exc.value.message
    kept = db.session.get(Declaration, declaration.id)
    assert kept.status == "draft" and kept.contact["person"] == "李质量"


def test_summary_must_be_docx_or_pdf_and_no_zip_bomb(app, world):
    declaration = svc.start(world["user"], world["activity"].id, world["filing"].id, world["project"].id, True)
    with pytest.raises(ServiceError):
        svc.upload_summary(world["user"], declaration.id, io.BytesIO(f.PNG_1PX), "summary.docx")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "0" * (60 * 1024 * 1024))
    with pytest.raises(ServiceError):
        svc.upload_summary(world["user"], declaration.id, io.BytesIO(bomb.getvalue()), "summary.docx")


def test_recommender_choice_scope_and_reviews(app, world):
    declaration = _submitted(world)
    with pytest.raises(ServiceError):
        svc.choose_recommender(world["user"], declaration.id, world["other_unit"].id)
    svc.choose_recommender(world["user"], declaration.id, world["units"][0].id)
    with pytest.raises(NotFound):  # another unit never sees it
        svc.review(world["other_recommender"], declaration.id, "recommend", "推荐")
    with pytest.raises(NotFound):  # the association sees it only once recommended
        svc.review(world["association"], declaration.id, "qualify")
    svc.review(world["recommender"], declaration.id, "recommend", "同意推荐")
    svc.review(world["association"], declaration.id, "qualify")
    svc.review(world["association"], declaration.id, "select")
    final = db.session.get(Declaration, declaration.id)
    assert final.status == "selected" and final.recommendation_opinion == "同意推荐"
    # Selection issues the signed result certificate, verifiable online.
    from app.services.eseal import issued_documents
    from models import IssuedDocument

    result = db.session.execute(select(IssuedDocument).where(IssuedDocument.record_type == "declaration",
                                                             IssuedDocument.record_id == declaration.id)).scalar_one()
    assert result.kind == "benchmark_result" and result.enterprise_id == final.enterprise_id
    assert issued_documents.verify_issued(result.number, result.version).indication == "TOTAL_PASSED"
    # The association re-issues it (a task, as the first issuance): version 2, version 1 superseded.
    from app.services import certificate_issuance

    with pytest.raises(ServiceError):  # the recommender's role does not issue it
        certificate_issuance.reissue(world["recommender"], "declaration", declaration.id)
    certificate_issuance.reissue(world["association"], "declaration", declaration.id)
    db.session.expire_all()
    assert [(d.version, d.status) for d in db.session.execute(select(IssuedDocument).where(
        IssuedDocument.record_type == "declaration", IssuedDocument.record_id == declaration.id)
        .order_by(IssuedDocument.version)).scalars()] == [(1, "superseded"), (2, "current")]


def test_recommender_return_lets_the_applicant_fix_and_resubmit(app, world):
    declaration = _submitted(world)
    svc.choose_recommender(world["user"], declaration.id, world["units"][0].id)
    with pytest.raises(ServiceError):
        svc.review(world["recommender"], declaration.id, "return", "")
    svc.review(world["recommender"], declaration.id, "return", "请补充荣誉证明")
    svc.save(world["user"], declaration.id, {**CONTACT, "person": "王补充"})
    resubmitted = svc.submit(world["user"], declaration.id)  # back to the unit that returned it
    assert resubmitted.status == "pending_recommendation" and resubmitted.recommending_unit_id == world["units"][0].id


def test_other_enterprise_cannot_touch_it(app, world):
    declaration = _submitted(world)
    outsider = f.gen_applicant()
    f.gen_enterprise(outsider)
    with pytest.raises(NotFound):
        svc.own(outsider, declaration.id)
    with pytest.raises(NotFound):
        svc.own_project(outsider, world["project"].id)
