"""Long-term validation: the platform's RFC 3161 time-stamp authority, PAdES B-LT/B-LTA
certificates, "valid at signing time" after a later revocation, and the document-timestamp
renewal job — checked with independent clients (pdfsig, openssl ts, openssl cms, curl)."""
from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import threading
import time

import pytest
from asn1crypto import cms, tsp, x509
from pyhanko.pdf_utils.reader import PdfFileReader
from werkzeug.serving import make_server

from app.pki.oids import TSA_POLICY
from app.pki.signer import TokenSigner, sign_pdf
from app.extensions import db
from app.pki import token as tk
from app.services.eseal import issued_documents, ltv, pki, seal_keys
from app.services.eseal.timestamps import platform_timestamper
from tests.services.test_eseal import applicant, one_page_pdf, operator, produced_key  # noqa: F401 - fixtures

pytestmark = pytest.mark.parametrize("app", ["sqlite"], indirect=True)


def issue(number="LT2026000001"):
    return issued_documents.issue(kind="template", number=number, title="证明", holder_name="测试企业有限公司",
                                  credit_code="", paragraphs=["兹证明。"])


def pem(cert: x509.Certificate) -> str:
    import base64

    body = base64.encodebytes(cert.dump()).decode().replace("\n", "")
    lines = "\n".join(body[i:i + 64] for i in range(0, len(body), 64))
    return f"-----BEGIN CERTIFICATE-----\n{lines}\n-----END CERTIFICATE-----\n"


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def ca_files(app, pkcs11_lib, tmp_path, live_server):
    """A platform CA of this test (its own token) whose certificates point at ``live_server``
    (CRLs, CA certificates, OCSP), so that NSS and openssl can fetch what they look for; its
    root and issuing CA as PEM files, and an NSS database trusting the root."""
    import uuid

    app.config.update(PUBLIC_BASE_URL=live_server, CA_TOKEN_LABEL=f"ltv-{uuid.uuid4().hex[:12]}")
    authority = pki.ensure_ca()
    root, issuing = tmp_path / "root.pem", tmp_path / "issuing.pem"
    root.write_text(pem(authority.root))
    issuing.write_text(pem(authority.issuing))
    nss = tmp_path / "nss"
    nss.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True)
    subprocess.run(["certutil", "-A", "-n", "root", "-t", "CT,C,C", "-i", str(root), "-d", f"sql:{nss}"], check=True)
    return {"root": root, "issuing": issuing, "nss": nss, "dir": tmp_path, "url": live_server}


def run(*args, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, **kw)


def signature_timestamp(pdf: bytes) -> tuple[cms.ContentInfo, bytes, bytes]:
    """(timestamp token, signature value it stamps, signature CMS) of the first signature."""
    sig = PdfFileReader(io.BytesIO(pdf)).embedded_regular_signatures[0]
    signer_info = sig.signed_data["signer_infos"][0]
    tokens = [a["values"][0] for a in signer_info["unsigned_attrs"] if a["type"].native == "signature_time_stamp_token"]
    assert len(tokens) == 1, "the signature carries no RFC 3161 timestamp"
    return tokens[0], signer_info["signature"].native, sig.pkcs7_content


# --- platform-issued certificates: B-LTA, checked by independent clients ----------------------

