"""The applicant's data entry of the Tech-SME evaluation, as the applicant sees it: the tabs of
the nine tables, table 1's enterprise name, labelled fields, the IP statistics grid, the
self-evaluation on the direct path, and the English UI."""
from __future__ import annotations

import lxml.html

from app.services import sme_form
from tests import factories as f


def _page(web, url: str):
    response = web.get(url)
    assert response.status_code == 200, (url, response.status_code, response.headers.get("Location"))
    return lxml.html.fromstring(response.data.decode())


def _text(element) -> str:
    return " ".join(element.text_content().split())


def _signed_in(app, mobile: str, name: str | None = None, **overrides):
    user = f.gen_applicant(mobile=mobile)
    f.gen_enterprise(user, status="approved", **({"name": name} if name else {}))
    evaluation = f.gen_sme(user, **overrides)
    web = f.WebClient(app)
    web.login(mobile)
    return web, evaluation


def test_each_tab_is_named_by_its_table(app):
    web, evaluation = _signed_in(app, "13700004401")
    doc = _page(web, f"/sme/{evaluation.id}/table/main")
    tabs = [_text(a) for a in doc.xpath("//ul[contains(@class, 'nav-tabs')]/li/a")][:9]
    assert tabs == ["1. 企业主要数据", "2. 基本准入条件", "3. 上一年度企业数据", "4. 人力资源情况", "5. 知识产权情况",
                    "6. 主导制定标准情况", "7. 省部级以上研发机构", "8. 国家级科技奖励", "9. 其他"]
    # The full table title is the tab's tooltip.
    assert doc.xpath("//ul[contains(@class, 'nav-tabs')]/li/a")[5].get("title") == "6. 企业近五年内主导制定国际标准、国家标准或行业标准情况"
    assert len(sme_form.TABLES) == 9


def test_table_1_shows_the_registered_enterprise_name_read_only(app):
    web, evaluation = _signed_in(app, "13700004402", name="杭州西溪传感科技有限公司")
    doc = _page(web, f"/sme/{evaluation.id}/table/main")
    field = doc.get_element_by_id("enterprise-name")
    assert field.get("value") == "杭州西溪传感科技有限公司" and field.get("readonly") is not None
    assert field.get("name") is None  # shown, never posted back
    assert _text(doc.xpath("//label[@for='enterprise-name']")[0]) == "企业名称"
    assert doc.get_element_by_id("enterprise-credit-code").get("value") == evaluation.enterprise.credit_code
