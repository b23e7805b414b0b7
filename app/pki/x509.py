"""X.509 certificates and CRLs built with asn1crypto and signed by a callable.

`cryptography` cannot sign with a key that lives on a token, so the to-be-signed
structure is built here, its DER handed to a :data:`RawSigner` (usually
``TokenSession.sign`` bound to a key id), and the result assembled.
"""
from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterable
from datetime import datetime, timezone

from asn1crypto import crl as asn1_crl
from asn1crypto import keys, x509

__all__ = [
    "RawSigner",
    "build_crl",
    "issue_certificate",
    "new_serial",
    "seal_image_extension",
    "self_signed_ca",
    "subject_name",
]

RawSigner = Callable[[bytes], bytes]
"""Signs bytes: returns a DER ECDSA-Sig-Value over SHA-256 of them."""

_SIG_ALG = {"algorithm": "sha256_ecdsa"}  # ecdsa-with-SHA256 has absent parameters

# certificate_hold (RFC 5280 reason 6): a key suspended for an unpaid fee; the one reason that can end.
_REASONS = {"key_compromise", "superseded", "cessation_of_operation", "certificate_hold", "unspecified"}


def new_serial() -> int:
    """Random positive 63-bit serial (≥ 1): unpredictable, fits a signed BIGINT."""
    return secrets.randbits(63) or 1


def subject_name(
    common_name: str,
    organization: str | None = None,
    organization_identifier: str | None = None,
    country: str = "CN",
) -> x509.Name:
    """Distinguished name with UTF8String values (Chinese names round-trip)."""
    attrs: dict[str, str] = {"country_name": country}
    if organization:
        attrs["organization_name"] = organization
    if organization_identifier:
        # 2.5.4.97, e.g. the unified social credit code of the enterprise
        attrs["organization_identifier"] = organization_identifier
    attrs["common_name"] = common_name
    # use_printable=False: every value except countryName becomes a UTF8String.
    return x509.Name.build(attrs, use_printable=False)


def _time(moment: datetime) -> x509.Time:
    """UTCTime up to 2049, GeneralizedTime after (RFC 5280 §4.1.2.5)."""
    if moment.tzinfo is None:
        raise ValueError("certificate/CRL times must be timezone-aware")
    moment = moment.astimezone(timezone.utc).replace(microsecond=0)
    if moment.year < 2050:
        return x509.Time(name="utc_time", value=moment)
    return x509.Time(name="general_time", value=moment)


def _key_id(public_key_info: keys.PublicKeyInfo) -> bytes:
    # RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING.
    return hashlib.sha1(public_key_info["public_key"].contents[1:]).digest()


def _ext(name: str, value: object, critical: bool = False) -> dict:
    return {"extn_id": name, "critical": critical, "extn_value": value}


def _assemble_certificate(tbs: x509.TbsCertificate, sign: RawSigner) -> x509.Certificate:
    signature = sign(tbs.dump())
    return x509.Certificate({
        "tbs_certificate": tbs,
        "signature_algorithm": _SIG_ALG,
        "signature_value": signature,
    })


def _ca_extensions(path_length: int | None) -> list[dict]:
    bc: dict[str, object] = {"ca": True}
    if path_length is not None:
        bc["path_len_constraint"] = path_length
    return [
        _ext("basic_constraints", bc, critical=True),
        _ext("key_usage", {"key_cert_sign", "crl_sign"}, critical=True),
    ]


def self_signed_ca(
    subject: x509.Name,
    public_key_info: bytes,
    sign: RawSigner,
    serial: int,
    not_before: datetime,
    not_after: datetime,
) -> x509.Certificate:
    """A self-signed root CA certificate."""
    spki = keys.PublicKeyInfo.load(public_key_info)
    ski = _key_id(spki)
    tbs = x509.TbsCertificate({
        "version": "v3",
        "serial_number": serial,
        "signature": _SIG_ALG,
        "issuer": subject,
        "validity": {"not_before": _time(not_before), "not_after": _time(not_after)},
        "subject": subject,
        "subject_public_key_info": spki,
        "extensions": [
            *_ca_extensions(None),
            _ext("key_identifier", ski),
            _ext("authority_key_identifier", {"key_identifier": ski}),
        ],
    })
    return _assemble_certificate(tbs, sign)


