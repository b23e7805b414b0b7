"""The user manuals (/help/): public, in the reader's language, raw HTML never rendered; every
screenshot a manual names exists; every "?" help link of an applicant form page resolves to a
section that exists in both languages."""
from __future__ import annotations

import html as htmllib
import re

import pytest

from app import help_links
from app.services import manuals
from tests import factories as f

pytestmark = pytest.mark.parametrize("app", ["sqlite"], indirect=True)

HELP = re.compile(r'<div class="sb-help-link" id="sb-help"><a href="([^"]+)"[^>]*aria-label="([^"]+)"')
IMG = re.compile(r"!\[[^\]]*\]\(img/([^)]+)\)")


def _md(lang: str, slug: str) -> str:
    return (manuals.DEFAULT_DIR / lang / f"{slug}.md").read_text(encoding="utf-8")


def test_every_manual_exists_in_both_languages_with_the_same_anchors(app):
    for slug, _group in manuals.MANUALS:
        zh, en = manuals.get(slug, "zh"), manuals.get(slug, "en")
        assert zh.lang == "zh" and en.lang == "en", slug
        assert [s.anchor for s in zh.sections] == [s.anchor for s in en.sections], slug
        anchors = [s.anchor for s in zh.sections]
        assert len(anchors) == len(set(anchors)), f"{slug}: an anchor repeats"


def test_every_image_a_manual_names_exists(app):
    for slug, _group in manuals.MANUALS:
        for lang in manuals.LANGUAGES:
            for name in IMG.findall(_md(lang, slug)):
                assert manuals.SAFE_IMAGE.match(name), (slug, lang, name)
                assert (manuals.DEFAULT_DIR / "img" / name).is_file(), (slug, lang, name)


def test_every_help_link_names_an_anchor_of_both_languages(app):
    for slug, anchor in help_links.all_targets():
        for lang in manuals.LANGUAGES:
            manual = manuals.get(slug, lang)
            assert manual is not None and manual.section(anchor), (slug, anchor, lang)


def test_index_and_manuals_are_public_in_zh_and_en(client):
    page = client.get("/help/").get_data(as_text=True)
    assert "用户手册" in page
    for slug, _group in manuals.MANUALS:
        assert f'href="/help/{slug}"' in page
        response = client.get(f"/help/{slug}")
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        manual = manuals.get(slug, "zh")
        assert f'<h1 id="manual-title">{htmllib.escape(manual.title, quote=False)}</h1>' in text
        for section in manual.sections:
            assert f'id="{section.anchor}"' in text and f'href="#{section.anchor}"' in text
    client.get("/lang/en")
    page = client.get("/help/").get_data(as_text=True)
    assert "User manuals" in page and "用户手册" not in page
    text = client.get("/help/sme").get_data(as_text=True)
    assert "tech-based SME evaluation" in text and 'id="sme-cover"' in text


def _outside_article(page: str) -> str:
    page = re.sub(r'<article class="sb-manual".*?</article>', "", page, flags=re.S)
    page = re.sub(r"<(script|style)[^>]*>.*?</\1>", "", page, flags=re.S)
    return page


def test_no_ui_string_in_the_other_language(client):
    from tests.web.test_role_crawl import CHINESE_OK, ENGLISH_OK, ENGLISH_UI, _Page

    for lang in ("zh", "en"):
        client.get(f"/lang/{lang}")
        for url in ["/help/"] + [f"/help/{slug}" for slug, _group in manuals.MANUALS]:
            parser = _Page()
            parser.feed(_outside_article(client.get(url).get_data(as_text=True)))
            for line in parser.text:
                if lang == "zh":
                    assert not (ENGLISH_UI.match(line) and re.search(r"[a-z]{3,}", line) and line not in ENGLISH_OK), (url, line)
                else:
                    rest = line
                    for allowed in CHINESE_OK:
                        rest = rest.replace(allowed, "")
                    assert not re.search(r"[\u4e00-\u9fff]", rest), (url, line)


def test_unknown_manual_and_unsafe_images_are_404(client):
    assert client.get("/help/nope").status_code == 404
    assert client.get("/help/img/missing.jpg").status_code == 404
    assert client.get("/help/img/..%2Fzh%2Fsme.md").status_code == 404
    assert client.get("/help/img/sme.md").status_code == 404
    for name in IMG.findall(_md("zh", "sme"))[:1]:
        response = client.get(f"/help/img/{name}")
        assert response.status_code == 200 and response.mimetype == "image/jpeg"


def test_raw_html_in_markdown_is_not_rendered(app, tmp_path, client):
    (tmp_path / "zh").mkdir()
    (tmp_path / "zh" / "sme.md").write_text(
        "# 标题\n\n## 一节 {#a-b}\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n"
        "![x](img/../../secret.jpg) ![y](https://example.com/t.png) [z](javascript:alert(3))\n", encoding="utf-8")
    app.config["MANUAL_DIR"] = str(tmp_path)
    try:
        page = client.get("/help/sme").get_data(as_text=True)
    finally:
        app.config.pop("MANUAL_DIR")
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert "<img src=x" not in page and "&lt;img src=x onerror" in page
    assert "example.com" not in page and "secret.jpg" not in page and 'href="javascript:' not in page
    assert '<h2 id="a-b">一节</h2>' in page


