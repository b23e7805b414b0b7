"""An irreversible decision asks first, in the browser: dismissing 未通过's question leaves the
evaluation where it was; accepting it refuses the evaluation."""
from __future__ import annotations

import pytest

from tests import factories as f
from tests.browser.helpers import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def pending(app):
    from app.security import roles as R

    evaluation = f.gen_sme(status="pending_province")
    province = f.gen_user(R.PROVINCE_REVIEWER, agency_region="330000")
    return evaluation.id, province.username


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
def test_reject_asks_and_a_no_changes_nothing(app, pending, live_server, browser):
    from app.extensions import db
    from models import SmeEvaluation

    evaluation_id, username = pending
    page = browser.new_page()
    sign_in(page, live_server, username)
    page.goto(f"{live_server}/review/sme/show/{evaluation_id}")
    page.fill("#comment", "材料不符合条件")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.click("#action-reject")
    page.wait_for_timeout(300)
    assert asked and "不可撤销" in asked[0]
    with app.app_context():
        assert db.session.get(SmeEvaluation, evaluation_id).status == "pending_province"
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click("#action-reject")
    with app.app_context():
        db.session.expire_all()
        assert db.session.get(SmeEvaluation, evaluation_id).status == "rejected"
