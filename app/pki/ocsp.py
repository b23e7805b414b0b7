"""OCSP (RFC 6960) requests read and responses built with asn1crypto, signed by a callable.

The response is signed by the CA that issued the certificates asked about (RFC 6960
§4.2.2.2: the CA itself is an authorised responder), so no responder certificate has to be
issued, renewed or checked for revocation (id-pkix-ocsp-nocheck). Which status a serial has
is the caller's business (``lookup``); nothing here touches a database.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from asn1crypto import core, ocsp, x509

from app.pki.x509 import RawSigner

__all__ = [
    "CertStatus",
    "MalformedRequest",
    "build_response",
    "cert_id_for",
    "error_response",
    "read_request",
]

GOOD, REVOKED, UNKNOWN = "good", "revoked", "unknown"
MAX_REQUEST_BYTES = 16 * 1024
MAX_CERTIFICATES_PER_REQUEST = 50
MAX_NONCE_OCTETS = 128  # RFC 8954 §2.1: longer nonces MUST be refused as malformedRequest

_SIG_ALG = {"algorithm": "sha256_ecdsa"}
_HASHES = {"sha1", "sha224", "sha256", "sha384", "sha512"}


class MalformedRequest(ValueError):
    """Not an OCSP request this responder can read."""


@dataclass(frozen=True)
class CertStatus:
    """What the responder says of one certificate: "good", "revoked" (with time and RFC 5280
    reason name, e.g. "certificate_hold") or "unknown"."""

    status: str
    revoked_at: datetime | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Request:
    cert_ids: list[ocsp.CertId]
    nonce: bytes | None  # the raw extnValue contents, echoed byte for byte


def read_request(der: bytes) -> Request:
    """Parse a DER OCSPRequest; raises :class:`MalformedRequest` for anything unreadable."""
    if not der or len(der) > MAX_REQUEST_BYTES:
        raise MalformedRequest("empty or oversized request")
    try:
        request = ocsp.OCSPRequest.load(der, strict=True)
        request.native  # asn1crypto parses lazily: force every field now
        tbs = request["tbs_request"]
        cert_ids = [single["req_cert"] for single in tbs["request_list"]]
        nonce = None
        for extension in tbs["request_extensions"] or []:
            if extension["extn_id"].native == "nonce":
                nonce = extension["extn_value"].contents
    except MalformedRequest:
        raise
    except Exception as exc:  # noqa: BLE001 - asn1crypto raises ValueError, TypeError, KeyError…
        raise MalformedRequest(f"not an OCSP request ({type(exc).__name__})") from exc
    if not cert_ids or len(cert_ids) > MAX_CERTIFICATES_PER_REQUEST:
        raise MalformedRequest("no certificate or too many certificates asked about")
    if nonce is not None and not 0 < _nonce_length(nonce) <= MAX_NONCE_OCTETS:
        raise MalformedRequest("empty or overlong nonce")
    return Request(cert_ids, nonce)


def _nonce_length(raw: bytes) -> int:
    # RFC 8954: the value is an OCTET STRING inside the extension's OCTET STRING.
    try:
        return len(core.OctetString.load(raw).native)
    except Exception:  # noqa: BLE001 - an older client's bare nonce
        return len(raw)


def _public_key_bits(cert: x509.Certificate) -> bytes:
    # The subjectPublicKey BIT STRING value without its unused-bits octet (RFC 6960 §4.1.1).
    return cert.public_key["public_key"].contents[1:]


def issued_by(cert_id: ocsp.CertId, issuer: x509.Certificate) -> bool:
    """Whether ``cert_id`` names ``issuer`` (its name and key hashes, in the request's hash)."""
    algorithm = cert_id["hash_algorithm"]["algorithm"].native
    if algorithm not in _HASHES:
        return False
    name_hash = hashlib.new(algorithm, issuer.subject.dump()).digest()
    key_hash = hashlib.new(algorithm, _public_key_bits(issuer)).digest()
    return cert_id["issuer_name_hash"].native == name_hash and cert_id["issuer_key_hash"].native == key_hash


def cert_id_for(cert: x509.Certificate, issuer: x509.Certificate, algorithm: str = "sha256", *,
                issuer_name: x509.Name | None = None, issuer_key_hash: bytes | None = None) -> ocsp.CertId:
    """The CertID of ``cert`` under ``issuer`` as a client would send it (``issuer_name`` and
    ``issuer_key_hash`` override what is taken from ``issuer``)."""
    name = issuer_name if issuer_name is not None else issuer.subject
    key_hash = issuer_key_hash if issuer_key_hash is not None else hashlib.new(algorithm, _public_key_bits(issuer)).digest()
    return ocsp.CertId({
        "hash_algorithm": {"algorithm": algorithm},
        "issuer_name_hash": hashlib.new(algorithm, name.dump()).digest(),
        "issuer_key_hash": key_hash,
        "serial_number": cert.serial_number,
    })


def _generalized(moment: datetime) -> core.GeneralizedTime:
    if moment.tzinfo is None:
        raise ValueError("OCSP times must be timezone-aware")
    return core.GeneralizedTime(moment.astimezone(timezone.utc).replace(microsecond=0))


def _cert_status(answer: CertStatus) -> ocsp.CertStatus:
    if answer.status == REVOKED:
        info: dict[str, object] = {"revocation_time": _generalized(answer.revoked_at)}
        # As in the CRL (RFC 5280 §5.3.1): no reason rather than "unspecified".
        if answer.reason and answer.reason != "unspecified":
            info["revocation_reason"] = answer.reason
        return ocsp.CertStatus(name="revoked", value=info)
    if answer.status == GOOD:
        return ocsp.CertStatus(name="good", value=core.Null())
    return ocsp.CertStatus(name="unknown", value=core.Null())


def build_response(
    *,
    request: Request,
    issuer: x509.Certificate,
    sign: RawSigner,
    lookup: Callable[[ocsp.CertId], CertStatus],
    this_update: datetime,
    next_update: datetime,
) -> ocsp.OCSPResponse:
    """A successful BasicOCSPResponse answering every CertID of ``request`` through ``lookup``,
    signed by ``issuer``'s key (``sign``), the issuer certificate attached, the nonce echoed."""
    responses = [{
        "cert_id": cert_id,
        "cert_status": _cert_status(lookup(cert_id)),
        "this_update": _generalized(this_update),
        "next_update": _generalized(next_update),
    } for cert_id in request.cert_ids]
    tbs: dict[str, object] = {
        "version": "v1",
        "responder_id": ocsp.ResponderId(name="by_key", value=hashlib.sha1(_public_key_bits(issuer)).digest()),
        "produced_at": _generalized(this_update),
        "responses": responses,
    }
    if request.nonce is not None:
        nonce = ocsp.ResponseDataExtension({"extn_id": "nonce", "critical": False})
        nonce["extn_value"] = core.ParsableOctetString(request.nonce)
        tbs["response_extensions"] = [nonce]
    tbs_data = ocsp.ResponseData(tbs)
    basic = ocsp.BasicOCSPResponse({
        "tbs_response_data": tbs_data,
        "signature_algorithm": _SIG_ALG,
        "signature": sign(tbs_data.dump()),
        "certs": [issuer],
    })
    return ocsp.OCSPResponse({
        "response_status": "successful",
        "response_bytes": {"response_type": "basic_ocsp_response", "response": basic},
    })


def error_response(status: str) -> ocsp.OCSPResponse:
    """An unsigned error answer: "malformed_request", "internal_error", "try_later",
    "sig_required" or "unauthorized" (RFC 6960 §4.2.1)."""
    return ocsp.OCSPResponse({"response_status": status})
