"""Logging out and changing a password end the user's sessions on the server: a copy of the
session cookie (taken from the browser, a proxy log, a shared computer) no longer opens any page.
It did: the session is a signed cookie, and logout only asked the browser to forget it."""
from __future__ import annotations

import pytest

from app.extensions import db
from app.security import roles as R
from models import Enterprise
from tests import factories as f


NEW_PASSWORD = "Newpassw0rd9"
ADMIN_SET_PASSWORD = "NewPassw0rd!9x"  # FAB's admin reset applies its own complexity rule


def _signed_in(app, user, page: str = "/sme/") -> f.WebClient:
    web = f.WebClient(app)
    assert web.login(user.username).status_code == 302
    assert web.get(page).status_code == 200
    return web


def _replay(app, cookie: str, page: str = "/sme/"):
    """The copied cookie in another browser."""
    other = f.WebClient(app)
    other.client.set_cookie("session", cookie)
    return other.get(page)


def _refused(response) -> bool:
    return response.status_code == 302 and "/login/" in response.headers["Location"]


@pytest.fixture
def applicant(app):
    user = f.gen_applicant()
    f.gen_enterprise(user, status="approved")
    return user


def test_a_copied_session_cookie_is_refused_after_logout(app, applicant):
    web = _signed_in(app, applicant)
    cookie = web.client.get_cookie("session").value
    assert _replay(app, cookie).status_code == 200  # the copy works while the session lives
    web.logout()
    assert _refused(_replay(app, cookie))
    assert _refused(web.get("/sme/"))
    assert _signed_in(app, applicant)  # signing in again works


def test_logout_ends_the_users_sessions_in_other_browsers(app, applicant):
    office, home = _signed_in(app, applicant), _signed_in(app, applicant)
    office.logout()
    assert _refused(home.get("/sme/"))


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(app, applicant):
    web, other = _signed_in(app, applicant), _signed_in(app, applicant)
    before = web.client.get_cookie("session").value
    response = web.post_form("/account/change-password", {"old_password": f.PASSWORD, "new_password": NEW_PASSWORD,
                                                          "new_password_confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/change-password")
    assert "保存成功" in web.get("/account/change-password").data.decode()
    assert web.get("/sme/").status_code == 200
    assert _refused(other.get("/sme/"))
    assert _refused(_replay(app, before))


def test_an_admin_password_reset_ends_the_users_sessions(app, applicant):
    web = _signed_in(app, applicant)
    admin = _signed_in(app, f.gen_user(R.ADMIN), page="/users/list/")
    url = f"/resetpassword/form?pk={applicant.id}"
    response = admin.post_form(url, {"password": ADMIN_SET_PASSWORD, "conf_password": ADMIN_SET_PASSWORD})
    assert response.status_code == 302
    assert _refused(web.get("/sme/"))
    assert admin.get("/users/list/").status_code == 200  # the admin's own session is untouched
    assert f.WebClient(app).login(applicant.username, password=ADMIN_SET_PASSWORD).headers["Location"] == "/"


def test_recovering_the_password_by_sms_ends_the_sessions_left_open(app, applicant):
    """Someone who lost the account to another person takes it back: that person's session ends."""
    web = _signed_in(app, applicant)
    enterprise = db.session.get(Enterprise, applicant.enterprise_id)
    recovering = f.WebClient(app)
    identity = {"credit_code": enterprise.credit_code, "legal_rep_name": enterprise.legal_rep_name,
                "mobile": enterprise.legal_rep_mobile}
    sent = recovering.post_form("/account/sms-code", {"purpose": "recover_mobile", **identity},
                                csrf_url="/account/recover-mobile")
    assert sent.status_code == 200, sent.data
    response = recovering.post_form("/account/recover-mobile", {
        **identity, "sms_code": f.last_sms_code(enterprise.legal_rep_mobile),
        "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert response.status_code == 302 and "/login/" in response.headers["Location"]
    assert _refused(web.get("/sme/"))
