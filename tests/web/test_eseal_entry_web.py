"""E-seal screens where what was typed or shown must survive: the operator's Excel export of
applications, and the fee schedule's edit form."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from app.extensions import db
from app.security import roles as R
from models import Enterprise
from tests import factories as f
from tests.services.test_eseal import form_values

pytestmark = pytest.mark.parametrize("app", ["sqlite"], indirect=True)


@pytest.fixture
def people(app, pkcs11_lib):
    user = f.gen_applicant()
    f.gen_enterprise(user, status="approved")
    return {"user": user, "enterprise": db.session.get(Enterprise, user.enterprise_id),
            "operator": f.gen_user(R.CA_OPERATOR)}


@pytest.mark.parametrize("engine", ["rustpy", "xlsxwriter"])
def test_the_export_writes_the_application_number_as_the_list_shows_it(app, people, engine):
    from app.services.eseal import seal_application as svc

    app.config["EXPORT_XLSX_ENGINE"] = engine
    application = svc.apply(people["user"], "first", form_values(people["enterprise"]))
    operator = f.WebClient(app)
    operator.login(people["operator"].username)
    listed = operator.get("/ca/applications/list/").data.decode()
    shown = f"ES{application.id:06d}"
    assert shown in listed
    export = operator.get("/ca/applications/export/")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.data)).active
    header = [c.value for c in sheet[2]]
    column = header.index("申请号") + 1
    assert sheet.cell(row=3, column=column).value == shown  # text, as on screen; not 2.0
