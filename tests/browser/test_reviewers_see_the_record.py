"""Each reviewer's page in a real browser, in Chinese and in English: the reviewer signs in,
opens the record, and the page shows what the applicant submitted (key values, as the form
names them) with every uploaded file one click away (the link downloads; a picture is drawn as
a thumbnail). Pages: enterprise registration, Tech-SME evaluation and core-information change
(the agency), e-mail change (the accepting agency), organization filing (the association),
declaration (the recommending unit).

Data typed by the people in the test is asserted literally; labels of values (a shareholder's
kind, an organization size) are computed with the app's catalog in the page's language.
Screenshots: test-artifacts/browser/review-<page>-<lang>.png.
"""
from __future__ import annotations

import io

import pytest

from app.security import roles
from tests import factories
from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import sign_in

pytestmark = pytest.mark.browser

LANGS = ("zh", "en")
IP_ROW = {"category": "发明专利", "name": "一种质量检测方法", "country": "中国", "grant_date": "2021-05-01",
          "certificate_number": "第4455667号", "right_holder": "杭州质量标杆示范有限公司", "inventor": "王质量",
          "validity_years": "20", "application_number": "CN202010000001.X", "grant_number": "ZL202010000001.X"}
HONOUR_ROW = {"award": "浙江省质量奖", "level": "省级", "awarding_body": "浙江省人民政府", "date": "2022-01-15",
              "note": "质量管理成效显著"}
VC_ROW = {"investor": "某创投基金", "amount": "500", "date": "2024-06-01"}


