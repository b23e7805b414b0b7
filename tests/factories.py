"""One-line test data (CTFd style): gen_<noun>(**kw)."""
from __future__ import annotations

import io
import re
from itertools import count

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.security import roles as R
from models import Agency, BusinessRegistryEntry, Enterprise, OutboxMessage, Region, ShenbaoUser, TechField
from rules.credit_code import make_credit_code

CAPTCHA = "k7m2p"
PASSWORD = "Passw0rd1"
_seq = count(1)

# A small slice of the real region tree: Zhejiang (Hangzhou, Jinhua) and Beijing.
REGIONS = [
    ("330000", "浙江省", "province", None), ("330100", "杭州市", "city", "330000"),
    ("330106", "西湖区", "county", "330100"), ("330700", "金华市", "city", "330000"),
    ("330702", "婺城区", "county", "330700"), ("110000", "北京市", "province", None),
    ("110100", "北京市", "city", "110000"), ("110101", "东城区", "county", "110100"),
]
AGENCIES = [("浙江省科学技术厅", "province", "330000"), ("杭州市科学技术局", "city", "330100"),
            ("金华市科学技术局", "city", "330700"), ("北京市科学技术委员会", "city", "110100"),
            ("北京市科学技术委员会（省级）", "province", "110000")]
def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 0, 0)).save(out, format="PNG")
    return out.getvalue()


PNG_1PX = _png()
PDF_MIN = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def seed_reference_data() -> None:
    from app.security.setup import sync_roles

    sync_roles()
    for code, name, level, parent in REGIONS:
        db.session.add(Region(code=code, name=name, level=level, parent_code=parent))
    db.session.flush()
    for name, level, region in AGENCIES:
        db.session.add(Agency(name=name, level=level, region_code=region, province_code=region[:2] + "0000"))
    db.session.add(TechField(code="1", name="电子信息"))
    db.session.add(TechField(code="1.1", name="软件", parent_code="1"))
    db.session.commit()


def agency(region_code: str) -> Agency:
    return db.session.execute(select(Agency).where(Agency.region_code == region_code)).scalar_one()


def credit_code(n: int | None = None) -> str:
    n = next(_seq) if n is None else n
    return make_credit_code(f"91330106MA2{n:06d}")


def gen_user(role: str = R.APPLICANT, username: str | None = None, *, agency_region: str | None = None,
             mobile: str | None = None, email: str | None = None, password: str = PASSWORD) -> ShenbaoUser:
    n = next(_seq)
    sm = current_app.appbuilder.sm
    username = username or mobile or f"user{n}"
    user = sm.add_user(username=username, first_name=f"用户{n}", last_name="", email=email or f"u{n}@example.com",
                       role=sm.find_role(role), password=password)
    user.mobile = mobile
    if agency_region:
        user.agency_id = agency(agency_region).id
    db.session.commit()
    return user


def full_draft(**overrides) -> dict:
    """A registration draft that passes every check (licence added by gen_enterprise)."""
    draft = {
        "credit_code": credit_code(), "name": f"测试企业{next(_seq)}有限公司", "legal_rep_name": "李雷",
        "legal_rep_mobile": "13912345678", "legal_rep_id_type": "id_card", "legal_rep_id_number": "360426199101010071",
        "province_code": "330000", "city_code": "330100", "county_code": "330106",
        "legal_rep_email": "legal@example.com", "registration_authority": "杭州市市场监督管理局",
        "tax_authority": "国家税务总局杭州市税务局", "tax_collection_mode": "audit",
        "domestic_listed": "no", "overseas_listed": "no", "in_hightech_zone": "no", "in_econdev_zone": "no",
        "tech_field_code": "1.1", "venture_capital": "no",
        "shareholders": [{"name": "韩梅梅", "kind": "natural", "amount": "100.5", "ratio": "60"},
                         {"name": "某投资公司", "kind": "legal", "amount": "67", "ratio": "40"}],
    }
    draft.update(overrides)
    return draft


def gen_applicant(mobile: str | None = None, **kw) -> ShenbaoUser:
    mobile = mobile or f"138{next(_seq):08d}"
    return gen_user(R.APPLICANT, mobile=mobile, **kw)


def gen_enterprise(user: ShenbaoUser | None = None, *, status: str = "draft", **overrides) -> Enterprise:
    """An enterprise with a complete draft and an uploaded licence; submitted/approved on request."""
    from app.services import enterprise as svc

    user = user or gen_applicant()
    svc.get_or_create(user)
    svc.attach_licence(user, io.BytesIO(PDF_MIN), "licence.pdf")
    enterprise, errors = svc.save_draft(user, full_draft(**overrides))
    assert not errors, errors
    if status in ("submitted", "approved", "returned"):
        svc.submit(user)
    if status in ("approved", "returned"):
        reviewer = gen_user(R.AGENCY_REVIEWER, agency_region=enterprise.city_code)
        svc.review(reviewer, enterprise.id, "approve" if status == "approved" else "return",
                   "请补充材料" if status == "returned" else None, None)
    db.session.refresh(enterprise)
    return enterprise


def last_message(recipient: str) -> OutboxMessage:
    return db.session.execute(
        select(OutboxMessage).where(OutboxMessage.recipient == recipient).order_by(OutboxMessage.id.desc()).limit(1)
    ).scalar_one()


def last_sms_code(mobile: str) -> str:
    return re.search(r"(\d{6})", last_message(mobile).body).group(1)


def registry_entry(code: str, name: str) -> None:
    db.session.add(BusinessRegistryEntry(credit_code=code, name=name, legal_rep_name="李雷"))
    db.session.commit()


class WebClient:
    """Test client that signs in through the login page like a person."""

    def __init__(self, app):
        self.app = app
        self.client = app.test_client()

    def __getattr__(self, name):
        return getattr(self.client, name)

    def open(self, *args, **kwargs):
        # The test's app context is reused by test-client requests, and with it ``g``:
        # forget what the previous request kept there (signed-in user, caches).
        from flask import g

        for key in list(g):
            g.pop(key, None)
        return self.client.open(*args, **kwargs)

    def get(self, *args, **kwargs):
        return self.open(*args, method="GET", **kwargs)

    def post(self, *args, **kwargs):
        return self.open(*args, method="POST", **kwargs)

    def csrf(self, url: str = "/account/register") -> str:
        from tests.conftest import csrf_from

        page = self.get(url)
        assert page.status_code == 200, (url, page.status_code, page.headers.get("Location"))
        return csrf_from(page.data)

    def login(self, login: str, password: str = PASSWORD, captcha: str = CAPTCHA):
        self.get("/account/captcha.png")
        token = self.csrf("/login/")
        return self.post("/login/", data={"username": login, "password": password, "captcha": captcha,
                                                 "csrf_token": token})

    def logout(self):
        return self.get("/logout/")

    def post_form(self, url: str, data: dict, csrf_url: str | None = None, **kw):
        data = {**data, "csrf_token": self.csrf(csrf_url or url)}
        return self.post(url, data=data, **kw)
