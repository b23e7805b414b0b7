"""Statistics: dashboards per role and the multi-sheet workbook with native charts, scoped like
every list (an agency counts only its jurisdiction)."""
from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import load_workbook

from app.security import roles as R
from tests import factories as f

pytestmark = pytest.mark.parametrize("app", ["sqlite"], indirect=True)


@pytest.fixture
def evaluations(app):
    hz = [f.gen_sme(status="pending_agency"), f.gen_sme(status="agency_confirmed")]
    jh_user = f.gen_applicant()
    f.gen_enterprise(jh_user, status="approved", province_code="330000", city_code="330700", county_code="330702")
    jh = f.gen_sme(jh_user, status="pending_agency")
    f.gen_sme()  # a draft: nobody's statistics
    return {"hz": hz, "jh": jh}


def test_agency_dashboard_and_workbook_count_only_its_jurisdiction(app, evaluations):
    web = f.WebClient(app)
    web.login(f.gen_user(R.AGENCY_REVIEWER, agency_region="330100").username)
    page = web.get("/dashboard/").data.decode()
    assert 'id="report-sme"' in page and 'id="report-eseal"' not in page
    response = web.get("/dashboard/sme.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames[0] == "汇总"
    summary = {row[0]: row[1] for row in book["汇总"].iter_rows(min_row=4, values_only=True) if row[0]}
    assert summary["记录数"] == 2  # Hangzhou's two; not Jinhua's, not the draft
    status_sheet = next(book[name] for name in book.sheetnames if name.endswith("按状态"))
    rows = {r[0]: r[1] for r in status_sheet.iter_rows(min_row=3, values_only=True) if r[0] and r[0] != "合计"}
    assert rows == {"待评价工作机构确认": 1, "评价工作机构已确认": 1} or sum(rows.values()) == 2
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:  # native Excel charts, one per breakdown
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) >= 5
    assert web.get("/dashboard/eseal.xlsx").status_code == 404  # not the agency's report


def test_manager_sees_every_program_and_the_applicant_none(app, evaluations):
    manager = f.WebClient(app)
    manager.login(f.gen_user(R.MANAGER).username)
    page = manager.get("/dashboard/").data.decode()
    assert all(f'id="report-{key}"' in page for key in ("sme", "benchmark", "eseal"))
    book = load_workbook(io.BytesIO(manager.get("/dashboard/all.xlsx").data))
    summary = [row for row in book["汇总"].iter_rows(values_only=True) if row[0] == "记录数"]
    assert summary[0][1] == 3  # all submitted evaluations of the country
    applicant = f.WebClient(app)
    applicant.login(f.gen_applicant().username)
    assert applicant.get("/dashboard/").status_code in (302, 403)
    assert applicant.get("/dashboard/sme.xlsx").status_code in (302, 403)
