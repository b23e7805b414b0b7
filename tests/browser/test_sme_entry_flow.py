"""The applicant's data entry of the Tech-SME tables in a real browser: what happens on the page
before the server answers (live HR totals) and the IP registry's 添加 form feeding the IP table.

Screenshots: test-artifacts/browser/<test name>/.
"""
from __future__ import annotations

import pytest

from tests import factories
from tests.browser.helpers import sign_in, tr

pytestmark = pytest.mark.browser

CONTEXT = {"locale": "zh-CN", "viewport": {"width": 1280, "height": 900}}


def _applicant_with_evaluation(app, **tables):
    with app.app_context():
        applicant = factories.gen_applicant()
        factories.gen_enterprise(applicant, status="approved")
        evaluation = factories.gen_sme(applicant, **tables)
        return applicant.mobile, evaluation.id


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
def test_an_ip_added_to_the_registry_keeps_its_grant_date_and_fills_the_ip_table(app, live_server, browser, shots):
    from playwright.sync_api import expect

    from app.extensions import db
    from models import EnterpriseIp, SmeEvaluation

    expect.set_options(timeout=10_000)
    login, evaluation_id = _applicant_with_evaluation(app, ip=[])
    page = browser.new_context(**CONTEXT).new_page()
    sign_in(page, live_server, login)

    # 知识产权 › 添加: typed the way autofill or a paste does it (no key events), then on to the next field.
    page.goto(f"{live_server}/my-enterprise/ip/add")
    page.fill("#name", "一种温度传感器")
    page.fill("#number", "ZL202510000001")
    page.fill("#grant_date", "2025-03-01")
    page.keyboard.press("Tab")
    expect(page.locator("#grant_date")).to_have_value("2025-03-01")
    shots(page, "registry-add")
    with page.expect_navigation():
        page.locator("#model_form button[type=submit], #model_form input[type=submit]").first.click()
    db.session.expire_all()
    stored = db.session.query(EnterpriseIp).one()
    assert (stored.name, stored.kind, stored.grant_date.isoformat()) == ("一种温度传感器", "invention_patent", "2025-03-01")

    # The evaluation's IP table takes it from the registry, grant date included, with no error.
    page.goto(f"{live_server}/sme/{evaluation_id}/table/ip")
    page.get_by_label("选择“一种温度传感器”").check()
    with page.expect_navigation():
        page.get_by_role("button", name=tr(app, "Add selected"), exact=True).click()
    shots(page, "ip-table")
    expect(page.locator("input[name=ip_grant_date]:not([disabled])")).to_have_value("2025-03-01")
    expect(page.locator(".help-block.error")).to_have_count(0)
    expect(page.locator("#ip-count-invention_patent")).to_have_text("1")
    db.session.expire_all()
    row = db.session.get(SmeEvaluation, evaluation_id).data["ip"][0]
    assert (row["name"], row["grant_date"]) == ("一种温度传感器", "2025-03-01")


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
def test_the_hr_totals_add_up_while_typing_before_saving(app, live_server, browser, shots):
    from playwright.sync_api import expect

    expect.set_options(timeout=10_000)
    login, evaluation_id = _applicant_with_evaluation(app)
    page = browser.new_context(**CONTEXT).new_page()
    sign_in(page, live_server, login)
    page.goto(f"{live_server}/sme/{evaluation_id}/table/hr")
    employees, tech = page.locator("#hr-employees-total"), page.locator("#hr-tech-total")
    expect(employees).to_have_text("100")  # as saved: 80 + 15 + 5
    expect(tech).to_have_text("30")

    for field in ("fulltime", "parttime", "temporary", "tech_fulltime", "tech_parttime", "tech_temporary"):
        page.fill(f"#{field}", "")
    expect(employees).to_have_text("0")
    page.locator("#fulltime").press_sequentially("120")
    expect(employees).to_have_text("120")
    page.locator("#parttime").press_sequentially("7")
    page.locator("#temporary").press_sequentially("3")
    expect(employees).to_have_text("130")
    page.locator("#tech_fulltime").press_sequentially("40")
    page.locator("#tech_temporary").press_sequentially("x")  # not a number: counts 0, as on the server
    expect(tech).to_have_text("40")
    page.fill("#tech_temporary", "2")
    expect(tech).to_have_text("42")
    shots(page, "typed")

    # The server's totals after saving agree.
    with page.expect_navigation():
        page.click("#save-table")
    expect(employees).to_have_text("130")
    expect(tech).to_have_text("42")
