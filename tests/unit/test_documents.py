"""app.documents: Chinese PDFs from Jinja templates (information table and cover of the SME evaluation).

No database: this module defines its own ``app`` fixture, a bare Flask app on the project's
template folder, which overrides the conftest fixture (and its SQLite/PostgreSQL parameters)
for every test here.
"""
from __future__ import annotations

import copy
import io
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest
from flask import Flask, render_template
from pypdf import PdfReader

from app.documents import DocumentError, render_pdf
from app.documents import pdf as pdf_module

TEMPLATES = "/work/main/app/templates"
INFO = "documents/sme_information_table.html"
COVER = "documents/sme_cover.html"

LONG_NAME = "深圳市南山区前海深港现代服务业合作区智能制造与新一代信息技术产业创新研究院股份有限公司"
LONG_PROJECT = (
    "面向工业互联网边缘计算场景的高可靠低时延异构多核处理器协同调度与安全可信执行环境"
    "关键技术研究及产业化应用示范项目"
)
CREDIT_CODE = "91440300MA5F0XYZ3K"
SYSTEM_NUMBER = "2024440300012345"


@pytest.fixture(scope="module")
def app():
    """A bare Flask app on the project's templates, inside an app context (no database)."""
    application = Flask(__name__, template_folder=TEMPLATES)
    with application.app_context():
        yield application


def _indicators() -> dict[str, dict]:
    return {
        "1": {"name": "在中国境内（不含港、澳、台地区）注册的居民企业", "judged": True, "passed": True,
              "reason": "居民企业"},
        "2": {"name": "职工总数不超过500人、年销售收入不超过2亿元、资产总额不超过2亿元", "judged": True,
              "passed": True, "reason": "职工 186 人，销售收入 8,560.00 万元，资产总额 12,300.00 万元"},
        "3": {"name": "产品和服务不属于禁止、限制和淘汰类", "judged": True, "passed": True, "reason": ""},
        "4": {"name": "未发生重大安全、质量事故和严重环境违法、科研严重失信行为", "judged": True,
              "passed": True, "reason": ""},
        "5": {"name": "拥有有效期内高新技术企业资格证书", "judged": True, "passed": False, "reason": "无"},
        "6": {"name": "近五年内获得过国家级科技奖励且排名前三", "judged": True, "passed": False, "reason": ""},
        "7": {"name": "拥有经认定的省部级以上研发机构", "judged": True, "passed": False, "reason": ""},
        "8": {"name": "近五年内主导制定过国际标准、国家标准或行业标准", "judged": True, "passed": False,
              "reason": ""},
        "9": {"name": "科技人员数占职工总数的比例", "judged": True, "ratio": 0.2258, "band": "20%-25%（含）",
              "points": 16, "reason": "科技人员 42 人 / 职工 186 人"},
        "10": {"name": "研发费用总额占销售收入或成本费用总额的比例", "judged": True, "ratio_sales": 0.0417,
               "ratio_cost": 0.0512, "ratio": 0.0512, "band": "5%-6%（含）", "points": 26,
               "reason": "取两者较高值"},
        "11": {"name": "拥有的在有效期内的知识产权", "judged": True, "class1": 2, "class2": 6, "band": "A",
               "points": 30, "reason": "拥有 1 项及以上Ⅰ类知识产权"},
    }


