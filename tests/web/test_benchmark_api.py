"""REST of the quality benchmark: filings, projects and declarations in each role's scope (the
HTML lists' rules), and the association's reference lists (activities, recommending units)."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from app.extensions import db
from app.security import roles as R
from app.services import declaration as svc
from models import Declaration, OrganizationFiling, Project
from tests import factories as f

pytestmark = [pytest.mark.parametrize("app", ["sqlite"], indirect=True),
              pytest.mark.filterwarnings("ignore:The HMAC key is")]  # the development SECRET_KEY


def api(app, user):
    """GET as ``user`` with a JWT: (status, JSON or the raw response for a workbook)."""
    client = app.test_client()
    token = client.post("/api/v1/security/login", json={"username": user.username, "password": f.PASSWORD,
                                                         "provider": "db"}).get_json()["access_token"]

    def get(url):
        response = client.get(url, headers={"Authorization": f"Bearer {token}"})
        return response.status_code, (response.get_json() if response.is_json else response)

    return get


@pytest.fixture
def bench(app):
    """The declaration world (tests/services/test_declaration.py) submitted to its first unit, and
    another enterprise's filing, project and declaration sent to the second unit."""
    from tests.services.test_declaration import build_world
    from tests.web.test_declaration_web import svc_submit_and_choose

    world = build_world()
    world["declaration"] = svc_submit_and_choose(world)
    other = f.gen_enterprise(f.gen_applicant(), status="approved", name="他人企业有限公司")
    filing = OrganizationFiling(enterprise_id=other.id, for_year=2019, status="filed", draft={}, org_name="他人企业")
    project = Project(enterprise_id=other.id, name="他人项目", keywords=["质量"], data={})
    db.session.add_all([filing, project])
    db.session.flush()
    world["other_declaration"] = Declaration(
        activity_id=world["activity"].id, enterprise_id=other.id, filing_id=filing.id, project_id=project.id,
        status="pending_recommendation", commitment_text="承诺", commitment_accepted_at=dt.datetime(2019, 3, 1),
        commitment_by_id=world["user"].id, contact={}, recommending_unit_id=world["units"][1].id, snapshot={})
    db.session.add(world["other_declaration"])
    db.session.commit()
    world.update(other_filing=filing, other_project=project)
    return world


@pytest.mark.parametrize("resource,own,other", [
    ("organization_filing", "filing", "other_filing"),
    ("benchmark_project", "project", "other_project"),
    ("declaration", "declaration", "other_declaration"),
])
def test_applicant_reads_its_own_and_not_another_enterprises(app, bench, resource, own, other):
    get = api(app, bench["user"])
    status, listing = get(f"/api/v1/{resource}/")
    assert status == 200 and listing["ids"] == [bench[own].id]
    assert get(f"/api/v1/{resource}/{bench[own].id}")[0] == 200
    assert get(f"/api/v1/{resource}/{bench[other].id}")[0] == 404


def test_declaration_names_its_activity_project_and_unit(app, bench):
    status, shown = api(app, bench["user"])(f"/api/v1/declaration/{bench['declaration'].id}")
    assert status == 200
    result = shown["result"]
    assert result["activity"] == {"name": "2019 质量标杆活动", "year": 2019}
    assert result["project"] == {"name": "全面质量管理数字化实践"}
    assert result["recommending_unit"] == {"name": "浙江省质量协会"}
    assert result["status"] == "pending_recommendation" and result["submitted_at"].endswith("+00:00")


def test_filing_names_its_region_not_the_code(app, bench):
    status, shown = api(app, bench["user"])(f"/api/v1/organization_filing/{bench['filing'].id}")
    filing = bench["filing"]
    assert status == 200 and filing.province_code
    assert shown["result"]["province"]["name"] == db.session.get(f.Region, filing.province_code).name
    assert "draft" not in shown["result"] and "province_code" not in shown["result"]


def test_recommender_sees_only_the_declarations_that_chose_its_unit(app, bench):
    get = api(app, bench["recommender"])
    assert get("/api/v1/declaration/")[1]["ids"] == [bench["declaration"].id]
    assert get(f"/api/v1/declaration/{bench['other_declaration'].id}")[0] == 404
    other = api(app, bench["other_recommender"])
    assert other("/api/v1/declaration/")[1]["ids"] == [bench["other_declaration"].id]
    assert other(f"/api/v1/declaration/{bench['declaration'].id}")[0] == 404
    # Filings and projects are not a recommending unit's business.
    assert get("/api/v1/organization_filing/")[0] == 403 and get("/api/v1/benchmark_project/")[0] == 403


def test_association_sees_declarations_once_recommended(app, bench):
    get = api(app, bench["association"])
    assert get("/api/v1/declaration/")[1]["ids"] == []
    assert get(f"/api/v1/declaration/{bench['declaration'].id}")[0] == 404
    svc.review(bench["recommender"], bench["declaration"].id, "recommend", "推荐")
    assert get("/api/v1/declaration/")[1]["ids"] == [bench["declaration"].id]
    assert get(f"/api/v1/declaration/{bench['declaration'].id}")[0] == 200
    # Every filing past draft, both enterprises'.
    assert sorted(get("/api/v1/organization_filing/")[1]["ids"]) == sorted([bench["filing"].id, bench["other_filing"].id])


def test_export_holds_the_callers_rows_with_status_labels(app, bench):
    status, response = api(app, bench["user"])("/api/v1/declaration/export")
    assert status == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    rows = [row for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert len(rows) == 1
    text = " ".join(str(cell) for cell in rows[0] if cell is not None)
    assert "全面质量管理数字化实践" in text and "他人项目" not in text
    assert "pending_recommendation" not in text  # the label, as the screens show it


def test_reference_lists_for_the_association_and_managers_only(app, bench):
    for role in (R.ASSOCIATION_REVIEWER, R.MANAGER, R.ADMIN):
        get = api(app, f.gen_user(role))
        status, activities = get("/api/v1/activity/")
        assert status == 200 and bench["activity"].id in activities["ids"], role
        status, units = get("/api/v1/recommending_unit/")
        assert status == 200 and {u.id for u in bench["units"]} <= set(units["ids"]), role
    for user in (bench["user"], bench["recommender"]):
        get = api(app, user)
        assert get("/api/v1/activity/")[0] == 403 and get("/api/v1/recommending_unit/")[0] == 403
