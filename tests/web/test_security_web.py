"""Login limits, captcha, CSRF, API authentication, uploads and malformed requests."""
from __future__ import annotations

import io
import re

import pytest

from app.extensions import db
from models import Enterprise, ShenbaoUser
from tests import factories as f

pytestmark = pytest.mark.parametrize("app", ["sqlite"], indirect=True)


def test_login_by_mobile_with_captcha(app):
    user = f.gen_applicant(mobile="13755556666")
    web = f.WebClient(app)
    assert web.login("13755556666").headers["Location"] == "/"
    assert user.username == "13755556666"


def test_wrong_captcha_refuses_login(app):
    f.gen_applicant(mobile="13755556666")
    web = f.WebClient(app)
    response = web.login("13755556666", captcha="zzzzz")
    assert response.status_code == 200  # the form again, with the captcha message
    assert web.get("/my-enterprise/registration").status_code == 302


def test_repeated_failures_lock_the_account_with_a_clear_message(app):
    f.gen_applicant(mobile="13755556666")
    web = f.WebClient(app)
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        web.login("13755556666", password="wrong1")
    response = web.login("13755556666")  # right password, but locked
    assert response.status_code == 200
    with app.test_request_context():
        from flask_babel import gettext

        expected = gettext("Too many failed logins. Please try again in %(minutes)d minutes.", minutes=15)
    assert expected.encode() in response.data
    # The JWT login is limited the same way.
    api = web.post("/api/v1/security/login", json={"username": "13755556666", "password": f.PASSWORD, "provider": "db"})
    assert api.status_code == 429


def test_api_refuses_cookie_session(app):
    """REST is JWT-only: a browser session (which a cross-site request could ride on) is not accepted."""
    user = f.gen_applicant()
    f.gen_enterprise(user)
    web = f.WebClient(app)
    web.login(user.username)
    assert web.get("/api/v1/my_enterprise/").status_code == 401
    token = web.post("/api/v1/security/login", json={"username": user.username, "password": f.PASSWORD,
                                                      "provider": "db"}).get_json()["access_token"]
    listing = web.get("/api/v1/my_enterprise/", headers={"Authorization": f"Bearer {token}"})
    assert listing.status_code == 200 and listing.get_json()["count"] == 1


def test_forms_need_csrf_token(app):
    user = f.gen_applicant()
    web = f.WebClient(app)
    web.login(user.username)
    response = web.post("/my-enterprise/registration", data={"op": "save", "name": "无令牌"})
    assert response.status_code == 400
    assert db.session.query(Enterprise).filter(Enterprise.name == "无令牌").count() == 0


def test_registration_page_keeps_typed_values_on_errors(app):
    user = f.gen_applicant()
    web = f.WebClient(app)
    web.login(user.username)
    response = web.post_form("/my-enterprise/registration",
                             {"op": "save", "credit_code": "91330106ma27abcd1c", "legal_rep_mobile": "1391234", "tables": "1"},
                             csrf_url="/my-enterprise/registration")
    html = response.data.decode()
    assert response.status_code == 200
    assert 'value="91330106ma27abcd1c"' in html and 'value="1391234"' in html
    assert html.count("help-block error") >= 2


@pytest.mark.parametrize("name,content", [
    ("licence.pdf", b"MZ\x90\x00 not a pdf"),            # wrong magic bytes
    ("licence.pdf.exe", None),                            # double extension
    ("../../etc/passwd.pdf", None),                       # path traversal
    ("licence.png", None),                                # extension does not match content
    ("licence.pdf", "js"),                                # a PDF with JavaScript (built below)
])
def test_upload_attacks_are_rejected_with_a_message(app, name, content):
    user = f.gen_applicant()
    web = f.WebClient(app)
    web.login(user.username)
    if content == "js":
        content = _pdf_with_javascript()
    data = {"op": "save", "licence": (io.BytesIO(content or f.PDF_MIN), name)}
    response = web.post_form("/my-enterprise/registration", data, csrf_url="/my-enterprise/registration",
                             content_type="multipart/form-data")
    assert response.status_code == 200
    assert b"alert-danger" in response.data
    enterprise = db.session.get(Enterprise, db.session.get(ShenbaoUser, user.id).enterprise_id)
    assert not (enterprise.draft or {}).get("licence_attachment_id")


def _pdf_with_javascript() -> bytes:
    """A valid one-page PDF that runs a script when it is opened."""
    from pypdf import PdfWriter
    from pypdf.actions import JavaScript

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_open_action(JavaScript("app.alert('pwned');"))
    writer.compress_identical_objects()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_oversize_upload_is_rejected(app):
    app.config["UPLOAD_MAX_BYTES"] = 1024
    user = f.gen_applicant()
    web = f.WebClient(app)
    web.login(user.username)
    data = {"op": "save", "licence": (io.BytesIO(f.PDF_MIN + b"0" * 2048), "licence.pdf")}
    response = web.post_form("/my-enterprise/registration", data, csrf_url="/my-enterprise/registration",
                             content_type="multipart/form-data")
    assert b"alert-danger" in response.data


