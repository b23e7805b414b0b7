"""导出 Excel of the generated lists and REST lists: read back with openpyxl — headers as on
screen, typed cells, row count, scope (agency A's export holds no row of agency B), filters,
formula injection neutralised — and large exports run in the background with a download."""
from __future__ import annotations

import datetime as dt
import io
import time

import pytest
from openpyxl import load_workbook

from app.extensions import db
from app.security import roles as R
from models import Enterprise
from tests import factories as f

pytestmark = pytest.mark.parametrize("app", ["sqlite"], indirect=True)


@pytest.fixture
def enterprises(app):
    """Two submitted enterprises routed to Hangzhou, one to Jinhua; one name looks like a formula."""
    hz1 = f.gen_enterprise(status="submitted")
    hz2 = f.gen_enterprise(status="approved")
    jh = f.gen_enterprise(status="submitted", province_code="330000", city_code="330700", county_code="330702")
    hz1.name = "=HYPERLINK(\"http://evil.example\",\"点我\")"
    db.session.commit()
    return {"hz": [hz1, hz2], "jh": jh}


def _workbook(response):
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(io.BytesIO(response.data))


def test_agency_export_has_its_scope_headers_types_and_no_formula(app, enterprises):
    reviewer = f.gen_user(R.AGENCY_REVIEWER, agency_region="330100")
    web = f.WebClient(app)
    web.login(reviewer.username)
    page = web.get("/review/enterprises/list/").data.decode()
    assert 'id="export-excel"' in page and "导出 Excel" in page
    sheet = _workbook(web.get("/review/enterprises/export/")).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "企业注册" in rows[0][0] or "Enterprise registrations" in rows[0][0]  # the title row says what it is
    headers = list(rows[1])
    assert headers[:3] == ["企业名称", "统一社会信用代码", "法定代表人姓名"]
    data = rows[2:]
    codes = {r[1] for r in data}
    assert codes == {e.credit_code for e in enterprises["hz"]}  # nothing of Jinhua
    assert enterprises["jh"].credit_code not in codes
    assert sheet.freeze_panes == "A3" and sheet.auto_filter.ref.startswith("A2:")
    status_col = headers.index("状态")
    assert {r[status_col] for r in data} <= {"待评价工作机构审核", "已通过"} or all(
        not str(r[status_col]).isascii() for r in data)  # names, not codes
    submitted_col = headers.index("提交时间")
    assert all(isinstance(r[submitted_col], dt.datetime) for r in data)  # dates as dates
    injected = next(c for c in sheet.iter_rows(min_row=3) if c[1].value == enterprises["hz"][0].credit_code)[0]
    assert injected.data_type == "s" and injected.value.startswith("=HYPERLINK")  # text, not a formula
    assert injected.quotePrefix


def test_export_follows_the_filter_and_sort(app, enterprises):
    reviewer = f.gen_user(R.AGENCY_REVIEWER, agency_region="330100")
    web = f.WebClient(app)
    web.login(reviewer.username)
    sheet = _workbook(web.get("/review/enterprises/export/?_flt_0_status=approved")).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert [r[1] for r in rows] == [enterprises["hz"][1].credit_code]
    assert "approved" in sheet["A1"].value or "状态" in sheet["A1"].value


def test_applicant_rest_export_holds_only_its_own_enterprise(app, enterprises):
    from sqlalchemy import select

    user = db.session.execute(select(f.ShenbaoUser).where(
        f.ShenbaoUser.enterprise_id == enterprises["jh"].id)).scalar_one()
    client = app.test_client()
    token = client.post("/api/v1/security/login", json={"username": user.username, "password": f.PASSWORD,
                                                        "provider": "db"}).get_json()["access_token"]
    response = client.get("/api/v1/my_enterprise/export", headers={"Authorization": f"Bearer {token}"})
    sheet = _workbook(response).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 1 and enterprises["jh"].name in rows[0]


def test_large_export_runs_in_the_background_with_a_download(app, enterprises):
    app.config["EXPORT_SYNC_MAX_ROWS"] = 1
    reviewer = f.gen_user(R.AGENCY_REVIEWER, agency_region="330100")
    web = f.WebClient(app)
    web.login(reviewer.username)
    started = web.get("/review/enterprises/export/")
    assert started.status_code == 302 and "/exports/" in started.headers["Location"]
    job_url = started.headers["Location"]
    page = web.get(job_url).data.decode()
    assert 'id="export-progress"' in page
    for _ in range(100):
        status = web.get(job_url + "/status").get_json()
        if status["status"] in ("done", "failed"):
            break
        time.sleep(0.05)
    assert status["status"] == "done" and status["rows_done"] == status["rows_total"] == 2
    sheet = _workbook(web.get(status["download_url"])).active
    assert sheet.max_row == 4
    other = f.WebClient(app)
    other.login(f.gen_user(R.AGENCY_REVIEWER, agency_region="330100").username)
    assert other.get(status["download_url"]).status_code == 404
    assert other.get(job_url).status_code == 404


def test_old_export_files_are_removed_by_the_daily_job(app, enterprises):
    from app.jobs import report_files_job
    from app.reports.export import export_dir
    from models import ExportJob

    app.config["EXPORT_SYNC_MAX_ROWS"] = 1
    web = f.WebClient(app)
    web.login(f.gen_user(R.AGENCY_REVIEWER, agency_region="330100").username)
    job_url = web.get("/review/enterprises/export/").headers["Location"]
    for _ in range(100):
        if web.get(job_url + "/status").get_json()["status"] == "done":
            break
        time.sleep(0.05)
    job = db.session.execute(db.select(ExportJob)).scalar_one()
    path = export_dir() / job.stored_name
    assert path.exists()
    assert report_files_job(app, clock=lambda: job.created_at + dt.timedelta(hours=1)) == 0
    assert report_files_job(app, clock=lambda: job.created_at + dt.timedelta(hours=25)) == 1
    assert not path.exists()
    db.session.refresh(job)
    assert job.status == "expired"
    assert web.get(job_url + "/download").status_code == 404
