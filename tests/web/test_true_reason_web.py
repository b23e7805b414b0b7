"""Messages that name the real reason: a credit code with a wrong check character is not
"未找到", a file named .pdf that is no PDF is not "允许的文件类型：.pdf", a negative amount is
not "最多 4 位小数"."""
from __future__ import annotations

import html
import io

import pytest

from app.extensions import db
from models import BusinessRegistryEntry
from tests import factories as f
from tests.services.test_filing import _ready_filing

pytestmark = pytest.mark.parametrize("app", ["sqlite"], indirect=True)


def test_a_credit_code_with_a_wrong_check_character_is_called_so_not_unknown(app):
    code = f.credit_code()
    db.session.add(BusinessRegistryEntry(credit_code=code, name="登记在册有限公司"))
    db.session.commit()
    user = f.gen_applicant()
    client = f.WebClient(app)
    client.login(user.username)
    csrf = client.csrf("/my-enterprise/registration")
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    answer = client.post("/my-enterprise/fetch-registry", data={"credit_code": wrong, "csrf_token": csrf})
    assert answer.status_code == 422
    assert answer.json["message"] == "统一社会信用代码的校验码不正确。"
    unknown = client.post("/my-enterprise/fetch-registry", data={"credit_code": f.credit_code(), "csrf_token": csrf})
    assert unknown.status_code == 404 and "未找到" in unknown.json["message"]
    found = client.post("/my-enterprise/fetch-registry", data={"credit_code": code, "csrf_token": csrf})
    assert found.json["name"] == "登记在册有限公司"


def _filing_page(app, form: dict) -> str:
    user, filing = _ready_filing()
    client = f.WebClient(app)
    client.login(user.username)
    page = client.post_form(f"/benchmark/filing/{filing.id}", form, content_type="multipart/form-data")
    return html.unescape(page.data.decode())


def _cell(text: str, name: str) -> str:
    start = text.index(f'name="{name}"')
    return text[start:text.index("</td>", start)]


def test_a_file_named_pdf_that_is_no_pdf_is_called_so(app):
    text = _filing_page(app, {"licence": (io.BytesIO(b"this is a scanned page, honestly"), "营业执照.pdf")})
    assert "文件扩展名为 .pdf，但内容不是真正的 PDF 文件" in text and "允许的文件类型" not in text


def test_a_negative_amount_is_called_negative_beside_the_field(app):
    text = _filing_page(app, {"y2016_total_assets": "-5", "y2016_total_profit": "-35.5", "y2017_total_assets": "12.12345"})
    assert 'value="-5"' in _cell(text, "y2016_total_assets") and "金额不能为负数" in _cell(text, "y2016_total_assets")
    assert "最多 4 位小数" in _cell(text, "y2017_total_assets")
    assert "金额" not in _cell(text, "y2016_total_profit")  # a loss is a negative profit


def test_every_amount_in_wan_yuan_names_the_real_reason(app):
    from app.services import sme_form
    from app.services.enterprise_form import validate as enterprise_validate

    with app.test_request_context():
        assert sme_form.money_error("-1") == "金额不能为负数。"
        assert sme_form.money_error("-1", signed=True) is None
        assert "最多 4 位小数" in sme_form.money_error("1.23456")
        assert sme_form.money_error("1e20") == "金额过大。"
        errors = enterprise_validate({"shareholders": [{"name": "张三", "kind": "natural", "amount": "-10", "ratio": "10"}]},
                                     for_submit=False)
        assert errors.get("shareholders.0.amount") == "金额不能为负数。"
