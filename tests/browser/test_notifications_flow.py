"""Results reach the applicant: a reviewer's decision, clicked in the browser, lights the
applicant's envelope with 1 unread message that carries the reason and links to the record,
and the SMS and e-mail are in the outbox as sent. Three programs: an SME evaluation returned by
the agency, a benchmark declaration qualified by the association, a USB-Key shipped by the CA."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.notify.messages import mark_all_read
from app.security import roles
from models import OutboxMessage, ShenbaoUser
from tests import factories
from tests.browser.helpers import sign_in

pytestmark = pytest.mark.browser


def _decide_in_browser(browser, base, login, show_url, action, comment, shots, name):
    page = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, base, login)
    page.goto(f"{base}{show_url}")
    if comment:
        page.fill("#comment", comment)
    with page.expect_navigation():
        page.click(f"#action-{action}")
    shots(page, name)
    assert page.locator(".alert-danger").count() == 0, page.locator(".alert-danger").all_inner_texts()
    page.context.close()


def _applicant_reads_it(browser, base, login, expected, record_path, shots, name):
    """The applicant's top bar shows 1 unread; the message shows ``expected`` and links to the record."""
    from playwright.sync_api import expect

    page = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, base, login)
    expect(page.locator("#sb-inbox-unread")).to_have_text("1")
    with page.expect_navigation():
        page.click("#sb-inbox")
    shots(page, f"{name}-messages")
    with page.expect_navigation():
        page.locator("#sb-messages tbody tr.sb-unread a").first.click()
    for text in expected:
        expect(page.locator("#sb-message-body")).to_contain_text(text)
    assert page.locator("#sb-message-record").get_attribute("href") == record_path
    shots(page, f"{name}-message")
    expect(page.locator("#sb-inbox-unread")).to_have_count(0)
    body = page.locator("body").inner_text()
    assert "None" not in body
    page.context.close()


def _outbox_sent(record_type, record_id, template, expected):
    """The decision's SMS and e-mail (its template), delivered, each carrying ``expected``."""
    db.session.expire_all()
    rows = db.session.execute(select(OutboxMessage).where(
        OutboxMessage.record_type == record_type, OutboxMessage.record_id == record_id,
        OutboxMessage.template == template)).scalars().all()
    assert {r.channel for r in rows} == {"sms", "email"}, [(r.channel, r.template) for r in rows]
    assert all(r.status == "sent" for r in rows), [(r.channel, r.status, r.error) for r in rows]
    assert all(any(text in r.body for text in expected) for r in rows)


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
def test_an_sme_return_reaches_the_applicant(app, live_server, browser, shots):
    with app.app_context():
        applicant = factories.gen_applicant()
        evaluation = factories.gen_sme(applicant, status="pending_agency")
        enterprise = evaluation.enterprise
        enterprise.legal_rep_mobile, enterprise.legal_rep_email = "13912340001", "legal@example.com"
        factories.gen_user(roles.AGENCY_REVIEWER, "agency_notify", agency_region="330100")
        mark_all_read(applicant.id)  # the applicant has read the registration's approval
        db.session.commit()
        login, evaluation_id = applicant.mobile, evaluation.id
    reason = "研发费用明细与财务报表不一致"
    _decide_in_browser(browser, live_server, "agency_notify", f"/review/sme/show/{evaluation_id}", "return", reason,
                       shots, "agency-returns")
    with app.app_context():
        _outbox_sent("sme_evaluation", evaluation_id, "sme_returned", [reason[:10]])
    _applicant_reads_it(browser, live_server, login, [reason], f"/progress/sme_evaluation/{evaluation_id}", shots,
                        "applicant")


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
def test_a_benchmark_qualification_reaches_the_applicant(app, live_server, browser, shots):
    from app.services import declaration as svc
    from tests.services.test_declaration import CONTACT, _docx, build_world

    with app.app_context():
        w = build_world()
        declaration = svc.start(w["user"], w["activity"].id, w["filing"].id, w["project"].id, True)
        svc.save(w["user"], declaration.id, CONTACT)
        svc.upload_summary(w["user"], declaration.id, io.BytesIO(_docx()), "总结材料.docx")
        svc.submit(w["user"], declaration.id)
        svc.choose_recommender(w["user"], declaration.id, w["units"][0].id)
        svc.review(w["recommender"], declaration.id, "recommend", "同意推荐")
        mark_all_read(w["user"].id)  # the applicant has read the earlier results
        w["association"].username = "association_notify"
        db.session.commit()
        login, declaration_id = w["user"].mobile, declaration.id
    _decide_in_browser(browser, live_server, "association_notify", f"/review/declarations/show/{declaration_id}",
                       "qualify", "材料齐全，通过资格审查", shots, "association-qualifies")
    with app.app_context():
        _outbox_sent("declaration", declaration_id, "declaration_qualified", ["资格审查"])
    _applicant_reads_it(browser, live_server, login, ["资格审查"], f"/progress/declaration/{declaration_id}", shots,
                        "applicant")


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
def test_a_usb_key_shipment_reaches_the_contact(app, pkcs11_lib, live_server, browser, shots):
    from app.services.eseal import seal_keys
    from models import Enterprise
    from tests.services.test_eseal import paid_application

    tracking = "EA123456789CN"
    with app.app_context():
        applicant = factories.gen_applicant()
        factories.gen_enterprise(applicant, status="approved")
        operator = factories.gen_user(roles.CA_OPERATOR, "ca_notify")
        application = paid_application(applicant, operator)
        application, _pin = seal_keys.produce(operator, application.id)
        mark_all_read(applicant.id)
        db.session.commit()
        login, application_id = applicant.mobile, application.id
        assert db.session.get(Enterprise, applicant.enterprise_id) is not None

    page = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, live_server, "ca_notify")
    page.goto(f"{live_server}/ca/applications/show/{application_id}")
    page.fill("#ems_tracking", tracking)
    page.fill("#ship_invoice_number", "INV2026000001")  # the invoice goes with the key
    with page.expect_navigation():
        page.click("#ship-key")
    assert page.locator(".alert-danger").count() == 0
    page.context.close()
    with app.app_context():
        _outbox_sent("seal_application", application_id, "seal_key_shipped", [tracking])
        sms = db.session.execute(select(OutboxMessage).where(
            OutboxMessage.record_type == "seal_application", OutboxMessage.record_id == application_id,
            OutboxMessage.channel == "sms")).scalars().all()
        assert {m.recipient for m in sms} == {"13800001111"}  # the application's EMS contact, not the account
    _applicant_reads_it(browser, live_server, login, [tracking], f"/progress/seal_application/{application_id}",
                        shots, "applicant")
