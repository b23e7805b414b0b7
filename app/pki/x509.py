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
from shenbao_signer.names import NTR_PREFIX, credit_code  # noqa: F401 - credit_code is part of this API

__all__ = [
    "RawSigner",
    "build_crl",
    "credit_code",
    "issue_certificate",
    "new_serial",
    "seal_image_extension",
    "self_signed_ca",
    "subject_name",
    "trade_register_identifier",
]

RawSigner = Callable[[bytes], bytes]
"""Signs bytes: returns a DER ECDSA-Sig-Value over SHA-256 of them."""

_SIG_ALG = {"algorithm": "sha256_ecdsa"}  # ecdsa-with-SHA256 has absent parameters

# certificate_hold (RFC 5280 reason 6): a key suspended for an unpaid fee; the one reason that can end.
_REASONS = {"key_compromise", "superseded", "cessation_of_operation", "certificate_hold", "unspecified"}


# ETSI EN 319 412-1 §5.1.4: organizationIdentifier "NTR" (national trade register) + ISO 3166
# country + "-" + the register's identifier; in China that is the unified social credit code.


def new_serial() -> int:
    """Random positive serial: 126 bits from the OS CSPRNG with bit 126 set, so every serial has
    the same length (16 octets in DER, below RFC 5280's 20) and carries ≥ 64 unpredictable
    bits (CA/Browser Forum baseline). Stored as hex (≤ 32 characters)."""
    return (1 << 126) | secrets.randbits(126)


def trade_register_identifier(credit_code: str) -> str:
    """organizationIdentifier value for an enterprise: ``NTRCN-<统一社会信用代码>``."""
    return f"{NTR_PREFIX}{credit_code}"


def subject_name(
    common_name: str,
    organization: str | None = None,
    organization_identifier: str | None = None,
    country: str = "CN",
    serial_number: str | None = None,
) -> x509.Name:
    """Distinguished name with UTF8String values (Chinese names round-trip); serialNumber and
    countryName are PrintableString as X.520 requires."""
    attrs: dict[str, str] = {"country_name": country}
    if organization:
        attrs["organization_name"] = organization
    if organization_identifier:
        # 2.5.4.97, e.g. NTRCN-<unified social credit code> (see trade_register_identifier)
        attrs["organization_identifier"] = organization_identifier
    if serial_number:
        # 2.5.4.5: the plain credit code, for relying parties that do not parse NTRCN-
        attrs["serial_number"] = serial_number
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
    ca_issuers_url: str | None = None,
    ocsp_url: str | None = None,
    policies: Iterable[str] = (),
    extra_extensions: Iterable[dict] = (),
) -> x509.Certificate:
    """A certificate signed by ``issuer``'s key (through ``sign``).

    ``extra_extensions``: further extensions as ``{"extn_id", "critical", "extn_value"}`` dicts
    (e.g. :func:`seal_image_extension`).

    End-entity certificates get digitalSignature + nonRepudiation: pyHanko's default
    validator demands nonRepudiation for document signatures. ``ca_issuers_url`` and
    ``ocsp_url`` go into Authority Information Access (RFC 5280 §4.2.2.1), ``policies``
    (dotted OIDs, see app.pki.oids) into certificatePolicies without qualifiers.
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
    extensions += _aia_and_policy_extensions(ca_issuers_url, ocsp_url, policies)
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


def _uri(url: str) -> x509.GeneralName:
    return x509.GeneralName(name="uniform_resource_identifier", value=url)


def _aia_and_policy_extensions(ca_issuers_url: str | None, ocsp_url: str | None,
                               policies: Iterable[str]) -> list[dict]:
    extensions = []
    access = []
    if ocsp_url:
        access.append({"access_method": "ocsp", "access_location": _uri(ocsp_url)})
    if ca_issuers_url:
        access.append({"access_method": "ca_issuers", "access_location": _uri(ca_issuers_url)})
    if access:
        extensions.append(_ext("authority_information_access", access))
    policies = list(policies)
    if policies:
        extensions.append(_ext("certificate_policies", [{"policy_identifier": oid} for oid in policies]))
    return extensions


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
