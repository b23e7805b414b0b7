"""Values as a reader reads them: the workflow log names the workflow, the action, the states
and each changed field; a built-in role's grants read as lines; an empty value is an empty cell;
a list title Excel forbids as a sheet name still makes a workbook."""
from __future__ import annotations

import io

import openpyxl
import pytest
from sqlalchemy import select

from app.extensions import db
from app.security import roles as R
from app.services import enterprise as svc
from models import WorkflowLog
from tests import factories as f

pytestmark = pytest.mark.parametrize("app", ["sqlite"], indirect=True)


def _admin_client(app):
    client = f.WebClient(app)
    client.login(f.gen_user(R.ADMIN).username)
    return client


def test_the_log_of_a_core_change_reads_labels_and_old_and_new_values(app):
    user = f.gen_applicant()
    f.gen_enterprise(user, status="approved")
    change = svc.open_core_change(user)
    svc.save_core_change(user, change.id, {"legal_rep_name": "王小明"})
    svc.submit_core_change(user, change.id)
    db.session.add(WorkflowLog(workflow="core_info_change", record_type="core_change", record_id=change.id,
                               action="approve", from_state="submitted", to_state="approved", actor_name="审核员",
                               changes={"legal_rep_name": ["李雷", "王小明"], "legal_rep_id_type": [None, "passport"]}))
    db.session.commit()
    entry = db.session.execute(select(WorkflowLog).where(WorkflowLog.changes.is_not(None))
                               .order_by(WorkflowLog.id.desc())).scalars().first()
    client = _admin_client(app)
    page = client.get(f"/review/log/show/{entry.id}").data.decode()
    assert "法定代表人姓名</strong>：李雷 → 王小明" in page
    assert "证件类型</strong>：— → 护照" in page
    assert "{'" not in page and "None" not in page
    listing = client.get("/review/log/list/").data.decode()
    assert "core_info_change" not in listing and "submitted" not in listing


def test_a_built_in_roles_grants_read_as_lines_not_a_python_list(app):
    client = _admin_client(app)
    listing = client.get("/roles/list/").data.decode()
    assert "[['" not in listing and "EnterpriseReviewView" in listing
    role = client.app.appbuilder.sm.find_role(R.AGENCY_REVIEWER)
    page = client.get(f"/roles/show/{role.id}")
    assert page.status_code == 200
    assert "[['" not in page.data.decode()


def test_the_regions_import_template_downloads_though_its_title_holds_a_slash(app):
    client = _admin_client(app)
    response = client.get("/imports/regions/template.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames[0] == "行政区划（GBT 2260）"


def test_an_activitys_recommending_units_read_as_a_list_of_names(app):
    import datetime as dt

    from models import Activity, RecommendingUnit

    units = [RecommendingUnit(name="浙江省质量协会"), RecommendingUnit(name="中国电子质量管理协会")]
    activity = Activity(name="2026年全国质量标杆活动", year=2026, status="open", opens_on=dt.date(2026, 3, 1),
                        closes_on=dt.date(2026, 4, 30), commitment_text="承诺", recommending_units=units)
    db.session.add(activity)
    db.session.commit()
    page = _admin_client(app).get(f"/benchmark/activities/show/{activity.id}").data.decode()
    assert "浙江省质量协会、中国电子质量管理协会" in page or "中国电子质量管理协会、浙江省质量协会" in page
    assert "[浙江省质量协会" not in page and "[中国电子" not in page
