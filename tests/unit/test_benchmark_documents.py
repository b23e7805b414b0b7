"""全国质量标杆申报表 and 推荐表: Chinese PDFs from documents/benchmark_*.html.

No database: like tests/unit/test_documents.py, this module defines its own ``app`` fixture, a bare
Flask app on the project's template folder, which overrides the conftest fixture (and its
SQLite/PostgreSQL parameters) for every test here. The context follows
app.services.declaration_documents.context().
"""
from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
from flask import Flask, render_template
from pypdf import PdfReader

from app.documents import render_pdf

TEMPLATES = "/work/main/app/templates"
DECL = "documents/benchmark_declaration.html"
RECO = "documents/benchmark_recommendation.html"

ORG_NAME = "通鼎互联信息股份有限公司"
PROJECT_NAME = "通鼎互联信息股份有限公司实施光纤生产线设备集中监控及产品追溯系统的经验"
KEYWORDS = ["质量追溯", "互联网+", "设备集中监控"]
UNIT = "江苏省质量协会"
OPINION = (
    "该组织质量管理基础扎实，光纤生产线设备集中监控及产品追溯系统在行业内具有示范和推广价值，"
    "经审核申报材料真实有效，同意推荐。\n推荐排序：第 1 名。"
)
NUMBER = "BM2019-000123"
SUMMARY_NAME = "关于开展2019年全国质量标杆活动材料编写说明.docx"
LONG_APPLICATION = "CN201810123456789012.X"  # longer than its column: must wrap, not clip

_SUMMARY_PARAGRAPHS = [
    "一、背景。通鼎互联信息股份有限公司主要从事光纤光缆、通信电缆及相关配套产品的研发、生产与销售，"
    "拥有拉丝、着色、套塑、成缆、护套等完整生产线二百余条。随着产能规模扩大，原有依靠人工巡检和纸质记录的"
    "质量管理方式已难以满足客户对产品一致性和可追溯性的要求。",
    "二、主要做法。公司以“设备集中监控＋产品全流程追溯”为主线，建设覆盖全部生产线的设备数据采集网络，"
    "实时采集拉丝速度、张力、炉温、外径等关键工艺参数共计一千二百余项；建立统一的产品编码规则，"
    "实现从预制棒、光纤到光缆成品的一物一码；依托制造执行系统，将工艺参数、检验数据与产品编码自动关联，"
    "形成完整的质量档案。",
    "三、实施效果。系统运行以来，关键工序过程能力指数由1.12提升至1.45，产品一次交检合格率由97.8%提升至99.6%，"
    "客户投诉处理周期由平均7天缩短至1.5天，年减少质量损失约一千三百万元。",
    "四、推广价值。该经验将工业互联网技术与质量管理深度融合，方法可复制、可推广，"
    "对线缆及其他流程型制造企业提升质量追溯能力具有较强的借鉴意义。",
]
#: A long summary: the four paragraphs three times over, one paragraph a line (blank lines between).
LONG_SUMMARY = "\n\n".join(_SUMMARY_PARAGRAPHS * 3)


def _ip_rows(n: int = 20) -> list[dict]:
    kinds = ["发明专利", "实用新型专利", "软件著作权", "外观设计专利"]
    rows = []
    for i in range(n):
        kind = kinds[i % len(kinds)]
        rows.append({
            "category": kind,
            "name": f"一种光纤拉丝过程外径与张力的在线协同监控方法及系统（第{i + 1}项）",
            "country": "中国",
            "grant_date": f"20{15 + i % 4}-{1 + i % 12:02d}-{10 + i % 18:02d}",
            "certificate_number": f"第{3456789 + i * 137}号",
            "right_holder": "通鼎互联信息股份有限公司；江苏通鼎光棒有限公司",
            "inventor": "沈小平；钱建林；张国栋；李明华",
            "validity_years": "20" if kind == "发明专利" else "10",
            "application_number": LONG_APPLICATION if i == 0 else f"CN2018{10123456 + i:08d}.{i % 10}",
            "grant_number": f"ZL2018{10123456 + i:08d}.{i % 10}",
        })
    return rows


