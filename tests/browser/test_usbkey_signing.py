"""用 USB-Key 签章 in a real browser, with the real signing agent (signer/, run as a subprocess) and
the USB-Key the platform produced on SoftHSM:

the applicant opens the SME cover step, pairs the page with the agent once (the code the agent
printed), clicks 用 USB-Key 签章, checks the document in the agent's own window that opens and types
the PIN there; the signed cover is uploaded through the page's upload form, checked as the
enterprise's signature over the PDF Shenbao handed out, and the evaluation is submitted with no
stamp scan. Without the agent, the same box says how to install it, the install page gives the
steps and the agent's archive downloads.

Screenshots (zh and en): test-artifacts/browser/<test name>/.
"""
from __future__ import annotations

import io
import os
import re
import socket
import subprocess
import sys
import tarfile
import threading
from pathlib import Path

import pytest

from tests import factories
from tests.browser.helpers import sign_in, tr
from tests.browser.test_eseal_flow import off_the_event_loop
from tests.pki_support import SOFTHSM_MODULE

pytestmark = pytest.mark.browser

ENTERPRISE = "杭州西溪签章传感科技有限公司"
YEAR = 2026
SIGNER_SOURCE = Path(__file__).resolve().parents[2] / "signer"


class Agent:
    """``python -m shenbao_signer`` from this checkout, on a free loopback port; its first lines say
    where it listens and the pairing code."""

    def __init__(self, origin: str, config_dir: Path, *, timestamps: bool = True) -> None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(SIGNER_SOURCE),
                                                                           os.environ.get("PYTHONPATH")]))}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "shenbao_signer", "--origin", origin, "--port", "0", "--module", SOFTHSM_MODULE,
             "--config-dir", str(config_dir), *([] if timestamps else ["--no-timestamp"])],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        self.output: list[str] = []
        self.url = self.pairing_code = None
        for line in self.process.stdout:
            self.output.append(line)
            if match := re.match(r"listening on (http://127\.0\.0\.1:\d+)", line):
                self.url = match.group(1)
            if match := re.match(r"pairing code: (\S+)", line):
                self.pairing_code = match.group(1)
            if self.url and self.pairing_code:
                break
        assert self.url and self.pairing_code, "".join(self.output)
        # keep draining its output so it never blocks on a full pipe
        threading.Thread(target=lambda: self.output.extend(self.process.stdout), daemon=True).start()

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def evaluation_without_cover(user):
    """The nine tables filled through the services (qualified), no cover uploaded yet."""
    from app.services import sme as svc
    from app.services import sme_form

    evaluation = svc.create(user, YEAR)
    data = factories.sme_tables()
    for table in sme_form.TABLES:
        values = data.get(table.key) if table.fields else None
        rows = [dict(r) for r in data.get(table.rows) or []] if table.rows else None
        svc.save_table(user, evaluation.id, table.key, values, rows)
    return evaluation


