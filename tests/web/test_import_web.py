"""Excel / CSV import: template, preview, all-or-nothing confirm, the error report (row, column,
value, message) as xlsx, per-role importers, and refused files."""
from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.security import roles as R
from models import BusinessRegistryEntry, EnterpriseIp, FeeItem, RecommendingUnit, Region
from tests import factories as f

pytestmark = pytest.mark.parametrize("app", ["sqlite"], indirect=True)


def xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(web, key, data, filename):
    return web.post_form(f"/imports/{key}/preview", {"file": (io.BytesIO(data), filename)},
                         csrf_url="/imports/", content_type="multipart/form-data")


def token_of(page: str) -> str:
    return re.search(r'name="token" value="([0-9a-f]{32})"', page).group(1)


@pytest.fixture
def admin(app):
    web = f.WebClient(app)
    web.login(f.gen_user(R.ADMIN).username)
    return web


def test_template_has_the_headers(app, admin):
    response = admin.get("/imports/business_registry/template.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert [c.value for c in sheet[1]] == ["统一社会信用代码 *", "企业名称 *", "法定代表人姓名", "工商登记机关"]


def test_good_file_previews_then_imports(app, admin):
    codes = [f.credit_code() for _ in range(3)]
    data = xlsx([["统一社会信用代码 *", "企业名称 *", "法定代表人姓名", "工商登记机关"]]
                + [[code, f"导入企业{i}有限公司", "李四", "杭州市市场监督管理局"] for i, code in enumerate(codes)])
    preview = upload(admin, "business_registry", data, "registry.xlsx").data.decode()
    assert 'id="import-ready"' in preview and "导入企业0有限公司" in preview
    assert db.session.execute(select(func.count()).select_from(BusinessRegistryEntry)).scalar() == 0  # preview only
    done = admin.post_form("/imports/business_registry/confirm", {"token": token_of(preview)}, csrf_url="/imports/")
    assert done.status_code == 302
    assert {e.credit_code for e in db.session.execute(select(BusinessRegistryEntry)).scalars()} == set(codes)


def test_one_bad_row_imports_nothing_and_the_report_names_it(app, admin):
    good = f.credit_code()
    data = xlsx([["统一社会信用代码", "企业名称"], [good, "好企业有限公司"], ["91330106MA2BAD000X", "坏企业有限公司"],
                 [good, "重复企业有限公司"]])
    preview = upload(admin, "business_registry", data, "registry.xlsx").data.decode()
    assert 'id="import-problems"' in preview and 'id="import-confirm"' not in preview
    report_url = re.search(r'href="(/imports/business_registry/errors/[0-9a-f]{32}\.xlsx)"', preview).group(1)
    rows = list(load_workbook(io.BytesIO(admin.get(report_url).data)).active.iter_rows(values_only=True))
    assert rows[0] == ("行号", "列", "值", "问题")
    assert (3, "统一社会信用代码", "91330106MA2BAD000X") == rows[1][:3]
    assert rows[2][0] == 4 and "第 2 行" in rows[2][3] or "2" in rows[2][3]  # the repeated key points back
    token = re.search(r"errors/([0-9a-f]{32})", report_url).group(1)
    refused = admin.post_form("/imports/business_registry/confirm", {"token": token}, csrf_url="/imports/")
    assert refused.status_code == 302
    assert db.session.execute(select(func.count()).select_from(BusinessRegistryEntry)).scalar() == 0


def test_regions_may_name_a_parent_later_in_the_same_file(app, admin):
    data = xlsx([["行政区划代码", "名称", "级别", "上级代码"], ["330199", "新区县", "区县", "330190"],
                 ["330190", "新地市", "市", "330000"]])
    preview = upload(admin, "regions", data, "regions.xlsx").data.decode()
    admin.post_form("/imports/regions/confirm", {"token": token_of(preview)}, csrf_url="/imports/")
    assert db.session.get(Region, "330199").parent_code == "330190"


def test_association_imports_units_from_gb18030_csv_and_the_ca_fees(app):
    web = f.WebClient(app)
    web.login(f.gen_user(R.ASSOCIATION_REVIEWER).username)
    page = web.get("/imports/").data.decode()
    assert 'id="importer-recommending_units"' in page and 'id="importer-business_registry"' not in page
    data = "名称,启用\n江苏省质量协会,是\n广东省质量协会,否\n".encode("gb18030")
    preview = upload(web, "recommending_units", data, "units.csv").data.decode()
    web.post_form("/imports/recommending_units/confirm", {"token": token_of(preview)}, csrf_url="/imports/")
    units = {u.name: u.active for u in db.session.execute(select(RecommendingUnit)).scalars()}
    assert units["江苏省质量协会"] == 1 and units["广东省质量协会"] == 0
    assert web.get("/imports/fee_schedule/template.xlsx").status_code == 404  # the CA's, not the association's

    ca = f.WebClient(app)
    ca.login(f.gen_user(R.CA_OPERATOR).username)
    preview = upload(ca, "fee_schedule", xlsx([["费用项目", "金额（元）"], ["后续年金", 800]]), "fees.xlsx").data.decode()
    ca.post_form("/imports/fee_schedule/confirm", {"token": token_of(preview)}, csrf_url="/imports/")
    assert db.session.execute(select(FeeItem).filter_by(code="annual_fee")).scalar_one().amount == Decimal("800")


def test_applicant_imports_its_own_ip_and_nobody_else_can_use_the_upload(app):
    user = f.gen_applicant()
    f.gen_enterprise(user, status="approved")
    web = f.WebClient(app)
    web.login(user.username)
    data = xlsx([["授权号", "知识产权名称", "种类", "授权日期"], ["ZL2021000001.X", "一种传感器", "发明专利", "2021-05-01"]])
    preview = upload(web, "enterprise_ip", data, "ip.xlsx").data.decode()
    token = token_of(preview)
    other = f.gen_applicant()
    f.gen_enterprise(other, status="approved")
    intruder = f.WebClient(app)
    intruder.login(other.username)
    assert intruder.post_form("/imports/enterprise_ip/confirm", {"token": token}, csrf_url="/imports/").status_code == 404
    web.post_form("/imports/enterprise_ip/confirm", {"token": token}, csrf_url="/imports/")
    (ip,) = db.session.execute(select(EnterpriseIp)).scalars().all()
    assert ip.enterprise_id == user.enterprise_id and ip.kind == "invention_patent"


def test_bad_files_are_refused_with_a_message(app, admin):
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (50 * 1024 * 1024))
    for data, name in ((bomb.getvalue(), "bomb.xlsx"), (b"%PDF-1.4", "x.xlsx"), (b"a,b", "x.txt")):
        response = upload(admin, "business_registry", data, name)
        assert response.status_code == 302
        page = admin.get("/imports/").data.decode()
        assert "alert-danger" in page, name
