"""The registration flow in a real browser, one person after the other:

register -> sign in -> fill in the enterprise registration (first with bad input) -> submit;
the agency returns it with a reason; the applicant fixes it and submits again; the agency
approves; the applicant sees the approval and the whole timeline.

Texts the app translates are computed with the app's own catalog (``tr``), so the
assertions hold in whatever language the UI is rendered in; data typed by the people in
the test (names, reason, agency) is Chinese and is asserted literally.
Screenshots: test-artifacts/browser/<test name>/.
"""
from __future__ import annotations

import pytest

from app.security import roles
from tests import factories
from tests.browser.helpers import sign_in, tr

pytestmark = pytest.mark.browser

MOBILE = "13700001111"
CONTACT = "王芳"
ENTERPRISE = "杭州云栖智造科技有限公司"
LEGAL_REP = "李雷"
LEGAL_REP_MOBILE = "13912345678"
ID_NUMBER = "360426199101010071"
AUTHORITY = "杭州市市场监督管理局"
AUTHORITY_FIXED = "杭州市西湖区市场监督管理局"
TAX_AUTHORITY = "国家税务总局杭州市西湖区税务局"
SHAREHOLDER = "韩梅梅"
REASON = "营业执照上的登记机关与填报不一致，请核对后重新提交。"
AGENCY = "杭州市科学技术局"  # seeded for 330100; routed to from 西湖区 (no county agency)
YES_NO_FIELDS = ("domestic_listed", "overseas_listed", "in_hightech_zone", "in_econdev_zone", "venture_capital")


def rule_message(app, violation) -> str:
    from app.i18n import violation_message

    assert violation is not None
    with app.test_request_context("/"):
        return violation_message(violation)


