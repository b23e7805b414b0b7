"""The benchmark project form (申报主体, manual §4) as the applicant sees it: checks of the
IP and honour rows, the required summary, the other proof as an upload; and the result
certificate's text."""
from __future__ import annotations

import html
import io
import re

import pytest

from app.extensions import db
from tests import factories as f
from tests.services.test_declaration import world  # noqa: F401  (fixture)

pytestmark = pytest.mark.parametrize("app", ["sqlite"], indirect=True)

PROJECT = {"name": "全面质量管理数字化实践", "keywords": "数字化", "summary": "项目简介正文"}


def _cell(page: str, name: str) -> str:
    """The table cell holding the input ``name``: its value and any message beside it."""
    match = re.search(rf'<td><input name="{name}" value="[^"]*"[^>]*>.*?</td>', page, re.S)
    assert match, f"no cell for {name}"
    return html.unescape(match.group(0))


def _client(app, world):  # noqa: F811
    client = f.WebClient(app)
    client.login(world["user"].username)
    return client, f"/benchmark/my/project/{world['project'].id}"


def test_impossible_ip_dates_and_validity_are_refused_beside_the_field_and_kept(app, world):  # noqa: F811
    client, url = _client(app, world)
    data = {**PROJECT, "ip_name": "一种检测方法", "ip_category": "发明专利", "ip_grant_date": "2021/13/45",
            "ip_validity_years": "二十", "ip_proof": "", "hn_award": "浙江省质量奖", "hn_date": "2019-02-30",
            "hn_proof": ""}
    page = client.post_form(url, data).data.decode()
    date_cell, years_cell = _cell(page, "ip_grant_date"), _cell(page, "ip_validity_years")
    assert 'value="2021/13/45"' in date_cell and "请输入真实存在的日期，格式为 YYYY-MM-DD" in date_cell
    assert 'value="二十"' in years_cell and "有效期请填写 1 至 100 之间的整数年数" in years_cell
    assert "请输入真实存在的日期" in _cell(page, "hn_date")
    assert "已保存，部分信息仍需完善" in page  # kept as a draft, with a warning

    # A real date typed with slashes is accepted and kept in the printed form's format.
    data.update(ip_grant_date="2021/5/1", ip_validity_years="20", hn_date="2019-02-28")
    page = client.post_form(url, data).data.decode()
    assert "sb-error" not in _cell(page, "ip_grant_date") + _cell(page, "ip_validity_years")
    db.session.refresh(world["project"])
    row = world["project"].data["ip"][0]
    assert (row["grant_date"], row["validity_years"]) == ("2021-05-01", "20")


def test_a_grant_date_in_the_future_is_refused(app, world):  # noqa: F811
    client, url = _client(app, world)
    page = client.post_form(url, {**PROJECT, "ip_name": "一种检测方法", "ip_grant_date": "2999-01-01",
                                  "ip_proof": ""}).data.decode()
    assert "日期不能晚于今天" in _cell(page, "ip_grant_date")


def test_other_evidence_is_an_upload_checked_like_the_proofs_and_a_download_for_reviewers(app, world):  # noqa: F811
    from tests.web.test_declaration_web import svc_submit_and_choose

    client, url = _client(app, world)
    page = client.get(url).data.decode()
    assert 'type="file" name="other_evidence_file"' in page and 'name="other_evidence"' not in page

    # Not a PDF though named .pdf: refused beside the field, the rest of the form saved as typed.
    bad = client.post_form(url, {**PROJECT, "name": "改名后的项目",
                                 "other_evidence_file": (io.BytesIO(b"just text"), "检测报告.pdf")},
                           content_type="multipart/form-data").data.decode()
    field = bad[bad.index('name="other_evidence_file"'):]
    field = html.unescape(field[:field.index("</div>")])
    assert "文件扩展名为 .pdf，但内容不是真正的 PDF 文件" in field
    assert 'value="改名后的项目"' in bad
    db.session.refresh(world["project"])
    assert world["project"].other_evidence_attachment_id is None

    ok = client.post_form(url, {**PROJECT, "other_evidence_file": (io.BytesIO(f.PDF_MIN), "第三方检测报告.pdf")},
                          content_type="multipart/form-data").data.decode()
    link = re.search(r'<a href="(/attachments/\d+)" id="other-evidence-link">第三方检测报告.pdf</a>', ok)
    assert link and client.get(link.group(1)).data.startswith(b"%PDF")

    declaration = svc_submit_and_choose(world)
    recommender = f.WebClient(app)
    recommender.login(world["recommender"].username)
    review = recommender.get(f"/review/declarations/show/{declaration.id}").data.decode()
    shown = re.search(r'其他证实性材料: <a href="(/attachments/\d+)" id="other-evidence-link">第三方检测报告.pdf</a>', review)
    assert shown and recommender.get(shown.group(1)).data.startswith(b"%PDF")


def test_the_summary_is_required_beside_its_field(app, world):  # noqa: F811
    client, url = _client(app, world)
    assert "项目简介 *" in client.get(url).data.decode()
    page = client.post_form(url, {**PROJECT, "summary": "   ", "keywords": "数字化，质量管理"}).data.decode()
    field = page[page.index('<textarea class="form-control" name="summary"'):]
    field = field[:field.index("</div>")]
    assert "此项为必填项" in field
    assert 'value="数字化，质量管理"' in page and "已保存，部分信息仍需完善" in page  # the rest kept as typed


def test_the_benchmark_certificate_names_the_year_once(app, world):  # noqa: F811
    from pypdf import PdfReader
    from sqlalchemy import select

    from app.services import declaration as svc
    from models import IssuedDocument
    from tests.web.test_declaration_web import svc_submit_and_choose

    world["activity"].name = "2019年全国质量标杆活动"  # as activities are named (the demo does so)
    db.session.commit()
    declaration = svc_submit_and_choose(world)
    svc.review(world["recommender"], declaration.id, "recommend", "同意推荐")
    svc.review(world["association"], declaration.id, "qualify")
    svc.review(world["association"], declaration.id, "select")
    document = db.session.execute(select(IssuedDocument).where(IssuedDocument.record_type == "declaration",
                                                               IssuedDocument.record_id == declaration.id)).scalar_one()
    client, _url = _client(app, world)
    pdf = client.get(f"/eseal/document/{document.id}.pdf")
    assert pdf.status_code == 200
    text = "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "2019年2019" not in text and "20192019" not in text
    assert "在2019年全国质量标杆活动中被确定为全国质量标杆" in text
