"""The e-seal service in a real browser, from the application form to the public verification page:

an applicant with an approved enterprise opens 查看电子签章, applies for the e-seal service
(a bad postcode is refused beside its field and everything typed stays in the form), confirms,
saves the printable application form (its text is read back) and records the remittance; the
CA operator ticks the papers received by post, confirms the payment, produces the USB-Key on
the PKCS#11 token (SoftHSM; the initial PIN is flashed once) and records the EMS shipment; the
applicant sees the key valid with its certificate dates. A certificate the platform issued and
signed shows in the applicant's list and is downloaded; an anonymous visitor then verifies it
on /verify/ by number and version, by uploading the downloaded PDF, and by uploading a copy
stamped "VALID UNTIL 2099" after signing, which the page reports as modified after signing.

Texts the app translates are computed with the app's own catalog (``tr``), as in
test_registration_flow.py; data typed by the people in the test is asserted literally.
Screenshots: test-artifacts/browser/<test name>/.
"""
from __future__ import annotations

import io
import re

import pytest

from app.security import roles
from tests import factories
from tests.browser.helpers import pdf_text, sign_in, tr

pytestmark = pytest.mark.browser

ENTERPRISE = "杭州西溪电子签章科技有限公司"
FORM = {"department": "质量部", "system_user_id": "cms-0512", "ems_contact": "张三", "ems_company": ENTERPRISE,
        "ems_department": "办公室", "ems_address": "杭州市西湖区文三路 90 号", "ems_postcode": "310012",
        "ems_phone": "13800001111", "ems_email": "zhang@example.com"}
