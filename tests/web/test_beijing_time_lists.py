"""Every generated list and record page shows stored UTC timestamps in Beijing time, to the minute."""
from __future__ import annotations

import datetime as dt

from app.extensions import db
from app.security import roles as R
from models import WorkflowLog
from tests import factories as f
from views.exports import ExportableModelView


def test_every_datetime_column_of_every_screen_has_a_formatter(app):
    untold = []
    for view in app.appbuilder.baseviews:
        if not isinstance(view, ExportableModelView):
            continue
        for column in {c for c in (*view.list_columns, *view.show_columns) if isinstance(c, str)}:
            if view.datamodel.is_datetime(column) and column not in view.formatters_columns:
                untold.append(f"{type(view).__name__}.{column}")
    assert untold == []


def test_the_workflow_log_lists_a_late_utc_entry_on_the_next_beijing_day(app):
    admin = f.gen_user(R.ADMIN)
    db.session.add(WorkflowLog(workflow="enterprise_registration", record_type="enterprise", record_id=1,
                               action="submit", from_state="draft", to_state="submitted", actor_name="张三",
                               at=dt.datetime(2026, 3, 1, 16, 30, 5, 123456)))
    db.session.commit()
    client = f.WebClient(app)
    client.login(admin.username)
    page = client.get("/review/log/list/").data.decode()
    assert "2026-03-02 00:30" in page
    assert "2026-03-01 16:30" not in page and ".123456" not in page
