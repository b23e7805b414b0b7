"""E-seal invoice and shipment through the screens: a key does not leave "with the invoice"
while no invoice is recorded; the applicant reads the invoice on the application page."""
from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.services.eseal import seal_keys
from models import SealApplication
from tests import factories as f
from tests.services.test_eseal import paid_application
from tests.web.test_eseal_web import people  # noqa: F401  (fixture)

pytestmark = pytest.mark.parametrize("app", ["sqlite"], indirect=True)


def _provisioned(people) -> SealApplication:
    application = paid_application(people["user"], people["operator"])
    application, _pin = seal_keys.produce(people["operator"], application.id)
    return application


def _ship(web, application_id: int, **fields):
    show = f"/ca/applications/show/{application_id}"
    version = re.search(r'name="version" value="(\d+)"', web.get(show).data.decode()).group(1)
    return web.post_form(f"/ca/applications/ship/{application_id}", {"version": version, **fields}, csrf_url=show)


def _beside(page: str, field_id: str) -> str:
    """The message shown right after the field's input."""
    match = re.search(rf'id="{field_id}"[^>]*>\s*(?:<span class="help-block error"[^>]*>([^<]*)</span>)?', page)
    assert match, f"no field {field_id}"
    return match.group(1) or ""


def test_a_key_is_not_shipped_with_the_invoice_before_the_invoice_is_recorded(app, people):
    application = _provisioned(people)
    assert application.invoice_mailing == "with_key" and application.invoice_number is None
    operator = f.WebClient(app)
    operator.login(people["operator"].username)

    refused = _ship(operator, application.id, ems_tracking="EA123456789CN")
    page = refused.data.decode()
    assert refused.status_code == 200
    message = _beside(page, "ship_invoice_number")
    assert "发票" in message and "单独邮寄" in message  # beside the invoice field, says what to do
    assert 'value="EA123456789CN"' in page  # the tracking number typed is kept
    assert db.session.get(SealApplication, application.id).status == "provisioned"

    bad = _ship(operator, application.id, ems_tracking="EA123456789CN", invoice_number="12")
    assert "6" in _beside(bad.data.decode(), "ship_invoice_number")
    assert db.session.get(SealApplication, application.id).status == "provisioned"

    shipped = _ship(operator, application.id, ems_tracking="EA123456789CN", invoice_number="INV2026000001")
    assert shipped.status_code == 302
    application = db.session.get(SealApplication, application.id)
    assert application.status == "shipped" and application.invoice_number == "INV2026000001"


def test_the_operator_may_mail_the_invoice_separately_instead(app, people):
    application = _provisioned(people)
    operator = f.WebClient(app)
    operator.login(people["operator"].username)
    shipped = _ship(operator, application.id, ems_tracking="EA123456789CN", invoice_separately="1")
    assert shipped.status_code == 302
    application = db.session.get(SealApplication, application.id)
    assert application.status == "shipped" and application.invoice_mailing == "separate"
    assert application.invoice_number is None
    page = operator.get(f"/ca/applications/show/{application.id}").data.decode()
    assert 'id="invoice-form"' in page  # still to be recorded, with its registered-mail number
    applicant = f.WebClient(app)
    applicant.login(people["user"].username)
    timeline = applicant.get(f"/progress/seal_application/{application.id}").data.decode()
    assert "发票单独邮寄" in timeline


def test_an_invoice_recorded_earlier_lets_the_key_go(app, people):
    from app.services.eseal import delivery

    application = _provisioned(people)
    delivery.issue_invoice(people["operator"], application.id, "INV2026000002")
    operator = f.WebClient(app)
    operator.login(people["operator"].username)
    page = operator.get(f"/ca/applications/show/{application.id}").data.decode()
    assert 'id="ship_invoice_number"' not in page and "INV2026000002" in page
    assert _ship(operator, application.id, ems_tracking="EA123456789CN").status_code == 302
    assert db.session.get(SealApplication, application.id).status == "shipped"


def _invoice_panel(web, application_id: int) -> str:
    page = web.get(f"/eseal/application/{application_id}").data.decode()
    assert 'id="invoice"' in page, "the application page shows the invoice"
    panel = page[page.index('id="invoice"'):]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", panel[:panel.index("</table>")]))


def test_the_applicant_reads_the_invoice_on_the_application_page(app, people):
    from app.services.eseal import delivery

    application = _provisioned(people)
    applicant = f.WebClient(app)
    applicant.login(people["user"].username)
    panel = _invoice_panel(applicant, application.id)
    assert "尚未开具" in panel and "1,000.00" in panel and "与USB-Key一同邮寄" in panel
    delivery.issue_invoice(people["operator"], application.id, "INV2026000003")
    panel = _invoice_panel(applicant, application.id)
    assert "INV2026000003" in panel and "1,000.00" in panel and "与USB-Key一同邮寄" in panel
    assert "发票邮寄单号" not in panel  # nothing of its own to track: it is in the key's parcel


def test_an_invoice_mailed_separately_shows_its_tracking_number(app, people):
    from app.services.eseal import delivery

    application = _provisioned(people)
    operator = f.WebClient(app)
    operator.login(people["operator"].username)
    _ship(operator, application.id, ems_tracking="EA123456789CN", invoice_separately="1")
    applicant = f.WebClient(app)
    applicant.login(people["user"].username)
    panel = _invoice_panel(applicant, application.id)
    assert "以挂号信单独邮寄" in panel and "尚未寄出" in panel
    delivery.issue_invoice(people["operator"], application.id, "INV2026000004", "RR123456789CN")
    panel = _invoice_panel(applicant, application.id)
    assert "INV2026000004" in panel and "RR123456789CN" in panel and "以挂号信单独邮寄" in panel
    assert "1,000.00" in panel
