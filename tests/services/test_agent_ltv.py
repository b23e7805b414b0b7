"""The agent's signatures carry Shenbao's timestamp and the revocation data (PAdES B-LT), so a
document signed before the key was revoked stays valid at signing time — for Shenbao's report
and for pdfsig."""
from __future__ import annotations

import base64
import subprocess
import sys

from app.services.eseal import issued_documents, seal_keys
from tests.services.test_eseal import applicant, one_page_pdf, operator, produced_key  # noqa: F401 - fixtures
from tests.services.test_ltv import ca_files, live_server, next_second  # noqa: F401 - fixtures
from tests.services.test_signer_agent import Agent, _approve, _poll
from tests.pki_support import SOFTHSM_MODULE


def _start_agent(origin: str, config_dir) -> Agent:
    proc = subprocess.Popen([sys.executable, "-m", "shenbao_signer", "--config-dir", str(config_dir),
                             "--module", SOFTHSM_MODULE, "--origin", origin, "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = [proc.stdout.readline().strip() for _ in range(3)]
    return Agent(proc, lines[0].removeprefix("listening on "), lines[2].removeprefix("pairing code: "), origin)


def test_an_agent_signature_outlives_the_revocation_of_its_key(ca_files, applicant, operator, tmp_path):
    key, pin = produced_key(applicant, operator)  # its certificate points at the live server
    agent = _start_agent(ca_files["url"], tmp_path / "cfg")
    try:
        _s, _h, listed = agent.api("GET", "/v1/certificates")
        (cert_id,) = [c["id"] for c in listed["certificates"] if c["token"] == key.token_label]
        status, _h, opened = agent.api("POST", "/v1/sign", {"document_name": "封面.pdf", "certificate": cert_id,
                                                            "pdf": base64.b64encode(one_page_pdf("ltv")).decode()})
        assert status == 202, opened
        assert "已签章" in _approve(agent, opened["approve_url"], pin)
        result = _poll(agent, opened["request"])
        assert result["state"] == "done", result
    finally:
        agent.proc.terminate()
        agent.proc.wait(timeout=10)
    signed = base64.b64decode(result["pdf"])
    assert b"/DSS" in signed
    (report,) = issued_documents.verify(signed).reports
    assert report.timestamp_trusted and report.has_validation_data and report.indication == "TOTAL_PASSED"

    next_second()
    seal_keys.revoke(applicant, key.id, "key_compromise")
    (after,) = issued_documents.verify(signed).reports
    assert after.revoked and after.valid_at_signing_time and after.indication == "TOTAL_PASSED"
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed)
    pdfsig = subprocess.run(["pdfsig", "-nssdir", f"sql:{ca_files['nss']}", str(path)], capture_output=True, text=True)
    assert "Signature is Valid." in pdfsig.stdout, pdfsig.stdout