def test_issued_certificate_carries_timestamp_and_validation_data(app, ca_files):
    pdf = issued_documents.pdf_bytes(issue())
    path = ca_files["dir"] / "issued.pdf"
    path.write_bytes(pdf)
    # poppler/NSS: the platform's signature is valid and trusted (NSS asks the platform's OCSP
    # responder named in the certificate); the document timestamp after it is listed with the
    # TSA's name.
    out = run("pdfsig", "-nssdir", f"sql:{ca_files['nss']}", path).stdout
    first, second = out.split("Signature #2:")
    assert "Signature Validation: Signature is Valid." in first
    assert "Certificate Validation: Certificate is Trusted." in first
    assert "时间戳服务" in second
    # The signature timestamp verifies with openssl against the platform root.
    token, signature_value, signature_cms = signature_timestamp(pdf)
    (ca_files["dir"] / "tst.der").write_bytes(token.dump())
    (ca_files["dir"] / "sigvalue.bin").write_bytes(signature_value)
    verified = run("openssl", "ts", "-verify", "-in", ca_files["dir"] / "tst.der", "-token_in",
                   "-data", ca_files["dir"] / "sigvalue.bin", "-CAfile", ca_files["root"],
                   "-untrusted", ca_files["issuing"])
    assert "Verification: OK" in verified.stdout, verified.stderr
    text = run("openssl", "ts", "-reply", "-in", ca_files["dir"] / "tst.der", "-token_in", "-text").stdout
    assert f"Policy OID: {TSA_POLICY}" in text and "Accuracy: 0x01 seconds" in text
    # The CMS carries the token as an unsigned attribute; the file has a document security store.
    (ca_files["dir"] / "sig.der").write_bytes(signature_cms)
    printed = run("openssl", "cms", "-cmsout", "-print", "-inform", "der", "-in", ca_files["dir"] / "sig.der").stdout
    assert "unsignedAttrs:" in printed and "id-smime-aa-timeStampToken" in printed
    assert b"/DSS" in pdf and b"/CRLs" in pdf and b"/OCSPs" in pdf
    # The platform's own report says the same.
    (report,) = issued_documents.verify(pdf).reports
    assert report.indication == "TOTAL_PASSED"
    assert report.timestamp_trusted and report.timestamp_authority == app.config["CA_NAME"]
    assert abs(report.timestamp_time - report.signing_time) < dt.timedelta(seconds=5)
    assert report.has_validation_data and report.document_timestamps == 1


def test_tsa_certificate_is_for_time_stamping_only(app, pkcs11_lib):
    from app.pki.oids import POLICY_TSU

    tsa = pki.ensure_ca().tsa
    eku = next(e for e in tsa["tbs_certificate"]["extensions"] if e["extn_id"].native == "extended_key_usage")
    assert eku["critical"].native is True and eku["extn_value"].native == ["time_stamping"]
    assert [p["policy_identifier"].dotted for p in tsa.certificate_policies_value] == [POLICY_TSU]
    assert tsa.key_usage_value.native == {"digital_signature", "non_repudiation"}
    assert tsa.issuer == pki.ensure_ca().issuing.subject


# --- the TSA over HTTP ------------------------------------------------------------------------

def post_query(url: str, query_file, reply_file) -> None:
    result = run("curl", "-sS", "--fail", "-H", "Content-Type: application/timestamp-query",
                 "--data-binary", f"@{query_file}", "-o", reply_file, "-w", "%{content_type}", f"{url}/tsa")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "application/timestamp-reply"


def test_tsa_answers_openssl_over_http(ca_files):
    live_server = ca_files["url"]
    folder = ca_files["dir"]
    data = folder / "data.txt"
    data.write_text("申报 document to stamp\n")
    for cert_req in (True, False):
        query, reply = folder / f"q{cert_req}.tsq", folder / f"r{cert_req}.tsr"
        run("openssl", "ts", "-query", "-data", data, "-sha256", *(["-cert"] if cert_req else []), "-out", query,
            check=True)
        post_query(live_server, query, reply)
        untrusted = ca_files["issuing"]
        if not cert_req:  # no certificates in the token (RFC 3161 §2.4.1): the client brings the TSA's
            untrusted = folder / "chain.pem"
            untrusted.write_text(pem(pki.ensure_ca().tsa) + ca_files["issuing"].read_text())
        verified = run("openssl", "ts", "-verify", "-queryfile", query, "-in", reply, "-CAfile", ca_files["root"],
                       "-untrusted", untrusted)
        assert "Verification: OK" in verified.stdout, verified.stdout + verified.stderr
        token = tsp.TimeStampResp.load(reply.read_bytes())["time_stamp_token"]
        assert bool(token["content"]["certificates"].native) is cert_req
    # The nonce is echoed and serials are unique and long.
    texts = [run("openssl", "ts", "-reply", "-in", folder / f"r{c}.tsr", "-text").stdout for c in (True, False)]
    serials = {re.search(r"Serial number: 0x([0-9A-F]+)", t).group(1) for t in texts}
    assert len(serials) == 2 and all(len(s) >= 16 for s in serials)
    assert all(re.search(r"Nonce: 0x[0-9A-F]+", t) for t in texts)


