"""The public lists as a visitor and a reviewer see them: only the listed fields, objection
forms refused where publicity is not open (GET and POST), bad input kept with the message beside
the field, one objection per form, the lookup revealing nothing without the right contact, the
province's queue scoped, the certificate query and the revocation it shows."""
from __future__ import annotations

import datetime as dt
import io
import re

from sqlalchemy import select

from app.extensions import db
from app.services import sme as svc
from app.services.sme import objections
from models import PublicityObjection, SmeEvaluation
from tests import factories as f
from tests import publicity_world as w
from tests.conftest import csrf_from


def _visitor(app):
    return f.WebClient(app)


def _object(web, record_id, kind="sme", **data):
    """GET the form (its token and a captcha), then POST it."""
    url = f"/portal/objections/{kind}/{record_id}"
    page = web.get(url)
    assert page.status_code == 200, page.status_code
    web.get("/account/captcha.png")
    token = re.search(r'name="form_token"[^>]*value="([^"]+)"', page.data.decode()).group(1)
    values = {"objector_name": "张三", "contact": "13812345678", "reason": "该企业研发人员数据与实际不符，请核查。",
              "captcha": f.CAPTCHA, "csrf_token": csrf_from(page.data), "form_token": token}
    values.update(data)
    return web.post(url, data=values, content_type="multipart/form-data")


def test_public_pages_show_only_the_listed_fields(app):
    (record,), _province, _batch = w.sme_in_publicity()
    enterprise = record.enterprise
    enterprise.legal_rep_mobile, enterprise.legal_rep_email = "13955556666", "boss@secret-example.com"
    db.session.commit()
    web = _visitor(app)
    pages = [web.get("/portal/publicity").data.decode(), web.get(f"/portal/objections/sme/{record.id}").data.decode()]
    w.close_publicity()
    svc.review(_province, record.id, "store")
    svc.review(_province, record.id, "number")
    numbered = db.session.get(SmeEvaluation, record.id)
    pages.append(web.get(f"/portal/certificates?q={enterprise.credit_code}").data.decode())
    pages.append(web.get(f"/portal/publicity/results/{_batch.id}").data.decode())
    for html in pages:
        assert enterprise.name in html and enterprise.credit_code in html
        for secret in ("13955556666", "boss@secret-example.com", "/attachments/", numbered.system_number,
                       "新型传感器研发", "ZL2025000001", f.sme_tables()["finance"]["sales_revenue"] + "万"):
            assert secret not in html, secret
        assert not re.search(r"(得分|Score)\D{0,20}100", html)
    assert "杭州市科学技术局" in pages[0] and "浙江省 杭州市 西湖区" in pages[0]  # agency and region
    assert numbered.certificate_number in pages[2] and "生成证书编号" in pages[2]


def test_objection_forms_are_refused_where_publicity_is_not_open(app):
    (record,), province, batch = w.sme_in_publicity()
    planned = f.gen_sme(status="recommended")
    svc.draw_spot_check(province, 0, seed="later", year=2026)
    planned_batch = svc.create_batch(province, "未开始批次", dt.date(2026, 6, 1), dt.date(2026, 6, 10), [planned.id])
    web = _visitor(app)
    token = csrf_from(web.get("/portal/objections/lookup").data)
    html = web.get("/portal/publicity").data.decode()
    assert planned.enterprise.name not in html and "未开始批次" not in html
    assert web.get(f"/portal/publicity/results/{planned_batch.id}").status_code == 404
    assert web.get(f"/portal/publicity/results/{batch.id}").status_code == 404  # still open: not a result
    removed = f.gen_sme(status="recommended")
    for record_id in (planned.id, removed.id, 999999):
        assert web.get(f"/portal/objections/sme/{record_id}").status_code == 404
        assert web.post(f"/portal/objections/sme/{record_id}", data={"csrf_token": token}).status_code == 404
    # Rejected after an objection: off the list, no form.
    objection = w.file_objection(record)
    objections.decide(province, objection.id, "uphold", "经核查，数据不实。")
    assert record.enterprise.name not in web.get("/portal/publicity").data.decode()
    assert web.get(f"/portal/objections/sme/{record.id}").status_code == 404
    # A closed batch: read-only results, no form.
    (kept,), _p, closed_batch = w.sme_in_publicity(province=province, name="浙江第二批")
    w.close_publicity()
    results = web.get(f"/portal/publicity/results/{closed_batch.id}").data.decode()
    assert kept.enterprise.name in results and "/portal/objections/" not in results
    assert web.get(f"/portal/objections/sme/{kept.id}").status_code == 404
    assert web.post(f"/portal/objections/sme/{kept.id}", data={"csrf_token": token}).status_code == 404
    assert len(db.session.execute(select(PublicityObjection)).all()) == 1


def test_bad_input_keeps_what_was_typed_with_the_message_beside_the_field(app):
    (record,), _province, _batch = w.sme_in_publicity()
    web = _visitor(app)
    answer = _object(web, record.id, contact="1381234", reason="太短了", captcha="zzzzz",
                     evidence=(io.BytesIO(b"not a pdf"), "proof.pdf"))
    html = answer.data.decode()
    assert answer.status_code == 200
    assert 'value="张三"' in html and 'value="1381234"' in html and "太短了</textarea>" in html
    for field in ("contact", "reason", "captcha"):
        assert re.search(rf'has-error">\s*<label for="{field}"', html), field
    assert "请填写正确的手机号码" in html or "手机号" in html
    assert db.session.execute(select(PublicityObjection)).first() is None
    assert db.session.get(SmeEvaluation, record.id).status == "in_publicity"
    bad_file = _object(web, record.id, evidence=(io.BytesIO(b"not a pdf"), "proof.pdf")).data.decode()
    assert re.search(r'has-error">\s*<label for="evidence"', bad_file)
    assert db.session.execute(select(PublicityObjection)).first() is None