def full_context() -> dict:
    """A realistic, complete context: every table has rows; one very long name of each kind."""
    return {
        "enterprise": {
            "name": LONG_NAME, "credit_code": CREDIT_CODE, "legal_rep_name": "张伟",
            "region": "广东省 深圳市 南山区", "agency": "深圳市科技创新委员会",
            "registration_authority": "深圳市市场监督管理局",
        },
        "evaluation": {"system_number": SYSTEM_NUMBER, "year": 2024, "status_label": "已提交",
                       "submitted_at": "2024-05-18 10:32"},
        "tables": {
            "main": {"industry": "C39 计算机、通信和其他电子设备制造业"},
            "finance": {"employees_total": "186", "sales_revenue": "8560.00", "total_assets": "12300.00",
                        "cost_expenses": "6970.50", "rd_total": "356.80"},
            "hr": {"fulltime": "170", "parttime": "10", "temporary": "6", "employees_total": "186",
                   "tech_fulltime": "36", "tech_parttime": "4", "tech_temporary": "2", "tech_total": "42",
                   "new_hires": "23", "fresh_graduates": "9"},
            "rd_projects": [
                {"name": LONG_PROJECT, "number": "RD2024-001", "form_label": "自主研发",
                 "status_label": "进行中", "amount": "180.00", "counted_amount": "180.00"},
                {"name": "工业视觉缺陷检测算法优化", "number": "RD2024-002", "form_label": "委托境内研发",
                 "status_label": "已完成", "amount": "120.00", "counted_amount": "96.00"},
                {"name": "嵌入式固件安全升级", "number": "RD2023-007", "form_label": "合作研发",
                 "status_label": "已完成", "amount": "80.80", "counted_amount": "80.80"},
            ],
            "ip": [
                {"name": "一种基于多核异构处理器的任务调度方法", "kind_label": "发明专利",
                 "grant_date": "2022-08-16", "number": "ZL202010123456.7", "acquisition_label": "自主研发"},
                {"name": "边缘计算网关", "kind_label": "实用新型专利", "grant_date": "2023-03-02",
                 "number": "ZL202221234567.8", "acquisition_label": "自主研发"},
                {"name": "智能产线监控软件V2.0", "kind_label": "软件著作权", "grant_date": "2023-11-20",
                 "number": "2023SR1234567", "acquisition_label": "受让"},
            ],
            "ip_stats": {"class1": 2, "class2": 6, "by_kind": [
                {"label": "发明专利", "count": 2}, {"label": "实用新型专利", "count": 3},
                {"label": "软件著作权", "count": 3}]},
            "standards": [{"name": "工业互联网边缘计算网关技术要求", "number": "T/CESA 1234-2023",
                           "level_label": "团体标准", "rank": "1"}],
            "institutions": [{"name": "深圳市工业互联网边缘计算工程技术研究中心", "level_label": "市级"}],
            "awards": [{"name": "深圳市科学技术进步奖", "level_label": "市级", "rank": "2", "year": "2022"}],
            "other": "公司 2023 年新增研发投入主要用于边缘计算平台。\n第二行说明：无其他需要说明的事项。",
        },
        "result": {"qualified": True, "path": "scored", "total_score": 72, "rd_total": 356.8,
                   "indicators": _indicators()},
        "ruleset": {"label": "2017 年起适用 · 国科发政〔2017〕115号", "pass_score": 60},
        "generated_at": "2024-05-18 10:35:12",
    }


def _text(pdf: bytes) -> str:
    """All page text with whitespace removed (long names wrap across lines in their cells)."""
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in reader.pages))


def _embedded_cjk_fonts(pdf: bytes) -> list[str]:
    """BaseFont names of WenQuanYi fonts on any page whose descriptor carries the font program."""
    found = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            if "WenQuanYi" not in str(font.get("/BaseFont", "")):
                continue
            if "/DescendantFonts" in font:  # Type0: the descriptor is on the CID font
                font = font["/DescendantFonts"][0].get_object()
            descriptor = font["/FontDescriptor"].get_object()
            if "/FontFile2" in descriptor or "/FontFile3" in descriptor:
                found.append(str(font["/BaseFont"]))
    return found


@pytest.fixture(scope="module")
def rendered(app) -> dict[str, bytes | float]:
    """Both documents rendered once; the information table twice, the second call timed."""
    ctx = full_context()
    info = render_pdf(INFO, ctx)
    start = time.perf_counter()
    info_again = render_pdf(INFO, ctx)
    second = time.perf_counter() - start
    return {"info": info, "info_again": info_again, "cover": render_pdf(COVER, ctx), "second_s": second}


