"""The national quality benchmark in a real browser, from the organization filing to the printed forms:

the applicant files the organization (three years of economic data, watermarked licence); the
association approves the filing; the applicant creates a project, accepts the commitment letter,
fills the contact data, uploads the summary, submits and chooses a recommending unit; the
recommender recommends with an opinion; the association passes the qualification review; the
applicant prints the declaration and the recommendation form (their text is read back) and
sees the four steps of the review log.

Texts the app translates are computed with the app's own catalog (``tr``), as in
test_registration_flow.py; data typed by the people in the test is asserted literally.
Screenshots: test-artifacts/browser/<test name>/.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest

from app.security import roles
from tests import factories
from tests.services.test_declaration import _docx
from tests.services.test_filing import _licence_pdf
from tests.browser.helpers import pdf_text, sign_in, tr

pytestmark = pytest.mark.browser

YEAR = 2019
YEARS = (2016, 2017, 2018)
ACTIVITY = "全国质量标杆遴选活动"
COMMITMENT = "本组织承诺所填报的信息和提交的材料真实、准确、完整。"
UNITS = ("浙江省质量协会", "中国电子质量管理协会")
ORG = "杭州质量标杆示范有限公司"
ECONOMIC_TYPE = ("159", "其他有限责任公司")
ADDRESS = "杭州市西湖区文三路 1 号"
QUALITY_HEAD = "王质量"
QUALITY_PHONE = "0571-88886666"
# Year -> the six inputs y<year>_<field>; different per year so each row is recognisable.
ECONOMIC = {
    2016: {"total_assets": "12000.5", "operating_revenue": "8000", "other_revenue": "150.25",
           "total_profit": "-35.5", "total_tax": "320", "employees": "860"},
    2017: {"total_assets": "13000", "operating_revenue": "9100.75", "other_revenue": "160",
           "total_profit": "210", "total_tax": "355.5", "employees": "905"},
    2018: {"total_assets": "14500.25", "operating_revenue": "10300", "other_revenue": "171",
           "total_profit": "480.125", "total_tax": "402", "employees": "948"},
}
PROJECT = "全面质量管理数字化实践"
KEYWORDS = "数字化，质量管理"
CONTACT = {"department": "质量管理部", "person": "李质量", "position": "部长", "mobile": "13911112222",
           "phone": "0571-88886666", "email": "q@example.com", "postcode": "310012",
           "address": "杭州市西湖区文三路 1 号"}
OPINION = "该组织质量管理数字化实践成效显著，同意推荐。"
WATERMARK = "仅用于备案审核"


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
def test_filing_declaration_recommend_qualify_print(app, live_server, browser, shots, tmp_path):
    from playwright.sync_api import expect

    from app.extensions import db
    from models import Activity, EconomicType, RecommendingUnit

    expect.set_options(timeout=10_000)
    base = live_server
    licence = tmp_path / "licence.pdf"
    licence.write_bytes(_licence_pdf())
    summary = tmp_path / "总结材料.docx"
    summary.write_bytes(_docx())
    saved = tr(app, "Saved successfully.")
    filing_draft, filed, filing_approved = (tr(app, s) for s in (
        "Draft", "Filed, pending association review", "Filing approved"))
    submitted, pending_rec, recommended, qualified = (tr(app, s) for s in (
        "Submitted, choose the recommending unit", "Waiting for the recommending unit",
        "Recommended, waiting for qualification review", "Qualification passed"))

    # 1. An applicant with an approved enterprise, an open 2019 activity with two recommending
    #    units, the association's reviewer and a recommender of the first unit.
    with app.app_context():
        db.session.add(EconomicType(code=ECONOMIC_TYPE[0], name=ECONOMIC_TYPE[1]))
        units = [RecommendingUnit(name=name) for name in UNITS]
        activity = Activity(name=ACTIVITY, year=YEAR, status="open", opens_on=dt.date(2019, 3, 1),
                            closes_on=dt.date(2019, 4, 30), commitment_text=COMMITMENT, recommending_units=units)
        db.session.add(activity)
        db.session.commit()
        applicant = factories.gen_applicant()
        factories.gen_enterprise(applicant, status="approved")
        login, contact_name = applicant.mobile, applicant.first_name
        association = factories.gen_user(roles.ASSOCIATION_REVIEWER, "association_cqa")
        recommender = factories.gen_user(roles.RECOMMENDER, "recommender_zjqa")
        recommender.recommending_unit_id = units[0].id
        db.session.commit()
        association_person, recommender_person = association.first_name, recommender.first_name
        activity_label = repr(activity)

    applicant_ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, accept_downloads=True)
    applicant_ctx.set_default_timeout(20_000)
    page = applicant_ctx.new_page()

    # 2. The applicant opens a filing for the 2019 activity.
    sign_in(page, base, login)
    page.goto(f"{base}/benchmark/")
    expect(page.locator("#open-activities")).to_contain_text(ACTIVITY)
    expect(page.locator("#filings tr")).to_have_count(2)  # header + "nothing yet"
    shots(page, "benchmark-entry")
    with page.expect_navigation():
        page.click("#new-filing")
    expect(page.locator("#filing-status")).to_have_text(filing_draft)
    expect(page.locator("h2")).to_contain_text(str(YEAR))
    # The three years before the activity year, in order.
    expect(page.locator("#economic-years tr td:first-child")).to_have_text([str(y) for y in YEARS])
    filing_id = int(re.search(r"/benchmark/filing/(\d+)", page.url).group(1))

    # 3. Fill the filing form; the city list follows the province.
    page.fill("input[name=org_name]", ORG)
    page.select_option("select[name=economic_type_code]", ECONOMIC_TYPE[0])
    page.select_option("#province_code", "110000")
    expect(page.locator("#city_code option[value='110100']")).to_have_text("北京市")
    expect(page.locator("#city_code option[value='330100']")).to_have_count(0)
    page.select_option("#province_code", "330000")
    expect(page.locator("#city_code option[value='330100']")).to_have_text("杭州市")
    expect(page.locator("#city_code option[value='110100']")).to_have_count(0)
    page.select_option("#city_code", "330100")
    page.fill("input[name=address]", ADDRESS)
    page.select_option("select[name=industry_code]", "39")
    page.fill("input[name=quality_head]", QUALITY_HEAD)
    page.fill("input[name=quality_head_phone]", QUALITY_PHONE)
    page.select_option("select[name=org_size]", "medium")
    expect(page.locator("select[name=org_size] option:checked")).to_have_text(tr(app, "Medium"))
    page.set_input_files("input[name=licence]", str(licence))
    for year, row in ECONOMIC.items():
        for name, value in row.items():
            page.fill(f"input[name=y{year}_{name}]", value)
    shots(page, "filing-form")
    with page.expect_navigation():
        page.click("#filing-save")
    expect(page.locator(".alert-success", has_text=saved).first).to_be_visible()
    expect(page.locator(".help-block.error")).to_have_count(0)
    expect(page.locator("#filing-status")).to_have_text(filing_draft)
    for selector, value in (
        ("input[name=org_name]", ORG), ("select[name=economic_type_code]", ECONOMIC_TYPE[0]),
        ("#province_code", "330000"), ("#city_code", "330100"), ("input[name=address]", ADDRESS),
        ("select[name=industry_code]", "39"), ("input[name=quality_head]", QUALITY_HEAD),
        ("input[name=quality_head_phone]", QUALITY_PHONE), ("select[name=org_size]", "medium"),
        *((f"input[name=y{y}_{n}]", v) for y, row in ECONOMIC.items() for n, v in row.items()),
    ):
        expect(page.locator(selector)).to_have_value(value)
    expect(page.locator("select[name=economic_type_code] option:checked")).to_have_text(ECONOMIC_TYPE[1])
    expect(page.locator("#city_code option:checked")).to_have_text("杭州市")
    expect(page.locator("#licence-link")).to_be_visible()
    shots(page, "filing-saved")

    with page.expect_navigation():
        page.click("#filing-file")
    expect(page.locator("#filing-status")).to_have_text(filed)
    expect(page.locator(".alert-success", has_text=tr(app, "Filed. The association will review the filing.")).first
           ).to_be_visible()
    expect(page.locator("#filing-file")).to_have_count(0)
    expect(page.locator("input[name=org_name]")).to_be_disabled()
    shots(page, "filing-filed")

    # The stored licence carries the watermark.
    with page.expect_download() as licence_dl:
        page.click("#licence-link")
    assert licence_dl.value.suggested_filename.endswith(".pdf"), licence_dl.value.suggested_filename
    licence_text = pdf_text(licence_dl.value)
    assert WATERMARK in licence_text, licence_text[:500]
    assert "91330106MA27ABCD1C" in licence_text

    # 4. The association approves the filing.
    association_ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    association_ctx.set_default_timeout(20_000)
    assoc = association_ctx.new_page()
    sign_in(assoc, base, "association_cqa")
    assoc.goto(f"{base}/review/filings/list/")
    listed = assoc.locator("tr", has_text=ORG)
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text(filed)
    expect(listed).to_contain_text(tr(app, "Medium"))
    shots(assoc, "association-filings")
    with assoc.expect_navigation():
        listed.locator("a[href*='/review/filings/show/']").first.click()
    assert assoc.url.endswith(f"/review/filings/show/{filing_id}"), assoc.url
    expect(assoc.locator("body")).to_contain_text(ADDRESS)
    expect(assoc.locator("body")).to_contain_text(QUALITY_HEAD)
    shots(assoc, "association-filing-show")
    with assoc.expect_navigation():
        assoc.click("#action-approve")
    expect(assoc.locator(".alert-success", has_text=saved).first).to_be_visible()
    expect(assoc.locator("body")).to_contain_text(filing_approved)
    expect(assoc.locator("#action-approve")).to_have_count(0)
    shots(assoc, "association-filing-approved")

    page.goto(f"{base}/benchmark/")
    expect(page.locator("#filings tr", has_text=ORG)).to_contain_text(filing_approved)

    # 5. The applicant creates the project.
    page.goto(f"{base}/benchmark/my/")
    expect(page.locator("#declarations")).to_contain_text(tr(app, "Nothing yet."))
    with page.expect_navigation():
        page.click("#new-project")
    page.fill("#project-name", PROJECT)
    page.fill("#project-keywords", KEYWORDS)
    page.fill("#project-summary", "以数字化手段推进全面质量管理。")
    with page.expect_navigation():
        page.click("#project-save")
    expect(page.locator(".alert-success", has_text=saved).first).to_be_visible()
    expect(page.locator(".help-block.error")).to_have_count(0)
    assert re.search(r"/benchmark/my/project/\d+$", page.url), page.url
    expect(page.locator("#project-name")).to_have_value(PROJECT)
    expect(page.locator("#project-keywords")).to_have_value(KEYWORDS)
    shots(page, "project-saved")
    page.goto(f"{base}/benchmark/my/")
    expect(page.locator("#projects tr", has_text=PROJECT)).to_contain_text("数字化、质量管理")

    # 6. Declare: the commitment letter must be accepted first.
    with page.expect_navigation():
        page.click("#declare")
    expect(page.locator(".panel-body")).to_have_text(COMMITMENT)
    expect(page.locator("#activity_id option:checked")).to_have_text(activity_label)
    expect(page.locator("select[name=project_id] option:checked")).to_have_text(PROJECT)
    expect(page.locator("#declare-start")).to_be_enabled()
    page.check("#commitment")
    shots(page, "declare-commitment")
    with page.expect_navigation():
        page.click("#declare-start")
    declaration_id = int(re.search(r"/benchmark/my/declaration/(\d+)", page.url).group(1))
    expect(page.locator("#declaration-status")).to_have_text(filing_draft)
    expect(page.locator("h2")).to_contain_text(PROJECT)

    # 7. Contact data and the summary, then submit.
    for name, value in CONTACT.items():
        page.fill(f"input[name={name}]", value)
    page.set_input_files("input[name=summary]", str(summary))
    shots(page, "declaration-form")
    with page.expect_navigation():
        page.click("#declaration-submit")
    expect(page.locator(".alert-success", has_text=tr(app, "Submitted. Now choose the recommending unit.")).first
           ).to_be_visible()
    expect(page.locator("#declaration-status")).to_have_text(submitted)
    expect(page.locator(".help-block.error")).to_have_count(0)
    expect(page.locator("#declaration-submit")).to_have_count(0)
    for name, value in CONTACT.items():
        expect(page.locator(f"input[name={name}]")).to_have_value(value)
    expect(page.locator("#unit_id option")).to_have_text(list(UNITS))
    shots(page, "declaration-submitted")

    # 8. Choose the first recommending unit.
    page.select_option("#unit_id", label=UNITS[0])
    with page.expect_navigation():
        page.click("#choose-recommender")
    expect(page.locator(".alert-success", has_text=tr(app, "Sent to the recommending unit.")).first).to_be_visible()
    expect(page.locator("#declaration-status")).to_have_text(pending_rec)
    expect(page.locator("#choose-recommender")).to_have_count(0)
    shots(page, "declaration-sent")

    # 9. The recommender recommends with an opinion.
    recommender_ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    recommender_ctx.set_default_timeout(20_000)
    rec = recommender_ctx.new_page()
    sign_in(rec, base, "recommender_zjqa")
    rec.goto(f"{base}/review/declarations/list/")
    listed = rec.locator("tr", has_text=PROJECT)
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text(pending_rec)
    expect(listed).to_contain_text(UNITS[0])
    shots(rec, "recommender-list")
    with rec.expect_navigation():
        listed.locator("a[href*='/review/declarations/show/']").first.click()
    show_path = f"/review/declarations/show/{declaration_id}"
    assert rec.url.endswith(show_path), rec.url
    expect(rec.locator("body")).to_contain_text(ORG)
    expect(rec.locator("body")).to_contain_text(PROJECT)
    rec.fill("#comment", OPINION)
    shots(rec, "recommender-show")
    with rec.expect_navigation():
        rec.click("#action-recommend")
    expect(rec.locator(".alert-success", has_text=saved).first).to_be_visible()
    expect(rec.locator("body")).to_contain_text(recommended)
    expect(rec.locator("body")).to_contain_text(OPINION)
    expect(rec.locator("#action-recommend")).to_have_count(0)
    shots(rec, "recommender-recommended")

    # 10. The association passes the qualification review.
    assoc.goto(f"{base}/review/declarations/list/")
    listed = assoc.locator("tr", has_text=PROJECT)
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text(recommended)
    with assoc.expect_navigation():
        listed.locator("a[href*='/review/declarations/show/']").first.click()
    assert assoc.url.endswith(show_path), assoc.url
    expect(assoc.locator("body")).to_contain_text(OPINION)
    shots(assoc, "association-declaration-show")
    with assoc.expect_navigation():
        assoc.click("#action-qualify")
    expect(assoc.locator(".alert-success", has_text=saved).first).to_be_visible()
    expect(assoc.locator("body")).to_contain_text(qualified)
    expect(assoc.locator("#action-qualify")).to_have_count(0)
    shots(assoc, "association-qualified")

    # 11. The applicant prints both forms; their text is read back.
    page.goto(f"{base}/benchmark/my/")
    row = page.locator("#declarations tr", has_text=PROJECT)
    expect(row).to_contain_text(qualified)
    shots(page, "my-declarations-qualified")
    with page.expect_download() as declaration_dl:
        row.get_by_role("link", name=tr(app, "Print the declaration")).click()
    assert declaration_dl.value.suggested_filename == f"declaration-{declaration_id}.pdf"
    text = pdf_text(declaration_dl.value)
    assert PROJECT in text, text[:2000]
    for year in YEARS:
        assert str(year) in text, (year, text[:2000])
    assert ORG in text and CONTACT["mobile"] in text, text[:2000]
    with page.expect_download() as recommendation_dl:
        row.get_by_role("link", name=tr(app, "Print the recommendation form")).click()
    assert recommendation_dl.value.suggested_filename == f"recommendation-{declaration_id}.pdf"
    text = pdf_text(recommendation_dl.value)
    assert PROJECT in text, text[:2000]
    assert OPINION in text, text[:2000]
    assert UNITS[0] in text, text[:2000]

    # 12. The review log: submit, choose the unit, recommend, qualify. Only the person is checked:
    #     the recommender and the association have no agency, so the log labels them "Enterprise"
    #     (app/templates/shenbao/timeline.html:8, app/workflows/engine.py log_transition).
    page.goto(f"{base}/progress/declaration/{declaration_id}")
    steps = page.locator("#timeline > li")
    expect(steps).to_have_count(4)
    expected = [
        ("Submit", "Submitted, choose the recommending unit", contact_name),
        ("Send to the recommending unit", "Waiting for the recommending unit", contact_name),
        ("Recommend", "Recommended, waiting for qualification review", recommender_person),
        ("Pass the qualification review", "Qualification passed", association_person),
    ]
    expect(steps.locator("strong")).to_have_text([tr(app, action) for action, _state, _who in expected])
    for i, (_action, state, person) in enumerate(expected):
        expect(steps.nth(i)).to_contain_text(f"→ {tr(app, state)}")
        expect(steps.nth(i).locator(".sb-muted")).to_contain_text(f"· {person}")
    expect(steps.nth(2)).to_contain_text(OPINION)
    shots(page, "review-log")

    recommender_ctx.close()
    association_ctx.close()
    applicant_ctx.close()