def test_double_submitted_form_files_one_objection_and_shows_its_number(app):
    (record,), _province, _batch = w.sme_in_publicity()
    web = _visitor(app)
    url = f"/portal/objections/sme/{record.id}"
    page = web.get(url)
    web.get("/account/captcha.png")
    token = re.search(r'name="form_token"[^>]*value="([^"]+)"', page.data.decode()).group(1)
    values = {"objector_name": "张三", "contact": "13812345678", "reason": "该企业研发人员数据与实际不符，请核查。",
              "captcha": f.CAPTCHA, "csrf_token": csrf_from(page.data), "form_token": token}
    first = web.post(url, data=values).data.decode()
    second = web.post(url, data=values).data.decode()
    objection = db.session.execute(select(PublicityObjection)).scalar_one()
    assert objection.reference in first and objection.reference in second
    assert "未重复登记" in second


def test_lookup_with_a_wrong_contact_reveals_nothing(app):
    (record,), province, _batch = w.sme_in_publicity()
    objection = w.file_objection(record)
    objections.decide(province, objection.id, "dismiss", "经核查数据属实，异议不成立。")
    web = _visitor(app)
    token = csrf_from(web.get("/portal/objections/lookup").data)
    wrong = web.post("/portal/objections/lookup", data={"csrf_token": token, "reference": objection.reference,
                                                         "contact": "13800000000"}).data.decode()
    assert "经核查数据属实" not in wrong and "异议不成立" not in wrong and "没有与该受理编号" in wrong
    right = web.post("/portal/objections/lookup", data={"csrf_token": token, "reference": objection.reference,
                                                         "contact": "13812345678"}).data.decode()
    assert "经核查数据属实，异议不成立。" in right and "异议不成立" in right
    decided = db.session.get(PublicityObjection, objection.id).decided_at
    from app.timeutil import beijing

    assert beijing(decided) in right  # Beijing time


def test_the_province_queue_is_scoped(app):
    (record,), province, _batch = w.sme_in_publicity()
    objection = w.file_objection(record, evidence=True)
    own = f.WebClient(app)
    own.login(province.username)
    assert objection.reference in own.get("/review/objections/list/").data.decode()
    show = own.get(f"/review/objections/show/{objection.id}").data.decode()
    assert "13812345678" in show and f"/attachments/{objection.evidence_attachment_id}" in show
    assert own.get(f"/attachments/{objection.evidence_attachment_id}").data.startswith(b"%PDF")
    for outsider in (w.province_reviewer("110000"), f.gen_user(f.R.ASSOCIATION_REVIEWER)):
        web = f.WebClient(app)
        web.login(outsider.username)
        assert objection.reference not in web.get("/review/objections/list/").data.decode()
        assert web.get(f"/review/objections/show/{objection.id}").status_code == 404
        assert web.get(f"/attachments/{objection.evidence_attachment_id}").status_code == 404
        token = csrf_from(web.get("/account/change-password").data)
        web.post(f"/review/objections/decide/{objection.id}",
                 data={"csrf_token": token, "action": "dismiss", "comment": "不属实"})
        assert db.session.get(PublicityObjection, objection.id).status == "received"
    # The province decides: the reply is required, then the record is back in publicity.
    token = csrf_from(own.get(f"/review/objections/show/{objection.id}").data)
    own.post(f"/review/objections/decide/{objection.id}", data={"csrf_token": token, "action": "dismiss", "comment": ""})
    assert db.session.get(PublicityObjection, objection.id).status == "received"
    own.post(f"/review/objections/decide/{objection.id}",
             data={"csrf_token": token, "action": "dismiss", "comment": "经核查属实。"})
    assert db.session.get(PublicityObjection, objection.id).status == "dismissed"
    assert db.session.get(SmeEvaluation, record.id).status == "in_publicity"


def test_certificate_query_and_revocation(app):
    record, province = w.numbered_sme()
    web = _visitor(app)
    name = record.enterprise.name
    found = web.get(f"/portal/certificates?q={name[2:8]}").data.decode()
    assert record.certificate_number in found and "/verify/" in found
    assert "没有符合条件" in web.get(f"/portal/certificates?q={name[:3]}").data.decode()  # < 4 characters, not exact
    bad = web.get("/portal/certificates?q=91330106MA2000000X")
    assert bad.status_code == 422 and "统一社会信用代码不正确" in bad.data.decode()
    assert web.get("/portal/certificates?q=").status_code == 422
    svc.review(province, record.id, "revoke", "企业存在严重失信行为")
    found = web.get(f"/portal/certificates?q={record.enterprise.credit_code}").data.decode()
    assert "已撤销" in found
    link = re.search(r'href="(/verify/[^"]+)"', found).group(1)
    verify = web.get(link).data.decode()
    assert 'data-status="revoked"' in verify and "企业存在严重失信行为" in verify


def test_benchmark_selection_list_and_objection(app):
    declaration, association = w.published_selection()
    web = _visitor(app)
    html = web.get("/portal/publicity").data.decode()
    assert declaration.enterprise.name in html and "卓越绩效数字化项目" in html and "13900001111" not in html
    answer = _object(web, declaration.id, kind="benchmark")
    objection = db.session.execute(select(PublicityObjection)).scalar_one()
    assert objection.reference in answer.data.decode() and objection.subject_type == "declaration"
    reviewer = f.WebClient(app)
    reviewer.login(association.username)
    assert objection.reference in reviewer.get("/review/objections/list/").data.decode()
    province = f.WebClient(app)
    province.login(w.province_reviewer().username)
    assert province.get(f"/review/objections/show/{objection.id}").status_code == 404
