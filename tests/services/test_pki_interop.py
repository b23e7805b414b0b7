"""The platform's certificates, CRLs and OCSP answers as independent clients read them:
``openssl x509``, ``openssl verify`` and ``openssl ocsp`` against the app served over HTTP."""
from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
import urllib.parse
import urllib.request

import pytest
from asn1crypto import ocsp, pem, x509

from app.extensions import db
from app.pki import oids
from app.pki import token as tk
from app.services.eseal import pki, seal_keys
from models import Enterprise
from tests.browser.conftest import live_server  # noqa: F401  (fixture)
from tests.services.test_eseal import applicant, one_page_pdf, operator, produced_key  # noqa: F401  (fixtures)

pytestmark = pytest.mark.parametrize("app", ["sqlite"], indirect=True)

OPENSSL = shutil.which("openssl")


@pytest.fixture(autouse=True)
def _needs_openssl():
    if OPENSSL is None:
        pytest.skip("openssl is not installed (apt-get install openssl)")


def openssl(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([OPENSSL, *args], capture_output=True, text=True, timeout=60)


def write_pem(path, der: bytes, kind: str = "CERTIFICATE"):
    path.write_bytes(pem.armor(kind, der))
    return str(path)


@pytest.fixture
def issued(applicant, operator, tmp_path):  # noqa: F811  (fixtures imported above)
    """A USB-Key produced through the service, its certificate and the CA files as PEM."""
    key, pin = produced_key(applicant, operator)
    authority = pki.ensure_ca()
    cert_row = seal_keys.current_certificate(key)
    files = {
        "user": write_pem(tmp_path / "user.pem", cert_row.der),
        "issuing": write_pem(tmp_path / "issuing.pem", authority.issuing.dump()),
        "root": write_pem(tmp_path / "root.pem", authority.root.dump()),
        "docsign": write_pem(tmp_path / "docsign.pem", authority.docsign.dump()),
    }
    return key, pin, cert_row, files


def ocsp_check(files: dict, url: str, *target: str) -> str:
    done = openssl("ocsp", "-issuer", files["issuing"], *target, "-url", f"{url}/ocsp", "-CAfile", files["root"],
                   "-resp_text")
    return done.stdout + done.stderr


def test_openssl_reads_the_usb_key_certificate_profile(app, issued):
    key, _pin, cert_row, files = issued
    enterprise = db.session.get(Enterprise, key.enterprise_id)
    text = openssl("x509", "-in", files["user"], "-noout", "-text", "-nameopt", "multiline,utf8,-esc_msb").stdout
    base = app.config["PUBLIC_BASE_URL"].rstrip("/")
    assert "Authority Information Access" in text
    assert f"OCSP - URI:{base}/ocsp" in text
    assert f"CA Issuers - URI:{base}/verify/ca/issuing.crt" in text
    assert "X509v3 Certificate Policies" in text and f"Policy: {oids.POLICY_ESEAL}" in text
    assert "X509v3 CRL Distribution Points" in text and f"URI:{base}/verify/crl/issuing.crl" in text
    assert f"organizationIdentifier    = NTRCN-{enterprise.credit_code}" in text
    assert f"serialNumber              = {enterprise.credit_code}" in text
    assert f"organizationName          = {enterprise.name}" in text
    serial = openssl("x509", "-in", files["user"], "-noout", "-serial").stdout.strip().split("=")[1]
    assert int(serial, 16).bit_length() >= 64 and int(serial, 16) == int(cert_row.serial, 16)
    # The issuing CA points at the root's certificate, the document-signing one at the OCSP responder.
    issuing = openssl("x509", "-in", files["issuing"], "-noout", "-text").stdout
    assert f"CA Issuers - URI:{base}/verify/ca/root.crt" in issuing and "OCSP - URI" not in issuing
    assert all(f"Policy: {oid}" in issuing for oid in (oids.POLICY_ESEAL, oids.POLICY_DOCSIGN, oids.POLICY_TSU))
    docsign = openssl("x509", "-in", files["docsign"], "-noout", "-text").stdout
    assert f"OCSP - URI:{base}/ocsp" in docsign and f"Policy: {oids.POLICY_DOCSIGN}" in docsign


def test_the_caissuers_address_serves_the_ca_certificate(app, issued):
    client = app.test_client()
    for role, cert in (("issuing", pki.ensure_ca().issuing), ("root", pki.ensure_ca().root)):
        answer = client.get(f"/verify/ca/{role}.crt")
        assert answer.status_code == 200 and answer.mimetype == "application/pkix-cert"
        assert answer.data == cert.dump()
    assert client.get("/verify/ca/docsign.crt").status_code == 404


def test_openssl_verify_with_crls_and_the_explicit_eseal_policy(app, issued, tmp_path):
    _key, _pin, _row, files = issued
    client = app.test_client()
    crls = [write_pem(tmp_path / f"{role}.crl", client.get(f"/verify/crl/{role}.crl").data, "X509 CRL")
            for role in ("root", "issuing")]
    done = openssl("verify", "-x509_strict", "-crl_check_all", "-CAfile", files["root"], "-untrusted", files["issuing"],
                   "-CRLfile", crls[0], "-CRLfile", crls[1],
                   "-policy_check", "-explicit_policy", "-policy", oids.POLICY_ESEAL, files["user"])
    assert done.returncode == 0 and done.stdout.strip().endswith(": OK"), done.stdout + done.stderr


def test_openssl_ocsp_good_then_revoked_unknown_and_the_docsign_certificate(app, applicant, issued,  # noqa: F811
                                                                           live_server):
    key, _pin, _row, files = issued
    out = ocsp_check(files, live_server, "-cert", files["user"])
    assert f"{files['user']}: good" in out and "Response verify OK" in out, out
    assert "WARNING: no nonce" not in out and "Nonce" in out  # the nonce openssl sent came back
    assert "This Update:" in out and "Next Update:" in out

    seal_keys.revoke(applicant, key.id, "key_compromise")
    out = ocsp_check(files, live_server, "-cert", files["user"])
    assert f"{files['user']}: revoked" in out and "Reason: keyCompromise" in out and "Response verify OK" in out, out
    assert "Revocation Time:" in out

    out = ocsp_check(files, live_server, "-serial", "0x1234")
    assert "0x1234: unknown" in out and "Response verify OK" in out, out

    out = ocsp_check(files, live_server, "-cert", files["docsign"])
    assert f"{files['docsign']}: good" in out and "Response verify OK" in out, out


def test_a_suspended_key_is_on_hold_in_the_ocsp_answer(app, applicant, operator, live_server, tmp_path):  # noqa: F811
    import datetime as dt

    key, _pin = produced_key(applicant, operator)
    files = {"user": write_pem(tmp_path / "user.pem", seal_keys.current_certificate(key).der),
             "issuing": write_pem(tmp_path / "issuing.pem", pki.ensure_ca().issuing.dump()),
             "root": write_pem(tmp_path / "root.pem", pki.ensure_ca().root.dump())}
    end = key.paid_until
    seal_keys.fee_tick(end + dt.timedelta(days=1))
    assert seal_keys.fee_tick(end + dt.timedelta(days=31))["suspended"] == 1
    out = ocsp_check(files, live_server, "-cert", files["user"])
    assert f"{files['user']}: revoked" in out and "Reason: certificateHold" in out, out


def _post(url: str, body: bytes, content_type: str = "application/ocsp-request"):
    request = urllib.request.Request(url, data=body, headers={"Content-Type": content_type}, method="POST")
    with urllib.request.urlopen(request, timeout=30) as answer:
        return answer.status, answer.headers.get_content_type(), answer.read()


def test_garbage_is_a_malformed_request_not_an_error_page(live_server):  # noqa: F811
    for body in (b"hello", b"\x30\x03\x02\x01", b"", b"\x30" * 20000):
        status, mimetype, data = _post(f"{live_server}/ocsp", body)
        assert (status, mimetype) == (200, "application/ocsp-response")
        assert ocsp.OCSPResponse.load(data)["response_status"].native == "malformed_request"
    with urllib.request.urlopen(f"{live_server}/ocsp/not-base64!", timeout=30) as answer:
        assert ocsp.OCSPResponse.load(answer.read())["response_status"].native == "malformed_request"


def test_a_get_request_is_answered_like_a_post(app, issued, live_server, tmp_path):  # noqa: F811
    _key, _pin, row, files = issued
    request_file = tmp_path / "req.der"
    done = openssl("ocsp", "-issuer", files["issuing"], "-cert", files["user"], "-no_nonce", "-reqout", str(request_file))
    assert done.returncode == 0, done.stderr
    encoded = urllib.parse.quote(base64.b64encode(request_file.read_bytes()).decode(), safe="")
    with urllib.request.urlopen(f"{live_server}/ocsp/{encoded}", timeout=30) as answer:
        assert answer.headers.get_content_type() == "application/ocsp-response"
        response_file = tmp_path / "resp.der"
        response_file.write_bytes(answer.read())
    done = openssl("ocsp", "-respin", str(response_file), "-issuer", files["issuing"], "-cert", files["user"],
                   "-CAfile", files["root"])
    assert f"{files['user']}: good" in done.stdout and "Response verify OK" in done.stderr, done.stdout + done.stderr


def test_the_verify_page_shows_company_name_and_credit_code_for_a_usb_key_signature(app, issued, pkcs11_lib):
    from app.pki.signer import TokenSigner, sign_pdf
    from tests.conftest import csrf_from

    key, pin, row, _files = issued
    enterprise = db.session.get(Enterprise, key.enterprise_id)
    with tk.TokenSession(pkcs11_lib, key.token_label, pin) as session:
        signer = TokenSigner(session, key_id=bytes.fromhex(key.key_ref), signing_cert=x509.Certificate.load(row.der),
                             chain=[pki.ensure_ca().issuing])
        signed = sign_pdf(one_page_pdf("cover"), signer, field_name="Enterprise")
    anonymous = app.test_client()
    token = csrf_from(anonymous.get("/verify/").data)
    page = anonymous.post("/verify/", data={"csrf_token": token, "document": (io.BytesIO(signed), "signed.pdf")},
                          content_type="multipart/form-data").data.decode()
    signer_cell = re.search(r'class="verify-signer">([^<]*)<', page).group(1)
    assert signer_cell == f"{enterprise.name} · {enterprise.credit_code}"
    assert "NTRCN" not in page and "organizationIdentifier" not in page.lower().replace("_", "")


def test_an_embeddable_ocsp_answer_is_enough_for_a_hard_fail_validator(app, applicant, issued):  # noqa: F811
    """ocsp_response_for (what a signer embeds for long-term validation) satisfies
    pyhanko-certvalidator in hard-fail mode with no CRL of the issuing CA; after revocation the
    next answer makes it refuse."""
    import asyncio

    from asn1crypto import crl
    from pyhanko_certvalidator import CertificateValidator, ValidationContext
    from pyhanko_certvalidator.errors import RevokedError

    from app.services.eseal.ocsp import ocsp_response_for

    key, _pin, row, _files = issued
    authority = pki.ensure_ca()
    cert = x509.Certificate.load(row.der)
    root_crl = crl.CertificateList.load(pki.current_crl(pki.ROOT))

    def validate(answer: bytes):
        context = ValidationContext(trust_roots=[authority.root], other_certs=[authority.issuing], crls=[root_crl],
                                    ocsps=[answer], allow_fetching=False, revocation_mode="hard-fail")
        validator = CertificateValidator(cert, validation_context=context)
        return asyncio.run(validator.async_validate_usage({"digital_signature", "non_repudiation"}))

    answer = ocsp.OCSPResponse.load(ocsp_response_for(cert))
    assert answer["response_status"].native == "successful"
    assert answer.basic_ocsp_response["tbs_response_data"]["response_extensions"].native is None  # no nonce
    assert validate(answer.dump()).leaf == cert
    seal_keys.revoke(applicant, key.id, "key_compromise")
    with pytest.raises(RevokedError):
        validate(ocsp_response_for(cert))
    # A certificate of another issuer (the root's own) is unknown, never good.
    foreign = ocsp.OCSPResponse.load(ocsp_response_for(authority.issuing))
    assert foreign.basic_ocsp_response["tbs_response_data"]["responses"][0]["cert_status"].name == "unknown"