def field_error(page, field_id: str):
    return page.locator(f".form-group:has(#{field_id}) .help-block.error")


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
def test_register_submit_return_resubmit_approve(app, live_server, browser, shots, tmp_path):
    from playwright.sync_api import expect

    from rules.contact import validate_mobile
    from rules.credit_code import validate_credit_code

    expect.set_options(timeout=10_000)
    base = live_server
    licence = tmp_path / "licence.pdf"
    licence.write_bytes(factories.PDF_MIN)
    with app.app_context():
        credit_code = factories.credit_code()
    bad_code, bad_mobile = credit_code.lower(), "1391234567"
    assert bad_code != credit_code  # the code has letters to lowercase
    pending, returned, approved = (tr(app, s) for s in ("Pending agency review", "Returned by agency", "Approved"))

    applicant_ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    applicant_ctx.set_default_timeout(20_000)
    page = applicant_ctx.new_page()

    # 1. Account registration, with the SMS code from the outbox and the (fixed) captcha.
    page.goto(f"{base}/account/register")
    expect(page.locator("h2")).to_have_text(tr(app, "Account registration"))
    page.check("#commitment")
    page.fill("#contact_name", CONTACT)
    page.fill("#email", "wangfang@example.com")
    page.fill("#password", factories.PASSWORD)
    page.fill("#password_confirm", factories.PASSWORD)
    page.fill("#mobile", MOBILE)
    page.click("#sms-send")
    expect(page.locator("#sms-status")).to_have_text(tr(app, "The verification code has been sent."))
    with app.app_context():
        sms_code = factories.last_sms_code(MOBILE)
    page.fill("#sms_code", sms_code)
    page.fill("#captcha", factories.CAPTCHA)
    shots(page, "register-form")
    with page.expect_navigation():
        page.click("form.sb-form button[type=submit]")
    done = page.locator("#register-done")
    expect(done).to_contain_text(tr(app, "Registration successful"))
    expect(done).to_contain_text(MOBILE)
    shots(page, "register-done")

    # 2. Sign in with the mobile as the account.
    sign_in(page, base, MOBILE)
    expect(page.locator("#start-registration")).to_have_text(tr(app, "Enterprise registration"))
    expect(page.locator(".jumbotron")).to_contain_text(tr(app, "Before using the programmes, register your enterprise."))
    shots(page, "applicant-home")

    # 3./4. The registration form, first saved with a lowercase credit code and a 10-digit mobile.
    with page.expect_navigation():
        page.click("#start-registration")
    expect(page.locator("#registration-status")).to_have_text(tr(app, "Draft"))
    page.fill("#credit_code", bad_code)
    page.fill("#name", ENTERPRISE)
    page.fill("#legal_rep_name", LEGAL_REP)
    page.fill("#legal_rep_mobile", bad_mobile)
    page.select_option("#legal_rep_id_type", "id_card")
    expect(page.locator("#legal_rep_id_type option:checked")).to_have_text(tr(app, "Resident ID card"))
    page.fill("#legal_rep_id_number", ID_NUMBER)
    page.select_option("#province_code", "330000")
    expect(page.locator("#city_code option[value='330100']")).to_have_text("杭州市")
    page.select_option("#city_code", "330100")
    expect(page.locator("#county_code option[value='330106']")).to_have_text("西湖区")
    page.select_option("#county_code", "330106")
    page.set_input_files("#licence", str(licence))
    page.fill("#legal_rep_email", "lilei@example.com")
    page.fill("#registration_authority", AUTHORITY)
    page.fill("#tax_authority", TAX_AUTHORITY)
    page.select_option("#tax_collection_mode", "audit")
    for name in YES_NO_FIELDS:
        page.select_option(f"#{name}", "no")
    page.select_option("#tech_field_code", "1.1")
    page.click("#add-shareholder")
    row = page.locator("#shareholder-rows tr:not(.template)")
    expect(row).to_have_count(1)
    row.locator("input[name=sh_name]").fill(SHAREHOLDER)
    row.locator("select[name=sh_kind]").select_option("natural")
    row.locator("input[name=sh_amount]").fill("500")
    row.locator("input[name=sh_ratio]").fill("100")
    shots(page, "registration-bad-input")
    with page.expect_navigation():
        page.click("#save")

    expect(page.locator(".alert").first).to_contain_text(tr(app, "Saved. Some fields still need attention before you can submit."))
    expect(field_error(page, "credit_code")).to_have_text(rule_message(app, validate_credit_code(bad_code)))
    expect(field_error(page, "legal_rep_mobile")).to_have_text(rule_message(app, validate_mobile(bad_mobile)))
    expect(page.locator(".form-group.has-error")).to_have_count(2)
    expect(page.locator("#credit_code")).to_have_value(bad_code)
    expect(page.locator("#legal_rep_mobile")).to_have_value(bad_mobile)
    expect(page.locator("#name")).to_have_value(ENTERPRISE)
    expect(page.locator("#county_code option:checked")).to_have_text("西湖区")
    expect(page.get_by_role("link", name="licence.pdf")).to_be_visible()
    expect(page.locator("#shareholder-rows tr:not(.template) input[name=sh_name]")).to_have_value(SHAREHOLDER)
    shots(page, "registration-errors")

    # Fix the two fields and save: no more errors, everything typed is still there.
    page.fill("#credit_code", credit_code)
    page.fill("#legal_rep_mobile", LEGAL_REP_MOBILE)
    with page.expect_navigation():
        page.click("#save")
    expect(page.locator(".alert").first).to_contain_text(tr(app, "Saved successfully."))
    expect(page.locator(".help-block.error")).to_have_count(0)
    for selector, value in (
        ("#credit_code", credit_code), ("#name", ENTERPRISE), ("#legal_rep_name", LEGAL_REP),
        ("#legal_rep_mobile", LEGAL_REP_MOBILE), ("#legal_rep_id_type", "id_card"), ("#legal_rep_id_number", ID_NUMBER),
        ("#province_code", "330000"), ("#city_code", "330100"), ("#county_code", "330106"),
        ("#legal_rep_email", "lilei@example.com"), ("#registration_authority", AUTHORITY),
        ("#tax_authority", TAX_AUTHORITY), ("#tax_collection_mode", "audit"), ("#tech_field_code", "1.1"),
        *((f"#{name}", "no") for name in YES_NO_FIELDS),
    ):
        expect(page.locator(selector)).to_have_value(value)
    expect(page.locator("#province_code option:checked")).to_have_text("浙江省")
    expect(page.locator("#city_code option:checked")).to_have_text("杭州市")
    expect(page.locator("#tech_field_code option:checked")).to_have_text("软件")
    sh_row = page.locator("#shareholder-rows tr:not(.template)")
    expect(sh_row).to_have_count(1)
    expect(sh_row.locator("input[name=sh_name]")).to_have_value(SHAREHOLDER)
    expect(sh_row.locator("select[name=sh_kind]")).to_have_value("natural")
    expect(sh_row.locator("input[name=sh_amount]")).to_have_value("500")
    expect(sh_row.locator("input[name=sh_ratio]")).to_have_value("100")
    expect(page.get_by_role("link", name="licence.pdf")).to_be_visible()
    shots(page, "registration-saved")

    with page.expect_navigation():
        page.click("#submit")
    expect(page.locator("#registration-status")).to_have_text(pending)
    expect(page.locator(".alert-info")).to_contain_text(tr(app, "Submitted. Your evaluation agency will review the registration."))
    expect(page.locator("#submit")).to_have_count(0)
    shots(page, "registration-submitted")

    # 5. The agency reviewer returns it with a reason.
    with app.app_context():
        reviewer = factories.gen_user(roles.AGENCY_REVIEWER, "agency_hz", agency_region="330100")
        reviewer_name = reviewer.first_name
        assert factories.agency("330100").name == AGENCY
    agency_ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    agency_ctx.set_default_timeout(20_000)
    review = agency_ctx.new_page()
    sign_in(review, base, "agency_hz")
    expect(review.get_by_role("link", name=tr(app, "Enterprise registrations")).first).to_be_visible()
    review.goto(f"{base}/review/enterprises/list/")
    listed = review.locator("tr", has_text=ENTERPRISE)
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text(credit_code)
    expect(listed).to_contain_text(pending)
    expect(listed).to_contain_text(AGENCY)
    shots(review, "agency-list")
    with review.expect_navigation():
        listed.locator("a[href*='/review/enterprises/show/']").first.click()
    show_url = review.url
    expect(review.locator("body")).to_contain_text(ENTERPRISE)
    expect(review.locator("body")).to_contain_text(AUTHORITY)
    expect(review.locator("#action-approve")).to_be_visible()
    review.fill("#comment", REASON)
    shots(review, "agency-show-return")
    with review.expect_navigation():
        review.click("#action-return")
    expect(review.locator(".alert").first).to_contain_text(tr(app, "Saved successfully."))
    expect(review.locator("body")).to_contain_text(returned)
    expect(review.locator("body")).to_contain_text(REASON)
    expect(review.locator("#action-approve")).to_have_count(0)
    shots(review, "agency-returned")

    # 6. The applicant sees the reason, fixes the registration authority and submits again.
    page.goto(f"{base}/my-enterprise/registration")
    expect(page.locator("#registration-status")).to_have_text(returned)
    expect(page.locator("#return-reason")).to_contain_text(REASON)
    expect(page.locator("#registration_authority")).to_have_value(AUTHORITY)
    shots(page, "applicant-returned")
    page.fill("#registration_authority", AUTHORITY_FIXED)
    with page.expect_navigation():
        page.click("#submit")
    expect(page.locator("#registration-status")).to_have_text(pending)
    expect(page.locator("#return-reason")).to_have_count(0)
    expect(page.locator("#registration_authority")).to_have_value(AUTHORITY_FIXED)
    shots(page, "applicant-resubmitted")

    # 7. The agency approves.
    review.goto(show_url)
    expect(review.locator("body")).to_contain_text(AUTHORITY_FIXED)
    expect(review.locator("body")).to_contain_text(pending)
    with review.expect_navigation():
        review.click("#action-approve")
    expect(review.locator(".alert").first).to_contain_text(tr(app, "Saved successfully."))
    expect(review.locator("body")).to_contain_text(approved)
    expect(review.locator("#action-return")).to_have_count(0)
    shots(review, "agency-approved")

    # 8. The applicant sees the approval and the whole timeline.
    page.goto(f"{base}/")
    expect(page.locator(".jumbotron")).to_contain_text(f"{ENTERPRISE} · {credit_code}")
    page.goto(f"{base}/progress/")
    progress_row = page.locator("#progress-table tbody tr", has_text=ENTERPRISE)
    expect(progress_row).to_have_count(1)
    expect(progress_row.locator("td").first).to_have_text(tr(app, "Enterprise registration"))
    expect(progress_row.locator(".status")).to_have_text(approved)
    shots(page, "progress")
    with page.expect_navigation():
        progress_row.get_by_role("link", name=tr(app, "View progress")).click()
    steps = page.locator("#timeline > li")
    expect(steps).to_have_count(4)
    expected = [
        (tr(app, "Submit"), pending, tr(app, "Enterprise"), CONTACT, None),
        (tr(app, "Return"), returned, AGENCY, reviewer_name, REASON),
        (tr(app, "Submit"), pending, tr(app, "Enterprise"), CONTACT, None),
        (tr(app, "Approve"), approved, AGENCY, reviewer_name, None),
    ]
    for i, (action, state, who, person, comment) in enumerate(expected):
        step = steps.nth(i)
        expect(step.locator("strong")).to_have_text(action)
        expect(step).to_contain_text(f"→ {state}")
        expect(step.locator(".sb-muted")).to_contain_text(f"· {who} · {person}")
        if comment:
            expect(step).to_contain_text(comment)
        else:
            expect(step).not_to_contain_text(tr(app, "Opinion / reason"))
    shots(page, "timeline")

    agency_ctx.close()
    applicant_ctx.close()
