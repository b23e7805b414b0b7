"""审批日志 (/review/log): each role sees the workflows of the programs it reviews, in its own
area; the admin sees everything. An agency was shown the e-seal application of an enterprise in
its city. The statistics manager lists every program read-only, so it sees every workflow."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.security import roles as R
from app.services.eseal import seal_application as seal_svc
from models import WorkflowLog
from tests import factories as f



@pytest.fixture
def logs(app):
    """A Hangzhou enterprise (approved) with an evaluation at the agency, an e-seal application and
    a declaration entry; a Jinhua enterprise (submitted). Their log ids by workflow."""
    user = f.gen_applicant()
    enterprise = f.gen_enterprise(user, status="approved")
    f.gen_sme(user, status="pending_agency")
    seal_svc.apply(user, "first", {
        "company_name": enterprise.name, "department": "质量部", "system_user_id": "u1", "ems_contact": "张三",
        "ems_company": enterprise.name, "ems_department": "质量部", "ems_address": "杭州市西湖区1号",
        "ems_postcode": "310000", "ems_phone": "13800001111", "ems_email": "z@example.com",
        "business_department": "tech_sme", "years": "1"})
    db.session.add(WorkflowLog(workflow="declaration", record_type="declaration", record_id=1,
                               enterprise_id=enterprise.id, action="submit", to_state="submitted"))
    f.gen_enterprise(status="submitted", province_code="330000", city_code="330700", county_code="330702")
    db.session.commit()
    ids: dict[str, list[int]] = {}
    for entry in db.session.execute(select(WorkflowLog)).scalars():
        key = "jinhua" if entry.enterprise_id != enterprise.id else entry.workflow
        ids.setdefault(key, []).append(entry.id)
    assert {"enterprise_registration", "sme_evaluation", "seal_application", "declaration", "jinhua"} <= set(ids), ids
    return ids


def _visible(web, ids: dict[str, list[int]]) -> set[str]:
    """The workflows whose entries the user can open, checked on each entry's page; the list
    page shows the same rows."""
    seen = set()
    for workflow, entry_ids in ids.items():
        codes = {web.get(f"/review/log/show/{i}").status_code for i in entry_ids}
        assert codes in ({200}, {404}), (workflow, codes)
        if codes == {200}:
            seen.add(workflow)
    listing = web.get("/review/log/list/?psize_WorkflowLogView=100")
    assert listing.status_code == 200
    from views.log_display import workflow_name

    seal_label = workflow_name("seal_application")  # the list names workflows as the reader knows them
    assert seal_label != "seal_application"
    assert (seal_label in listing.data.decode()) == ("seal_application" in seen)
    return seen


@pytest.mark.parametrize("role,region,expected", [
    (R.AGENCY_REVIEWER, "330100", {"enterprise_registration", "sme_evaluation"}),
    (R.PROVINCE_REVIEWER, "330000", {"enterprise_registration", "sme_evaluation", "jinhua"}),
    (R.AGENCY_REVIEWER, "330700", {"jinhua"}),
    (R.MANAGER, None, {"enterprise_registration", "sme_evaluation", "seal_application", "declaration", "jinhua"}),
    (R.ADMIN, None, {"enterprise_registration", "sme_evaluation", "seal_application", "declaration", "jinhua"}),
])
def test_each_role_sees_the_workflows_it_reviews(app, logs, role, region, expected):
    user = f.gen_user(role, agency_region=region)
    web = f.WebClient(app)
    web.login(user.username)
    assert _visible(web, logs) == expected
