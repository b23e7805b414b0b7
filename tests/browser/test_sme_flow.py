"""The Tech-SME evaluation in a real browser, from the nine tables to the certificate number:

the applicant fills all nine tables, sees the self-score, uploads the cover, submits,
withdraws and submits again; the agency confirms and sends; the province approves; the
spot-check draw, the publicity batch and the daily scheduler run as services; the province
stores and numbers the record; the applicant sees the number, the PDFs and the whole timeline.

Texts the app translates are computed with the app's own catalog (``tr``), as in
test_registration_flow.py; data typed by the people in the test is asserted literally.
Screenshots: test-artifacts/browser/<test name>/.
"""
from __future__ import annotations

import re
from datetime import date

import pytest

from app.security import roles
from tests import factories
from tests.browser.helpers import pdf_text, sign_in, tr

pytestmark = pytest.mark.browser

YEAR = 2026
ENTERPRISE = "杭州西溪传感科技有限公司"
RD_PROJECT = {"name": "新型传感器研发", "number": "RD-01", "form": "independent", "status": "ongoing", "amount": "60"}
IP_ROW = {"name": "一种传感器", "kind": "invention_patent", "grant_date": "2025-03-01", "number": "ZL2025000001",
          "acquisition": "original"}
BATCH = "2026年第一批"


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
def test_sme_fill_submit_withdraw_review_publicity_number(app, live_server, browser, shots, tmp_path):
    from playwright.sync_api import expect

    from sqlalchemy import select

    from app.extensions import db
    from app.services import sme as svc
    from app.services import sme_form
    from models import ShenbaoUser, SmeEvaluation

    expect.set_options(timeout=10_000)
    app.config["SME_EVALUATION_YEAR"] = YEAR
    base = live_server
    cover = tmp_path / "cover.pdf"
    cover.write_bytes(factories.PDF_MIN)
    hr = factories.sme_tables()["hr"]
    saved = tr(app, "Saved successfully.")
    saved_but = tr(app, "Saved. Some fields still need attention.")
    filling, pending_agency, confirmed, pending_province, recommended, stored, numbered = (tr(app, s) for s in (
        "Filling in", "Waiting for agency confirmation", "Confirmed by agency",
        "Waiting for provincial agency confirmation", "Recommended for publicity", "Stored",
        "Certificate number generated"))
    with app.test_request_context("/"):
        table_titles = [str(t.label) for t in sme_form.TABLES]
        rd_rule = str(sme_form.RD_RULE_TEXT)

    # 1. An applicant with an approved enterprise in 杭州 (西湖区), an agency and a province reviewer.
    with app.app_context():
        applicant = factories.gen_applicant()
        enterprise = factories.gen_enterprise(applicant, status="approved", name=ENTERPRISE)
        login, county = applicant.mobile, enterprise.county_code
        contact = applicant.first_name
        agency_user = factories.gen_user(roles.AGENCY_REVIEWER, "agency_hz", agency_region="330100")
        province_user = factories.gen_user(roles.PROVINCE_REVIEWER, "province_zj", agency_region="330000")
        agency_name, agency_person = factories.agency("330100").name, agency_user.first_name
        province_name, province_person = factories.agency("330000").name, province_user.first_name
    assert county == "330106"

    applicant_ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, accept_downloads=True)
    applicant_ctx.set_default_timeout(20_000)
    page = applicant_ctx.new_page()

    def save(*, others_incomplete: bool = False):
        """Save the table on screen: the success flash, and no field of it in error.

        ``others_incomplete``: tables 1-3 are saved while table 4 is still empty. The app then
        flashes "Saved. Some fields still need attention." because save_table also returns the
        rules' complaint about *another* table (hr.fulltime), which no field on this page shows
        (app/services/sme.py, save_table). Accepted here until that is fixed; the fields of
        this table must still be free of errors.
        """
        with page.expect_navigation():
            page.click("#save-table")
        flash = page.locator(".alert-success, .alert-warning").first
        if others_incomplete:
            expect(flash).to_have_text(re.compile(f"{re.escape(saved)}|{re.escape(saved_but)}"))
        else:
            expect(flash).to_have_class(re.compile(r"\balert-success\b"))
            expect(flash).to_contain_text(saved)
        expect(page.locator(".help-block.error")).to_have_count(0)
        expect(page.locator(".has-error, .sb-error")).to_have_count(0)

    def open_tab(n: int):
        """Table ``n`` (1-9) through its tab link."""
        with page.expect_navigation():
            page.locator(".nav-tabs > li").nth(n - 1).locator("a").click()
        expect(page.locator("h3").first).to_have_text(table_titles[n - 1])

    def add_row(values: dict):
        """``#add-row``, then fill the new row's fields (inputs and selects by column name)."""
        rows = page.locator("tbody[id^=rows-] > tr:not(.template)")
        before = rows.count()
        page.click("#add-row")
        expect(rows).to_have_count(before + 1)
        row = rows.last
        expect(row.locator("input:not([type=hidden]):not([type=file]), select"),
               "the added row has no form fields (is the row template rendered as escaped text?)"
               ).to_have_count(len(values))
        for name, value in values.items():
            field = row.locator(f"[name$=_{name}]:not([type=hidden]):not([type=file])")
            if field.evaluate("e => e.tagName") == "SELECT":
                field.select_option(value)
            else:
                field.fill(value)
        return row

    # 2. The applicant starts the evaluation and fills the nine tables.
    sign_in(page, base, login)
    page.goto(f"{base}/sme/")
    expect(page.locator("#sme-list tbody tr")).to_have_count(1)  # "nothing yet"
    shots(page, "sme-list-empty")
    with page.expect_navigation():
        page.click("#sme-new")
    expect(page.locator("h2")).to_contain_text(f"{tr(app, 'Filling instructions')} · {YEAR}")
    shots(page, "instructions")
    with page.expect_navigation():
        page.click("#sme-start")
    expect(page.locator("#sme-status")).to_have_text(filling)
    expect(page.locator("h3").first).to_have_text(table_titles[0])
    evaluation_id = int(re.search(r"/sme/(\d+)/table/main", page.url).group(1))

    # Table 1: the division list only offers the chosen section's divisions.
    page.select_option("#industry_section", "C")
    expect(page.locator("#industry_code option[value='39']")).to_have_text("39 计算机、通信和其他电子设备制造业")
    page.select_option("#industry_code", "39")
    save()
    expect(page.locator("#industry_section")).to_have_value("C")
    expect(page.locator("#industry_code")).to_have_value("39")
    shots(page, "table1-main")

    # Table 2: both entry conditions conform.
    open_tab(2)
    for name in ("products_ok", "credit_ok"):
        page.select_option(f"#{name}", "yes")
    expect(page.locator("#products_ok option:checked")).to_have_text(tr(app, "Conforms"))
    save()
    expect(page.locator("#credit_ok")).to_have_value("yes")
    shots(page, "table2-entry")

    # Table 3: finance and one R&D project; the counted total and the rule note are shown.
    open_tab(3)
    page.fill("#sales_revenue", "1000")
    page.fill("#total_assets", "800")
    page.fill("#cost_expenses", "900")
    add_row(RD_PROJECT)
    save()
    rd_row = page.locator("#rows-rd_projects > tr:not(.template)")
    expect(rd_row).to_have_count(1)
    expect(rd_row.locator("input[name=rd_projects_name]")).to_have_value(RD_PROJECT["name"])
    expect(rd_row.locator("select[name=rd_projects_form] option:checked")).to_have_text(tr(app, "Independent R&D"))
    expect(rd_row.locator("select[name=rd_projects_status] option:checked")).to_have_text(tr(app, "Not completed"))
    expect(page.locator("#sales_revenue")).to_have_value("1000")
    expect(page.locator("#rd-total strong")).to_have_text("60")
    expect(page.locator("#rd-rule")).to_be_visible()
    expect(page.locator("#rd-rule")).to_have_text(rd_rule)
    shots(page, "table3-finance")

    # Table 4: human resources; the totals line adds them up.
    open_tab(4)
    for name, value in hr.items():
        page.fill(f"#{name}", value)
    save()
    expect(page.locator("#hr-totals strong")).to_have_text(["100", "30"])
    expect(page.locator("#hr-totals")).to_contain_text(tr(app, "Employees total"))
    expect(page.locator("#tech_fulltime")).to_have_value(hr["tech_fulltime"])
    shots(page, "table4-hr")

    # Table 5: one invention patent.
    open_tab(5)
    add_row(IP_ROW)
    save()
    ip_row = page.locator("#rows-ip > tr:not(.template)")
    expect(ip_row).to_have_count(1)
    expect(ip_row.locator("input[name=ip_name]")).to_have_value(IP_ROW["name"])
    expect(ip_row.locator("select[name=ip_kind] option:checked")).to_have_text(tr(app, "Invention patent"))
    expect(ip_row.locator("input[name=ip_grant_date]")).to_have_value(IP_ROW["grant_date"])
    expect(page.locator("#ip-stats td").first).to_have_text("1")
    shots(page, "table5-ip")

    # Tables 6-8 stay empty; each is saved once.
    for n in (6, 7, 8):
        open_tab(n)
        save()
        expect(page.locator("tbody[id^=rows-] > tr:not(.template)")).to_have_count(0)
    shots(page, "table8-awards")

    # Table 9: no high-tech certificate.
    open_tab(9)
    page.select_option("#high_tech_cert", "no")
    save()
    expect(page.locator("#high_tech_cert")).to_have_value("no")
    shots(page, "table9-other")

    # 3. Self-evaluation: 11 indicators, 100 points, qualified; the cover is still missing.
    with page.expect_navigation():
        page.click("#tab-self")
    expect(page.locator("#sme-result tbody tr")).to_have_count(11)
    conclusion = page.locator("#sme-conclusion")
    expect(conclusion).to_contain_text(tr(app, "Total score: %(score)s points.", score=100))
    expect(conclusion).to_contain_text(tr(app, "Qualified."))
    expect(conclusion).to_have_class(re.compile(r"\balert-success\b"))
    expect(page.locator("#submit-problems")).to_have_text(tr(app, "Please upload the stamped cover."))
    expect(page.locator("#sme-submit")).to_be_disabled()
    shots(page, "self-evaluation")

    with page.expect_download() as cover_dl:
        page.click("#cover-pdf")
    assert cover_dl.value.suggested_filename.startswith("cover-")
    assert ENTERPRISE in pdf_text(cover_dl.value)

    page.set_input_files("#cover-file", str(cover))
    with page.expect_navigation():
        page.click("#cover-upload")
    expect(page.locator(".alert-success", has_text=tr(app, "The cover was uploaded.")).first).to_be_visible()
    expect(page.locator("#cover-uploaded")).to_be_visible()
    expect(page.locator("#submit-problems")).to_have_count(0)
    expect(page.locator("#sme-submit")).to_be_enabled()
    shots(page, "cover-uploaded")

    # Submit, withdraw, submit again.
    with page.expect_navigation():
        page.click("#sme-submit")
    expect(page.locator("#sme-status")).to_have_text(pending_agency)
    expect(page.locator(".alert-success", has_text=tr(app, "Submitted. Waiting for the evaluation agency to confirm."))
           .first).to_be_visible()
    shots(page, "submitted")
    page.once("dialog", lambda dialog: dialog.accept())  # 撤回 asks first
    with page.expect_navigation():
        page.click("#sme-withdraw")
    expect(page.locator("#sme-status")).to_have_text(filling)
    expect(page.locator("#sme-withdraw")).to_have_count(0)
    shots(page, "withdrawn")
    with page.expect_navigation():
        page.click("#tab-self")
    expect(page.locator("#cover-uploaded")).to_be_visible()
    with page.expect_navigation():
        page.click("#sme-submit")
    expect(page.locator("#sme-status")).to_have_text(pending_agency)
    expect(page.locator("#sme-withdraw")).to_be_visible()
    shots(page, "resubmitted")

    # 4. The agency confirms and sends to the province.
    agency_ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    agency_ctx.set_default_timeout(20_000)
    review = agency_ctx.new_page()
    sign_in(review, base, "agency_hz")
    review.goto(f"{base}/review/sme/list/")
    listed = review.locator("tr", has_text=ENTERPRISE)
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text(pending_agency)
    shots(review, "agency-list")
    with review.expect_navigation():
        listed.locator("a[href*='/review/sme/show/']").first.click()
    show_path = f"/review/sme/show/{evaluation_id}"
    assert review.url.endswith(show_path), review.url
    expect(review.locator("body")).to_contain_text(ENTERPRISE)
    shots(review, "agency-show")
    with review.expect_navigation():
        review.click("#action-confirm")
    expect(review.locator(".alert-success", has_text=saved).first).to_be_visible()
    expect(review.locator("body")).to_contain_text(confirmed)
    with review.expect_navigation():
        review.click("#action-send")
    expect(review.locator(".alert-success", has_text=saved).first).to_be_visible()
    expect(review.locator("body")).to_contain_text(pending_province)
    expect(review.locator("#action-send")).to_have_count(0)
    shots(review, "agency-sent")

    # 5. The province approves; draw (0 %), batch and the scheduler run as services.
    province_ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    province_ctx.set_default_timeout(20_000)
    prov = province_ctx.new_page()
    sign_in(prov, base, "province_zj")
    prov.goto(f"{base}{show_path}")
    expect(prov.locator("body")).to_contain_text(pending_province)
    with prov.expect_navigation():
        prov.click("#action-approve")
    expect(prov.locator(".alert-success", has_text=saved).first).to_be_visible()
    expect(prov.locator("body")).to_contain_text(recommended)
    shots(prov, "province-approved")

    with app.app_context():
        actor = db.session.execute(select(ShenbaoUser).filter_by(username="province_zj")).scalar_one()
        draw = svc.draw_spot_check(actor, 0, seed="t", year=YEAR)
        assert draw.candidate_ids == [evaluation_id] and draw.sampled_ids == []
        batch = svc.create_batch(actor, BATCH, date(2026, 5, 1), date(2026, 5, 10), [evaluation_id])
        assert batch.name == BATCH
        assert svc.publicity_tick(date(2026, 5, 1)) == {"opened": 1, "closed": 0}
        assert db.session.get(SmeEvaluation, evaluation_id).status == "in_publicity"
        assert svc.publicity_tick(date(2026, 5, 11)) == {"opened": 0, "closed": 1}
        assert db.session.get(SmeEvaluation, evaluation_id).status == "publicity_done"

    prov.goto(f"{base}{show_path}")
    expect(prov.locator("body")).to_contain_text(tr(app, "Publicity completed"))
    with prov.expect_navigation():
        prov.click("#action-store")
    expect(prov.locator(".alert-success", has_text=saved).first).to_be_visible()
    expect(prov.locator("body")).to_contain_text(stored)
    with prov.expect_navigation():
        prov.click("#action-number")
    expect(prov.locator(".alert-success", has_text=saved).first).to_be_visible()
    expect(prov.locator("body")).to_contain_text(numbered)
    # Numbered is final but for the province's revocation (撤销), which asks before it goes.
    expect(prov.locator("#decision-form button[name=action]")).to_have_count(1)
    expect(prov.locator("#action-revoke")).to_have_attribute("data-confirm", re.compile(".+"))
    number = f"{YEAR}{county}00001"
    expect(prov.locator("body")).to_contain_text(number)
    shots(prov, "province-numbered")

    # 6. The applicant sees the number, the information PDF and the whole timeline.
    page.goto(f"{base}/sme/{evaluation_id}/")
    expect(page.locator("#sme-status")).to_have_text(numbered)
    expect(page.locator("#sme-certificate strong")).to_have_text(number)
    expect(page.locator("#sme-withdraw")).to_have_count(0)
    shots(page, "applicant-certificate")
    with page.expect_download() as info_dl:
        page.click("#information-pdf")
    text = pdf_text(info_dl.value)
    assert ENTERPRISE in text
    assert "总分100分" in text, text[:2000]

    page.goto(f"{base}/progress/sme_evaluation/{evaluation_id}")
    steps = page.locator("#timeline > li")
    expect(steps).to_have_count(11)
    expected = [
        ("Submit", "Waiting for agency confirmation", contact),
        ("Withdraw", "Filling in", contact),
        ("Submit", "Waiting for agency confirmation", contact),
        ("Confirm", "Confirmed by agency", agency_person),
        ("Send to the provincial agency", "Waiting for provincial agency confirmation", agency_person),
        ("Approve", "Recommended for publicity", province_person),
        ("Queued for publicity", "Queued for publicity", province_person),
        ("Publicity opened", "In publicity", "系统"),
        ("Publicity completed", "Publicity completed", "系统"),
        ("Store", "Stored", province_person),
        ("Generate certificate number", "Certificate number generated", province_person),
    ]
    expect(steps.locator("strong")).to_have_text([tr(app, action) for action, _state, _who in expected])
    for i, (_action, state, person) in enumerate(expected):
        expect(steps.nth(i)).to_contain_text(f"→ {tr(app, state)}")
        expect(steps.nth(i).locator(".sb-muted")).to_contain_text(f"· {person}")
    for i in (0, 1, 2):
        expect(steps.nth(i).locator(".sb-muted")).to_contain_text(f"· {tr(app, 'Enterprise')} · {contact}")
    for i in (3, 4):
        expect(steps.nth(i).locator(".sb-muted")).to_contain_text(f"· {agency_name} · {agency_person}")
    for i in (5, 6, 9, 10):
        expect(steps.nth(i).locator(".sb-muted")).to_contain_text(f"· {province_name} · {province_person}")
    shots(page, "timeline")

    province_ctx.close()
    agency_ctx.close()
    applicant_ctx.close()
