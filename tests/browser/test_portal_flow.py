"""A visitor, not signed in, uses the public portal in a real browser: home page -> the visitor
link to the notices -> reads a notice -> downloads a template (the very file stored) -> searches
the FAQ; in Chinese, then in English (no Chinese UI text on the English pages).

The content is the demo content ``flask demo`` seeds (app.services.portal_seed).
Screenshots: test-artifacts/browser/<test name>/.
"""
from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from models import Attachment, PortalArticle

pytestmark = pytest.mark.browser
CJK = re.compile(r"[\u4e00-\u9fff]")


def _seed():
    from app.services.portal_seed import seed_demo_portal

    seed_demo_portal()
    notice = db.session.execute(select(PortalArticle).where(PortalArticle.kind == "notice",
                                                            PortalArticle.program == "sme")).scalar_one()
    files = {a.original_name: a for a in db.session.execute(select(Attachment).where(
        Attachment.record_type == "portal_article")).scalars()}
    return notice, files


def _visit(page, base, notice, files, lang, shots, download_dir):
    title = notice.title_en if lang == "en" else notice.title_zh
    page.goto(f"{base}/")
    page.click("#visitor-notices")
    page.wait_for_url(re.compile(r"/portal/notices"))
    shots(page, f"{lang}-notices")
    page.click(f"#article-list a:has-text('{title}')")
    page.wait_for_url(re.compile(r"/portal/notices/\d+"))
    assert page.locator("#article h1").inner_text().strip() == title
    assert page.locator("#article-body li").count() == 3
    shots(page, f"{lang}-notice")

    page.click("#portal-nav a[href='/portal/downloads']")
    page.wait_for_url(re.compile(r"/portal/downloads"))
    shots(page, f"{lang}-downloads")
    name = "科技型中小企业评价承诺书.pdf"
    with page.expect_download() as info:
        page.click(f"#download-list a.sb-portal-file:has-text('{name}')")
    download = info.value
    assert download.suggested_filename == name
    path = download_dir / f"{lang}-{name}"
    download.save_as(str(path))
    data = path.read_bytes()
    assert data.startswith(b"%PDF") and hashlib.sha256(data).hexdigest() == files[name].sha256
    from tests.browser.helpers import pdf_text

    assert "科技型中小企业评价承诺书" in pdf_text(download)

    page.click("#portal-nav a[href='/portal/faq']")
    page.wait_for_url(re.compile(r"/portal/faq"))
    page.fill("#faq-q", "password" if lang == "en" else "密码")
    with page.expect_navigation():
        page.click("#faq-search button[type=submit]")
    shots(page, f"{lang}-faq")
    questions = page.locator("#faq-list summary").all_inner_texts()
    expected = "I forgot my password." if lang == "en" else "忘记密码怎么办？"
    assert any(expected in q for q in questions), questions
    return page


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
def test_a_visitor_reads_a_notice_downloads_a_template_and_searches_the_faq(app, live_server, browser, shots,
                                                                            tmp_path):
    notice, files = _seed()
    context = browser.new_context(accept_downloads=True, locale="zh-CN")
    page = context.new_page()
    _visit(page, live_server, notice, files, "zh", shots, tmp_path)
    assert "常见问题" in page.locator("#portal-nav").inner_text()

    page.goto(f"{live_server}/lang/en")
    _visit(page, live_server, notice, files, "en", shots, tmp_path)
    # English pages: the navigation, headings, labels and buttons carry no Chinese.
    for selector in ("#portal-nav", "h1", "#faq-search", ".navbar"):
        text = " ".join(page.locator(selector).all_inner_texts())
        assert not CJK.search(text.replace("简体中文", "").replace("申报", "")), (selector, text)
    page.goto(f"{live_server}/portal/contacts")
    shots(page, "en-contacts")
    headings = " ".join(page.locator("h1, h2, th").all_inner_texts())
    assert not CJK.search(headings), headings
    context.close()
