"""PKCS#11 token access through PyKCS11 (works with SoftHSM2 or a real HSM).

Private keys are generated on the token and never leave it; everything that needs a
signature hands bytes to :meth:`TokenSession.sign`. pyHanko's own PKCS11Signer is not
used because it loads python-pkcs11, and two bindings initialising one module in one
process fail ("already initialized" / "user already logged in").
"""
from __future__ import annotations

import hashlib
from types import TracebackType

import PyKCS11
from asn1crypto import algos, core, keys

from .token_admin import (  # noqa: F401 - re-exported: callers use app.pki.token for both
    DEFAULT_MODULE,
    Pkcs11Unavailable,
    TokenError,
    find_token,
    init_token,
    library,
    reset_token,
    softhsm_config,
)

__all__ = [
    "DEFAULT_MODULE",
    "Pkcs11Unavailable",
    "TokenError",
    "TokenSession",
    "find_token",
    "init_token",
    "library",
    "reset_token",
    "softhsm_config",
]

# DER of OID 1.2.840.10045.3.1.7 (secp256r1 / P-256): the CKA_EC_PARAMS value.
_P256_PARAMS = bytes.fromhex("06082a8648ce3d030107")


def _spki_from_ec_point(ec_point: bytes) -> bytes:
    """DER SubjectPublicKeyInfo for a P-256 CKA_EC_POINT value.

    PKCS#11 v2.20+ modules (SoftHSM included) return the point wrapped in a DER
    OCTET STRING; accept the raw point too, as some modules send it bare.
    """
    if ec_point[:1] == b"\x04" and len(ec_point) == 67 and ec_point[1] == 65:
        ec_point = core.OctetString.load(ec_point).native
    info = keys.PublicKeyInfo({
        "algorithm": keys.PublicKeyAlgorithm({
            "algorithm": "ec",
            "parameters": keys.ECDomainParameters(name="named", value="secp256r1"),
        }),
        "public_key": ec_point,
    })
    return info.dump()