def box_status(page):
    return page.locator("#usbkey-signer .usbkey-status")


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
def test_applicant_signs_the_sme_cover_with_the_usb_key_and_submits_without_a_scan(
        pkcs11_lib, app, live_server, browser, shots, tmp_path):
    from playwright.sync_api import expect

    from app.extensions import db
    from app.security import roles
    from models import Attachment, SmeEvaluation
    from tests.services.test_eseal import produced_key

    expect.set_options(timeout=30_000)
    base = live_server
    app.config["SME_EVALUATION_YEAR"] = YEAR

    # 1. An applicant whose enterprise holds a USB-Key the platform produced (SoftHSM), and an
    #    evaluation ready but for its cover.
    def world():
        with app.app_context():
            applicant = factories.gen_applicant()
            factories.gen_enterprise(applicant, status="approved", name=ENTERPRISE)
            operator = factories.gen_user(roles.CA_OPERATOR)
            _key, pin = produced_key(applicant, operator)
            evaluation = evaluation_without_cover(applicant)
            return applicant.mobile, pin, evaluation.id, evaluation.system_number

    login, pin, evaluation_id, system_number = off_the_event_loop(world)

    # 2. The agent on "the enterprise's computer", allowing this Shenbao only.
    # The agent timestamps its signatures at this Shenbao's /tsa.
    agent = Agent(base, tmp_path / "agent-config")
    try:
        app.config["SIGNER_AGENT_PORT"] = agent.port
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, accept_downloads=True)
        context.set_default_timeout(30_000)
        page = context.new_page()
        sign_in(page, base, login)
        cover_step = f"{base}/sme/{evaluation_id}/self-evaluation"
        page.goto(cover_step)
        expect(page.locator("#submit-problems")).to_have_text(tr(app, "Please upload the stamped cover."))
        expect(page.locator("#sme-submit")).to_be_disabled()

        # First time on this computer: the page asks for the pairing code the agent shows.
        expect(page.locator("#usbkey-pairing-code")).to_be_visible()
        expect(box_status(page)).to_contain_text(tr(app, "Enter the pairing code the signing agent shows (in its window, "
                                                   "or on its page %(url)s). You do this once on this computer.",
                                                   url=agent.url + "/"))
        expect(page.locator("#usbkey-sign")).to_be_hidden()
        page.fill("#usbkey-pairing-code", "wrong-code")
        page.click("#usbkey-pair")
        expect(box_status(page)).to_have_text(tr(app, "The signing agent did not accept the pairing code. "
                                                      "Enter the code it shows now."))
        page.fill("#usbkey-pairing-code", agent.pairing_code)
        page.click("#usbkey-pair")
        expect(box_status(page)).to_have_text(tr(app, "Signing agent found. Your USB-Key is ready."))
        sign_button = page.get_by_role("button", name=tr(app, "Sign with USB-Key"))
        expect(sign_button).to_be_visible()
        shots(page, "cover-step-usbkey-zh")

        # The same step in English: the browser remembers the pairing.
        page.goto(f"{base}/lang/en")
        page.goto(cover_step)
        expect(page.get_by_role("button", name="Sign with USB-Key")).to_be_visible()
        expect(box_status(page)).to_have_text("Signing agent found. Your USB-Key is ready.")
        shots(page, "cover-step-usbkey-en")
        page.goto(f"{base}/lang/zh")
        page.goto(cover_step)
        expect(sign_button).to_be_visible()

        # More than one certificate on this computer (the test's token directory holds other
        # tokens): the enterprise's own comes first and is the one chosen.
        chooser = page.locator("#usbkey-certificate")
        if chooser.is_visible():
            expect(chooser.locator("option", has_text=ENTERPRISE)).to_have_count(1)
            expect(chooser.locator("option").first).to_contain_text(ENTERPRISE)
            assert ENTERPRISE in chooser.evaluate("s => s.options[s.selectedIndex].text")

        # 3. 用 USB-Key 签章: the agent's own window opens with the document; the PIN goes there.
        #    A wrong PIN first: nothing is signed, the page says so and nothing is uploaded.
        with context.expect_page() as popup_info:
            sign_button.click()
        approval = popup_info.value
        approval.wait_for_load_state()
        approval.fill("#pin", "00000000" if pin != "00000000" else "11111111")
        approval.click("button[value=sign]", no_wait_after=True)
        expect(box_status(page)).to_have_text(tr(
            app, "The PIN was wrong; nothing was signed. Try again: the USB-Key locks itself after too many wrong PINs."))
        expect(box_status(page)).to_have_class(re.compile(r"\balert-danger\b"))
        expect(page.locator("#cover-uploaded")).to_have_count(0)
        shots(page, "wrong-pin")

        with context.expect_page() as popup_info:
            sign_button.click()
        approval = popup_info.value
        approval.wait_for_load_state()
        assert approval.url.startswith(agent.url + "/approve/"), approval.url
        expect(approval.locator("body")).to_contain_text(f"cover-{system_number}.pdf")
        expect(approval.locator("body")).to_contain_text(ENTERPRISE)
        expect(approval.locator("dd.code")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
        expect(box_status(page)).to_have_text(tr(
            app, "Check the document in the signing agent window that opened and enter the PIN there. "
                 "Shenbao never sees your PIN."))
        shots(approval, "agent-approval")
        approval.fill("#pin", pin)
        approval.click("button[value=sign]", no_wait_after=True)

        # 4. The signed cover comes back, goes up through the cover form and is accepted.
        expect(page.locator(".alert-success", has_text=tr(app, "The cover was uploaded.")).first).to_be_visible()
        expect(page.locator(".alert-danger")).to_have_count(0)
        expect(page.locator("#cover-uploaded")).to_be_visible()
        expect(page.locator("#submit-problems")).to_have_count(0)
        expect(page.locator("#sme-submit")).to_be_enabled()
        shots(page, "cover-signed-and-uploaded")

        def stored_cover():
            from app.pki.verify import verify_pdf
            from app.services.eseal import pki
            from app.storage import open_attachment

            with app.app_context():
                evaluation = db.session.get(SmeEvaluation, evaluation_id)
                attachment = db.session.get(Attachment, evaluation.cover_attachment_id)
                with open_attachment(attachment) as fh:
                    data = fh.read()
                return attachment.original_name, verify_pdf(data, **pki.validation_material())

        filename, reports = off_the_event_loop(stored_cover)
        assert filename == f"cover-{system_number}-signed.pdf", filename
        assert [(r.indication, r.signer_organization) for r in reports] == [("TOTAL_PASSED", ENTERPRISE)], reports
        assert reports[0].timestamp_trusted  # Shenbao's TSA vouches for the signing time

        # 5. Submitted with the signed cover, no stamp scan.
        with page.expect_navigation():
            page.click("#sme-submit")
        expect(page.locator("#sme-status")).to_have_text(tr(app, "Waiting for agency confirmation"))
        expect(page.locator(".alert-success", has_text=tr(
            app, "Submitted. Waiting for the evaluation agency to confirm.")).first).to_be_visible()
        shots(page, "submitted")

        # 6. 签署 PDF: any PDF from the computer, signed and saved back; nothing is uploaded.
        from tests.services.test_eseal import one_page_pdf

        contract = tmp_path / "合作协议.pdf"
        contract.write_bytes(one_page_pdf("agreement"))
        page.goto(f"{base}/eseal/")
        with page.expect_navigation():
            page.click("#sign-a-pdf")
        expect(box_status(page)).to_have_text(tr(app, "Signing agent found. Your USB-Key is ready."))
        page.set_input_files("#usbkey-file", str(contract))
        if chooser.is_visible():
            chooser.select_option(chooser.locator("option", has_text=ENTERPRISE).get_attribute("value"))
        with context.expect_page() as popup_info:
            page.click("#usbkey-sign")
        approval = popup_info.value
        approval.wait_for_load_state()
        expect(approval.locator("body")).to_contain_text("合作协议.pdf")
        approval.fill("#pin", pin)
        with page.expect_download() as signed_dl:
            approval.click("button[value=sign]", no_wait_after=True)
        assert signed_dl.value.suggested_filename == "合作协议-signed.pdf", signed_dl.value.suggested_filename
        expect(box_status(page)).to_have_text(tr(app, "Signed. Save the signed PDF with the link below."))
        expect(page.locator("#usbkey-result")).to_be_visible()
        shots(page, "sign-a-pdf-done")
        with open(signed_dl.value.path(), "rb") as fh:
            signed_contract = fh.read()
        assert signed_contract.startswith(contract.read_bytes())  # an incremental update of the chosen file

        def verified(data):
            from app.pki.verify import verify_pdf
            from app.services.eseal import pki

            with app.app_context():
                return [(r.indication, r.signer_organization) for r in verify_pdf(data, **pki.validation_material())]

        assert off_the_event_loop(lambda: verified(signed_contract)) == [("TOTAL_PASSED", ENTERPRISE)]
        context.close()
    finally:
        agent.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
def test_without_the_agent_the_page_says_how_to_install_it_and_the_download_works(app, live_server, browser, shots):
    from playwright.sync_api import expect

    expect.set_options(timeout=20_000)
    base = live_server
    app.config["SIGNER_AGENT_PORT"] = _free_port()  # nothing listens there
    with app.app_context():
        applicant = factories.gen_applicant()
        factories.gen_enterprise(applicant, status="approved", name=ENTERPRISE)
        evaluation = evaluation_without_cover(applicant)
        login, evaluation_id = applicant.mobile, evaluation.id

    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    sign_in(page, base, login)
    for lang in ("zh", "en"):
        page.goto(f"{base}/lang/{lang}")
        page.goto(f"{base}/sme/{evaluation_id}/self-evaluation")
        with app.test_request_context("/"):
            from flask_babel import force_locale, gettext

            with force_locale(lang):
                missing = gettext("The signing agent is not running on this computer. Install and start it to sign "
                                  "with your USB-Key:")
                install = gettext("How to install the signing agent")
                title = gettext("Signing agent for the USB-Key")
        expect(box_status(page)).to_have_text(missing)
        expect(page.locator("#usbkey-sign")).to_be_hidden()
        expect(page.locator("#usbkey-install")).to_have_text(install)
        shots(page, f"cover-step-no-agent-{lang}")
        with page.expect_navigation():
            page.click("#usbkey-install")
        expect(page.locator("h2")).to_have_text(title)
        for system in ("#signer-windows", "#signer-macos", "#signer-linux"):
            expect(page.locator(system)).to_contain_text(f"shenbao-signer --origin {app.config['PUBLIC_BASE_URL']}")
            expect(page.locator(system)).to_contain_text("shenbao_signer-1.0.0.tar.gz")
        shots(page, f"install-page-{lang}")

    with page.expect_download() as download_info:
        page.click("#signer-download")
    download = download_info.value
    assert download.suggested_filename == "shenbao_signer-1.0.0.tar.gz"
    with open(download.path(), "rb") as fh, tarfile.open(fileobj=io.BytesIO(fh.read())) as tar:
        names = tar.getnames()
    assert "shenbao_signer-1.0.0/pyproject.toml" in names
    assert "shenbao_signer-1.0.0/shenbao_signer/server.py" in names
    context.close()
