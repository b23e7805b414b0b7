"""公示异议 and revocation, through the services: filing an objection puts the evaluation under
objection (one transition, the objector named in the timeline), the province's decision follows
on the evaluation, a revoked registration revokes its signed certificate."""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.security import roles as R
from app.services import benchmark_results
from app.services import sme as svc
from app.services.errors import NotFound, ServiceError
from app.services.sme import objections
from models import Attachment, IssuedDocument, PublicityObjection, SmeEvaluation, WorkflowLog
from tests import factories as f
from tests import publicity_world as w


def _log(record_id, record_type="sme_evaluation"):
    return db.session.execute(select(WorkflowLog).where(WorkflowLog.record_type == record_type,
                                                        WorkflowLog.record_id == record_id)
                              .order_by(WorkflowLog.id)).scalars().all()


def test_filing_puts_the_record_under_objection_once(app):
    (record,), province, _batch = w.sme_in_publicity()
    first = w.file_objection(record, evidence=True)
    assert re.fullmatch(r"GS\d{4}[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{10}", first.reference)
    evaluation = db.session.get(SmeEvaluation, record.id)
    assert evaluation.status == "objection" and evaluation.objection_reason == first.reason
    entry = _log(record.id)[-1]
    assert (entry.action, entry.actor_name, entry.comment) == ("object", "公众 张三", first.reason)
    evidence = db.session.get(Attachment, first.evidence_attachment_id)
    assert (evidence.record_type, evidence.record_id, evidence.purpose) == ("publicity_objection", first.id,
                                                                          "objection_evidence")
    second = w.file_objection(record, objector_name="李四", contact="lisi@example.com")
    assert second.status == "received" and second.reference != first.reference
    assert [e.action for e in _log(record.id)].count("object") == 1  # joins the queue, no second transition
    assert [e.action for e in _log(second.id, "publicity_objection")] == ["file"]


def test_bad_input_is_refused_field_by_field_and_nothing_is_filed(app):
    (record,), _province, _batch = w.sme_in_publicity()
    with pytest.raises(ServiceError) as refused:
        objections.file_sme_objection(record.id, w.objection_form(objector_name=" ", contact="12345", reason="太短",
                                                                  captcha="wrong"))
    assert set(refused.value.field_errors) == {"objector_name", "contact", "reason", "captcha"}
    with pytest.raises(ServiceError) as refused:
        objections.file_sme_objection(record.id, w.objection_form(), (io.BytesIO(b"MZ..."), "x.exe"))
    assert set(refused.value.field_errors) == {"evidence"}
    assert db.session.execute(select(PublicityObjection)).first() is None
    assert db.session.get(SmeEvaluation, record.id).status == "in_publicity"


def test_the_same_form_twice_files_one_objection(app):
    (record,), _province, _batch = w.sme_in_publicity()
    form = w.objection_form()
    first = objections.file_sme_objection(record.id, form)
    again = objections.file_sme_objection(record.id, form)  # the captcha is spent: the token finds the first
    assert again.repeated and again.objection.id == first.objection.id
    assert len(db.session.execute(select(PublicityObjection)).all()) == 1


def test_only_records_in_an_open_batch_take_objections(app):
    (record,), province, _batch = w.sme_in_publicity()
    planned = f.gen_sme(status="recommended")
    svc.draw_spot_check(province, 0, seed="later", year=2026)
    svc.create_batch(province, "未开始批次", dt.date(2026, 6, 1), dt.date(2026, 6, 10), [planned.id])
    with pytest.raises(NotFound):
        w.file_objection(planned)
    w.close_publicity()
    with pytest.raises(NotFound):
        w.file_objection(record)


def test_dismissal_waits_for_the_last_open_objection_then_resolves(app):
    (record,), province, _batch = w.sme_in_publicity()
    first, second = w.file_objection(record), w.file_objection(record, objector_name="李四")
    with pytest.raises(ServiceError):
        objections.decide(province, first.id, "dismiss", "")  # the reply is required
    objections.decide(province, first.id, "dismiss", "经核查，数据属实。")
    assert db.session.get(SmeEvaluation, record.id).status == "objection"
    objections.decide(province, second.id, "dismiss", "经核查，数据属实。")
    assert db.session.get(SmeEvaluation, record.id).status == "in_publicity"
    assert _log(record.id)[-1].action == "resolve"
    assert db.session.get(PublicityObjection, second.id).reply == "经核查，数据属实。"


def test_upholding_rejects_the_record_with_the_reply_as_reason(app):
    (record,), province, _batch = w.sme_in_publicity()
    objection = w.file_objection(record)
    objections.decide(province, objection.id, "uphold", "经核查，研发人员数据不实。")
    evaluation = db.session.get(SmeEvaluation, record.id)
    assert evaluation.status == "rejected" and evaluation.return_reason == "经核查，研发人员数据不实。"
    assert db.session.get(PublicityObjection, objection.id).decided_at is not None


def test_another_province_cannot_decide(app):
    (record,), _province, _batch = w.sme_in_publicity()
    objection = w.file_objection(record)
    with pytest.raises(NotFound):
        objections.decide(w.province_reviewer("110000"), objection.id, "dismiss", "不属实")
    with pytest.raises(NotFound):
        objections.decide(f.gen_user(R.ASSOCIATION_REVIEWER), objection.id, "dismiss", "不属实")


def test_lookup_needs_the_contact_given(app):
    (record,), _province, _batch = w.sme_in_publicity()
    objection = w.file_objection(record, contact="ZhangSan@Example.com")
    assert objections.lookup(objection.reference.lower(), "zhangsan@example.com").id == objection.id
    assert objections.lookup(objection.reference, "13812345678") is None
    assert objections.lookup("GS2026AAAAAAAAAA", "zhangsan@example.com") is None


def test_benchmark_objections_go_to_the_association(app):
    declaration, association = w.published_selection()
    filed = objections.file_declaration_objection(declaration.id, w.objection_form()).objection
    assert filed.subject_type == "declaration" and filed.province_code is None
    objections.decide(association, filed.id, "dismiss", "评审程序合规。")
    assert db.session.get(PublicityObjection, filed.id).status == "dismissed"
    assert declaration.status == "selected"


def test_publishing_results_needs_an_end_date_not_in_the_past(app):
    declaration, association = w.published_selection()
    assert declaration.activity.status == "published" and declaration.activity.results_published_at is not None
    with pytest.raises(ServiceError):
        benchmark_results.publish(association, declaration.activity_id, dt.date(2020, 1, 1))
    with pytest.raises(NotFound):
        benchmark_results.publish(w.province_reviewer(), declaration.activity_id, dt.date(2099, 1, 1))


def test_revoking_a_registration_revokes_its_certificate(app):
    record, province = w.numbered_sme()
    from app.services.eseal import issued_documents

    document = db.session.execute(select(IssuedDocument).where(
        IssuedDocument.record_type == "sme_evaluation", IssuedDocument.record_id == record.id)).scalar_one()
    with pytest.raises(ServiceError):
        svc.review(province, record.id, "revoke", "")
    svc.review(province, record.id, "revoke", "企业存在严重失信行为")
    assert db.session.get(SmeEvaluation, record.id).status == "revoked"
    document = db.session.get(IssuedDocument, document.id)
    assert (document.status, document.revoke_reason) == ("revoked", "企业存在严重失信行为")
    assert _log(document.id, "issued_document")[-1].action == "revoke_with_record"
    assert issued_documents.verify_issued(document.number, document.version).document_status == "revoked"
