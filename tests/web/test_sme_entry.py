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


def _accessible_name(doc, field) -> str:
    """What a screen reader announces for a form field: aria-label, a <label for>, or a wrapping label."""
    if (field.get("aria-label") or "").strip():
        return field.get("aria-label").strip()
    if field.get("id"):
        labels = doc.xpath("//label[@for=$id]", id=field.get("id"))
        if labels:
            return _text(labels[0])
    wrapping = field.xpath("ancestor::label")
    return _text(wrapping[0]) if wrapping else ""


def test_every_field_of_every_table_has_a_programmatic_label(app):
    institution = {"name": "浙江省传感工程技术研究中心", "level": "provincial", "proof": ""}
    web, evaluation = _signed_in(app, "13700004403", institutions=[institution])
    with app.test_request_context("/"):
        labels = {t.key: {c.name: str(c.label) for c in (*t.fields, *t.columns)} for t in sme_form.TABLES}
    for table in sme_form.TABLES:
        doc = _page(web, f"/sme/{evaluation.id}/table/{table.key}")
        fields = [e for e in doc.xpath("//input | //select | //textarea")
                  if e.get("type") != "hidden" and e.get("name") != "csrf_token"]
        unnamed = [lxml.html.tostring(e, encoding=str)[:120] for e in fields if not _accessible_name(doc, e)]
        assert not unnamed, (table.key, unnamed)
        # Each field is named after its column (and its row in the row tables).
        for col in table.fields:
            field = doc.xpath("//*[@name=$n]", n=col.name)[0]
            assert _accessible_name(doc, field).startswith(labels[table.key][col.name]), (table.key, col.name)
        if table.rows:
            for col in table.columns:
                name = f"{table.rows}_proof_file" if col.kind == "file" else f"{table.rows}_{col.name}"
                named = [_accessible_name(doc, e) for e in doc.xpath("//*[@name=$n][not(@type='hidden')]", n=name)]
                assert named[0] == f"{labels[table.key][col.name]}（新增行）", (table.key, named)
                rows = (evaluation.data.get(table.rows) or [])
                assert named[1:] == [f"{labels[table.key][col.name]}（第 {n} 行）" for n in range(1, len(rows) + 1)]
    hr = _page(web, f"/sme/{evaluation.id}/table/hr")
    numbers = hr.xpath("//form[@id='sme-table-form']//input[@type='text']")
    assert len(numbers) == 17 and all(_accessible_name(hr, e) for e in numbers)
    assert _accessible_name(hr, hr.get_element_by_id("tech_parttime")) == "科技人员：兼职人员 *"


DIRECT = {"other": {"high_tech_cert": "yes", "high_tech_cert_number": "GR202533000123",
                    "high_tech_cert_valid_until": "2027-12-31", "notes": ""}}


def test_the_direct_path_shows_no_figures_for_indicators_not_judged(app):
    web, evaluation = _signed_in(app, "13700004404", **DIRECT)
    assert evaluation.path == "direct"
    for url in (f"/sme/{evaluation.id}/self-evaluation", f"/sme/{evaluation.id}/"):
        doc = _page(web, url)
        rows = {_text(tr.xpath("td")[0]): [_text(td) for td in tr.xpath("td")]
                for tr in doc.xpath("//table[@id='sme-result']/tbody/tr")}
        assert len(rows) == 11
        for n in ("9", "10", "11"):
            number, _name, data, band, points, note = rows[n]
            assert (data, band, points) == ("—", "—", "不判定"), (url, rows[n])
        assert "None" not in _text(doc.get_element_by_id("sme-result"))
        assert "I类知识产权" not in _text(doc.get_element_by_id("sme-result"))  # no "I类知识产权 / II类知识产权" with nothing
    # The scored path still shows its figures.
    web, scored = _signed_in(app, "13700004405")
    doc = _page(web, f"/sme/{scored.id}/self-evaluation")
    cells = {_text(tr.xpath("td")[0]): [_text(td) for td in tr.xpath("td")] for tr in doc.xpath("//table[@id='sme-result']/tbody/tr")}
    assert cells["9"][2] == "30%" and cells["11"][2] == "I类知识产权 1 / II类知识产权 0" and cells["5"][2:4] == ["—", "—"]


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


