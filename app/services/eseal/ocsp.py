"""The platform's OCSP responder (RFC 6960) for the certificates of its issuing CA.

Answers come from the same rows as the CRL (``KeyCertificate.revoked_at`` and its reason, a
suspended key's certificate on hold), plus the platform's own certificates mirrored in
``certificate_authority`` (the document-signing one), which are never revoked here. The
issuing CA signs every answer with its key on the CA token; the status of the issuing CA
certificate itself stays with the root's CRL (docs/pki.md).
"""
from __future__ import annotations

import datetime as dt
import logging

from asn1crypto import ocsp, x509
from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.pki import ocsp as pocsp
from app.pki import token as tk
from app.services.eseal import pki
from models import CertificateAuthority, KeyCertificate

log = logging.getLogger(__name__)

__all__ = ["ocsp_response_for", "respond", "status_of"]


def respond(request_der: bytes) -> bytes:
    """The DER OCSPResponse answering a DER OCSPRequest; never raises for bad input
    (malformedRequest) nor for a CA token that cannot sign (internalError)."""
    try:
        request = pocsp.read_request(request_der)
    except pocsp.MalformedRequest:
        return pocsp.error_response("malformed_request").dump()
    return _answer(request)


def ocsp_response_for(cert: x509.Certificate) -> bytes:
    """A fresh DER OCSPResponse for ``cert`` without a nonce, as a signer embeds for long-term
    validation. A certificate of another issuer gets "unknown"."""
    issuing = pki.ensure_ca().issuing
    if cert.issuer == issuing.subject:
        cert_id = pocsp.cert_id_for(cert, issuing)
    else:  # named by its own issuer's name and key identifier: matches nothing served here
        cert_id = pocsp.cert_id_for(cert, issuing, issuer_name=cert.issuer,
                                    issuer_key_hash=cert.authority_key_identifier or b"")
    return _answer(pocsp.Request([cert_id], None))


def status_of(serial: int) -> pocsp.CertStatus:
    """The issuing CA's word on the certificate with this serial."""
    row = db.session.execute(select(KeyCertificate).filter_by(serial=format(serial, "x"))).scalar_one_or_none()
    if row is not None:
        if row.revoked_at is None:
            return pocsp.CertStatus(pocsp.GOOD)
        return pocsp.CertStatus(pocsp.REVOKED, row.revoked_at.replace(tzinfo=dt.timezone.utc),
                                row.revocation_reason or "unspecified")
    if serial in _platform_serials():
        return pocsp.CertStatus(pocsp.GOOD)
    return pocsp.CertStatus(pocsp.UNKNOWN)


def _platform_serials() -> set[int]:
    """Serials of the platform's own certificates signed by the issuing CA (document signing,
    and any other role kept in certificate_authority below the issuing CA)."""
    authority = pki.ensure_ca()
    serials = set()
    for row in db.session.execute(select(CertificateAuthority)).scalars():
        cert = x509.Certificate.load(row.der)
        if row.role not in (pki.ROOT, pki.ISSUING) and cert.issuer == authority.issuing.subject:
            serials.add(cert.serial_number)
    return serials


def _answer(request: pocsp.Request) -> bytes:
    try:
        issuing = pki.ensure_ca().issuing
    except pki.PkiUnavailable as exc:
        log.error("OCSP: no CA: %s", exc)
        return pocsp.error_response("internal_error").dump()

    def lookup(cert_id: ocsp.CertId) -> pocsp.CertStatus:
        if not pocsp.issued_by(cert_id, issuing):
            return pocsp.CertStatus(pocsp.UNKNOWN)  # RFC 6960 §2.2: an issuer not served here
        return status_of(cert_id["serial_number"].native)

    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    hours = float(current_app.config["OCSP_VALIDITY_HOURS"])
    try:
        with pki.ca_signer(pki.ISSUING) as sign:
            response = pocsp.build_response(request=request, issuer=issuing, sign=sign, lookup=lookup,
                                            this_update=now, next_update=now + dt.timedelta(hours=hours))
    except (tk.TokenError, pki.PkiUnavailable) as exc:
        log.error("OCSP: the issuing CA could not sign: %s", exc)
        return pocsp.error_response("internal_error").dump()
    return response.dump()
