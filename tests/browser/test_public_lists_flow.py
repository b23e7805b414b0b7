"""The public lists in a real browser: a visitor reads the publicity list and raises an
objection with evidence, and is given its reference number; the provincial reviewer signs in,
opens the objection in its queue, downloads the evidence and dismisses it with a reply; the
visitor looks the outcome up by reference number and contact; a visitor queries a numbered
enterprise and opens the verification page of its signed certificate.

The captcha answer is fixed by the test app (tests/conftest.py), as for the other browser tests.
Screenshots (zh, then the pages again in en): test-artifacts/browser/<test name>/.
"""
from __future__ import annotations

import pytest

from tests import factories
from tests.browser.helpers import sign_in, tr

pytestmark = pytest.mark.browser

REASON = "该企业公示的研发人员数量与实际不符，请核查。"
REPLY = "经核查，企业研发人员数据属实，异议不成立。"


@pytest.fixture
def seeded(app, pkcs11_lib):
    """Made before the browser starts: signing a certificate runs an event loop of its own, which
    the browser's (sync Playwright, in this thread) would refuse."""
    from tests import publicity_world as world

    numbered, province = world.numbered_sme()
    (record,), province, _batch = world.sme_in_publicity(province=province, name="浙江省2026年第二批")
    return {"numbered_name": numbered.enterprise.name, "numbered_code": numbered.enterprise.credit_code,
            "number": numbered.certificate_number, "record_id": record.id, "name": record.enterprise.name,
            "credit_code": record.enterprise.credit_code, "province": province.username}


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
def test_visitor_objects_province_resolves_visitor_looks_up_and_verifies(app, seeded, live_server, browser, shots,
                                                                          tmp_path):
    from playwright.sync_api import expect

    from app.extensions import db
    from models import PublicityObjection, SmeEvaluation

    numbered_name, numbered_code, number = seeded["numbered_name"], seeded["numbered_code"], seeded["number"]
    name, record_id = seeded["name"], seeded["record_id"]
    evidence = tmp_path / "evidence.pdf"
    evidence.write_bytes(factories.PDF_MIN)
    base = live_server

    # 1. A visitor reads the list and raises an objection with evidence.
    visitor = browser.new_page()
    visitor.goto(f"{base}/portal/publicity")
    row = visitor.locator("tr.publicity-record", has_text=name)
    expect(row).to_contain_text(seeded["credit_code"])
    expect(visitor.locator("tr.publicity-record", has_text=numbered_name)).to_have_count(0)  # its batch closed
    shots(visitor, "publicity-list")
    with visitor.expect_navigation():
        row.locator("a.object-link").click()
    expect(visitor.locator("#objection-subject")).to_contain_text(name)
    visitor.fill("#objector_name", "张三")
    visitor.fill("#contact", "13812345678")
    visitor.fill("#reason", REASON)
    visitor.set_input_files("#evidence", str(evidence))
    visitor.fill("#captcha", factories.CAPTCHA)
    shots(visitor, "objection-form")
    with visitor.expect_navigation():
        visitor.click("#objection-submit")
    reference = visitor.locator("#objection-reference").inner_text().strip()
    assert reference.startswith("GS") and len(reference) == 16
    expect(visitor.locator("#objection-filed")).to_contain_text(tr(app, "Please keep this number: with it and the "
                                                                        "contact you gave, you can look up the outcome and the reply."))
    shots(visitor, "objection-filed")
    db.session.expire_all()
    assert db.session.get(SmeEvaluation, record_id).status == "objection"

    # 2. The provincial reviewer opens it in the queue, sees the evidence and dismisses it.
    reviewer = browser.new_page()
    sign_in(reviewer, base, seeded["province"])
    reviewer.goto(f"{base}/review/objections/list/")
    queue_row = reviewer.locator("tr", has_text=reference)
    expect(queue_row).to_contain_text("张三")
    shots(reviewer, "queue")
    objection = db.session.query(PublicityObjection).filter_by(reference=reference).one()
    with reviewer.expect_navigation():
        queue_row.locator(f"a[href*='/review/objections/show/{objection.id}']").first.click()
    expect(reviewer.locator("body")).to_contain_text(REASON)
    expect(reviewer.locator("body")).to_contain_text("13812345678")
    with reviewer.expect_download() as download_info:
        reviewer.click("a:has-text('evidence.pdf')")
    with open(download_info.value.path(), "rb") as fh:
        assert fh.read().startswith(b"%PDF")
    reviewer.fill("#comment", REPLY)
    shots(reviewer, "objection-show")
    with reviewer.expect_navigation():
        reviewer.click("#action-dismiss")
    expect(reviewer.locator(".alert-success")).to_contain_text(tr(app, "Saved successfully."))
    db.session.expire_all()
    assert db.session.get(SmeEvaluation, record_id).status == "in_publicity"

    # 3. The visitor looks up the outcome.
    visitor.goto(f"{base}/portal/objections/lookup")
    visitor.fill("#reference", reference)
    visitor.fill("#contact", "13812345678")
    with visitor.expect_navigation():
        visitor.click("#lookup-submit")
    expect(visitor.locator("#lookup-status")).to_have_text(tr(app, "Objection dismissed"))
    expect(visitor.locator("#lookup-reply")).to_have_text(REPLY)
    shots(visitor, "lookup")

    # 4. A visitor queries the numbered enterprise and opens its certificate's verification page.
    query = browser.new_page()
    query.goto(f"{base}/portal/certificates")
    query.fill("#q", numbered_code)
    with query.expect_navigation():
        query.click("#query-submit")
    result = query.locator(".certificate-result", has_text=numbered_name)
    expect(result).to_contain_text(number)
    expect(result).to_contain_text(tr(app, "Certificate number generated"))
    shots(query, "certificate-query")
    with query.expect_navigation():
        result.locator("a.verify-link").click()
    expect(query.locator("#verify-indication")).to_have_attribute("data-indication", "TOTAL_PASSED")
    expect(query.locator("#verify-document-status")).to_have_attribute("data-status", "current")
    expect(query.locator("#verify-document")).to_contain_text(numbered_name)
    shots(query, "verify")

    # The same public pages in English.
    query.goto(f"{base}/lang/en")
    for path, shot in (("/portal/publicity", "publicity-list-en"), (f"/portal/objections/sme/{record_id}", "objection-form-en"),
                       (f"/portal/certificates?q={numbered_code}", "certificate-query-en")):
        query.goto(f"{base}{path}")
        shots(query, shot)
    expect(query.locator("#portal-nav")).to_contain_text("Publicity lists")
