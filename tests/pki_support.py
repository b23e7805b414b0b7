"""Session fixtures and a throwaway CA on SoftHSM for the PKI tests.

SoftHSM reads SOFTHSM2_CONF once per process (at C_Initialize), so one token
directory serves the whole test session; every CA and end entity gets its own
uuid-labelled token inside it.
"""
from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import pytest
from asn1crypto import crl as asn1_crl
from asn1crypto import x509

from app.pki import token as pki_token
from app.pki import x509 as pki_x509

SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"
CI = os.environ.get("CI", "").lower() == "true"

SO_PIN = "so-pin-1234"
USER_PIN = "user-5678"
CRL_URL = "http://pki.test/issuing-ca.crl"


@pytest.fixture(scope="session")
def softhsm_dir(tmp_path_factory):
    """A private SoftHSM token directory for this test session."""
    base = tmp_path_factory.mktemp("softhsm")
    # Force ours over any SOFTHSM2_CONF of the developer: tests must not touch real tokens.
    os.environ.pop("SOFTHSM2_CONF", None)
    conf = pki_token.softhsm_config(base)
    assert os.environ["SOFTHSM2_CONF"] == str(conf)
    return base


@pytest.fixture(scope="session")
def pkcs11_lib(softhsm_dir):
    """The SoftHSM module, loaded once; skipped only outside CI when it is absent."""
    if not os.path.isfile(SOFTHSM_MODULE):
        message = (
            f"PKCS#11 module {SOFTHSM_MODULE} missing: install Debian package softhsm2 "
            "(apt-get install softhsm2)"
        )
        if CI:
            pytest.fail(message)
        pytest.skip(message)
    return pki_token.library(SOFTHSM_MODULE)


def _label(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:16]}"  # ≤ 32 bytes


@dataclass
class EndEntity:
    """A signer: its own token holding one key pair and the certificate."""

    lib: object
    label: str
    key_id: bytes
    cert: x509.Certificate
    pin: str = USER_PIN

    def session(self) -> pki_token.TokenSession:
        return pki_token.TokenSession(self.lib, self.label, self.pin)


@dataclass
class TestCa:
    """Root + issuing CA whose keys live on one SoftHSM token."""

    __test__ = False  # not a test class, despite the name

    lib: object
    label: str
    root: x509.Certificate
    issuing: x509.Certificate
    crl_url: str = CRL_URL
    _crl_number: int = field(default=0)

    ROOT_KEY = b"root"
    ISSUING_KEY = b"issuing"

    def session(self) -> pki_token.TokenSession:
        return pki_token.TokenSession(self.lib, self.label, USER_PIN)

    @property
    def chain(self) -> list[x509.Certificate]:
        return [self.issuing, self.root]

    def issue_end_entity(
        self,
        common_name: str,
        organization: str | None = None,
        organization_identifier: str | None = None,
        *,
        not_before: datetime | None = None,
        not_after: datetime | None = None,
        crl_url: str | None = CRL_URL,
    ) -> EndEntity:
        """New token with an EC key, certified by the issuing CA."""
        now = datetime.now(timezone.utc)
        label = _label("ee")
        pki_token.init_token(self.lib, label, SO_PIN, USER_PIN)
        key_id = uuid.uuid4().bytes[:8]
        with pki_token.TokenSession(self.lib, label, USER_PIN) as ee_session:
            spki = ee_session.generate_ec_key(key_id, common_name[:32])
            with self.session() as ca:
                cert = pki_x509.issue_certificate(
                    issuer=self.issuing,
                    sign=lambda tbs: ca.sign(self.ISSUING_KEY, tbs),
                    subject=pki_x509.subject_name(common_name, organization, organization_identifier),
                    public_key_info=spki,
                    serial=pki_x509.new_serial(),
                    not_before=not_before or now - timedelta(hours=1),
                    not_after=not_after or now + timedelta(days=365),
                    crl_url=crl_url,
                )
            ee_session.write_certificate(key_id, common_name[:32], cert.dump())
        return EndEntity(self.lib, label, key_id, cert)

    def crl(
        self,
        revoked: list[tuple[int, datetime, str]] = (),  # type: ignore[assignment]
        *,
        this_update: datetime | None = None,
        next_update: datetime | None = None,
    ) -> asn1_crl.CertificateList:
        """A CRL of the issuing CA (fresh number each call)."""
        now = datetime.now(timezone.utc)
        self._crl_number += 1
        with self.session() as ca:
            return pki_x509.build_crl(
                issuer=self.issuing,
                sign=lambda tbs: ca.sign(self.ISSUING_KEY, tbs),
                revoked=list(revoked),
                crl_number=self._crl_number,
                this_update=this_update or now - timedelta(minutes=5),
                next_update=next_update or now + timedelta(days=3 * 365),
            )


def make_test_ca(lib, name: str = "测试") -> TestCa:
    """A fresh root + issuing CA on a new uuid-labelled token."""
    now = datetime.now(timezone.utc)
    label = _label("ca")
    pki_token.init_token(lib, label, SO_PIN, USER_PIN)
    with pki_token.TokenSession(lib, label, USER_PIN) as session:
        root_spki = session.generate_ec_key(TestCa.ROOT_KEY, "root")
        root = pki_x509.self_signed_ca(
            pki_x509.subject_name(f"{name}根CA", f"{name}平台"),
            root_spki,
            lambda tbs: session.sign(TestCa.ROOT_KEY, tbs),
            pki_x509.new_serial(),
            now - timedelta(days=1),
            now + timedelta(days=20 * 365),
        )
        issuing_spki = session.generate_ec_key(TestCa.ISSUING_KEY, "issuing")
        issuing = pki_x509.issue_certificate(
            issuer=root,
            sign=lambda tbs: session.sign(TestCa.ROOT_KEY, tbs),
            subject=pki_x509.subject_name(f"{name}签发CA", f"{name}平台"),
            public_key_info=issuing_spki,
            serial=pki_x509.new_serial(),
            not_before=now - timedelta(days=1),
            not_after=now + timedelta(days=10 * 365),
            ca=True,
            path_length=0,
        )
        session.write_certificate(TestCa.ROOT_KEY, "root", root.dump())
        session.write_certificate(TestCa.ISSUING_KEY, "issuing", issuing.dump())
    return TestCa(lib, label, root, issuing)
