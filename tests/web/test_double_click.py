"""A double click of 提交 (or a second tab): the first click submits, the second is told that it
is already submitted and what the status is now — never a 500, never a second log entry."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.security import roles as R
from models import SmeEvaluation, WorkflowLog
from tests import factories as f


def test_a_second_submit_of_an_evaluation_says_it_is_already_submitted(app):
    evaluation = f.gen_sme()
    web = f.WebClient(app)
    web.login(f.owner_of(evaluation).username)
    page = web.get(f"/sme/{evaluation.id}/self-evaluation").data.decode()
    version = re.search(r'name="version" value="(\d+)"', page)
    from tests.conftest import csrf_from

    # Both clicks send the same page's form: its token and the version it showed.
    form = {"version": version.group(1), "csrf_token": csrf_from(page)}
    url = f"/sme/{evaluation.id}/submit"
    first = web.post(url, data=form, follow_redirects=True)
    second = web.post(url, data=form, follow_redirects=True)
    assert first.status_code == second.status_code == 200
    text = second.data.decode()
    assert "“提交”已完成，当前状态为“等待评价工作机构确认”" in text
    db.session.expire_all()
    assert db.session.get(SmeEvaluation, evaluation.id).status == "pending_agency"
    submits = db.session.execute(select(func.count()).select_from(WorkflowLog).where(
        WorkflowLog.record_type == "sme_evaluation", WorkflowLog.record_id == evaluation.id,
        WorkflowLog.action == "submit")).scalar_one()
    assert submits == 1


def test_a_reviewer_confirming_twice_is_told_it_is_done(app):
    from app.services import sme as svc
    from app.services.errors import ServiceError

    evaluation = f.gen_sme(status="pending_agency")
    agency = f.gen_user(R.AGENCY_REVIEWER, agency_region="330100")
    seen = evaluation.version
    svc.review(agency, evaluation.id, "confirm", expected_version=seen)
    with pytest.raises(ServiceError) as refused:
        svc.review(agency, evaluation.id, "confirm", expected_version=seen)
    assert "已完成" in refused.value.message


def test_a_save_that_lost_a_race_is_told_it_conflicts(app):
    """Two saves of one record at once: the later flush finds the version moved (StaleDataError);
    the use case says so in the user's language instead of a 500."""
    from sqlalchemy.orm.exc import StaleDataError

    from app.services.errors import Conflict
    from app.services.unit_of_work import use_case

    @use_case
    def lost_race():
        raise StaleDataError("UPDATE statement on table 'sme_evaluation' expected to update 1 row(s); 0 were matched.")

    with pytest.raises(Conflict) as refused:
        lost_race()
    assert refused.value.message == "该记录已被他人修改，请刷新页面后重新核对。"