class TokenSession:
    """An R/W session on one token, logged in as user unless ``pin`` is None.

    ``pin=None`` gives a public session: enough to read and write public objects
    (certificates, the seal image) but not to use private keys.

    A PKCS#11 session is not for concurrent use: one TokenSession per thread or
    request. Login state is per process and token, so while any session of this
    process is logged in to a token, a ``pin=None`` session on it can sign too.
    """

    def __init__(self, lib: PyKCS11.PyKCS11Lib, label: str, pin: str | None) -> None:
        self.lib = lib
        self.label = label
        self._pin = pin
        self.session: PyKCS11.Session | None = None
        self.slot: int | None = None
        self._key_cache: dict[bytes, PyKCS11.CK_OBJECT_HANDLE] = {}

    # -- context management --------------------------------------------------
    def open(self) -> "TokenSession":
        slot = find_token(self.lib, self.label)
        if slot is None:
            raise TokenError(f"no PKCS#11 token labelled {self.label!r}")
        session = self.lib.openSession(slot, PyKCS11.CKF_SERIAL_SESSION | PyKCS11.CKF_RW_SESSION)
        if self._pin is not None:
            try:
                session.login(self._pin)
            except PyKCS11.PyKCS11Error as exc:
                # Login state is per application and token: another open session of
                # this process may already be logged in, which is fine.
                if exc.value != PyKCS11.CKR_USER_ALREADY_LOGGED_IN:
                    session.closeSession()
                    if exc.value in (PyKCS11.CKR_PIN_INCORRECT, PyKCS11.CKR_PIN_LEN_RANGE):
                        raise TokenError(f"wrong PIN for token {self.label!r}") from exc
                    if exc.value == PyKCS11.CKR_PIN_LOCKED:
                        raise TokenError(f"the PIN of token {self.label!r} is locked") from exc
                    raise TokenError(f"cannot log in to token {self.label!r}: {exc}") from exc
        self.session, self.slot = session, slot
        return self

    def close(self) -> None:
        # No explicit C_Logout: it would also log out other sessions of this process on
        # the same token; PKCS#11 logs out when the token's last session closes.
        if self.session is not None:
            try:
                self.session.closeSession()
            finally:
                self.session = None
                self._key_cache.clear()

    def __enter__(self) -> "TokenSession":
        return self.open()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def _s(self) -> PyKCS11.Session:
        if self.session is None:
            raise TokenError("token session is not open (use it as a context manager)")
        return self.session

    # -- helpers ---------------------------------------------------------------
    def _find(self, template: list[tuple[int, object]]) -> list[PyKCS11.CK_OBJECT_HANDLE]:
        return self._s.findObjects(template)

    def _one(self, cls: int, key_id: bytes, what: str) -> PyKCS11.CK_OBJECT_HANDLE:
        found = self._find([(PyKCS11.CKA_CLASS, cls), (PyKCS11.CKA_ID, tuple(key_id))])
        if not found:
            hint = "" if self._pin is not None or cls != PyKCS11.CKO_PRIVATE_KEY else " (session not logged in)"
            raise TokenError(f"no {what} with id {key_id.hex()} on token {self.label!r}{hint}")
        return found[0]

    def _private_key(self, key_id: bytes) -> PyKCS11.CK_OBJECT_HANDLE:
        handle = self._key_cache.get(key_id)
        if handle is None:
            handle = self._one(PyKCS11.CKO_PRIVATE_KEY, key_id, "private key")
            self._key_cache[key_id] = handle
        return handle

    # -- keys ------------------------------------------------------------------
    def generate_ec_key(self, key_id: bytes, label: str) -> bytes:
        """Generate a non-extractable P-256 key pair; return the DER SubjectPublicKeyInfo."""
        if self._pin is None:
            raise TokenError("generating a key needs a logged-in session (give the user PIN)")
        pub_template = [
            (PyKCS11.CKA_CLASS, PyKCS11.CKO_PUBLIC_KEY),
            (PyKCS11.CKA_KEY_TYPE, PyKCS11.CKK_EC),
            (PyKCS11.CKA_TOKEN, PyKCS11.CK_TRUE),
            (PyKCS11.CKA_PRIVATE, PyKCS11.CK_FALSE),
            (PyKCS11.CKA_VERIFY, PyKCS11.CK_TRUE),
            (PyKCS11.CKA_ENCRYPT, PyKCS11.CK_FALSE),
            (PyKCS11.CKA_WRAP, PyKCS11.CK_FALSE),
            (PyKCS11.CKA_EC_PARAMS, _P256_PARAMS),
            (PyKCS11.CKA_ID, tuple(key_id)),
            (PyKCS11.CKA_LABEL, label),
        ]
        priv_template = [
            (PyKCS11.CKA_CLASS, PyKCS11.CKO_PRIVATE_KEY),
            (PyKCS11.CKA_KEY_TYPE, PyKCS11.CKK_EC),
            (PyKCS11.CKA_TOKEN, PyKCS11.CK_TRUE),
            (PyKCS11.CKA_PRIVATE, PyKCS11.CK_TRUE),
            (PyKCS11.CKA_SENSITIVE, PyKCS11.CK_TRUE),
            (PyKCS11.CKA_EXTRACTABLE, PyKCS11.CK_FALSE),
            (PyKCS11.CKA_SIGN, PyKCS11.CK_TRUE),
            # A signing key must not double as an encryption/agreement key.
            (PyKCS11.CKA_DECRYPT, PyKCS11.CK_FALSE),
            (PyKCS11.CKA_UNWRAP, PyKCS11.CK_FALSE),
            (PyKCS11.CKA_DERIVE, PyKCS11.CK_FALSE),
            (PyKCS11.CKA_ID, tuple(key_id)),
            (PyKCS11.CKA_LABEL, label),
        ]
        try:
            pub, _priv = self._s.generateKeyPair(
                pub_template, priv_template, mecha=PyKCS11.MechanismECGENERATEKEYPAIR
            )
            (point,) = self._s.getAttributeValue(pub, [PyKCS11.CKA_EC_POINT], allAsBinary=True)
        except PyKCS11.PyKCS11Error as exc:
            raise TokenError(f"EC key generation failed on token {self.label!r}: {exc}") from exc
        return _spki_from_ec_point(bytes(point))

    def public_key_info(self, key_id: bytes) -> bytes:
        """DER SubjectPublicKeyInfo of the public key with this CKA_ID."""
        pub = self._one(PyKCS11.CKO_PUBLIC_KEY, key_id, "public key")
        (point,) = self._s.getAttributeValue(pub, [PyKCS11.CKA_EC_POINT], allAsBinary=True)
        return _spki_from_ec_point(bytes(point))

    def private_key_attributes(self, key_id: bytes) -> dict[str, bool]:
        """Protection attributes of the private key, plus whether CKA_VALUE is readable."""
        priv = self._private_key(key_id)
        names = {
            "sensitive": PyKCS11.CKA_SENSITIVE,
            "extractable": PyKCS11.CKA_EXTRACTABLE,
            "always_sensitive": PyKCS11.CKA_ALWAYS_SENSITIVE,
            "never_extractable": PyKCS11.CKA_NEVER_EXTRACTABLE,
            "private": PyKCS11.CKA_PRIVATE,
            "token": PyKCS11.CKA_TOKEN,
            "sign": PyKCS11.CKA_SIGN,
            "decrypt": PyKCS11.CKA_DECRYPT,
            "derive": PyKCS11.CKA_DERIVE,
        }
        values = self._s.getAttributeValue(priv, list(names.values()))
        result = {name: bool(v) for name, v in zip(names, values)}
        # getAttributeValue falls back to per-attribute reads and yields None for a
        # sensitive attribute (CKR_ATTRIBUTE_SENSITIVE); any bytes here would be a leak.
        try:
            (value,) = self._s.getAttributeValue(priv, [PyKCS11.CKA_VALUE], allAsBinary=True)
        except PyKCS11.PyKCS11Error:
            value = None
        result["value_readable"] = bool(value)
        return result

    def sign(self, key_id: bytes, data: bytes) -> bytes:
        """ECDSA over SHA-256 of ``data`` on the token; returns a DER ECDSA-Sig-Value.

        SoftHSM lacks CKM_ECDSA_SHA256, so hash here and use plain CKM_ECDSA, which
        returns r||s; pyHanko and X.509 want the DER SEQUENCE { r, s }.
        """
        digest = hashlib.sha256(data).digest()
        try:
            raw = self._s.sign(self._private_key(key_id), digest, PyKCS11.Mechanism(PyKCS11.CKM_ECDSA, None))
        except PyKCS11.PyKCS11Error as exc:
            raise TokenError(f"signing with key {key_id.hex()} on token {self.label!r} failed: {exc}") from exc
        return algos.DSASignature.from_p1363(bytes(raw)).dump()

    def list_key_ids(self) -> list[bytes]:
        """CKA_IDs of the key pairs on the token (private keys only seen when logged in)."""
        ids: set[bytes] = set()
        for cls in (PyKCS11.CKO_PRIVATE_KEY, PyKCS11.CKO_PUBLIC_KEY):
            for handle in self._find([(PyKCS11.CKA_CLASS, cls)]):
                (kid,) = self._s.getAttributeValue(handle, [PyKCS11.CKA_ID], allAsBinary=True)
                if kid:
                    ids.add(bytes(kid))
        return sorted(ids)

    # -- certificates ------------------------------------------------------------
    def write_certificate(self, key_id: bytes, label: str, der: bytes, *, protected: bool = False) -> None:
        """Store an X.509 certificate with the key's CKA_ID.

        Unprotected (the CA token's own certificates): an older one with the same CKA_ID is replaced.
        ``protected`` (a USB-Key's certificate): written non-modifiable and non-destroyable, so that
        whoever holds the key cannot delete or swap it; a renewal adds the new certificate beside
        the old, and signing tools take the latest."""
        from asn1crypto import x509 as asn1_x509

        cert = asn1_x509.Certificate.load(der)
        if not protected:
            for old in self._find([(PyKCS11.CKA_CLASS, PyKCS11.CKO_CERTIFICATE), (PyKCS11.CKA_ID, tuple(key_id))]):
                self._s.destroyObject(old)
        self._s.createObject(_protection(protected) + [
            (PyKCS11.CKA_CLASS, PyKCS11.CKO_CERTIFICATE),
            (PyKCS11.CKA_CERTIFICATE_TYPE, PyKCS11.CKC_X_509),
            (PyKCS11.CKA_TOKEN, PyKCS11.CK_TRUE),
            (PyKCS11.CKA_ID, tuple(key_id)),
            (PyKCS11.CKA_LABEL, label),
            (PyKCS11.CKA_SUBJECT, tuple(cert.subject.dump())),
            (PyKCS11.CKA_ISSUER, tuple(cert.issuer.dump())),
            (PyKCS11.CKA_SERIAL_NUMBER, tuple(core.Integer(cert.serial_number).dump())),
            (PyKCS11.CKA_VALUE, tuple(der)),
        ])

    def read_certificate(self, key_id: bytes) -> bytes | None:
        """DER certificate stored with this CKA_ID (the newest if several), or None."""
        from asn1crypto import x509 as asn1_x509

        found = self._find([(PyKCS11.CKA_CLASS, PyKCS11.CKO_CERTIFICATE), (PyKCS11.CKA_ID, tuple(key_id))])
        values = [bytes(self._s.getAttributeValue(h, [PyKCS11.CKA_VALUE], allAsBinary=True)[0]) for h in found]
        # A renewed key keeps its older certificates beside the new one: the newest is current.
        return max(values, key=lambda der: asn1_x509.Certificate.load(der).not_valid_after, default=None)

    # -- data objects (seal image) -----------------------------------------------
    def write_data(self, label: str, data: bytes, *, protected: bool = False) -> None:
        """Store a CKO_DATA object under ``label``.

        Unprotected: public and replacing an older one. ``protected`` (the seal image on a
        USB-Key): private (read only after the PIN), non-modifiable and non-destroyable, added
        beside any older one — the certificate's seal-image hash says which one is current."""
        if self._pin is None and protected:
            raise TokenError("a private object needs a logged-in session (give the user PIN)")
        if not protected:
            for old in self._find([(PyKCS11.CKA_CLASS, PyKCS11.CKO_DATA), (PyKCS11.CKA_LABEL, label)]):
                self._s.destroyObject(old)
        self._s.createObject(_protection(protected, private=protected) + [
            (PyKCS11.CKA_CLASS, PyKCS11.CKO_DATA),
            (PyKCS11.CKA_TOKEN, PyKCS11.CK_TRUE),
            (PyKCS11.CKA_LABEL, label),
            (PyKCS11.CKA_VALUE, tuple(data)),
        ])

    def read_data(self, label: str) -> bytes | None:
        """Value of the newest CKO_DATA object with this label that this session can see, or None."""
        found = self._find([(PyKCS11.CKA_CLASS, PyKCS11.CKO_DATA), (PyKCS11.CKA_LABEL, label)])
        if not found:
            return None
        (value,) = self._s.getAttributeValue(found[-1], [PyKCS11.CKA_VALUE], allAsBinary=True)
        return bytes(value)


def _protection(protected: bool, *, private: bool = False) -> list[tuple[int, object]]:
    """CKA_PRIVATE / CKA_MODIFIABLE / CKA_DESTROYABLE for an object written to a token."""
    flag = PyKCS11.CK_FALSE if protected else PyKCS11.CK_TRUE
    return [
        (PyKCS11.CKA_PRIVATE, PyKCS11.CK_TRUE if private else PyKCS11.CK_FALSE),
        (PyKCS11.CKA_MODIFIABLE, flag),
        (PyKCS11.CKA_DESTROYABLE, flag),
    ]
