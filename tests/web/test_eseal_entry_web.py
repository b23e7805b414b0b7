"""E-seal screens where what was typed or shown must survive: the operator's Excel export of
applications, and the fee schedule's edit form."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from app.extensions import db
from app.security import roles as R
from tests import factories as f
from tests.services.test_eseal import form_values
from tests.web.test_eseal_web import people  # noqa: F401  (fixture)

pytestmark = pytest.mark.parametrize("app", ["sqlite"], indirect=True)




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


@pytest.mark.parametrize("typed,message", [("-100", "请输入大于或等于 0 的金额"), ("12.345", "金额最多两位小数"),
                                           ("", "此项为必填项"), ("一千", "不是有效的小数")])
def test_a_bad_fee_is_refused_beside_the_field_and_kept(app, people, typed, message):
    import html
    import re

    from decimal import Decimal

    from models import FeeItem

    fee = db.session.execute(db.select(FeeItem).filter_by(code="annual_fee")).scalar_one()
    before = fee.amount
    operator = f.WebClient(app)
    operator.login(people["operator"].username)
    url = f"/ca/fees/edit/{fee.id}"
    page = operator.post_form(url, {"name": "后续年金（调整）", "amount": typed, "unit": fee.unit}, csrf_url=url)
    assert page.status_code == 200  # the form again, not a redirect that drops the edit
    text = html.unescape(page.data.decode())
    field = text[text.index('name="amount"'):]
    field = field[:field.index('name="unit"')]
    assert f'value="{typed}"' in field and message in field
    assert field.count("。") == 1  # one message, the one that says what is wrong
    assert 'value="后续年金（调整）"' in text
    db.session.refresh(fee)
    assert fee.amount == before and fee.name != "后续年金（调整）"
    ok = operator.post_form(url, {"name": fee.name, "amount": "900.50", "unit": fee.unit}, csrf_url=url)
    assert ok.status_code == 302
    db.session.refresh(fee)
    assert fee.amount == Decimal("900.50")
    assert re.search(r"900\.50", operator.get("/ca/fees/list/").data.decode())