BAD_POSTCODE = "31001"
DEPARTMENT = "tech_sme"
YEARS = "1"
PAPERS = ("stamped_form", "business_licence", "contact_id", "names_match")
EMS_TRACKING = "EA123456789CN"
CERT_NUMBER = "ZM2026000123"
CERT_TITLE = "证明"
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def off_the_event_loop(fn):
    """``fn()`` in a worker thread: pyHanko's synchronous calls use ``asyncio.run``, which refuses to run
    in this thread while Playwright's sync API keeps its event loop running here."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn).result(timeout=120)


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
def test_eseal_apply_produce_ship_and_verify_issued_certificate(pkcs11_lib, app, live_server, browser, shots,
                                                                 tmp_path):
    from playwright.sync_api import expect

    from app.timeutil import today_in_china
    from app.services.eseal import issued_documents, seal_keys
    from app.services.eseal import seal_application as svc
    from app.workflows.definitions import SEAL_APPLICATION

    expect.set_options(timeout=10_000)
    base = live_server
    today = today_in_china()
    with app.test_request_context("/"):
        department_label = str(dict(svc.BUSINESS_DEPARTMENTS)[DEPARTMENT])
    submitted, papers_received, paid, provisioned, shipped = (tr(app, SEAL_APPLICATION.states[s]) for s in (
        "submitted", "papers_received", "paid", "provisioned", "shipped"))
    valid = tr(app, seal_keys.STATUS_LABELS["valid"])
    assert shipped == tr(app, "Shipped") and valid == tr(app, "Valid")

    # 1. An applicant with an approved enterprise and a CA operator.
    with app.app_context():
        applicant = factories.gen_applicant()
        enterprise = factories.gen_enterprise(applicant, status="approved", name=ENTERPRISE)
        login, enterprise_id = applicant.mobile, enterprise.id
        factories.gen_user(roles.CA_OPERATOR, "ca_operator")

    applicant_ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, accept_downloads=True)
    applicant_ctx.set_default_timeout(30_000)
    page = applicant_ctx.new_page()

    # 2. 查看电子签章: no key, no application, no certificate yet.
    sign_in(page, base, login)
    page.goto(f"{base}/eseal/")
    expect(page.locator("h2").first).to_have_text(tr(app, "View e-seals"))
    expect(page.locator("#pki-problem")).to_have_count(0)
    expect(page.locator("#seal-keys tr[data-key]")).to_have_count(0)
    expect(page.locator("#seal-keys")).to_contain_text(tr(app, "You have not applied for an e-seal yet."))
    expect(page.locator("#issued-documents")).to_contain_text(tr(app, "Nothing yet."))
    shots(page, "eseal-empty")

    # 3. 申请电子签章服务: the form comes pre-filled with the registered name.
    with page.expect_navigation():
        page.click("#apply-eseal")
    expect(page.locator("#seal-apply-form")).to_be_visible()
    expect(page.locator("#company_name")).to_have_value(ENTERPRISE)
    expect(page.locator("#fee-schedule")).to_contain_text("1,000.00")

    def fill_form(postcode: str):
        for name, value in FORM.items():
            page.fill(f"#{name}", postcode if name == "ems_postcode" else value)
        page.select_option("#business_department", DEPARTMENT)
        page.select_option("#years", YEARS)

    def expect_typed_values(postcode: str):
        expect(page.locator("#company_name")).to_have_value(ENTERPRISE)
        for name, value in FORM.items():
            expect(page.locator(f"#{name}")).to_have_value(postcode if name == "ems_postcode" else value)
        expect(page.locator("#business_department")).to_have_value(DEPARTMENT)
        expect(page.locator("#business_department option:checked")).to_have_text(department_label)
        expect(page.locator("#years")).to_have_value(YEARS)

    # A five-digit postcode: refused beside the field, everything typed is kept.
    fill_form(BAD_POSTCODE)
    shots(page, "apply-form-bad-postcode")
    with page.expect_navigation():
        page.click("#seal-confirm")
    postcode_group = page.locator(".form-group", has=page.locator("#ems_postcode"))
    expect(postcode_group).to_have_class(re.compile(r"\bhas-error\b"))
    expect(postcode_group.locator(".help-block.error")).to_have_text(tr(app, "A postcode has six digits."))
    expect(page.locator(".help-block.error")).to_have_count(1)
    expect(page.locator(".has-error")).to_have_count(1)
    expect_typed_values(BAD_POSTCODE)
    shots(page, "apply-form-error")

    # Corrected and confirmed.
    page.fill("#ems_postcode", FORM["ems_postcode"])
    with page.expect_navigation():
        page.click("#seal-confirm")
    match = re.search(r"/eseal/application/(\d+)$", page.url)
    assert match, page.url
    application_id = int(match.group(1))
    application_number = f"ES{application_id:06d}"
    expect(page.locator(".alert-success", has_text=tr(
        app, "Application confirmed. Print the application form, seal it and mail it with the papers.")).first
    ).to_be_visible()
    expect(page.locator("h2")).to_contain_text(application_number)
    expect(page.locator("#application-status")).to_have_text(submitted)
    expect(page.locator("#fee-amount")).to_have_text("1,000.00")
    summary = page.locator("#application-summary")
    for text in (ENTERPRISE, department_label, FORM["ems_contact"], FORM["ems_phone"], FORM["ems_address"],
                 FORM["ems_postcode"]):
        expect(summary).to_contain_text(text)
    expect(page.locator("#papers-to-mail li")).to_have_count(len(svc.PAPER_ITEMS))
    shots(page, "application")

    # The printable form, saved and read back.
    with page.expect_download() as form_dl:
        page.click("#save-form")
    assert form_dl.value.suggested_filename == f"seal-application-{application_number}.pdf", \
        form_dl.value.suggested_filename
    text = pdf_text(form_dl.value)
    for expected in (ENTERPRISE, f"申请编号：{application_number}", "1,000.00", FORM["system_user_id"],
                     FORM["ems_address"].replace(" ", "")):
        assert expected in text, (expected, text[:2000])

    # The remittance: the company pays the fee today.
    expect(page.locator("#payer_name")).to_have_value(ENTERPRISE)
    page.fill("#payer_name", ENTERPRISE)
    page.fill("#paid_amount", "1000")
    page.fill("#paid_on", today.isoformat())
    shots(page, "remittance-form")
    with page.expect_navigation():
        page.click("#record-payment")
    expect(page.locator(".alert-success", has_text=tr(
        app, "The remittance was recorded. The CA operator confirms it against the bank receipt.")).first
    ).to_be_visible()
    expect(page.locator(".help-block.error")).to_have_count(0)
    expect(page.locator("#payer_name")).to_have_value(ENTERPRISE)
    expect(page.locator("#paid_amount")).to_have_value(re.compile(r"^1000(\.00)?$"))
    expect(page.locator("#paid_on")).to_have_value(today.isoformat())
    shots(page, "remittance-recorded")

    # 4. The CA operator: papers, payment, key production, shipment.
    operator_ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    operator_ctx.set_default_timeout(60_000)
    ca = operator_ctx.new_page()
    sign_in(ca, base, "ca_operator")
    ca.goto(f"{base}/ca/applications/list/")
    listed = ca.locator("tr", has_text=ENTERPRISE)
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text(application_number)
    expect(listed).to_contain_text(submitted)
    shots(ca, "operator-list")
    with ca.expect_navigation():
        listed.locator("a[href*='/ca/applications/show/']").first.click()
    show_url = f"{base}/ca/applications/show/{application_id}"
    assert ca.url == show_url, ca.url
    expect(ca.locator("#remittance")).to_contain_text(ENTERPRISE)
    expect(ca.locator("#remittance")).to_contain_text("1,000.00")
    expect(ca.locator("#payer-differs")).to_have_count(0)
    for code in PAPERS:
        ca.check(f"#paper-{code}")
    shots(ca, "operator-papers")
    with ca.expect_navigation():
        ca.click("#receive-papers")
    expect(ca.locator(".alert-success", has_text=tr(app, "The papers were received.")).first).to_be_visible()
    expect(ca.locator(".alert-danger")).to_have_count(0)
    expect(ca.locator("#papers-form")).to_have_count(0)
    expect(ca.locator("body")).to_contain_text(papers_received)

    with ca.expect_navigation():
        ca.click("#confirm-payment")
    expect(ca.locator(".alert-success", has_text=tr(app, "The payment was confirmed.")).first).to_be_visible()
    expect(ca.locator(".alert-danger")).to_have_count(0)
    expect(ca.locator("body")).to_contain_text(paid)
    expect(ca.locator("#pki-problem")).to_have_count(0)
    expect(ca.locator("#produce-key")).to_be_enabled()
    shots(ca, "operator-paid")

    with ca.expect_navigation():
        ca.click("#produce-key")
    expect(ca.locator(".alert-danger")).to_have_count(0)
    produced = ca.locator(".alert-success").filter(has_text="PIN")
    expect(produced).to_have_count(1)
    pin_match = re.search(r"PIN\D{0,5}(\d{8})\b", produced.inner_text())
    assert pin_match, produced.inner_text()
    pin = pin_match.group(1)
    expect(ca.locator("body")).to_contain_text(provisioned)
    shots(ca, "operator-key-produced-pin")

    ca.fill("#ems_tracking", EMS_TRACKING)
    ca.fill("#ship_invoice_number", "INV2026000001")  # the invoice goes with the key
    with ca.expect_navigation():
        ca.click("#ship-key")
    expect(ca.locator(".alert-success", has_text=tr(app, "The shipment was recorded.")).first).to_be_visible()
    expect(ca.locator(".alert-danger")).to_have_count(0)
    expect(ca.locator("body")).to_contain_text(shipped)
    expect(ca.locator("body")).to_contain_text(EMS_TRACKING)
    expect(ca.locator("#ship-form")).to_have_count(0)
    assert pin not in ca.locator("body").inner_text(), "the initial PIN is shown only once"
    shots(ca, "operator-shipped")

    # 5. The applicant sees the key valid, with its certificate dates.
    with app.app_context():
        paid_until = seal_keys.rules.add_years(today, 1)
    page.goto(f"{base}/eseal/")
    key_row = page.locator("#seal-keys tr[data-key]")
    expect(key_row).to_have_count(1)
    expect(key_row.locator(".key-status")).to_have_text(valid)
    cells = key_row.locator("td")
    expect(cells.nth(0)).to_contain_text(ENTERPRISE)
    expect(cells.nth(2)).to_have_text(DATE)
    expect(cells.nth(3)).to_have_text(DATE)
    expect(cells.nth(4)).to_have_text(paid_until.isoformat())
    valid_from, valid_until = cells.nth(2).inner_text().strip(), cells.nth(3).inner_text().strip()
    assert valid_from <= today.isoformat() < valid_until, (valid_from, valid_until)
    assert valid_until[:4] == str(today.year + 1), valid_until
    applications = page.locator("#seal-applications tr", has_text=application_number)
    expect(applications.locator(".application-status")).to_have_text(shipped)
    shots(page, "eseal-key-valid")

    page.goto(f"{base}/eseal/application/{application_id}")
    expect(page.locator("#application-status")).to_have_text(shipped)
    expect(page.locator("#ems-tracking")).to_have_text(EMS_TRACKING)
    expect(page.locator("#payment-form")).to_have_count(0)
    shots(page, "application-shipped")

    # 6. A certificate the platform issued and signed, in the applicant's list; downloaded.
    def issue_certificate():
        with app.app_context():
            issued_documents.issue(kind="template", number=CERT_NUMBER, title=CERT_TITLE, holder_name=ENTERPRISE,
                                   enterprise_id=enterprise_id)

    off_the_event_loop(issue_certificate)
    page.goto(f"{base}/eseal/")
    document_row = page.locator("#issued-documents tr", has_text=CERT_NUMBER)
    expect(document_row).to_have_count(1)
    expect(document_row.locator("td")).to_have_text(
        [CERT_TITLE, CERT_NUMBER, "1", tr(app, issued_documents.DOCUMENT_STATUS["current"]), DATE,
         re.compile(".*")])
    shots(page, "eseal-issued-document")
    with page.expect_download() as certificate_dl:
        document_row.locator("a[href*='/eseal/document/']").click()
    assert certificate_dl.value.suggested_filename == f"{CERT_NUMBER}-v1.pdf", certificate_dl.value.suggested_filename
    downloaded = tmp_path / f"{CERT_NUMBER}-v1.pdf"
    certificate_dl.value.save_as(str(downloaded))
    signed = downloaded.read_bytes()
    assert ENTERPRISE in pdf_text(certificate_dl.value)

    # 7. Signed out: an anonymous visitor on the public verification page.
    visitor_ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    visitor_ctx.set_default_timeout(30_000)
    visitor = visitor_ctx.new_page()
    passed = tr(app, "Passed: the signature is valid")

    # (a) By number and version.
    visitor.goto(f"{base}/verify/")
    expect(visitor.locator("h2")).to_have_text(tr(app, "Online certificate verification"))
    expect(visitor.locator("#verify-indication")).to_have_count(0)
    visitor.fill("#verify-number", CERT_NUMBER)
    visitor.fill("#verify-version", "1")
    with visitor.expect_navigation():
        visitor.click("#verify-by-number button[type=submit]")
    assert visitor.url.endswith(f"/verify/{CERT_NUMBER}/1"), visitor.url
    expect(visitor.locator("#verify-indication")).to_have_attribute("data-indication", "TOTAL_PASSED")
    expect(visitor.locator("#verify-indication")).to_contain_text(passed)
    expect(visitor.locator("#verify-document-status")).to_have_attribute("data-status", "current")
    expect(visitor.locator("#verify-document-status")).to_have_text(tr(app, "Current version"))
    expect(visitor.locator("#verify-document")).to_contain_text(ENTERPRISE)
    expect(visitor.locator("#verify-document")).to_contain_text(CERT_TITLE)
    expect(visitor.locator(".verify-signature")).to_have_count(1)
    expect(visitor.locator(".verify-modified")).to_have_attribute("data-modified", "0")
    shots(visitor, "verify-by-number")

    # (b) The downloaded PDF, uploaded.
    visitor.set_input_files("#verify-file", str(downloaded))
    with visitor.expect_navigation():
        visitor.click("#verify-upload-button")
    expect(visitor.locator("#verify-source")).to_have_text(downloaded.name)
    expect(visitor.locator("#verify-indication")).to_have_attribute("data-indication", "TOTAL_PASSED")
    expect(visitor.locator("#verify-document-status")).to_have_attribute("data-status", "current")
    expect(visitor.locator("#verify-matches")).to_have_text(tr(app, "Identical to the certificate the platform issued"))
    expect(visitor.locator(".verify-integrity")).to_have_text(tr(app, "The signed content is unchanged"))
    expect(visitor.locator(".verify-modified")).to_have_attribute("data-modified", "0")
    shots(visitor, "verify-upload-original")

    # (c) A copy stamped "VALID UNTIL 2099" after signing (an incremental update).
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.stamp import TextStamp, TextStampStyle

    def stamp_after_signing() -> bytes:
        writer = IncrementalPdfFileWriter(io.BytesIO(signed))
        TextStamp(writer, TextStampStyle(stamp_text="VALID UNTIL 2099")).apply(0, 72, 600)
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()

    tampered = tmp_path / f"{CERT_NUMBER}-v1-extended.pdf"
    tampered.write_bytes(off_the_event_loop(stamp_after_signing))
    assert tampered.read_bytes().startswith(signed)

    visitor.goto(f"{base}/verify/")
    visitor.set_input_files("#verify-file", str(tampered))
    with visitor.expect_navigation():
        visitor.click("#verify-upload-button")
    expect(visitor.locator("#verify-source")).to_have_text(tampered.name)
    indication = visitor.locator("#verify-indication")
    expect(indication).to_have_attribute("data-indication", re.compile(r"^(?!TOTAL_PASSED$).+"))
    expect(indication).not_to_contain_text(passed)
    modified = visitor.locator(".verify-modified[data-modified='1']")
    expect(modified).not_to_have_count(0)
    expect(modified.first).to_have_text(tr(app, "The file was changed after signing"))
    shots(visitor, "verify-upload-tampered")

    visitor_ctx.close()
    operator_ctx.close()
    applicant_ctx.close()
