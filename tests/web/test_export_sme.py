"""The Tech-SME export's 40 columns on SQLite and PostgreSQL (its rows come from a Core query
with JSON extracted by the database, which differs per dialect)."""
from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook

from app.security import roles as R
from tests import factories as f


def _workbook(response):
    assert response.status_code == 200, response.status_code
    return load_workbook(io.BytesIO(response.data))


def test_sme_export_has_forty_one_typed_columns_within_the_province(app):
    from decimal import Decimal

    zj = f.gen_sme(status="pending_province")
    bj_user = f.gen_applicant()
    f.gen_enterprise(bj_user, status="approved", province_code="110000", city_code="110100", county_code="110101")
    f.gen_sme(bj_user, status="pending_agency")
    province = f.gen_user(R.PROVINCE_REVIEWER, agency_region="330000")
    web = f.WebClient(app)
    web.login(province.username)
    sheet = _workbook(web.get("/review/sme/export/")).active
    rows = list(sheet.iter_rows(values_only=True))
    headers, data = rows[1], rows[2:]
    assert len(headers) == 41 and headers[1] == "企业名称" and "销售收入（万元）" in headers
    assert [r[0] for r in data] == [zj.system_number]  # Beijing's evaluation is not in Zhejiang's export
    row = dict(zip(headers, data[0]))
    assert row["评价年度"] == 2026 and isinstance(row["提交时间"], dt.datetime)
    assert row["评分所用规则集"] == "2017 年起适用 · 国科发政〔2017〕115号"
    assert isinstance(row["销售收入（万元）"], (int, float)) and Decimal(str(row["销售收入（万元）"])) > 0
    number_format = sheet.cell(row=3, column=headers.index("销售收入（万元）") + 1).number_format
    assert number_format == "#,##0.0000"
    assert row["企业职工总数"] == 100 and row["知识产权"] == 1 and row["主导制定标准数"] == 0  # from the tables