def test_bad_tsa_requests_get_a_rejection_not_an_error(client, app, pkcs11_lib, tmp_path):
    def status_of(body: bytes) -> tuple[str, str]:
        """(status, failure info) as openssl reads the reply."""
        response = client.post("/tsa/", data=body, content_type="application/timestamp-query")
        assert response.status_code == 200 and response.mimetype == "application/timestamp-reply"
        (tmp_path / "reply.tsr").write_bytes(response.data)
        text = run("openssl", "ts", "-reply", "-in", tmp_path / "reply.tsr", "-text").stdout
        return (re.search(r"Status: (.*)", text).group(1).strip(),
                re.search(r"Failure info: (.*)", text).group(1).strip())

    assert status_of(b"not a request") == ("Rejected.", "transaction not permitted or supported")  # badRequest
    assert status_of(b"") == ("Rejected.", "transaction not permitted or supported")  # badRequest
    data = tmp_path / "d.txt"
    data.write_text("x")
    query = tmp_path / "sha1.tsq"
    run("openssl", "ts", "-query", "-data", data, "-sha1", "-out", query, check=True)
    assert status_of(query.read_bytes()) == ("Rejected.", "unrecognized or unsupported algorithm identifier")
    run("openssl", "ts", "-query", "-data", data, "-sha256", "-tspolicy", "1.2.3.4", "-out", query, check=True)
    assert status_of(query.read_bytes()) == ("Rejected.", "the requested TSA policy is not supported by the TSA")
    run("openssl", "ts", "-query", "-data", data, "-sha256", "-tspolicy", TSA_POLICY, "-out", query, check=True)
    assert status_of(query.read_bytes())[0] == "Granted."


# --- valid at signing time --------------------------------------------------------------------

def sign_with_usb_key(key, pin, pkcs11_lib, pdf: bytes) -> bytes:
    """The enterprise signs with its USB-Key, timestamped by the platform's TSA, with the
    validation data embedded (B-LT), as the local signing agent does."""
    authority = pki.ensure_ca()
    cert = x509.Certificate.load(seal_keys.current_certificate(key).der)
    with tk.TokenSession(pkcs11_lib, key.token_label, pin) as session, pki.ca_session() as ca:
        signer = TokenSigner(session, key_id=bytes.fromhex(key.key_ref), signing_cert=cert,
                             chain=[authority.issuing])
        return sign_pdf(pdf, signer, field_name="Enterprise", timestamper=platform_timestamper(ca))


def next_second() -> None:
    """CRL revocation times and TSA times have one-second resolution: step past the current one."""
    time.sleep(1.05 - (time.time() % 1))


