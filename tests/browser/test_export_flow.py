"""A manager exports a filtered list in a real browser and the downloaded workbook opens:

the manager opens 企业注册审核 (every registration), filters it by status 已通过 with FAB's search
panel, clicks 导出 Excel, and the downloaded .xlsx — read back with openpyxl — holds the title
row, the on-screen Chinese headers and exactly the approved enterprises; then the statistics
dashboard's workbook, written in the background and downloaded from its progress page, opens
with its native charts. Screenshots: test-artifacts/browser/<test>/.
"""
from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import load_workbook

from app.security import roles
from tests import factories
from tests.browser.helpers import sign_in, tr

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("app", ["sqlite"], indirect=True)]


def test_manager_filters_exports_and_opens_the_workbook(app, live_server, browser, shots):
    approved = [factories.gen_enterprise(status="approved") for _ in range(2)]
    # gen_sme makes one more approved enterprise: it is in the filtered list too.
    submitted = factories.gen_enterprise(status="submitted")
    factories.gen_sme(status="pending_agency")  # something to count on the dashboard
    manager = factories.gen_user(roles.MANAGER)
    from sqlalchemy import select

    from app.extensions import db
    from models import Enterprise

    expected = set(db.session.execute(select(Enterprise.credit_code).where(Enterprise.status == "approved")).scalars())
    assert {e.credit_code for e in approved} <= expected

    page = browser.new_page(accept_downloads=True)
    sign_in(page, live_server, manager.username)
    # The list filtered as a person does it: FAB's search panel, status equal to "approved".
    page.goto(f"{live_server}/review/enterprises/list/?_flt_0_status=approved")
    shots(page, "filtered-list")
    for code in expected:
        assert page.locator(f"text={code}").count() == 1
    assert page.locator(f"text={submitted.credit_code}").count() == 0
    with page.expect_download() as info:
        page.click("#export-excel")
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    with open(download.path(), "rb") as fh:
        data = fh.read()
    sheet = load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert tr(app, "Enterprise registrations") in rows[0][0]
    assert rows[1][:2] == (tr(app, "Enterprise name"), tr(app, "Unified social credit code"))
    assert {r[1] for r in rows[2:]} == expected
    assert sheet.freeze_panes == "A3"

    page.goto(f"{live_server}/dashboard/")
    shots(page, "dashboard")
    page.click("#statistics-all")  # queues the workbook (a background task): its progress page
    page.wait_for_selector("#export-download:not(.hidden)", timeout=30000)
    shots(page, "statistics-job")
    with page.expect_download() as info:
        page.click("#export-download")
    with open(info.value.path(), "rb") as fh:
        workbook = fh.read()
    assert load_workbook(io.BytesIO(workbook)).sheetnames[0] == tr(app, "Totals")
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        assert any(name.startswith("xl/charts/chart") for name in archive.namelist())
