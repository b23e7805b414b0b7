"""Statistics: dashboards per role and the multi-sheet workbook with native charts, scoped like
every list (an agency counts only its jurisdiction). The workbook is written by a background task
(kind ``statistics``): the button queues it, the export-job page follows it, the download is read
back here."""
from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.security import roles as R
from app.tasks.worker import drain
from models import BackgroundTask, ExportJob
from tests import factories as f

pytestmark = pytest.mark.parametrize("app", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def evaluations(app):
    hz = [f.gen_sme(status="pending_agency"), f.gen_sme(status="agency_confirmed")]
    jh_user = f.gen_applicant()
    f.gen_enterprise(jh_user, status="approved", province_code="330000", city_code="330700", county_code="330702")
    jh = f.gen_sme(jh_user, status="pending_agency")
    f.gen_sme()  # a draft: nobody's statistics
    return {"hz": hz, "jh": jh}


def _ask(web, key: str):
    """Press the dashboard's download button for ``key``."""
    return web.post_form(f"/dashboard/{key}.xlsx", {}, csrf_url="/dashboard/")


def _job_url(web, key: str) -> str:
    started = _ask(web, key)
    assert started.status_code == 302 and "/exports/" in started.headers["Location"], started.status_code
    return started.headers["Location"]


def _download(web, key: str) -> bytes:
    """The workbook through its job (TASK_WORKER=sync: written right after the click's commit)."""
    job_url = _job_url(web, key)
    page = web.get(job_url).data.decode()
    assert 'id="export-progress"' in page and "统计工作簿共" in page
    status = web.get(job_url + "/status").get_json()
    assert status["status"] == "done" and status["rows_done"] == status["rows_total"], status
    response = web.get(status["download_url"])
    assert response.status_code == 200
    return response.data


def _summary(book) -> dict:
    return {row[0]: row[1] for row in book["汇总"].iter_rows(min_row=4, values_only=True) if row[0]}


def test_agency_dashboard_and_workbook_count_only_its_jurisdiction(app, evaluations):
    web = f.WebClient(app)
    web.login(f.gen_user(R.AGENCY_REVIEWER, agency_region="330100").username)
    page = web.get("/dashboard/").data.decode()
    assert 'id="report-sme"' in page and 'id="report-eseal"' not in page
    data = _download(web, "sme")
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames[0] == "汇总"
    assert _summary(book)["记录数"] == 2  # Hangzhou's two; not Jinhua's, not the draft
    status_sheet = next(book[name] for name in book.sheetnames if name.endswith("按状态"))
    rows = {r[0]: r[1] for r in status_sheet.iter_rows(min_row=3, values_only=True) if r[0] and r[0] != "合计"}
    assert sum(rows.values()) == 2
    with zipfile.ZipFile(io.BytesIO(data)) as archive:  # native Excel charts, one per breakdown
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) >= 5
    assert _ask(web, "eseal").status_code == 404  # not the agency's report
    assert web.get("/dashboard/eseal.xlsx").status_code == 404


def test_manager_sees_every_program_and_the_applicant_none(app, evaluations):
    manager = f.WebClient(app)
    manager.login(f.gen_user(R.MANAGER).username)
    page = manager.get("/dashboard/").data.decode()
    assert all(f'id="report-{key}"' in page for key in ("sme", "benchmark", "eseal"))
    book = load_workbook(io.BytesIO(_download(manager, "all")))
    summary = [row for row in book["汇总"].iter_rows(values_only=True) if row[0] == "记录数"]
    assert summary[0][1] == 3  # all submitted evaluations of the country
    titles = {row[0] for row in book["汇总"].iter_rows(values_only=True)}
    assert {"科技型中小企业评价信息", "全国质量标杆", "电子签章服务"} <= titles  # every report, one workbook
    applicant = f.WebClient(app)
    applicant.login(f.gen_applicant().username)
    assert applicant.get("/dashboard/").status_code in (302, 403)
    assert applicant.get("/dashboard/sme.xlsx").status_code in (302, 403)
    token = applicant.csrf("/account/change-password")  # the session's token: the refusal is the role's, not CSRF's
    refused = applicant.post("/dashboard/sme.xlsx", data={"csrf_token": token})
    assert refused.status_code in (302, 403) and "/exports/" not in refused.headers.get("Location", "")
    assert len(db.session.execute(select(ExportJob.id)).all()) == 1  # the manager's only


def test_a_double_click_queues_one_workbook_and_the_old_link_asks_again(app, evaluations):
    app.config["TASK_WORKER"] = "external"  # the task stays queued: the second click finds it
    web = f.WebClient(app)
    web.login(f.gen_user(R.PROVINCE_REVIEWER, agency_region="330000").username)
    first, second = _job_url(web, "sme"), _job_url(web, "sme")
    assert first == second
    assert len(db.session.execute(select(BackgroundTask.id)).all()) == 1
    assert web.get(first + "/status").get_json()["status"] == "queued"
    assert drain()["done"] == 1
    status = web.get(first + "/status").get_json()
    assert status["status"] == "done" and status["rows_done"] == status["rows_total"] == 1
    book = load_workbook(io.BytesIO(web.get(status["download_url"]).data))
    assert _summary(book)["记录数"] == 3  # the province's three submitted evaluations
    assert _job_url(web, "sme") != first  # finished: a new click is a new workbook
    old_link = web.get("/dashboard/sme.xlsx")  # a bookmark changes nothing: the page with the button
    assert old_link.status_code == 302 and old_link.headers["Location"].endswith("/dashboard/#report-sme")


def test_a_reviewer_who_lost_the_role_before_the_worker_gets_no_workbook(app, evaluations):
    app.config["TASK_WORKER"] = "external"
    reviewer = f.gen_user(R.AGENCY_REVIEWER, agency_region="330100")
    web = f.WebClient(app)
    web.login(reviewer.username)
    _job_url(web, "sme")
    reviewer.active = False
    db.session.commit()
    assert drain()["failed"] == 1
    job = db.session.execute(select(ExportJob)).scalar_one()
    assert job.status == "failed" and "已停用" in job.error


def test_a_reviewer_moved_to_another_program_before_the_worker_sees_why(app, evaluations):
    app.config["TASK_WORKER"] = "external"
    reviewer = f.gen_user(R.AGENCY_REVIEWER, agency_region="330100")
    web = f.WebClient(app)
    web.login(reviewer.username)
    job_url = _job_url(web, "sme")
    reviewer.roles = [app.appbuilder.sm.find_role(R.RECOMMENDER)]  # statistics, but not the Tech-SME's
    db.session.commit()
    assert drain()["failed"] == 1
    page = web.get(job_url).data.decode()
    assert "您的角色已无权查看这些统计。" in page and "统计工作簿生成失败" in page
    assert web.get(job_url + "/download").status_code == 404


def test_the_workbook_is_named_after_its_report_in_the_users_language(app, evaluations):
    web = f.WebClient(app)
    web.login(f.gen_user(R.MANAGER).username)
    web.get("/lang/en")
    job_url = _job_url(web, "eseal")
    page = web.get(job_url).data.decode()
    assert "Reports in the statistics workbook: 1." in page and "E-seal_service" in page
    book = load_workbook(io.BytesIO(web.get(job_url + "/download").data))
    assert book.sheetnames[0] == "Totals"
    assert "Keys issued" in {row[0] for row in book["Totals"].iter_rows(values_only=True)}
