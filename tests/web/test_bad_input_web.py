"""Bad input at the door: control characters (NUL above all) in what users type.

PostgreSQL cannot store or compare a NUL; psycopg refuses the whole statement, which used to
be a 500 (the login name, the recovery forms, a list search). Runs on SQLite and PostgreSQL:
the bug only shows on PostgreSQL.
"""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.security import roles as R
from app.services import accounts
from models import EmailChangeRequest, Enterprise, LoginFailure, ShenbaoUser, VerificationCode
from tests import factories as f


def _text(app, message: str, **kw) -> str:
    """``message`` as the page shows it (the default language, Chinese)."""
    with app.test_request_context():
        from flask_babel import gettext

        return gettext(message, **kw)


def _field_message(app) -> bytes:
    return _text(app, "This field must not contain control characters.").encode()


def _nul_message(app) -> bytes:
    return _text(app, "The request contains a NUL character, which is not accepted.").encode()


@pytest.mark.parametrize("login", ["138\x000000001", "ab\x00", "13800000001\x1b", "\x7fadmin"])
def test_control_characters_in_the_login_name_get_a_message_not_a_500(app, login):
    f.gen_applicant(mobile="13800000001")
    web = f.WebClient(app)
    response = web.login(login)
    assert response.status_code == 200, response.status_code
    assert _field_message(app) in response.data
    assert "此项不能包含控制字符".encode() in response.data  # in the default language (make test compiles it)
    # Nothing was checked, so nothing was counted against the account or the address.
    assert db.session.execute(select(func.count()).select_from(LoginFailure)).scalar_one() == 0
    assert web.login("13800000001").status_code == 302  # the real account still signs in


def test_jwt_login_with_nul_is_refused_not_500(app):
    f.gen_applicant(mobile="13800000001")
    client = app.test_client()
    for name in ("138\x000000001", "\x00"):
        response = client.post("/api/v1/security/login", json={"username": name, "password": f.PASSWORD, "provider": "db"})
        assert response.status_code == 401, (name, response.status_code)
    ok = client.post("/api/v1/security/login", json={"username": "13800000001", "password": f.PASSWORD, "provider": "db"})
    assert ok.status_code == 200


def _reset_token(enterprise) -> str:
    from app.services import captcha

    accounts.start_email_recovery("contact_email", enterprise.credit_code, "李雷", captcha.new_challenge()[0], f.CAPTCHA)
    user = db.session.execute(select(ShenbaoUser).where(ShenbaoUser.enterprise_id == enterprise.id)).scalar_one()
    return re.search(r"/account/reset/([A-Za-z0-9_\-]+)", f.last_message(user.email).body).group(1)


@pytest.mark.parametrize("form", ["register", "recover", "reset", "recover-mobile", "forgot-email"])
def test_account_forms_answer_control_characters_beside_the_field(app, form):
    enterprise = f.gen_enterprise(status="submitted")
    web = f.WebClient(app)
    kw = {}
    if form == "register":
        accounts.request_registration_code("13711112222")
        url, data = "/account/register", {
            "commitment": "y", "contact_name": "韩\x00梅梅", "email": "hmm@example.com", "password": "abc12345",
            "password_confirm": "abc12345", "mobile": "13711112222", "sms_code": f.last_sms_code("13711112222"),
            "captcha": f.CAPTCHA}
    elif form == "recover":
        url, data = "/account/recover", {"channel": "contact_email", "credit_code": enterprise.credit_code,
                                         "legal_rep_name": "李\x00雷", "captcha": f.CAPTCHA}
    elif form == "reset":
        url, data = f"/account/reset/{_reset_token(enterprise)}", {
            "password": "newpass9", "password_confirm": "newpass9", "credit_code": enterprise.credit_code,
            "enterprise_name": enterprise.name + "\x00", "captcha": f.CAPTCHA}
    elif form == "recover-mobile":
        url, data = "/account/recover-mobile", {
            "credit_code": enterprise.credit_code, "legal_rep_name": "李雷", "mobile": "13912345678\x00",
            "sms_code": "123456", "password": "newpass7", "password_confirm": "newpass7"}
    else:
        url, data = "/account/forgot-email", {
            "credit_code": enterprise.credit_code, "enterprise_name": enterprise.name, "contact_name": "李\x00雷",
            "contact_mobile": "13912345678", "new_email": "new@example.com", "agency_id": str(f.agency("330100").id),
            "captcha": f.CAPTCHA, "images": (io.BytesIO(f.PNG_1PX), "stamp.png")}
        kw = {"content_type": "multipart/form-data"}
    web.get("/account/captcha.png")
    response = web.post_form(url, data, csrf_url=url, **kw)
    assert response.status_code == 200, (form, response.status_code)
    assert _field_message(app) in response.data, form
    assert b"help-block error" in response.data
    assert db.session.query(ShenbaoUser).filter(ShenbaoUser.mobile == "13711112222").count() == 0
    assert db.session.query(EmailChangeRequest).count() == 0


def _reviewer_returns_with(app, comment: str):
    """An agency reviewer sends a submitted registration back with ``comment``:
    (enterprise, the reviewer's client, the answer to the decision POST)."""
    enterprise = f.gen_enterprise(status="submitted")
    reviewer = f.gen_user(R.AGENCY_REVIEWER, agency_region="330100")
    web = f.WebClient(app)
    web.login(reviewer.username)
    answer = web.post_form(f"/review/enterprises/decide/{enterprise.id}",
                           {"action": "return", "comment": comment, "version": str(enterprise.version)},
                           csrf_url=f"/review/enterprises/show/{enterprise.id}")
    return enterprise, web, answer


def test_nul_anywhere_else_is_refused_with_a_message_not_a_500(app):
    """Requests without a form of their own are checked at the door (app.web refuse_nul)."""
    enterprise, web, decide = _reviewer_returns_with(app, "请补充\x00材料")
    assert decide.status_code == 400
    search = web.get("/review/enterprises/list/?_flt_0_name=a%00b")
    assert search.status_code == 400 and _nul_message(app) in search.data
    assert db.session.get(Enterprise, enterprise.id).status == "submitted"

    applicant = f.gen_applicant()
    web = f.WebClient(app)
    web.login(applicant.username)
    draft = web.post_form("/my-enterprise/registration", {"op": "save", "name": "企业\x00名"},
                          csrf_url="/my-enterprise/registration")
    assert draft.status_code == 400 and _nul_message(app) in draft.data
    anonymous = f.WebClient(app)
    token = anonymous.csrf("/account/recover-mobile")
    sms = anonymous.post("/account/sms-code", headers={"Accept": "application/json"},
                         data={"csrf_token": token, "purpose": "recover_mobile", "credit_code": enterprise.credit_code,
                               "legal_rep_name": "李\x00", "mobile": "13912345678"})
    assert sms.status_code == 400 and sms.get_json()["message"] == _nul_message(app).decode()
    assert db.session.query(VerificationCode).count() == 0


def test_other_control_characters_in_a_review_comment_are_named(app):
    enterprise, web, page = _reviewer_returns_with(app, "请补充\x1b材料")
    assert page.status_code == 302
    shown = web.get(page.headers["Location"])
    assert _field_message(app) in shown.data
    assert db.session.get(Enterprise, enterprise.id).status == "submitted"
