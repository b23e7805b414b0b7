"""The platform's PKI over PKCS#11: its CA token (root, issuing CA, document-signing key),
certificates for USB-Keys, CRLs, and signing / verifying PDFs.

The CA token is the source of truth for keys and CA certificates; the database mirrors the
certificates (``certificate_authority``) so pages and validation need no token session.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import crl as asn1_crl
from asn1crypto import x509
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.pki import oids
from app.pki import token as tk
from app.pki import x509 as px
from app.services.errors import ServiceError
from models import CertificateAuthority, KeyCertificate
from models.base import utcnow

log = logging.getLogger(__name__)

ROOT, ISSUING, DOCSIGN = "root", "issuing", "docsign"
_KEY_REFS = {ROOT: b"shenbao-root", ISSUING: b"shenbao-issuing", DOCSIGN: b"shenbao-docsign"}


class PkiUnavailable(ServiceError):
    """No PKCS#11 module: the message says what to install or configure."""

    status_code = 503


def library():
    """The PKCS#11 library, SoftHSM configured under instance/ unless SOFTHSM2_CONF says otherwise."""
    config = current_app.config
    conf = Path(config["SOFTHSM2_CONF"])
    if "softhsm" in config["PKCS11_MODULE"]:
        if conf.exists():
            os.environ.setdefault("SOFTHSM2_CONF", str(conf))
        else:
            tk.softhsm_config(conf.parent)
    try:
        return tk.library(config["PKCS11_MODULE"])
    except tk.Pkcs11Unavailable as exc:
        raise PkiUnavailable(_("The key service is not available: %(reason)s", reason=str(exc))) from exc


def status() -> str | None:
    """None when a PKCS#11 module is loaded, else what to install or configure."""
    try:
        library()
    except PkiUnavailable as exc:
        return exc.message
    return None


def _ca_session():
    config = current_app.config
    return tk.TokenSession(library(), config["CA_TOKEN_LABEL"], config["CA_TOKEN_PIN"])


@dataclass(frozen=True)
class Authority:
    root: x509.Certificate
    issuing: x509.Certificate
    docsign: x509.Certificate


def ensure_ca() -> Authority:
    """Create the CA token and its three certificates on first use; idempotent.

    A new database on an existing token (tests, a restored instance) imports the certificates
    from the token instead of making new keys.
    """
    rows = {r.role: r for r in db.session.execute(select(CertificateAuthority)).scalars()}
    if all(role in rows for role in _KEY_REFS):
        return Authority(*(x509.Certificate.load(rows[r].der) for r in (ROOT, ISSUING, DOCSIGN)))
    config = current_app.config
    lib = library()
    label = config["CA_TOKEN_LABEL"]
    if tk.find_token(lib, label) is None:
        tk.init_token(lib, label, config["CA_TOKEN_SO_PIN"], config["CA_TOKEN_PIN"])
    with _ca_session() as session:
        certs = {role: session.read_certificate(ref) for role, ref in _KEY_REFS.items()}
        if not all(certs.values()):
            certs = _make_ca(session)
    for role, der in certs.items():
        row = rows.get(role) or CertificateAuthority(role=role, token_label=label, key_ref=_KEY_REFS[role].hex())
        row.der = der
        db.session.add(row)
    db.session.commit()
    return Authority(*(x509.Certificate.load(certs[r]) for r in (ROOT, ISSUING, DOCSIGN)))


def _make_ca(session) -> dict[str, bytes]:
    name = current_app.config["CA_NAME"]
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    spki = {role: session.generate_ec_key(ref, role) for role, ref in _KEY_REFS.items()}
    root = px.self_signed_ca(px.subject_name(f"{name} 根CA", organization=name), spki[ROOT],
                             lambda data: session.sign(_KEY_REFS[ROOT], data), px.new_serial(),
                             now, now + dt.timedelta(days=365 * 20))
    issuing = px.issue_certificate(issuer=root, sign=lambda data: session.sign(_KEY_REFS[ROOT], data),
                                   subject=px.subject_name(f"{name} 签发CA", organization=name),
                                   public_key_info=spki[ISSUING], serial=px.new_serial(), not_before=now,
                                   not_after=now + dt.timedelta(days=365 * 10), ca=True, path_length=0,
                                   crl_url=crl_url(ROOT), ca_issuers_url=ca_certificate_url(ROOT),
                                   policies=ISSUING_CA_POLICIES)
    docsign = px.issue_certificate(issuer=issuing, sign=lambda data: session.sign(_KEY_REFS[ISSUING], data),
                                   subject=px.subject_name(f"{name} 电子证书签章", organization=name),
                                   public_key_info=spki[DOCSIGN], serial=px.new_serial(), not_before=now,
                                   not_after=now + dt.timedelta(days=365 * 5), **issued_by_issuing_ca(oids.POLICY_DOCSIGN))
    certs = {ROOT: root.dump(), ISSUING: issuing.dump(), DOCSIGN: docsign.dump()}
    for role, der in certs.items():
        session.write_certificate(_KEY_REFS[role], role, der)
    return certs