def test_information_table_contains_enterprise_score_and_title(rendered):
    pdf = rendered["info"]
    assert pdf.startswith(b"%PDF-")
    text = _text(pdf)
    assert LONG_NAME in text
    assert CREDIT_CODE in text
    assert "72" in text
    assert "科技型中小企业" in text
    assert "自评结果：符合科技型中小企业条件（总分72分，不低于60分）" in text
    assert "评价规则：2017年起适用·国科发政〔2017〕115号" in text
    assert LONG_PROJECT in text  # wrapped in its cell, not clipped
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 1


def test_information_table_shows_all_eleven_indicators(rendered):
    text = _text(rendered["info"])
    for indicator in _indicators().values():
        assert re.sub(r"\s+", "", indicator["name"]) in text
    assert "科技人员占比22.58%" in text
    assert "研发费用占销售收入4.17%" in text and "研发费用占成本费用5.12%" in text
    assert "Ⅰ类2项，Ⅱ类6项" in text
    assert "16分" in text and "26分" in text and "30分" in text


def test_cover_contains_enterprise_year_and_signature_boxes(rendered):
    pdf = rendered["cover"]
    text = _text(pdf)
    for expected in (LONG_NAME, CREDIT_CODE, SYSTEM_NUMBER, "2024", "科技型中小企业评价信息表", "封面",
                     "企业（盖章）", "法定代表人（签字）", "深圳市科技创新委员会"):
        assert expected in text, expected
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1


@pytest.mark.parametrize("key", ["info", "cover"])
def test_cjk_font_is_embedded_as_subset(rendered, key):
    fonts = _embedded_cjk_fonts(rendered[key])
    assert fonts, "no WenQuanYi font with /FontFile2 or /FontFile3"
    assert all(re.match(r"/?[A-Z]{6}\+", name) for name in fonts), fonts  # subset tag


def test_second_render_is_quick(rendered):
    assert rendered["second_s"] < 2.0  # sanity only; bench/pdf_render.py measures


def test_font_is_registered_once(app, monkeypatch):
    render_pdf(COVER, full_context())

    def register_again(path: Path) -> str:
        raise AssertionError("font registered a second time")

    monkeypatch.setattr(pdf_module, "_register_font", register_again)
    render_pdf(COVER, full_context())


def test_concurrent_first_use_registers_font_once(monkeypatch):
    calls = []
    real = pdf_module._register_font

    def counting(path: Path) -> str:
        calls.append(path)
        time.sleep(0.05)  # widen the race window
        return real(path)

    monkeypatch.setattr(pdf_module, "_default_css", None)
    monkeypatch.setattr(pdf_module, "_register_font", counting)
    threads = [threading.Thread(target=pdf_module._ensure_font) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1


def test_missing_font_raises_document_error_naming_the_package(app, monkeypatch, tmp_path):
    monkeypatch.setattr(pdf_module, "_default_css", None)
    monkeypatch.setattr(pdf_module, "CJK_FONT_PATH", tmp_path / "missing.ttc")
    with pytest.raises(DocumentError, match="apt-get install fonts-wqy-zenhei"):
        render_pdf(INFO, full_context())


def test_missing_values_render_empty_not_none(app):
    html = render_template(INFO, enterprise={"name": "某某科技有限公司"}, evaluation={}, tables={},
                           result=None, generated_at="")
    assert "None" not in html and "Undefined" not in html
    assert "自评结果：尚未自评" in html
    pdf = render_pdf(INFO, {"enterprise": {"name": "某某科技有限公司", "credit_code": None}})
    text = _text(pdf)
    assert "某某科技有限公司" in text and "None" not in text


def test_user_text_is_escaped(app):
    html = render_template(INFO, **{**full_context(), "enterprise": {"name": "<b>甲</b>&乙"}})
    assert "&lt;b&gt;甲&lt;/b&gt;&amp;乙" in html


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        ({"qualified": True, "path": "direct", "total_score": None, "indicators": {}},
         "自评结果：符合科技型中小企业条件（满足直接认定条件）"),
        ({"qualified": False, "path": "entry_failed", "total_score": None, "indicators": {}},
         "自评结果：不符合科技型中小企业条件（未满足基本条件）"),
        ({"qualified": False, "path": "scored", "total_score": 45, "indicators": {}},
         "自评结果：不符合科技型中小企业条件（总分 45 分，低于 60 分）"),
        ({"qualified": False, "path": "scored", "total_score": 64, "indicators": {"9": {"points": 0}}},
         "自评结果：不符合科技型中小企业条件（总分 64 分，但科技人员指标得分为 0）"),
    ],
)
def test_conclusion_line_follows_the_path(app, result, expected):
    html = render_template(INFO, **{**full_context(), "result": result})
    assert expected in html