def _assert_help(web, url: str) -> str:
    response = web.get(url, follow_redirects=True)
    assert response.status_code == 200, (url, response.status_code)
    page = response.get_data(as_text=True)
    found = HELP.search(page)
    assert found, f"no help link on {url}"
    href, label = found.group(1), htmllib.unescape(found.group(2))
    path, anchor = href.split("#")
    manual = web.get(path)
    assert manual.status_code == 200, href
    assert f'id="{anchor}"' in manual.get_data(as_text=True), href
    slug = path.rsplit("/", 1)[-1]
    assert label == f"帮助：{manuals.get(slug, 'zh').section(anchor).title}", (url, label)
    return href


def test_every_applicant_form_page_links_to_its_manual_section(app):
    from tests.crawl_world import seed_world
    from app.extensions import db
    from app.security import roles as R
    from models import Declaration, OrganizationFiling, SealApplication, SealKey, SmeEvaluation, Project

    web = f.WebClient(app)
    for url in ("/login/", "/account/register", "/account/recover", "/account/recover-mobile", "/account/forgot-email"):
        _assert_help(web, url)

    # Before approval: the enterprise registration form and the evaluation that can only be saved.
    draft_user = f.gen_applicant()
    f.gen_enterprise(draft_user)
    web.login(draft_user.username)
    assert _assert_help(web, "/my-enterprise/registration") == "/help/account#enterprise-registration"
    _assert_help(web, "/sme/new")
    _assert_help(web, "/account/change-password")
    web.logout()

    world = seed_world()
    user = world[R.APPLICANT]
    sme = db.session.query(SmeEvaluation).filter_by(enterprise_id=user.enterprise_id).first()
    filing = db.session.query(OrganizationFiling).filter_by(enterprise_id=user.enterprise_id).first()
    declaration = db.session.query(Declaration).first()
    project = db.session.query(Project).first()
    application = db.session.query(SealApplication).first()
    key = db.session.query(SealKey).first()
    web = f.WebClient(app)
    web.login(user.username)
    pages = {
        "/my-enterprise/info": "enterprise-info", "/my-enterprise/core-change": "enterprise-core-change",
        "/progress/": "progress", "/messages/": "messages", "/account/change-password": "account-password",
        "/sme/": "sme-list", f"/sme/{sme.id}/": "sme-statuses", f"/sme/{sme.id}/self-evaluation": "sme-self-evaluation",
        "/my-enterprise/ip/list/": "sme-ip-registry",
        "/benchmark/": "bm-overview", f"/benchmark/filing/{filing.id}": "bm-filing", "/benchmark/my/": "bm-my",
        "/benchmark/my/project/new": "bm-project", f"/benchmark/my/project/{project.id}": "bm-project",
        "/benchmark/my/declare": "bm-declare", f"/benchmark/my/declaration/{declaration.id}": "bm-declaration",
        "/eseal/": "eseal-overview", "/eseal/apply?kind=first": "eseal-apply",
        f"/eseal/application/{application.id}": "eseal-tracking", f"/eseal/key/{key.id}": "eseal-key",
        "/eseal/sign": "eseal-sign", "/signer/": "eseal-signer",
    }
    for key_name in help_links.SME_TABLE_KEYS:
        pages[f"/sme/{sme.id}/table/{key_name}"] = f"sme-table-{key_name}"
    for url, anchor in pages.items():
        assert _assert_help(web, url).endswith("#" + anchor), url


def test_reviewers_screens_link_to_their_manual(app):
    from tests.crawl_world import seed_world
    from app.security import roles as R

    world = seed_world()
    for role, url, href in ((R.AGENCY_REVIEWER, "/review/sme/list/", "/help/sme-review#review-sme"),
                            (R.ASSOCIATION_REVIEWER, "/review/filings/list/", "/help/benchmark-review#caq-filing"),
                            (R.CA_OPERATOR, "/ca/applications/list/", "/help/ca-operator#ca-applications")):
        web = f.WebClient(app)
        web.login(world[role].username)
        assert _assert_help(web, url) == href


def test_field_help_uses_the_manuals_definitions(app):
    """The tables show the definitions the manual gives (tech staff, the IP classes, the three
    years of economic data), in the reader's language."""
    from app.extensions import db
    from models import OrganizationFiling
    from tests.services.test_declaration import build_world

    evaluation = f.gen_sme()
    web = f.WebClient(app)
    web.login(f.owner_of(evaluation).username)
    hr = web.get(f"/sme/{evaluation.id}/table/hr").get_data(as_text=True)
    assert 'id="table-note"' in hr and "科技人员是指企业直接从事研发和相关技术创新活动" in hr
    assert "科技人员是指企业直接从事研发" in _md("zh", "sme").replace("**科技人员**：企业直接", "科技人员是指企业直接")
    ip = web.get(f"/sme/{evaluation.id}/table/ip").get_data(as_text=True)
    assert "I类知识产权：发明专利、国家新药" in ip and "II类知识产权：实用新型、外观设计、软件著作权" in ip
    web.get("/lang/en")
    hr = web.get(f"/sme/{evaluation.id}/table/hr").get_data(as_text=True)
    assert "Tech staff are the people directly engaged in R" in hr
    world = build_world()
    filing = db.session.get(OrganizationFiling, world["filing"].id)
    web = f.WebClient(app)
    web.login(world["user"].username)
    page = web.get(f"/benchmark/filing/{filing.id}").get_data(as_text=True)
    assert "请务必填写活动年度前三年的企业经营状况数据" in page