# The policies the issuing CA may issue under (RFC 5280 §6.1: a path's policies must appear in
# every CA certificate on it for a relying party that requires an explicit policy).
ISSUING_CA_POLICIES = (oids.POLICY_ESEAL, oids.POLICY_DOCSIGN, oids.POLICY_TSU)


def _public_url(path: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}{path}"


def crl_url(role: str) -> str:
    return _public_url(f"/verify/crl/{role}.crl")


def ca_certificate_url(role: str) -> str:
    """Where the CA certificate of ``role`` is published (DER), for AIA caIssuers."""
    return _public_url(f"/verify/ca/{role}.crt")


def ocsp_url() -> str:
    return _public_url("/ocsp")


def issued_by_issuing_ca(policy: str) -> dict:
    """The pointers every certificate of the issuing CA carries (keyword arguments of
    ``px.issue_certificate``): CRL, the CA certificate, the OCSP responder, and its policy."""
    return {"crl_url": crl_url(ISSUING), "ca_issuers_url": ca_certificate_url(ISSUING),
            "ocsp_url": ocsp_url(), "policies": (policy,)}


def issue_key_certificate(*, subject_name: str, credit_code: str | None, public_key_info: bytes,
                          not_after: dt.datetime, seal_sha256: bytes | None = None) -> x509.Certificate:
    """A USB-Key certificate: digitalSignature + nonRepudiation, signed by the issuing CA on the token.

    ``seal_sha256``: hash of the seal image written with the key; it goes into the certificate so
    that signing refuses a picture swapped on the token."""
    authority = ensure_ca()
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    with _ca_session() as session:
        return px.issue_certificate(
            issuer=authority.issuing, sign=lambda data: session.sign(_KEY_REFS[ISSUING], data),
            subject=key_certificate_subject(subject_name, credit_code),
            public_key_info=public_key_info, serial=px.new_serial(), not_before=now,
            not_after=not_after, **issued_by_issuing_ca(oids.POLICY_ESEAL),
            extra_extensions=[px.seal_image_extension(seal_sha256)] if seal_sha256 else ())


def key_certificate_subject(company_name: str, credit_code: str | None) -> x509.Name:
    """C=CN, O and CN the company name, organizationIdentifier NTRCN-<credit code> (ETSI EN
    319 412-1 legal-person semantics) and serialNumber the plain credit code."""
    return px.subject_name(company_name, organization=company_name,
                           organization_identifier=px.trade_register_identifier(credit_code) if credit_code else None,
                           serial_number=credit_code or None)


@contextmanager
def ca_signer(role: str):
    """A RawSigner on the CA token's key of ``role`` (root, issuing, docsign), for one block."""
    with _ca_session() as session:
        yield lambda data: session.sign(_KEY_REFS[role], data)


def publish_crl(role: str = ISSUING) -> bytes:
    """Sign a new CRL of ``role``'s revoked certificates and keep it as the published one."""
    authority = ensure_ca()
    row = db.session.execute(select(CertificateAuthority).filter_by(role=role)).scalar_one()
    if role == ISSUING:
        revoked = [(int(c.serial, 16), c.revoked_at.replace(tzinfo=dt.timezone.utc), c.revocation_reason or "unspecified")
                   for c in db.session.execute(select(KeyCertificate).where(KeyCertificate.revoked_at.is_not(None))).scalars()]
        issuer = authority.issuing
    else:
        revoked, issuer = [], authority.root
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    row.crl_number = (row.crl_number or 0) + 1
    with _ca_session() as session:
        crl = px.build_crl(issuer=issuer, sign=lambda data: session.sign(_KEY_REFS[role], data), revoked=revoked,
                           crl_number=row.crl_number, this_update=now,
                           next_update=now + dt.timedelta(days=int(current_app.config["CRL_VALIDITY_DAYS"])))
    row.crl_der = crl.dump()
    row.crl_issued_at = utcnow()
    db.session.commit()
    return row.crl_der


def current_crl(role: str) -> bytes:
    """The published CRL, re-signed when none exists or it is past half its validity."""
    ensure_ca()
    row = db.session.execute(select(CertificateAuthority).filter_by(role=role)).scalar_one()
    half = dt.timedelta(days=int(current_app.config["CRL_VALIDITY_DAYS"])) / 2
    if row.crl_der is None or row.crl_issued_at is None or utcnow() - row.crl_issued_at > half:
        return publish_crl(role)
    return row.crl_der


def validation_material() -> dict:
    authority = ensure_ca()
    return {"trust_roots": [authority.root], "other_certs": [authority.issuing, authority.docsign],
            "crls": [asn1_crl.CertificateList.load(current_crl(ROOT)),
                     asn1_crl.CertificateList.load(current_crl(ISSUING))]}


def platform_signer():
    """A pyHanko signer whose key operation runs on the CA token (the document-signing key)."""
    from app.pki.signer import TokenSigner

    authority = ensure_ca()
    session = _ca_session()
    return session, TokenSigner(session, key_id=_KEY_REFS[DOCSIGN], signing_cert=authority.docsign,
                                chain=[authority.issuing, authority.root])