def _honours(n: int = 10) -> list[dict]:
    awards = ["江苏省质量奖", "全国质量信得过班组", "苏州市市长质量奖", "中国通信学会科学技术奖",
              "全国质量管理小组活动优秀成果"]
    levels = ["省级", "国家级", "市级", "行业级", "国家级"]
    return [{"award": f"{awards[i % 5]}（{2014 + i % 5}年度）", "level": levels[i % 5],
             "awarding_body": "江苏省人民政府" if i % 5 == 0 else "中国质量协会",
             "date": f"{2014 + i % 5}-12-{10 + i:02d}", "note": "光纤生产线设备集中监控项目"}
            for i in range(n)]


def full_context() -> dict:
    """A realistic, complete context: three years, 20 IP rows, 10 honours, a long summary."""
    return {
        "activity": {"name": "2019年全国质量标杆活动", "year": 2019},
        "organization": {
            "org_name": ORG_NAME, "economic_type": "股份有限公司", "region": "江苏省 苏州市",
            "address": "江苏省苏州市吴江区震泽镇八都经济开发区小平大道8号", "industry": "38 电气机械和器材制造业",
            "quality_head": "钱建林", "quality_head_phone": "0512-63878888", "org_size_label": "大型",
        },
        "economic_years": [
            {"year": "2018", "total_assets": "1256789.45", "operating_revenue": "1034567.80", "other_revenue": "12345.67",
             "total_profit": "98765.43", "total_tax": "45678.90", "employees": "5321"},
            {"year": "2017", "total_assets": "1123456.78", "operating_revenue": "987654.32", "other_revenue": "11234.56",
             "total_profit": "87654.32", "total_tax": "40123.45", "employees": "5102"},
            {"year": "2016", "total_assets": "998765.43", "operating_revenue": "876543.21", "other_revenue": "9876.54",
             "total_profit": "76543.21", "total_tax": "36789.01", "employees": "4876"},
        ],
        "project": {
            "name": PROJECT_NAME, "keywords": KEYWORDS, "summary": LONG_SUMMARY,
            "other_evidence": "用户使用报告.pdf\n第三方检测报告（国家光纤通信产品质量监督检验中心）.pdf",
            "ip": _ip_rows(), "honours": _honours(),
        },
        "contact": {
            "department": "质量管理部", "person": "王晓燕", "position": "质量管理部部长", "mobile": "15011112222",
            "phone": "0512-63870000", "fax": "0512-63870001", "email": "quality@tongding.example.cn",
            "postcode": "215233", "address": "江苏省苏州市吴江区震泽镇八都经济开发区小平大道8号",
        },
        "summary_name": SUMMARY_NAME,
        "recommending_unit": UNIT,
        "recommendation_opinion": OPINION,
        "declaration": {"number": NUMBER, "submitted_at": "2019-06-18 10:32", "status_label": "资格审查通过"},
        "generated_at": "2019-07-01 09:00",
    }


def sparse_context() -> dict:
    """Every optional value None or missing (and a few None inside lists)."""
    return {
        "activity": {"name": "2019年全国质量标杆活动", "year": None},
        "organization": {"org_name": "某某质量有限公司", "economic_type": None, "region": None, "industry": None},
        "economic_years": [{"year": "2018", "total_assets": None, "operating_revenue": "1.00"}],
        "project": {"name": "某某经验", "keywords": [None, "质量追溯"], "summary": None, "other_evidence": None,
                    "ip": [{"category": "发明专利", "name": None}], "honours": [{"award": "某奖", "note": None}]},
        "contact": None,
        "summary_name": None,
        "recommending_unit": None,
        "recommendation_opinion": None,
        "declaration": {"number": None},
        "generated_at": None,
    }


@pytest.fixture(scope="module")
def app():
    """A bare Flask app on the project's templates, inside an app context (no database)."""
    application = Flask(__name__, template_folder=TEMPLATES)
    with application.app_context():
        yield application