def _picture(text: str) -> bytes:
    """A scan-sized picture (a stamped page), so the thumbnail has something to show."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 800), (250, 250, 245))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 560, 760), outline=(60, 60, 60), width=3)
    draw.ellipse((380, 560, 540, 720), outline=(200, 0, 0), width=8)
    draw.text((80, 100), text, fill=(20, 20, 20))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _label(msgid, lang: str) -> str:
    from flask_babel import force_locale, gettext

    with force_locale(lang):
        return gettext(msgid) if isinstance(msgid, str) else str(msgid)


def _seed(app) -> dict:
    """One record of each kind waiting for its reviewer; returns what each page must show."""
    from app.extensions import db
    from app.services import declaration as declaration_svc
    from app.services import email_change
    from app.services import enterprise as enterprise_svc
    from app.services import filing as filing_svc
    from app.services import sme_form
    from app.services.enterprise_form import SHAREHOLDER_KINDS
    from app.services.filing import ORG_SIZES
    from tests.services.test_declaration import CONTACT, build_world
    from tests.web.test_declaration_web import svc_submit_and_choose
    from tests.services.test_filing import YEARS

    pages: dict[str, dict] = {}
    kinds = dict(SHAREHOLDER_KINDS)
    agency = factories.gen_user(roles.AGENCY_REVIEWER, "agency_hangzhou", agency_region="330100")

    # 1. An enterprise registration waiting for the Hangzhou agency.
    registrant = factories.gen_applicant()
    enterprise = factories.gen_enterprise(registrant, status="submitted", venture_capital="yes",
                                          venture_investments=[dict(VC_ROW)])
    pages["enterprise"] = {
        "login": agency.username, "url": f"/review/enterprises/show/{enterprise.id}", "files": 1,
        "values": [enterprise.name, enterprise.credit_code, "李雷", "浙江省 / 杭州市 / 西湖区", "韩梅梅", "100.5", "60%",
                   "某投资公司", VC_ROW["investor"], VC_ROW["date"], "licence.pdf"],
        "labels": [kinds["natural"], kinds["legal"]]}

    # 2. A Tech-SME evaluation waiting for the agency.
    sme = factories.gen_sme(status="pending_agency")
    pages["sme"] = {
        "login": agency.username, "url": f"/review/sme/show/{sme.id}", "files": 1,
        "values": [sme.enterprise.name, sme.enterprise.credit_code, "制造业 / 计算机、通信和其他电子设备制造业", "1000", "800",
                   "新型传感器研发", "60", "一种传感器", "2025-03-01", "ZL2025000001", "cover.pdf"],
        "labels": [sme_form.IP_KINDS[0][1], sme_form.IP_ACQUISITION[0][1]]}

    # 3. A core-information change: new legal representative and region.
    changer = factories.gen_applicant()
    changed = factories.gen_enterprise(changer, status="approved", venture_capital="yes",
                                       venture_investments=[dict(VC_ROW)])
    change = enterprise_svc.open_core_change(changer)
    enterprise_svc.save_core_change(changer, change.id, {"legal_rep_name": "王小明", "city_code": "330700",
                                                         "county_code": "330702"})
    enterprise_svc.submit_core_change(changer, change.id)
    pages["core-change"] = {
        "login": agency.username, "url": f"/review/core-changes/show/{change.id}", "files": 1,
        "values": [changed.name, "李雷", "王小明", "浙江省 / 杭州市 / 西湖区", "浙江省 / 金华市 / 婺城区", "韩梅梅", "60%",
                   VC_ROW["investor"], "licence.pdf"],
        "labels": [kinds["natural"]]}

    # 4. An e-mail change request with two stamped pages, accepted by the Hangzhou agency.
    from app.services import captcha

    request = email_change.submit(
        email_change.EmailChangeForm(changed.credit_code, changed.name, changer.first_name, changer.mobile,
                                     "new-contact@example.com", str(factories.agency("330100").id),
                                     captcha.new_challenge()[0], factories.CAPTCHA),
        [(io.BytesIO(_picture("page 1")), "盖章申请-1.png"), (io.BytesIO(_picture("page 2")), "盖章申请-2.png")])
    pages["email-change"] = {
        "login": agency.username, "url": f"/review/email-changes/show/{request.id}", "files": 2, "images": 2,
        "values": [changed.credit_code, changed.name, changer.first_name, changer.mobile, "new-contact@example.com",
                   "盖章申请-1.png", "盖章申请-2.png"], "labels": []}

    # 5. A benchmark declaration sent to its recommending unit; its organization filing approved.
    w = build_world()
    project, errors = declaration_svc.save_project(
        w["user"], w["project"].id, {"name": "全面质量管理数字化实践", "keywords": "数字化，质量管理",
                                     "summary": "以数据驱动质量改进，缩短问题闭环时间。"},
        ip=[dict(IP_ROW)], honours=[dict(HONOUR_ROW)],
        proofs={("ip", 0): (io.BytesIO(_picture("patent")), "专利证书.png"),
                ("honours", 0): (io.BytesIO(factories.PDF_MIN), "获奖证书.pdf")},
        other_evidence=(io.BytesIO(factories.PDF_MIN), "第三方检测报告.pdf"))
    assert not errors, errors
    declaration = svc_submit_and_choose(w, "质量标杆总结材料.docx")  # w["project"] is the project saved above
    pages["declaration"] = {
        "login": w["recommender"].username, "url": f"/review/declarations/show/{declaration.id}", "files": 4, "images": 1,
        "values": ["杭州质量标杆示范有限公司", "全面质量管理数字化实践", *IP_ROW.values(), *HONOUR_ROW.values(),
                   *(v for v in CONTACT.values() if v), "12000.5", "150.25", "-35.5", "质量标杆总结材料.docx"],
        "labels": [ORG_SIZES[2][1]]}

    # 6. Another organization filing, filed with a proof per year, waiting for the association.
    filer = factories.gen_applicant()
    factories.gen_enterprise(filer, status="approved")
    filing = filing_svc.create(filer, 2020)
    filing_svc.save(filer, filing.id, {"org_name": "宁波精密制造有限公司", "economic_type_code": "159",
                                       "province_code": "330000", "city_code": "330100", "address": "杭州市滨江区 8 号",
                                       "industry_code": "39", "quality_head": "赵质量", "quality_head_phone": "0571-86660000",
                                       "org_size": "large"},
                    [{"year": str(y), **YEARS} for y in (2017, 2018, 2019)])
    filing_svc.attach_licence(filer, filing.id, io.BytesIO(_picture("licence")), "营业执照.png")
    for year in (2017, 2018, 2019):
        filing_svc.attach_year_proof(filer, filing.id, year, io.BytesIO(factories.PDF_MIN), f"{year}年审计报告.pdf")
    filing_svc.file(filer, filing.id)
    pages["filing"] = {
        "login": w["association"].username, "url": f"/review/filings/show/{filing.id}", "files": 4, "images": 1,
        "values": ["宁波精密制造有限公司", "其他有限责任公司", "杭州市滨江区 8 号", "赵质量", "0571-86660000",
                   *YEARS.values(), "营业执照.png", "2017年审计报告.pdf", "2019年审计报告.pdf"],
        "labels": [ORG_SIZES[3][1]]}

    # 7. An e-seal (USB-Key) application waiting for the CA operator to receive its papers.
    from app.services.eseal import seal_application as seal_svc

    sealer = factories.gen_applicant()
    sealing = factories.gen_enterprise(sealer, status="approved")
    seal_form = {"company_name": sealing.name, "department": "信息中心", "system_user_id": "cms-0042",
                 "ems_contact": "钱签章", "ems_company": sealing.name, "ems_department": "信息中心",
                 "ems_address": "杭州市上城区解放路 18 号", "ems_postcode": "310002", "ems_phone": "13800002222",
                 "ems_email": "seal@example.com", "business_department": "tech_sme", "years": "1"}
    application = seal_svc.apply(sealer, "first", seal_form)
    pages["eseal-application"] = {
        "login": factories.gen_user(roles.CA_OPERATOR).username, "url": f"/ca/applications/show/{application.id}",
        "files": 0, "values": [sealing.name, "信息中心", "cms-0042", "钱签章", "杭州市上城区解放路 18 号", "310002"],
        "labels": []}
    db.session.commit()
    return pages


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
def test_each_reviewer_sees_the_record_and_its_files(app, live_server, browser):
    from playwright.sync_api import expect

    expect.set_options(timeout=10_000)
    base = live_server
    with app.app_context():
        pages = _seed(app)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    for lang in LANGS:
        for name, page_spec in pages.items():
            context = browser.new_context(locale="zh-CN" if lang == "zh" else "en-US",
                                          viewport={"width": 1280, "height": 900})
            context.set_default_timeout(20_000)
            page = context.new_page()
            sign_in(page, base, page_spec["login"])
            page.goto(f"{base}/lang/{lang}")
            response = page.goto(f"{base}{page_spec['url']}")
            assert response.status == 200, (name, lang, response.status)
            body = page.locator("body")
            text = body.inner_text()
            with app.test_request_context("/"):
                labels = [_label(label, lang) for label in page_spec["labels"]]
                decision = _label("Decision", lang)
            # The page is in the chosen language (the decision panel's heading).
            expect(page.locator(".panel-heading", has_text=decision)).to_have_count(1)
            for value in (*page_spec["values"], *labels):
                assert value in text, (name, lang, value)
            # No stored code, Python value or UTC time stamp instead of what the form shows.
            for raw in ("None", "True", "False", "{'", "[{"):
                assert raw not in text, (name, lang, raw)
            # Every file of the record is one click away, and the link downloads for this reviewer.
            hrefs = sorted(set(page.eval_on_selector_all("a[href^='/attachments/']",
                                                         "els => els.map(e => e.getAttribute('href'))")))
            assert len(hrefs) == page_spec["files"], (name, lang, hrefs)
            for href in hrefs:
                download = page.request.get(f"{base}{href}")
                assert download.status == 200 and download.body(), (name, lang, href, download.status)
            # Pictures are drawn as thumbnails (decoded by the browser, inside their link).
            thumbs = page.locator("a[href^='/attachments/'] > img")
            expect(thumbs).to_have_count(page_spec.get("images", 0))
            for i in range(thumbs.count()):
                thumbs.nth(i).scroll_into_view_if_needed()
                assert thumbs.nth(i).evaluate("img => img.complete && img.naturalWidth > 0"), (name, lang, i)
            # The decision form is there for the reviewer, under the record.
            expect(page.locator("#decision-form")).to_have_count(1)
            page.screenshot(path=str(ARTIFACTS / f"review-{name}-{lang}.png"), full_page=True)
            context.close()
