"""The local signing agent over real HTTP: who may talk to it, pairing, the PIN prompt, the result."""
from __future__ import annotations

import base64
import http.client
import json
import os
import socket
import subprocess
import sys
import time
from urllib.parse import urlsplit

import pytest

from app.pki.verify import verify_pdf
from tests.foreign_tokens import PIN, make_foreign_token
from tests.pki_support import SOFTHSM_MODULE
from tests.services.test_eseal import one_page_pdf

SHENBAO = "https://shenbao.example.cn"


class Agent:
    def __init__(self, proc: subprocess.Popen, origin: str, code: str, site: str = SHENBAO) -> None:
        self.proc, self.origin, self.code, self.site = proc, origin, code, site
        self.port = urlsplit(origin).port

    def call(self, method: str, path: str, body: bytes | None = None, **headers: str) -> tuple[int, dict, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers={k.replace("_", "-"): v for k, v in headers.items()})
            response = conn.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            conn.close()

    def api(self, method: str, path: str, payload: dict | None = None, **headers: str) -> tuple[int, dict, dict]:
        headers.setdefault("Origin", self.site)
        headers.setdefault("X_Shenbao_Pairing", self.code)
        body = json.dumps(payload).encode() if payload is not None else None
        status, head, raw = self.call(method, path, body, Content_Type="application/json", **headers)
        return status, head, json.loads(raw or b"{}")


@pytest.fixture
def foreign(pkcs11_lib, tmp_path):
    return make_foreign_token(pkcs11_lib, tmp_path / "ca", "rsa2048", chain_on_token=True)


@pytest.fixture
def agent(foreign, tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "shenbao_signer", "--config-dir", str(tmp_path / "cfg"),
                             "--module", SOFTHSM_MODULE, "--origin", SHENBAO, "--port", "0", "--no-timestamp"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ))
    lines = [proc.stdout.readline().strip() for _ in range(3)]
    origin = lines[0].removeprefix("listening on ")
    code = lines[2].removeprefix("pairing code: ")
    assert origin.startswith("http://127.0.0.1:") and code, lines
    yield Agent(proc, origin, code)
    proc.terminate()
    proc.wait(timeout=10)


def _sign_request(agent: Agent, pdf: bytes, token_label: str) -> dict:
    # The test session's SoftHSM holds many tokens: pick ours, as the page lets the user choose.
    _s, _h, listed = agent.api("GET", "/v1/certificates")
    (cert_id,) = [c["id"] for c in listed["certificates"] if c["token"] == token_label]
    status, head, body = agent.api("POST", "/v1/sign", {"document_name": "封面.pdf", "certificate": cert_id,
                                                        "pdf": base64.b64encode(pdf).decode()})
    assert status == 202, body
    assert head["access-control-allow-origin"] == SHENBAO
    return body


def _approve(agent: Agent, approve_url: str, pin: str) -> str:
    path = urlsplit(approve_url).path
    status, _h, page = agent.call("GET", path)
    page = page.decode()
    assert status == 200 and "封面.pdf" in page
    token = page.split("name='token' value='")[1].split("'")[0]
    form = f"token={token}&pin={pin}&action=sign".encode()
    status, _h, page = agent.call("POST", path, form, Origin=agent.origin,
                                  Content_Type="application/x-www-form-urlencoded")
    assert status == 200
    return page.decode()


def _poll(agent: Agent, request_id: str) -> dict:
    for _ in range(100):
        _s, _h, body = agent.api("GET", f"/v1/sign/{request_id}")
        if body["state"] != "pending":
            return body
        time.sleep(0.1)
    raise AssertionError("still pending")


def test_the_paired_page_signs_after_the_user_approves_locally(agent, foreign):
    status, head, body = agent.api("GET", "/v1/certificates")
    assert status == 200
    (cert,) = [c for c in body["certificates"] if c["token"] == foreign.label]
    assert cert["subject"] == "外省测试有限公司" and cert["key"] == "RSA 2048"
    pdf = one_page_pdf("agent")
    opened = _sign_request(agent, pdf, foreign.label)
    assert opened["approve_url"].startswith(agent.origin + "/approve/")
    _s, _h, pending = agent.api("GET", f"/v1/sign/{opened['request']}")
    assert pending == {"state": "pending"}
    page = _approve(agent, opened["approve_url"], PIN)
    assert "已签章" in page
    result = _poll(agent, opened["request"])
    signed = base64.b64decode(result["state"] == "done" and result["pdf"])
    assert signed.startswith(pdf)  # an incremental update of the very PDF the page sent
    (report,) = verify_pdf(signed, trust_roots=[foreign.root])
    assert report.indication == "TOTAL_PASSED" and report.signer_organization == "外省测试有限公司"


