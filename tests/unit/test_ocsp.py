"""OCSP answers built by app.pki.ocsp, read back by an independent parser (pyca/cryptography)
and checked against the issuing CA's public key."""
from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

import pytest
from asn1crypto import ocsp as asn1_ocsp
from cryptography import x509 as cx509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509 import ocsp as cocsp

from app.pki import ocsp as pocsp
from tests.pki_support import make_test_ca

NOW = datetime.now(timezone.utc).replace(microsecond=0)


@pytest.fixture(scope="module")
def ca(pkcs11_lib):
    return make_test_ca(pkcs11_lib)


@pytest.fixture(scope="module")
def ee(ca):
    return ca.issue_end_entity("某某有限公司", "某某有限公司", "NTRCN-91110000MA01ABCD2X")


def _c(cert) -> cx509.Certificate:
    return cx509.load_der_x509_certificate(cert.dump())


def _request(cert, issuer, *, nonce: bytes | None = None, algorithm=hashes.SHA1()) -> bytes:
    """A request as pyca/cryptography builds it."""
    builder = cocsp.OCSPRequestBuilder().add_certificate(_c(cert), _c(issuer), algorithm)
    if nonce is not None:
        builder = builder.add_extension(cx509.OCSPNonce(nonce), critical=False)
    return builder.build().public_bytes(Encoding.DER)


def _answer(ca, request_der: bytes, statuses: dict[int, pocsp.CertStatus]) -> cocsp.OCSPResponse:
    request = pocsp.read_request(request_der)

    def lookup(cert_id):
        if not pocsp.issued_by(cert_id, ca.issuing):
            return pocsp.CertStatus(pocsp.UNKNOWN)
        return statuses.get(cert_id["serial_number"].native, pocsp.CertStatus(pocsp.UNKNOWN))

    with ca.session() as session:
        response = pocsp.build_response(request=request, issuer=ca.issuing,
                                        sign=lambda data: session.sign(ca.ISSUING_KEY, data), lookup=lookup,
                                        this_update=NOW, next_update=NOW + timedelta(hours=24))
    parsed = cocsp.load_der_ocsp_response(response.dump())
    # Signed by the issuing CA's key over the ResponseData, the CA certificate attached.
    _c(ca.issuing).public_key().verify(parsed.signature, parsed.tbs_response_bytes, ec.ECDSA(hashes.SHA256()))
    assert parsed.responder_key_hash == _c(ca.issuing).extensions.get_extension_for_class(
        cx509.SubjectKeyIdentifier).value.digest
    assert [c.serial_number for c in parsed.certificates] == [ca.issuing.serial_number]
    return parsed


def test_good_with_the_nonce_echoed_and_both_update_times(ca, ee):
    nonce = os.urandom(16)
    request = _request(ee.cert, ca.issuing, nonce=nonce, algorithm=hashes.SHA256())
    parsed = _answer(ca, request, {ee.cert.serial_number: pocsp.CertStatus(pocsp.GOOD)})
    assert parsed.response_status == cocsp.OCSPResponseStatus.SUCCESSFUL
    assert parsed.certificate_status == cocsp.OCSPCertStatus.GOOD
    assert parsed.serial_number == ee.cert.serial_number and isinstance(parsed.hash_algorithm, hashes.SHA256)
    assert parsed.this_update_utc == NOW and parsed.next_update_utc == NOW + timedelta(hours=24)
    assert parsed.extensions.get_extension_for_class(cx509.OCSPNonce).value.nonce == nonce


def test_revoked_and_on_hold_carry_time_and_reason_unspecified_carries_none(ca, ee):
    request = _request(ee.cert, ca.issuing)
    when = NOW - timedelta(hours=2)
    for reason, expected in (("key_compromise", cx509.ReasonFlags.key_compromise),
                             ("certificate_hold", cx509.ReasonFlags.certificate_hold), ("unspecified", None)):
        parsed = _answer(ca, request, {ee.cert.serial_number: pocsp.CertStatus(pocsp.REVOKED, when, reason)})
        assert parsed.certificate_status == cocsp.OCSPCertStatus.REVOKED
        assert parsed.revocation_time_utc == when and parsed.revocation_reason == expected
    with pytest.raises(cx509.ExtensionNotFound):  # asked without a nonce, answered without one
        parsed.extensions.get_extension_for_class(cx509.OCSPNonce)


def test_another_issuer_or_an_unknown_serial_is_unknown(ca, ee, pkcs11_lib):
    other = make_test_ca(pkcs11_lib, "别的")
    stranger = other.issue_end_entity("别人")
    request = _request(stranger.cert, other.issuing)
    # The same serial as a good certificate here, but under another issuer: still unknown.
    parsed = _answer(ca, request, {stranger.cert.serial_number: pocsp.CertStatus(pocsp.GOOD)})
    assert parsed.certificate_status == cocsp.OCSPCertStatus.UNKNOWN
    request = _request(ee.cert, ca.issuing)
    assert _answer(ca, request, {}).certificate_status == cocsp.OCSPCertStatus.UNKNOWN


@pytest.mark.parametrize("body", [b"", b"GET / HTTP/1.1", b"\x30\x03\x02\x01\x01", b"\x30\x80" + b"\x00" * 40,
                                  b"\x30" * (pocsp.MAX_REQUEST_BYTES + 1)])
def test_unreadable_requests_are_malformed(body):
    with pytest.raises(pocsp.MalformedRequest):
        pocsp.read_request(body)
    answer = asn1_ocsp.OCSPResponse.load(pocsp.error_response("malformed_request").dump())
    assert answer["response_status"].native == "malformed_request" and answer["response_bytes"].native is None


def test_too_many_certificates_or_an_overlong_nonce_are_malformed(ca, ee):
    cert_id = pocsp.cert_id_for(ee.cert, ca.issuing)
    many = asn1_ocsp.OCSPRequest({"tbs_request": {"request_list": [{"req_cert": cert_id}] * 51}}).dump()
    with pytest.raises(pocsp.MalformedRequest):
        pocsp.read_request(many)
    long_nonce = asn1_ocsp.OCSPRequest({"tbs_request": {
        "request_list": [{"req_cert": cert_id}],
        "request_extensions": [{"extn_id": "nonce", "critical": False, "extn_value": b"n" * 129}]}}).dump()
    with pytest.raises(pocsp.MalformedRequest):
        pocsp.read_request(long_nonce)
    fine = asn1_ocsp.OCSPRequest({"tbs_request": {
        "request_list": [{"req_cert": cert_id}],
        "request_extensions": [{"extn_id": "nonce", "critical": False, "extn_value": b"n" * 32}]}}).dump()
    assert pocsp.read_request(fine).cert_ids[0]["serial_number"].native == ee.cert.serial_number