def issue_certificate(
    *,
    issuer: x509.Certificate,
    sign: RawSigner,
    subject: x509.Name,
    public_key_info: bytes,
    serial: int,
    not_before: datetime,
    not_after: datetime,
    ca: bool = False,
    path_length: int | None = None,
    crl_url: str | None = None,
    extra_extensions: Iterable[dict] = (),
) -> x509.Certificate:
    """A certificate signed by ``issuer``'s key (through ``sign``).

    ``extra_extensions``: further extensions as ``{"extn_id", "critical", "extn_value"}`` dicts
    (e.g. :func:`seal_image_extension`).

    End-entity certificates get digitalSignature + nonRepudiation: pyHanko's default
    validator demands nonRepudiation for document signatures.
    """
    spki = keys.PublicKeyInfo.load(public_key_info)
    if ca:
        extensions = _ca_extensions(path_length)
    else:
        extensions = [
            _ext("basic_constraints", {"ca": False}, critical=True),
            _ext("key_usage", {"digital_signature", "non_repudiation"}, critical=True),
        ]
    extensions += [
        _ext("key_identifier", _key_id(spki)),
        _ext("authority_key_identifier", {"key_identifier": _issuer_key_id(issuer)}),
    ]
    if crl_url:
        extensions.append(_ext("crl_distribution_points", [
            {"distribution_point": x509.DistributionPointName(
                name="full_name",
                value=[x509.GeneralName(name="uniform_resource_identifier", value=crl_url)],
            )},
        ]))
    extensions += list(extra_extensions)
    tbs = x509.TbsCertificate({
        "version": "v3",
        "serial_number": serial,
        "signature": _SIG_ALG,
        "issuer": issuer.subject,
        "validity": {"not_before": _time(not_before), "not_after": _time(not_after)},
        "subject": subject,
        "subject_public_key_info": spki,
        "extensions": extensions,
    })
    return _assemble_certificate(tbs, sign)


def seal_image_extension(seal_sha256: bytes) -> dict:
    """The seal image's SHA-256 as a non-critical extension (oids.SEAL_IMAGE_SHA256)."""
    from asn1crypto import core

    from shenbao_signer.seal import SEAL_IMAGE_SHA256_OID

    return _ext(SEAL_IMAGE_SHA256_OID, core.OctetString(seal_sha256).dump())


def _issuer_key_id(issuer: x509.Certificate) -> bytes:
    return issuer.key_identifier or _key_id(issuer.public_key)


def build_crl(
    *,
    issuer: x509.Certificate,
    sign: RawSigner,
    revoked: Iterable[tuple[int, datetime, str]],
    crl_number: int,
    this_update: datetime,
    next_update: datetime,
) -> asn1_crl.CertificateList:
    """A v2 CRL; ``revoked`` holds (serial, revocation time, reason) triples.

    Reasons: "key_compromise", "superseded", "cessation_of_operation", "unspecified".
    """
    entries = []
    for serial, when, reason in revoked:
        if reason not in _REASONS:
            raise ValueError(f"unknown revocation reason {reason!r}; use one of {sorted(_REASONS)}")
        entry: dict[str, object] = {"user_certificate": serial, "revocation_date": _time(when)}
        # RFC 5280 §5.3.1: omit the reason extension rather than write "unspecified".
        if reason != "unspecified":
            entry["crl_entry_extensions"] = [_ext("crl_reason", reason)]
        entries.append(entry)
    tbs = asn1_crl.TbsCertList({
        "version": "v2",
        "signature": _SIG_ALG,
        "issuer": issuer.subject,
        "this_update": _time(this_update),
        "next_update": _time(next_update),
        "revoked_certificates": entries or None,
        "crl_extensions": [
            _ext("authority_key_identifier", {"key_identifier": _issuer_key_id(issuer)}),
            _ext("crl_number", crl_number),
        ],
    })
    if not entries:
        # An empty revokedCertificates SEQUENCE is not allowed; leave the field out.
        del tbs["revoked_certificates"]
    signature = sign(tbs.dump())
    return asn1_crl.CertificateList({
        "tbs_cert_list": tbs,
        "signature_algorithm": _SIG_ALG,
        "signature": signature,
    })
