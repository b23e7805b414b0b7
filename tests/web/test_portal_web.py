"""The public portal through the screens: what is public (published, within its dates), its files
and nobody else's, rich text sanitised from the admin form, program staff editing only their
program's content, bad admin input kept with the message beside the field, and the help shown
where it is needed (sign-in FAQ, e-seal remittance note, SMS outbox note, benchmark papers)."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.security import roles as R
from app.services import portal as svc
from app.timeutil import today_in_china
from models import Attachment, Enterprise, PortalArticle
from tests import factories as f

pytestmark = pytest.mark.parametrize("app", ["sqlite"], indirect=True)

PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")


def _article(kind="notice", program="sme", status="published", days=0, expires=None, title="公开通知", **kw):
    today = today_in_china()
    article = PortalArticle(kind=kind, program=program, status=status, title_zh=title, title_en=kw.pop("title_en", None),
                            body_zh=kw.pop("body_zh", "<p>正文</p>"), publish_on=today + dt.timedelta(days=days),
                            expires_on=None if expires is None else today + dt.timedelta(days=expires), **kw)
    db.session.add(article)
    db.session.commit()
    return article


def _file(article, name="模板.pdf", data=PDF):
    attachment = svc.add_file(f.gen_user(R.ADMIN), article, io.BytesIO(data), name)
    return attachment


def test_only_published_articles_within_their_dates_are_public(app):
    client = app.test_client()
    public = _article(title="公开的通知")
    draft = _article(status="draft", title="草稿通知")
    future = _article(days=3, title="将来的通知")
    expired = _article(days=-10, expires=-1, title="过期的通知")
    last_day = _article(days=-10, expires=0, title="今天截止的通知")
    page = client.get("/portal/notices").data.decode()
    assert "公开的通知" in page and "今天截止的通知" in page
    for hidden in ("草稿通知", "将来的通知", "过期的通知"):
        assert hidden not in page
        assert hidden not in client.get("/portal/").data.decode()
    assert client.get(f"/portal/notices/{public.id}").status_code == 200
    assert client.get(f"/portal/notices/{last_day.id}").status_code == 200
    for hidden in (draft, future, expired):
        assert client.get(f"/portal/notices/{hidden.id}").status_code == 404
    # An article is reachable under its own kind only.
    assert client.get(f"/portal/regulations/{public.id}").status_code == 404


def test_files_are_served_only_for_public_articles(app, pkcs11_lib):
    client = app.test_client()
    download = _article(kind="download", title="模板下载")
    public_file = _file(download)
    draft_file = _file(_article(kind="download", status="draft", title="草稿模板"), "草稿.pdf")
    expired_file = _file(_article(kind="download", days=-5, expires=-1, title="过期模板"), "过期.pdf")
    response = client.get(f"/portal/files/{public_file.id}")
    assert response.status_code == 200
    assert hashlib.sha256(response.data).hexdigest() == public_file.sha256
    assert "attachment" in response.headers["Content-Disposition"]
    assert client.get(f"/portal/files/{draft_file.id}").status_code == 404
    assert client.get(f"/portal/files/{expired_file.id}").status_code == 404
    # An enterprise's attachment (a business licence) is never a portal file.
    user = f.gen_applicant()
    f.gen_enterprise(user, status="approved")
    from app.storage import save_upload

    other = save_upload(io.BytesIO(f.PNG_1PX), "licence.png", "business_licence", enterprise_id=user.enterprise_id,
                        record_type="enterprise", record_id=user.enterprise_id, uploaded_by_id=user.id)
    db.session.commit()
    assert client.get(f"/portal/files/{other.id}").status_code == 404
    assert client.get("/portal/files/999999").status_code == 404
    # Ids past what the database holds are absent too, not an overflow (SQLite: 500 before).
    for path in ("/portal/files/", "/portal/notices/", "/portal/regulations/", "/portal/downloads/"):
        assert client.get(f"{path}99999999999999999999").status_code == 404
    downloads = client.get("/portal/downloads").data.decode()
    assert f"/portal/files/{public_file.id}" in downloads and f"/portal/files/{draft_file.id}" not in downloads


def _admin_form(**overrides) -> dict:
    today = today_in_china()
    return {"kind": "notice", "program": "sme", "status": "published", "title_zh": "表单通知", "title_en": "Form notice",
            "body_zh": "<p>正文</p>", "body_en": "", "publish_on": today.isoformat(), "expires_on": "",
            "doc_number": "", "issuer_zh": "", "issuer_en": "", **overrides}


def test_rich_text_is_sanitised_on_save(app):
    admin = f.gen_user(R.ADMIN)
    web = f.WebClient(app)
    web.login(admin.username)
    body = ('<p>通知<strong>正文</strong></p><script>alert(1)</script><img src=x onerror="alert(2)">'
            '<a href="javascript:alert(3)">坏链接</a><a href="https://www.most.gov.cn/">科技部</a>'
            '<p style="color:red" onclick="alert(4)">样式</p><table><tr><td>表格</td></tr></table>')
    response = web.post_form("/portal-admin/articles/add", _admin_form(body_zh=body), csrf_url="/portal-admin/articles/add")
    assert response.status_code == 302, response.data.decode()[:2000]
    article = db.session.execute(select(PortalArticle).where(PortalArticle.title_zh == "表单通知")).scalar_one()
    page = f.WebClient(app).get(f"/portal/notices/{article.id}").data.decode()
    body_html = page[page.index('id="article-body"'):]
    body_html = body_html[:body_html.index("</div>")]
    for bad in ("<script", "alert(", "onerror", "javascript:", "onclick", "style=", "<img"):
        assert bad not in body_html, bad
    assert "<strong>正文</strong>" in body_html and "<td>表格</td>" in body_html
    assert re.search(r'<a href="https://www.most.gov.cn/" rel="noopener noreferrer">科技部</a>', body_html)


def test_program_staff_edit_only_their_program(app):
    operator = f.gen_user(R.CA_OPERATOR)
    sme_notice = _article(program="sme", title="评价通知")
    web = f.WebClient(app)
    web.login(operator.username)
    listing = web.get("/portal-admin/articles/list/").data.decode()
    assert "评价通知" not in listing
    # Creating an SME notice by the form: refused beside the program field, nothing stored.
    count = db.session.execute(select(func.count()).select_from(PortalArticle)).scalar_one()
    response = web.post_form("/portal-admin/articles/add", _admin_form(title_zh="越权通知"),
                             csrf_url="/portal-admin/articles/add")
    text = response.data.decode()
    assert response.status_code == 200 and "您无权编辑该业务的内容。" in text and 'value="越权通知"' in text
    assert db.session.execute(select(func.count()).select_from(PortalArticle)).scalar_one() == count
    # Editing the SME notice, by the page or by a direct POST: not found, unchanged.
    assert web.get(f"/portal-admin/articles/edit/{sme_notice.id}").status_code == 404
    token = web.csrf("/portal-admin/articles/add")
    response = web.post(f"/portal-admin/articles/edit/{sme_notice.id}",
                        data={**_admin_form(title_zh="改掉", program="eseal"), "csrf_token": token})
    assert response.status_code == 404
    assert web.post(f"/portal-admin/articles/delete/{sme_notice.id}", data={"csrf_token": token}).status_code in (302, 404)
    db.session.expire_all()
    assert db.session.get(PortalArticle, sme_notice.id).title_zh == "评价通知"
    assert web.post(f"/portal-admin/articles/files/{sme_notice.id}",
                    data={"csrf_token": token, "file": (io.BytesIO(PDF), "x.pdf")}).status_code == 404
    # Its own program works; moving its own notice to another program does not.
    response = web.post_form("/portal-admin/articles/add", _admin_form(program="eseal", title_zh="签章通知"),
                             csrf_url="/portal-admin/articles/add")
    assert response.status_code == 302
    own = db.session.execute(select(PortalArticle).where(PortalArticle.title_zh == "签章通知")).scalar_one()
    response = web.post_form(f"/portal-admin/articles/edit/{own.id}", _admin_form(program="sme", title_zh="签章通知"),
                             csrf_url=f"/portal-admin/articles/edit/{own.id}")
    assert response.status_code == 200 and "您无权编辑该业务的内容。" in response.data.decode()
    db.session.expire_all()
    assert db.session.get(PortalArticle, own.id).program == "eseal"
    # Applicants have no portal admin at all.
    applicant = f.gen_applicant()
    other = f.WebClient(app)
    other.login(applicant.username)
    assert other.get("/portal-admin/articles/list/").status_code in (302, 403, 404)


def test_bad_admin_input_is_shown_beside_the_field_and_kept(app):
    admin = f.gen_user(R.ADMIN)
    web = f.WebClient(app)
    web.login(admin.username)
    today = today_in_china()
    response = web.post_form("/portal-admin/articles/add",
                             _admin_form(title_zh="日期错误的通知", expires_on=(today - dt.timedelta(days=1)).isoformat()),
                             csrf_url="/portal-admin/articles/add")
    text = response.data.decode()
    assert response.status_code == 200
    assert re.search(r'id="expires_on".{0,400}截止日期不能早于发布日期。', text, re.S)
    assert 'value="日期错误的通知"' in text
    response = web.post_form("/portal-admin/articles/add", _admin_form(title_zh="   ", title_en="Kept English"),
                             csrf_url="/portal-admin/articles/add")
    text = response.data.decode()
    assert response.status_code == 200 and "请填写标题。" in text and 'value="Kept English"' in text
    assert db.session.execute(select(func.count()).select_from(PortalArticle)).scalar_one() == 0


def test_faq_search_in_both_languages_and_program_filter(app):
    client = app.test_client()
    _article(kind="faq", program="platform", title="忘记密码怎么办？", title_en="I forgot my password.",
             body_zh="<p>点击忘记密码。</p>", body_en="<p>Choose Forgot password.</p>")
    _article(kind="faq", program="eseal", title="汇款汇到哪个账户？", title_en="Which account do I remit to?",
             body_zh="<p>北京银行。</p>", body_en="<p>Bank of Beijing.</p>")
    assert "忘记密码怎么办" in client.get("/portal/faq?q=密码").data.decode()
    assert "汇款汇到哪个账户" not in client.get("/portal/faq?q=密码").data.decode()
    assert "忘记密码怎么办" in client.get("/portal/faq?q=PASSWORD").data.decode()  # English, any case
    assert "汇款汇到哪个账户" in client.get("/portal/faq?q=Bank of").data.decode()  # the answer is searched
    only_eseal = client.get("/portal/faq?program=eseal").data.decode()
    assert "汇款汇到哪个账户" in only_eseal and "忘记密码怎么办" not in only_eseal
    assert client.get("/portal/faq?q=%25").status_code == 200  # LIKE wildcards are plain text
    assert "忘记密码怎么办" not in client.get("/portal/faq?q=%25").data.decode()


def test_lists_are_paginated(app):
    for i in range(svc.PER_PAGE + 3):
        _article(title=f"通知{i:02d}", days=-i)
    client = app.test_client()
    first = client.get("/portal/notices").data.decode()
    assert "通知00" in first and f"通知{svc.PER_PAGE + 2:02d}" not in first and 'id="pager"' in first
    second = client.get("/portal/notices?page=2").data.decode()
    assert f"通知{svc.PER_PAGE + 2:02d}" in second
    assert client.get("/portal/notices?page=abc").status_code == 200
    assert client.get("/portal/notices?page=99999999999").status_code == 200


def test_contacts_show_agencies_units_and_desks_no_enterprise_data(app):
    agency = f.agency("330100")
    agency.phone, agency.email, agency.address = "0571-12345678", "hz@example.com", "杭州市示范路1号"
    user = f.gen_applicant()
    enterprise = f.gen_enterprise(user, status="approved")
    db.session.commit()
    page = app.test_client().get("/portal/contacts").data.decode()
    assert "0571-12345678" in page and "杭州市示范路1号" in page
    assert "010-83886166" in page and "北京南四环西路188号" in page and "北京市海淀区百胜村路6号" in page
    assert enterprise.name not in page and enterprise.credit_code not in page


def test_login_page_has_the_faq_box_with_the_desk_numbers(app):
    page = app.test_client().get("/login/").data.decode()
    box = page[page.index('id="login-faq"'):]
    assert "忘记密码？" in box and "收不到短信验证码？" in box and "验证码总是错误？" in box
    assert "010-83886166" in box and "18519195397" in box and 'href="/portal/faq"' in box
    en = app.test_client()
    en.get("/lang/en")
    box = en.get("/login/").data.decode()
    assert "No SMS code received?" in box and "010-83886166" in box


def test_eseal_application_shows_the_bank_account_and_foreign_currency_note(app, pkcs11_lib):
    from tests.services.test_eseal import form_values

    user = f.gen_applicant()
    f.gen_enterprise(user, status="approved")
    web = f.WebClient(app)
    web.login(user.username)
    apply_page = web.get("/eseal/apply?kind=first").data.decode()
    assert "外币汇款须知" in apply_page and "兑换成人民币" in apply_page
    enterprise = db.session.get(Enterprise, user.enterprise_id)
    ok = web.post_form("/eseal/apply?kind=first", {**form_values(enterprise), "kind": "first"},
                       csrf_url="/eseal/apply?kind=first")
    page = web.get(ok.headers["Location"]).data.decode()
    assert "0109 0849 3001 2010 5159 790" in page and "北京银行总部基地支行" in page
    assert 'id="eseal-bank-note"' in page and "兑换成人民币" in page and "010-83886166" in page
    # The account is data: the CA operator's edit shows on the applicant's page.
    desk = svc.service_desk("eseal")
    desk.bank_account = "6222 0000 1111 2222"
    db.session.commit()
    assert "6222 0000 1111 2222" in web.get(ok.headers["Location"]).data.decode()


def test_sms_pages_say_where_codes_go_only_in_outbox_mode(app):
    client = app.test_client()
    assert 'id="sms-outbox-note"' in client.get("/account/register").data.decode()
    assert 'id="sms-outbox-note"' in client.get("/account/recover-mobile").data.decode()
    app.config["SMS_BACKEND"] = "http"
    assert 'id="sms-outbox-note"' not in client.get("/account/register").data.decode()


def test_benchmark_papers_name_the_mailing_address(app):
    from app.documents.pdf import _render_html
    from app.services.declaration_documents import mail_to

    to = mail_to()
    assert to["address"] == "北京市海淀区百胜村路6号中国质量大厦"
    html = _render_html("documents/benchmark_recommendation.html", {"mail_to": to})
    assert "寄送中国质量协会（北京市海淀区百胜村路6号中国质量大厦，李铭 18519195397）" in html