def test_the_english_ui_names_indicators_and_tables_in_english(app):
    from rules.sme import INDICATOR_NAMES

    web, evaluation = _signed_in(app, "13700004406")
    zh = _page(web, f"/sme/{evaluation.id}/self-evaluation")
    zh_names = [_text(tr.xpath("td")[1]) for tr in zh.xpath("//table[@id='sme-result']/tbody/tr")]
    assert zh_names == list(INDICATOR_NAMES)  # the Chinese UI keeps the regulation's names

    web.get("/lang/en")
    doc = _page(web, f"/sme/{evaluation.id}/self-evaluation")
    names = [_text(tr.xpath("td")[1]) for tr in doc.xpath("//table[@id='sme-result']/tbody/tr")]
    assert names[0] == "Resident enterprise registered in mainland China" and names[8] == "Tech staff ratio"
    assert len(names) == 11 and not [n for n in names if _has_chinese(n)], names
    tabs = [_text(a) for a in doc.xpath("//ul[contains(@class, 'nav-tabs')]/li/a")]
    assert tabs[:9] == ["1. Enterprise main data", "2. Basic entry conditions", "3. Last year's enterprise data",
                        "4. Human resources", "5. Intellectual property rights", "6. Standards led",
                        "7. Provincial R&D institutions", "8. National S&T awards", "9. Other"]
    assert not [t for t in tabs if _has_chinese(t)]
    table = _page(web, f"/sme/{evaluation.id}/table/hr")
    assert _text(table.xpath("//h3")[0]) == "4. Human resources"


def _pdf_text(data: bytes) -> str:
    import io
    import re

    from pypdf import PdfReader

    assert data.startswith(b"%PDF"), data[:40]
    return re.sub(r"\s+", "", "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages))


def test_the_information_table_pdf_prints_the_industry_by_name(app):
    web, evaluation = _signed_in(app, "13700004407")
    assert evaluation.data["main"] == {"industry_section": "C", "industry_code": "39"}
    response = web.get(f"/sme/{evaluation.id}/information.pdf")
    assert response.status_code == 200
    text = _pdf_text(response.data)
    assert "所属行业：制造业/计算机、通信和其他电子设备制造业" in text
    assert "所属行业：39" not in text


def _ip(name: str, kind: str, number: str) -> dict:
    return {"name": name, "kind": kind, "grant_date": "2025-03-01", "number": number, "acquisition": "original",
            "proof": ""}


def test_the_ip_table_shows_the_manuals_count_per_kind_grid(app):
    rows = [_ip("一种传感器", "invention_patent", "ZL1"), _ip("一种探头", "invention_patent", "ZL2"),
            _ip("传感器外壳", "design_patent", "ZL3"), _ip("采集软件V1.0", "software_copyright", "2025SR1"),
            _ip("采集软件V2.0", "software_copyright", "2025SR2")]
    web, evaluation = _signed_in(app, "13700004408", ip=rows)
    doc = _page(web, f"/sme/{evaluation.id}/table/ip")
    grid = doc.get_element_by_id("ip-stats")
    lines = [[_text(c) for c in tr.xpath("th|td") if _text(c)] for tr in grid.xpath(".//tr")]
    assert lines == [
        ["I类知识产权数量（件）", "2"],
        ["发明专利", "2", "国家新药", "0", "植物新品种", "0"],
        ["国家一级中药保护品种", "0", "国家级农作物品种", "0", "集成电路布图设计专有权", "0"],
        ["II类知识产权数量（件）", "3"],
        ["实用新型", "0", "外观设计", "1", "软件著作权", "2"],
    ]


def test_the_ip_registry_add_form_requires_a_grant_date_as_a_native_date_input(app):
    from app.extensions import db
    from models import EnterpriseIp

    user = f.gen_applicant(mobile="13700004409")
    f.gen_enterprise(user, status="approved")
    web = f.WebClient(app)
    web.login("13700004409")
    field = _page(web, "/my-enterprise/ip/add").get_element_by_id("grant_date")
    assert (field.get("type"), field.get("required")) == ("date", "")
    assert not field.xpath("ancestor::*[contains(@class, 'appbuilder_date')]")  # no FAB datepicker on it
    posted = {"name": "一种传感器", "kind": "invention_patent", "number": "ZL1", "acquisition": "original"}
    page = web.post_form("/my-enterprise/ip/add", {**posted, "grant_date": ""})
    assert page.status_code == 200 and db.session.query(EnterpriseIp).count() == 0
    web.post_form("/my-enterprise/ip/add", {**posted, "grant_date": "2025-03-01"})
    assert [ip.grant_date.isoformat() for ip in db.session.query(EnterpriseIp)] == ["2025-03-01"]


def test_the_information_table_pdf_prints_the_scored_figures(app):
    web, evaluation = _signed_in(app, "13700004410")
    text = _pdf_text(web.get(f"/sme/{evaluation.id}/information.pdf").data)
    assert "9．科技人员占比科技人员占比30%；档位≥30%" in text
    assert "研发费用占销售收入6%，研发费用占成本费用6.6666%；档位≥6%" in text
    assert "11．科技成果（知识产权）Ⅰ类1项，Ⅱ类0项；档位Ⅰ类≥1项" in text