@pytest.mark.parametrize("method,url,kwargs", [
    ("GET", "/review/enterprises/show/not-a-number", {}),
    ("GET", "/api/v1/enterprise/?q=(((", {}),
    ("POST", "/api/v1/security/login", {"data": "{{{", "content_type": "application/json"}),
    ("GET", "/progress/unknown/1", {}),
    ("GET", "/attachments/99999999999999999999", {}),
    ("GET", "/my-enterprise/ip/show/99999999999999999999", {}),
    ("GET", "/sme/99999999999999999999/", {}),
    ("POST", "/account/sms-code", {"data": {"mobile": "x" * 5000}}),
])
def test_malformed_requests_never_500(app, method, url, kwargs):
    user = f.gen_applicant()
    web = f.WebClient(app)
    web.login(user.username)
    response = web.open(url, method=method, **kwargs)
    assert response.status_code < 500, (url, response.status_code)


def test_security_headers(app):
    response = f.WebClient(app).get("/login/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "charset=utf-8" in response.headers["Content-Type"]
    assert "HttpOnly" in (response.headers.get("Set-Cookie") or "HttpOnly")


def test_content_security_policy_lets_only_this_pages_scripts_run(app):
    """docs/security.md V14.4.3 / V5.3.3: an injected script or event handler does not run."""
    web = f.WebClient(app)
    first, second = web.get("/login/"), web.get("/account/register")
    nonces = []
    for response in (first, second):
        policy = response.headers["Content-Security-Policy"]
        nonce = re.search(r"script-src 'self' 'nonce-([\w-]+)'", policy).group(1)
        html = response.data.decode()
        scripts = re.findall(r"<script\b[^>]*>", html)
        assert scripts and all(f'nonce="{nonce}"' in tag for tag in scripts), scripts
        assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler on the page"
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


def test_production_mode_refuses_dev_secret(app):
    from app import ConfigurationError, create_app

    with pytest.raises(ConfigurationError):
        create_app({"SHENBAO_ENV": "production", "SECRET_KEY": app.config["DEV_SECRET_KEY"]})
    strong = "s" * 40
    public = {"PUBLIC_BASE_URL": "https://shenbao.example.cn"}
    with pytest.raises(ConfigurationError, match="CA_TOKEN_PIN"):  # the CA's keys keep no default PIN
        create_app({"SHENBAO_ENV": "production", "SECRET_KEY": strong, "SQLALCHEMY_DATABASE_URI": "sqlite://", **public})


@pytest.mark.parametrize("url", ["http://127.0.0.1:5000", "http://localhost:8000", "", "http://[::1]/", "http://0.0.0.0"])
def test_production_mode_refuses_a_loopback_or_unset_public_address(app, url):
    """PUBLIC_BASE_URL goes into e-mail links and into certificates' CRL and QR addresses."""
    from app import ConfigurationError, create_app

    with pytest.raises(ConfigurationError, match="PUBLIC_BASE_URL"):
        create_app({"SHENBAO_ENV": "production", "SECRET_KEY": "s" * 40, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                    "PUBLIC_BASE_URL": url})


def test_chinese_is_the_default_and_english_available(app):
    web = f.WebClient(app)
    assert "登录".encode() in web.get("/login/").data
    web.get("/lang/en")
    assert b"Sign in" in web.get("/login/").data


def test_many_accounts_from_one_ip_are_limited(app):
    app.config["LOGIN_MAX_FAILURES_PER_IP"] = 3
    f.gen_applicant(mobile="13755556666")
    web = f.WebClient(app)
    for i in range(3):
        web.login(f"1370000000{i}", password="wrong1")
    response = web.login("13755556666")  # a different, valid account from the same address
    assert response.status_code == 200
    assert web.get("/my-enterprise/registration").status_code == 302


def test_self_registration_of_fab_is_not_exposed(app):
    """FAB's own register form (reCAPTCHA, Flask-Mail) is off; ours has a local captcha."""
    web = f.WebClient(app)
    assert web.get("/register/form").status_code == 404
    page = web.get("/account/register").data.decode()
    assert "recaptcha" not in page.lower() and "captcha.png" in page


def test_admin_assigns_a_reviewer_to_an_agency(app):
    from app.security import roles as R

    admin = f.gen_user(R.ADMIN, "root")
    reviewer = f.gen_user(R.AGENCY_REVIEWER, "reviewer1")
    web = f.WebClient(app)
    web.login("root")
    edit_url = f"/users/edit/{reviewer.id}"
    page = web.get(edit_url)
    assert page.status_code == 200 and b'name="agency"' in page.data
    agency = f.agency("330700")
    response = web.post_form(edit_url, {"first_name": "审核员", "username": "reviewer1",
                                        "email": reviewer.email, "active": "y",
                                        "roles": [str(r.id) for r in reviewer.roles], "agency": str(agency.id)})
    assert response.status_code == 302, response.data[:2000]
    assert db.session.get(ShenbaoUser, reviewer.id).agency_id == agency.id
    assert admin.id != reviewer.id


def test_static_addresses_follow_the_mount_point(client):
    # app/asset_urls.py remembers each address per mount point (SCRIPT_NAME): a server mounted
    # under /shenbao links /shenbao/static/..., one at the root /static/..., in any order.
    root = client.get("/login/").get_data(as_text=True)
    mounted = client.get("/login/", base_url="http://localhost/shenbao/").get_data(as_text=True)
    root_again = client.get("/login/").get_data(as_text=True)
    assert 'href="/static/appbuilder/css/bootstrap.min.css"' in root
    assert 'href="/shenbao/static/appbuilder/css/bootstrap.min.css"' in mounted
    assert 'src="/shenbao/static/js/confirm_actions.js"' in mounted
    assert 'href="/static/appbuilder/css/bootstrap.min.css"' in root_again