def upload_report(client, pdf: bytes) -> str:
    from tests.conftest import csrf_from

    page = client.get("/verify/")
    response = client.post("/verify/", data={"csrf_token": csrf_from(page.data),
                                             "document": (io.BytesIO(pdf), "signed.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_signature_timestamped_before_revocation_stays_valid_at_signing_time(applicant, operator, pkcs11_lib,
                                                                            client):
    key, pin = produced_key(applicant, operator)
    signed = sign_with_usb_key(key, pin, pkcs11_lib, one_page_pdf("contract"))
    next_second()
    seal_keys.revoke(applicant, key.id, "key_compromise")
    result = issued_documents.verify(signed)
    (report,) = result.reports
    assert report.revoked and report.valid_at_signing_time
    assert result.indication == "TOTAL_PASSED" and report.indication == "TOTAL_PASSED"
    assert report.timestamp_trusted and report.timestamp_time is not None
    page = upload_report(client, signed)
    assert "在签署时有效" in page
    shown = (report.timestamp_time.astimezone(dt.timezone(dt.timedelta(hours=8)))).strftime("%Y-%m-%d %H:%M:%S")
    assert shown in page and "时间戳服务机构" in page
    assert "签署后被吊销" in page


def test_signature_timestamped_after_revocation_is_invalid(applicant, operator, pkcs11_lib, client):
    key, pin = produced_key(applicant, operator)
    seal_keys.revoke(applicant, key.id, "key_compromise")
    next_second()
    signed = sign_with_usb_key(key, pin, pkcs11_lib, one_page_pdf("contract"))
    result = issued_documents.verify(signed)
    (report,) = result.reports
    assert result.indication == "TOTAL_FAILED" and report.sub_indication == "REVOKED"
    assert not report.valid_at_signing_time and report.timestamp_trusted
    page = upload_report(client, signed)
    assert "在签署时有效" not in page and "签章证书已被吊销" in page


def test_signature_timestamped_before_the_certificate_expired_stays_valid_at_signing_time(app, pkcs11_lib):
    import uuid

    from tests.pki_support import SO_PIN, USER_PIN

    label = f"exp-{uuid.uuid4().hex[:12]}"
    tk.init_token(pkcs11_lib, label, SO_PIN, USER_PIN)
    not_after = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) + dt.timedelta(seconds=4)
    with tk.TokenSession(pkcs11_lib, label, USER_PIN) as session:
        spki = session.generate_ec_key(b"k", "k")
        cert = pki.issue_key_certificate(subject_name="短期证书测试有限公司", credit_code="91110000MA01ABCD2X",
                                         public_key_info=spki, not_after=not_after)
        with pki.ca_session() as ca:
            signer = TokenSigner(session, key_id=b"k", signing_cert=cert, chain=[pki.ensure_ca().issuing])
            signed = sign_pdf(one_page_pdf("contract"), signer, field_name="Enterprise",
                              timestamper=platform_timestamper(ca))
        unstamped = sign_pdf(one_page_pdf("contract"), signer, field_name="Enterprise")
    time.sleep(max(0.0, (not_after - dt.datetime.now(dt.timezone.utc)).total_seconds()) + 1.1)
    (report,) = issued_documents.verify(signed).reports
    assert report.indication == "TOTAL_PASSED" and report.valid_at_signing_time
    assert report.timestamp_time < not_after
    (report,) = issued_documents.verify(unstamped).reports  # no timestamp, no proof
    assert report.indication != "TOTAL_PASSED" and report.sub_indication == "EXPIRED"


# --- renewal of document timestamps -----------------------------------------------------------

def test_job_adds_a_document_timestamp_before_the_tsa_certificate_expires(app, pkcs11_lib):
    from pyhanko.sign.validation import validate_pdf_timestamp
    from pyhanko_certvalidator import ValidationContext

    from app.jobs import document_timestamp_job

    document = issue()
    before = issued_documents.pdf_bytes(document)
    tsa_expiry = pki.ensure_ca().tsa.not_valid_after
    assert document_timestamp_job(app) == {"checked": 1, "renewed": 0, "failed": 0}  # years away
    # Run on a day within TSA_RENEW_DAYS of the TSA certificate's expiry.
    day = tsa_expiry - dt.timedelta(days=int(app.config["TSA_RENEW_DAYS"]) - 1)
    assert document_timestamp_job(app, clock=lambda: day) == {"checked": 1, "renewed": 1, "failed": 0}
    db.session.expire_all()  # the job ran in its own app context and session
    after = issued_documents.pdf_bytes(document)
    assert after.startswith(before) and len(after) > len(before)
    reader = PdfFileReader(io.BytesIO(after))
    stamps = reader.embedded_timestamp_signatures
    assert len(stamps) == 2 and b"/DocTimeStamp" in after[len(before):]
    material = pki.validation_material()
    status = validate_pdf_timestamp(stamps[-1], validation_context=ValidationContext(
        trust_roots=material["trust_roots"], other_certs=material["other_certs"], crls=material["crls"],
        allow_fetching=False, revocation_mode="hard-fail"))
    assert status.intact and status.valid and status.trusted
    result = issued_documents.verify(after)
    assert result.indication == "TOTAL_PASSED" and result.matches_issued is True
    assert result.reports[0].document_timestamps == 2


def test_ensure_ca_adds_a_tsa_to_a_token_made_without_one(app, pkcs11_lib):
    import PyKCS11
    from sqlalchemy import delete

    from models import CertificateAuthority

    app.config["CA_TOKEN_LABEL"] = "old-ca-" + dt.datetime.now().strftime("%H%M%S%f")
    db.session.execute(delete(CertificateAuthority))
    first = pki.ensure_ca()
    # Make it look like an install from before the TSA: no TSA key, certificate or row.
    with pki.ca_session() as session:
        for handle in session._find([(PyKCS11.CKA_ID, list(pki.key_ref(pki.TSA)))]):  # noqa: SLF001
            session._s.destroyObject(handle)  # noqa: SLF001
    db.session.execute(delete(CertificateAuthority).where(CertificateAuthority.role == pki.TSA))
    db.session.commit()
    second = pki.ensure_ca()
    assert [c.dump() for c in (second.root, second.issuing, second.docsign)] == [
        c.dump() for c in (first.root, first.issuing, first.docsign)]
    assert second.tsa.serial_number != first.tsa.serial_number and second.tsa.issuer == first.issuing.subject
    assert ltv.validation_context() is not None
