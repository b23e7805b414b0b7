"""REST lists and records load the columns asked for, without the related models' default joins
(app/datamodel.py, PagedSQLAInterface.apply_inner_select_joins): every answer is the one FAB's own
select gave, for every role, with fewer joined rows behind it."""
from __future__ import annotations

import pytest
from flask_appbuilder.api import ModelRestApi
from flask_appbuilder.models.sqla.interface import SQLAInterface
from sqlalchemy import event

from app.datamodel import PagedSQLAInterface
from app.extensions import db
from tests import factories as f

pytestmark = pytest.mark.parametrize("app", ["sqlite"], indirect=True)


def _token(web, username):
    r = web.post("/api/v1/security/login", json={"username": username, "password": f.PASSWORD, "provider": "db"})
    return r.get_json()["access_token"]


def _answers(web, headers, apis):
    """(url, status, JSON) of each API's list and of the first record it lists."""
    out = []
    for api in apis:
        url = f"/api/v1/{api.resource_name}/"
        r = web.get(url, headers=headers)
        out.append((url, r.status_code, r.get_json()))
        ids = (r.get_json() or {}).get("ids") or []
        if r.status_code == 200 and ids:
            r = web.get(f"{url}{ids[0]}", headers=headers)
            out.append((f"{url}{ids[0]}", r.status_code, r.get_json()))
    return out


def test_every_rest_list_and_record_answers_as_fabs_own_select(app, pkcs11_lib, monkeypatch):
    from tests.crawl_world import seed_world

    users = seed_world()
    apis = [v for v in app.appbuilder.baseviews
            if isinstance(v, ModelRestApi) and isinstance(v.datamodel, PagedSQLAInterface)]
    web = app.test_client()
    rows_seen = 0
    for role, user in users.items():
        headers = {"Authorization": f"Bearer {_token(web, user.username)}"}
        ours = _answers(web, headers, apis)
        with monkeypatch.context() as m:
            m.setattr(PagedSQLAInterface, "apply_inner_select_joins", SQLAInterface.apply_inner_select_joins)
            fabs = _answers(web, headers, apis)
        for mine, theirs in zip(ours, fabs, strict=True):
            assert mine == theirs, (role, mine[0])
        rows_seen += sum(len(body.get("result") or []) for _url, status, body in ours
                         if status == 200 and isinstance((body or {}).get("result"), list))
    assert rows_seen >= 20, "the seeded world listed almost nothing: the comparison proves little"


def test_the_evaluation_list_joins_only_the_enterprise(app):
    from app.security import roles as R

    name = f.gen_sme(status="pending_agency").enterprise.name
    reviewer = f.gen_user(R.AGENCY_REVIEWER, agency_region="330100")
    db.session.commit()
    web = app.test_client()
    headers = {"Authorization": f"Bearer {_token(web, reviewer.username)}"}
    statements = []

    def record(_conn, _cursor, statement, *_a):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        body = web.get("/api/v1/sme_evaluation/", headers=headers).get_json()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert [row["enterprise"]["name"] for row in body["result"]] == [name]
    rows_query = [s for s in statements if "sme_evaluation.system_number" in s]
    assert len(rows_query) == 1
    assert "JOIN enterprise" in rows_query[0]
    assert "region" not in rows_query[0] and "agency." not in rows_query[0]