@pytest.fixture(scope="module")
def rendered(app) -> dict[str, bytes]:
    ctx = full_context()
    return {"declaration": render_pdf(DECL, ctx), "recommendation": render_pdf(RECO, ctx)}


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def _text(pdf: bytes) -> str:
    """All page text with whitespace removed (long values wrap across lines in their cells)."""
    return re.sub(r"\s+", "", "".join(_pages(pdf)))


def _embedded_cjk_fonts(pdf: bytes) -> list[str]:
    """BaseFont names of WenQuanYi fonts on any page whose descriptor carries the font program."""
    found = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            if "WenQuanYi" not in str(font.get("/BaseFont", "")):
                continue
            if "/DescendantFonts" in font:
                font = font["/DescendantFonts"][0].get_object()
            descriptor = font["/FontDescriptor"].get_object()
            if "/FontFile2" in descriptor or "/FontFile3" in descriptor:
                found.append(str(font["/BaseFont"]))
    return found


def _text_runs(pdf: bytes) -> list[tuple[int, float, float, str]]:
    """(page index, x, font size, text) of every shown string, in user space."""
    runs: list[tuple[int, float, float, str]] = []
    for index, page in enumerate(PdfReader(io.BytesIO(pdf)).pages):
        def visit(text, cm, tm, font_dict, font_size, index=index):
            if text.strip():
                scale = tm[0] * cm[0] or 1.0
                runs.append((index, tm[4] * cm[0] + cm[4], font_size * scale, text))
        page.extract_text(visitor_text=visit)
    return runs


def test_declaration_contains_title_organization_project_and_years(rendered):
    pdf = rendered["declaration"]
    assert pdf.startswith(b"%PDF-")
    text = _text(pdf)
    for expected in ("全国质量标杆申报表", "全国质量标杆", "2019年全国质量标杆活动", PROJECT_NAME, ORG_NAME,
                     "2016", "2017", "2018", "38电气机械和器材制造业", NUMBER, "1256789.45", "4876"):
        assert expected in text, expected
    assert "、".join(KEYWORDS) in text
    for section in ("一、组织基本信息", "二、近三年经济指标", "三、申报主体", "四、知识产权", "五、荣誉",
                    "六、其他证明材料", "七、联系人信息", "八、总结材料"):
        assert section in text, section
    assert f"总结材料：见附件{SUMMARY_NAME}" in text
    assert "quality@tongding.example.cn" in text and "质量管理部部长" in text


def test_declaration_lists_every_ip_row_and_honour(rendered):
    text = _text(rendered["declaration"])
    for row in _ip_rows():
        for key in ("application_number", "grant_number", "certificate_number", "name"):
            assert row[key] in text, row[key]  # wrapped inside its cell, never cut off
    for honour in _honours():
        assert honour["award"] in text
    assert "授权号（专利号）" in text and "有效期（年）" in text


def test_summary_is_split_into_paragraphs(app):
    html = render_template(DECL, **full_context())
    assert html.count("<p>") == len(_SUMMARY_PARAGRAPHS) * 3
    assert "<br" not in html  # dropped by xhtml2pdf under CJK wrapping


def test_declaration_footer_has_page_number_without_total(rendered):
    pages = _pages(rendered["declaration"])
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        flat = re.sub(r"\s+", "", page)
        assert f"第{number}页" in flat
        assert not re.search(r"共\d+页|/\d+页|第\d+/\d+页", flat)
    assert "pdf:pagecount" not in render_template(DECL, **full_context())


#: Page margins of benchmark_declaration.html (1.6 cm left and right) and the IP table's column widths.
_MARGIN_PT = 1.6 / 2.54 * 72
_IP_COLUMNS_PCT = (3.5, 7, 12, 5, 9, 10.5, 9, 8.5, 4.5, 15.5, 15.5)