def test_a_wrong_pin_fails_the_request_once_and_is_not_retried(agent, foreign):
    opened = _sign_request(agent, one_page_pdf("pin"), foreign.label)
    page = _approve(agent, opened["approve_url"], "0000-0000")
    assert "Wrong PIN" in page and 'role=\'alert\'' in page
    result = _poll(agent, opened["request"])
    assert result["state"] == "failed" and result["error"] == "pin_incorrect"
    # Posting again (a double click, or a page replaying the form) does not try another PIN.
    path = urlsplit(opened["approve_url"]).path
    token_page = agent.call("GET", path)[2].decode()
    assert "name='pin'" not in token_page  # no PIN field on a decided request


def test_other_origins_and_unpaired_callers_are_refused(agent, foreign):
    status, head, _b = agent.call("OPTIONS", "/v1/sign", Origin="https://evil.example",
                                  Access_Control_Request_Method="POST")
    assert status == 403 and "access-control-allow-origin" not in head
    status, _h, _b = agent.call("GET", "/v1/certificates", Origin="https://evil.example",
                                X_Shenbao_Pairing=agent.code)
    assert status == 403
    status, _h, body = agent.api("GET", "/v1/certificates", X_Shenbao_Pairing="guess")
    assert status == 401 and body["error"] == "pairing_required"
    status, _h, body = agent.api("POST", "/v1/sign", {"pdf": base64.b64encode(b"%PDF-1.4").decode()},
                                 X_Shenbao_Pairing="")
    assert status == 401
    # A page of another site cannot approve in the user's place (a cross-site form post).
    opened = _sign_request(agent, one_page_pdf("csrf"), foreign.label)
    status, _h, _b = agent.call("POST", urlsplit(opened["approve_url"]).path, b"token=x&pin=1&action=sign",
                                Origin="https://evil.example", Content_Type="application/x-www-form-urlencoded")
    assert status == 403
    # DNS rebinding: a foreign host name pointing at 127.0.0.1 is not the agent's origin.
    status, _h, _b = agent.call("GET", "/v1/status", Host="attacker.example")
    assert status == 403


def test_preflight_answers_private_network_access(agent):
    status, head, _b = agent.call("OPTIONS", "/v1/sign", Origin=SHENBAO, Access_Control_Request_Method="POST",
                                  Access_Control_Request_Headers="content-type,x-shenbao-pairing",
                                  Access_Control_Request_Private_Network="true")
    assert status == 204
    assert head["access-control-allow-origin"] == SHENBAO
    assert head["access-control-allow-private-network"] == "true"
    assert "X-Shenbao-Pairing" in head["access-control-allow-headers"]
    status, head, body = agent.api("GET", "/v1/status", X_Shenbao_Pairing="")
    assert status == 200 and body["agent"] == "shenbao-signer" and body["origin"] == SHENBAO


def test_the_agent_listens_on_loopback_only(agent):
    addresses = {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
    outside = [a for a in addresses if not a.startswith("127.")]
    listening = subprocess.run(["ss", "-Hltnp"], capture_output=True, text=True).stdout
    ours = [line for line in listening.splitlines() if f"pid={agent.proc.pid}," in line]
    assert ours and all(f"127.0.0.1:{agent.port}" in line for line in ours), ours
    for address in outside:
        with pytest.raises(OSError):
            socket.create_connection((address, agent.port), timeout=2).close()


def test_bad_input_gets_a_clear_answer(agent):
    status, _h, body = agent.api("POST", "/v1/sign", {"document_name": "x.pdf", "pdf": "not base64!"})
    assert status == 400 and body["error"] == "bad_pdf"
    status, _h, body = agent.api("POST", "/v1/sign", {"pdf": base64.b64encode(b"GIF89a").decode()})
    assert status == 400
    status, _h, body = agent.api("GET", "/v1/sign/nonexistent-request")
    assert status == 404