def test_unjudged_indicators_say_so(app):
    result = {"qualified": False, "path": "entry_failed", "indicators": {
        "1": {"name": "居民企业", "judged": True, "passed": False, "reason": "境外注册"}}}
    text = _text(render_pdf(INFO, {**full_context(), "result": result}))
    assert "不满足" in text
    assert text.count("未评") == 10


def test_first_page_renders_to_png(rendered, tmp_path):
    """Rasterises page 1 of each document when poppler's pdftoppm is installed (a visual check aid)."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) not installed")
    for key in ("info", "cover"):
        source = tmp_path / f"{key}.pdf"
        source.write_bytes(rendered[key])
        subprocess.run(["pdftoppm", "-r", "60", "-f", "1", "-l", "1", "-png", str(source), str(tmp_path / key)],
                       check=True, capture_output=True, timeout=60)
        pngs = list(tmp_path.glob(f"{key}*.png"))
        assert pngs and pngs[0].stat().st_size > 5_000


def test_markup_compaction_drops_only_indentation_between_tags():
    html = "<table>\n  <tr>\n    <td>甲 乙</td> <td>\n      丙</td>\n  </tr>\n</table>\n<p>一 <b>二</b> 三</p>"
    assert pdf_module._compact_markup(html) == (
        "<table><tr><td>甲 乙</td> <td>\n      丙</td></tr></table><p>一 <b>二</b> 三</p>"
    )


def test_renderer_is_configured_for_speed(rendered):
    """The process-wide switches of app.documents.pdf are in force once a document is rendered."""
    from reportlab import rl_config
    from reportlab.pdfgen.canvas import ShowBoundaryValue
    from xhtml2pdf.reportlab_paragraph import Paragraph

    assert rl_config.useA85 == 0
    assert getattr(Paragraph._brokenLines, "_reuses_within_fuzz", False)
    boundary = ShowBoundaryValue(color=None, width=0)
    assert copy.deepcopy(boundary) is boundary


def test_line_break_reuse_takes_effect_and_changes_no_text(app, monkeypatch):
    """Reusing line breaks across a cell's passes: fewer CJK line breakings, the same document.

    Guards the wrapper in app.documents.pdf against an xhtml2pdf that lays its line cache out
    differently: the wrapper would then silently stop saving anything.
    """
    from xhtml2pdf.reportlab_paragraph import Paragraph

    ctx = full_context()
    render_pdf(INFO, ctx)  # registers the font and installs the wrapper
    original = Paragraph._brokenLines.__wrapped__
    real_cjk = Paragraph.breakLinesCJK
    counts = {"reused": 0, "plain": 0}
    current = {"run": "reused"}

    def counting_cjk(self, *args, **kwargs):
        counts[current["run"]] += 1
        return real_cjk(self, *args, **kwargs)

    monkeypatch.setattr(Paragraph, "breakLinesCJK", counting_cjk)
    with_reuse = render_pdf(INFO, ctx)
    current["run"] = "plain"
    monkeypatch.setattr(Paragraph, "_brokenLines", original)
    without_reuse = render_pdf(INFO, ctx)

    assert counts["reused"] < counts["plain"] * 0.7, counts
    assert _text(with_reuse) == _text(without_reuse)
    assert len(PdfReader(io.BytesIO(with_reuse)).pages) == len(PdfReader(io.BytesIO(without_reuse)).pages)