def test_declaration_text_stays_inside_the_page_and_its_cells(rendered):
    """Nothing runs off the page, and no IP-table string (7.5 pt) crosses into the next column."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from app.documents.pdf import _REPORTLAB_FONT_NAME, _ensure_font

    _ensure_font()  # stringWidth needs the face registered
    pdf = rendered["declaration"]
    width = float(PdfReader(io.BytesIO(pdf)).pages[0].mediabox.width)
    table_width = width - 2 * _MARGIN_PT
    edges = [_MARGIN_PT]
    for pct in _IP_COLUMNS_PCT:
        edges.append(edges[-1] + table_width * pct / 100)
    runs = _text_runs(pdf)
    assert runs
    ip_runs = 0
    for _index, x, size, text in runs:
        right = x + stringWidth(text, _REPORTLAB_FONT_NAME, size)
        assert x >= _MARGIN_PT - 1 and right <= width - _MARGIN_PT + 1, (text, x, right)
        if abs(size - 7.5) < 0.01:
            ip_runs += 1
            column_right = min(edge for edge in edges if edge > x + 0.5)
            assert right <= column_right + 0.5, (text, x, right, column_right)
    assert ip_runs > 20 * 10


def test_recommendation_is_one_page_with_unit_opinion_and_stamp_boxes(rendered):
    pdf = rendered["recommendation"]
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    text = _text(pdf)
    for expected in ("全国质量标杆推荐表", "全国质量标杆", ORG_NAME, PROJECT_NAME, UNIT, "、".join(KEYWORDS),
                     "38电气机械和器材制造业", "江苏省苏州市", "申报组织", "（盖章）", "所属行业", "所在地区",
                     "标杆名称", "标杆方向", "推荐单位意见", "加盖申报组织公章", "加盖推荐单位公章", "年月日"):
        assert expected in text, expected
    for line in OPINION.splitlines():
        assert re.sub(r"\s+", "", line) in text


@pytest.mark.parametrize("key", ["declaration", "recommendation"])
def test_cjk_font_is_embedded_as_subset(rendered, key):
    fonts = _embedded_cjk_fonts(rendered[key])
    assert fonts, "no WenQuanYi font with /FontFile2 or /FontFile3"
    assert all(re.match(r"/?[A-Z]{6}\+", name) for name in fonts), fonts


@pytest.mark.parametrize("template", [DECL, RECO])
def test_missing_values_render_empty_not_none(app, template):
    html = render_template(template, **sparse_context())
    assert "None" not in html and "Undefined" not in html
    text = _text(render_pdf(template, sparse_context()))
    assert "None" not in text
    assert "某某质量有限公司" in text and "质量追溯" in text


def test_empty_context_renders(app):
    for template in (DECL, RECO):
        html = render_template(template)
        assert "None" not in html and "Undefined" not in html
        assert _text(render_pdf(template, {})).startswith("全国质量标杆")
    assert "总结材料：" in render_template(DECL)


@pytest.mark.parametrize("template", [DECL, RECO])
def test_user_text_is_escaped(app, template):
    ctx = full_context()
    ctx["organization"] = {**ctx["organization"], "org_name": "<b>甲</b>&乙"}
    assert "&lt;b&gt;甲&lt;/b&gt;&amp;乙" in render_template(template, **ctx)


def test_keywords_given_as_a_string_are_shown_as_they_are(app):
    ctx = full_context()
    ctx["project"] = {**ctx["project"], "keywords": "质量追溯、互联网+"}
    for template in (DECL, RECO):
        assert "质量追溯、互联网+" in render_template(template, **ctx)


def test_first_pages_render_to_png(rendered, tmp_path):
    """Rasterises page 1 of each document when poppler's pdftoppm is installed (a visual check aid)."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) not installed")
    for key in ("declaration", "recommendation"):
        source = tmp_path / f"{key}.pdf"
        source.write_bytes(rendered[key])
        subprocess.run(["pdftoppm", "-r", "60", "-f", "1", "-l", "1", "-png", str(source), str(tmp_path / key)],
                       check=True, capture_output=True, timeout=60)
        pngs = list(tmp_path.glob(f"{key}*.png"))
        assert pngs and pngs[0].stat().st_size > 5_000
