"""REST of the in-app messages: every user reads their own, whatever the role, and nobody else's."""
from __future__ import annotations

import io

import openpyxl
import pytest

from app.extensions import db
from app.security import roles as R
from models import InboxMessage
from tests import factories as f
from tests.web.test_benchmark_api import api

pytestmark = [pytest.mark.parametrize("app", ["sqlite"], indirect=True),
              pytest.mark.filterwarnings("ignore:The HMAC key is")]


def _message(user, title):
    message = InboxMessage(user_id=user.id, enterprise_id=user.enterprise_id, title=title, body=f"{title}：正文")
    db.session.add(message)
    db.session.commit()
    return message


@pytest.mark.parametrize("role", [R.APPLICANT, R.AGENCY_REVIEWER, R.CA_OPERATOR, R.ADMIN])
def test_each_user_reads_only_their_own_messages(app, role):
    user = f.gen_applicant() if role == R.APPLICANT else f.gen_user(role, agency_region="330100" if role == R.AGENCY_REVIEWER else None)
    other = f.gen_applicant()
    own, foreign = _message(user, "审核结果"), _message(other, "他人的通知")
    get = api(app, user)
    status, listing = get("/api/v1/message/")
    assert status == 200 and listing["ids"] == [own.id]
    status, shown = get(f"/api/v1/message/{own.id}")
    assert status == 200 and shown["result"]["body"] == "审核结果：正文" and shown["result"]["read_at"] is None
    assert get(f"/api/v1/message/{foreign.id}")[0] == 404
    status, workbook = get("/api/v1/message/export")
    assert status == 200, workbook
    cells = [c for row in openpyxl.load_workbook(io.BytesIO(workbook.data)).active.iter_rows(values_only=True) for c in row]
    assert status == 200 and "审核结果" in cells and "他人的通知" not in cells


def test_reading_through_the_api_leaves_the_message_unread(app):
    user = f.gen_applicant()
    message = _message(user, "待读")
    assert api(app, user)(f"/api/v1/message/{message.id}")[0] == 200
    db.session.expire_all()
    assert db.session.get(InboxMessage, message.id).read_at is None
