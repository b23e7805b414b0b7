"""One-line test data (CTFd style): gen_<noun>(**kw)."""
from __future__ import annotations

import io
import re
from itertools import count

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.security import roles as R
from models import Agency, BusinessRegistryEntry, Enterprise, Industry, OutboxMessage, Region, ShenbaoUser, TechField
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
    db.session.add(Industry(code="C", name="制造业", level="section"))
    db.session.add(Industry(code="39", name="计算机、通信和其他电子设备制造业", level="division", parent_code="C"))
    db.session.add(TechField(code="1", name="电子信息"))
    db.session.add(TechField(code="1.1", name="软件", parent_code="1"))
    from app.refdata import load_eseal_defaults, load_service_desks

    load_eseal_defaults()
    load_service_desks()
    from app.services.sme.rulesets import ensure_builtin

    ensure_builtin()
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


def owner_of(record) -> ShenbaoUser:
    """The applicant account of a record's enterprise (an evaluation, a filing…)."""
    return db.session.execute(select(ShenbaoUser).where(ShenbaoUser.enterprise_id == record.enterprise_id)).scalar_one()


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


def sme_tables(**overrides) -> dict:
    """Nine tables that qualify by score: 30% tech staff (20) + 6% R&D/sales (50) + 1 invention patent (30)."""
    tables = {
        "main": {"industry_section": "C", "industry_code": "39"},
        "entry": {"products_ok": "yes", "credit_ok": "yes"},
        "finance": {"sales_revenue": "1000", "total_assets": "800", "cost_expenses": "900"},
        "rd_projects": [{"name": "新型传感器研发", "number": "RD-01", "form": "independent", "status": "ongoing", "amount": "60"}],
        "hr": {"fulltime": "80", "parttime": "15", "temporary": "5", "tech_fulltime": "25", "tech_parttime": "4",
               "tech_temporary": "1", "new_hires": "10", "fresh_graduates": "3",
               "edu_doctor": "2", "edu_master": "10", "edu_bachelor": "50", "edu_college": "30", "edu_other": "8",
               "title_senior": "5", "title_intermediate": "15", "title_junior": "30", "title_none": "50"},
        "ip": [{"name": "一种传感器", "kind": "invention_patent", "grant_date": "2025-03-01", "number": "ZL2025000001",
                "acquisition": "original", "proof": ""}],
        "standards": [], "institutions": [], "awards": [],
        "other": {"high_tech_cert": "no", "notes": ""},
    }
    tables.update(overrides)
    return tables


def gen_sme(user=None, *, status: str = "draft", year: int = 2026, enterprise_status: str = "approved", **overrides):
    """An evaluation with all nine tables filled and a cover; moved to ``status`` through the real services."""
    from app.security import roles as R
    from app.services import sme as svc
    from app.services import sme_form

    user = user or gen_applicant()
    if user.enterprise_id is None:
        gen_enterprise(user, status=enterprise_status)
    evaluation = svc.create(user, year)
    data = sme_tables(**overrides)
    for table in sme_form.TABLES:
        values = data.get(table.key) if table.fields else None
        rows = [dict(r) for r in data.get(table.rows) or []] if table.rows else None
        svc.save_table(user, evaluation.id, table.key, values, rows)
    svc.upload_cover(user, evaluation.id, io.BytesIO(PDF_MIN), "cover.pdf")
    path = {
        "pending_agency": [("submit", None)],
        "agency_confirmed": [("submit", None), ("confirm", "agency")],
        "pending_province": [("submit", None), ("confirm", "agency"), ("send", "agency")],
        "recommended": [("submit", None), ("confirm", "agency"), ("send", "agency"), ("approve", "province")],
    }.get(status, [])
    agency_user = province_user = None
    for action, who in path:
        if action == "submit":
            svc.submit(user, evaluation.id)
        elif who == "agency":
            agency_user = agency_user or gen_user(R.AGENCY_REVIEWER, agency_region=evaluation.enterprise.city_code)
            svc.review(agency_user, evaluation.id, action)
        else:
            province_user = province_user or gen_user(R.PROVINCE_REVIEWER, agency_region=evaluation.enterprise.province_code)
            svc.review(province_user, evaluation.id, action)
    db.session.refresh(evaluation)
    return evaluation


def with_hook(monkeypatch, workflow, action: str, fn, name: str = "test_hook"):
    """A copy of ``workflow`` whose ``action`` row also runs ``fn`` (registered as hook ``name``
    for this test only): to force a failure at a chosen point of a real transition."""
    import dataclasses

    from app.workflows.registry import HOOKS

    monkeypatch.setitem(HOOKS, name, fn)
    rows = tuple(dataclasses.replace(t, hooks=(*t.hooks, name)) if t.action == action else t
                 for t in workflow.transitions)
    return dataclasses.replace(workflow, transitions=rows)
