"""USB-Keys seen through a PKCS#11 module: which certificates they hold, and signing with one.

Only PyKCS11. Listing needs no PIN (certificates are public objects); signing logs in once
with the PIN the user typed into the agent's own prompt and never retries it: a token counts
wrong PINs and locks itself, so a second silent attempt could lock the user out.
"""
from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import PyKCS11
from asn1crypto import algos, x509

from .names import credit_code
from .seal import SealMismatch, issued_seal
from .schemes import Scheme, UnsupportedKey, choose_scheme, describe_key

__all__ = ["Credential", "PinError", "TokenError", "find_credential", "list_credentials", "load_module",
           "signing_session"]

SEAL_IMAGE_LABEL = "seal image"


class TokenError(RuntimeError):
    """A module, token, key or certificate problem; the message is for the user."""

    code = "token_error"


class PinError(TokenError):
    """Wrong or locked PIN. ``code`` is "pin_incorrect" or "pin_locked"."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


_modules: dict[str, PyKCS11.PyKCS11Lib] = {}
_modules_lock = threading.Lock()


def load_module(path: str) -> PyKCS11.PyKCS11Lib:
    """Load and initialise a PKCS#11 library once per process (kept alive: unloading logs out)."""
    with _modules_lock:
        lib = _modules.get(path)
        if lib is None:
            if not Path(path).is_file():
                raise TokenError(f"PKCS#11 module {path} not found: give the path of your USB-Key's "
                                 "PKCS#11 library (its vendor installs it)")
            lib = PyKCS11.PyKCS11Lib()
            try:
                lib.load(path)
            except PyKCS11.PyKCS11Error as exc:
                raise TokenError(f"PKCS#11 module {path} failed to load ({exc})") from exc
            _modules[path] = lib
        return lib


def _label(raw: str) -> str:
    return raw.replace("\x00", " ").strip()


@dataclass(frozen=True)
class Credential:
    """A key on a token with its certificate (same CKA_ID)."""

    module: str
    slot: int
    token_label: str
    token_serial: str
    key_id: bytes
    key_label: str
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]  # CA certificates found on the same token

    @property
    def id(self) -> str:
        """Stable while the key is plugged in (slot numbers are not)."""
        return f"{self.token_serial}.{self.key_id.hex()}"

    @property
    def subject(self) -> str:
        names = self.certificate.subject.native
        return names.get("organization_name") or names.get("common_name") or ""

    def describe(self) -> dict:
        return {
            "id": self.id,
            "token": self.token_label,
            "subject": self.subject,
            "credit_code": credit_code(self.certificate.subject) or "",
            "issuer": self.certificate.issuer.native.get("common_name", ""),
            "not_after": self.certificate.not_valid_after.isoformat(),
            "key": describe_key(self.certificate.public_key),
        }


def _certificates(session: PyKCS11.Session) -> list[tuple[bytes, str, x509.Certificate]]:
    found = []
    for handle in session.findObjects([(PyKCS11.CKA_CLASS, PyKCS11.CKO_CERTIFICATE),
                                       (PyKCS11.CKA_CERTIFICATE_TYPE, PyKCS11.CKC_X_509)]):
        key_id, label, value = session.getAttributeValue(
            handle, [PyKCS11.CKA_ID, PyKCS11.CKA_LABEL, PyKCS11.CKA_VALUE], allAsBinary=True)
        try:
            cert = x509.Certificate.load(bytes(value))
            cert.native  # noqa: B018 - parse now: a broken object must not break the listing later
        except ValueError:
            continue
        found.append((bytes(key_id or b""), bytes(label or b"").decode("utf-8", "replace"), cert))
    return found


def _signs_documents(cert: x509.Certificate) -> bool:
    """An end-entity certificate whose key may sign documents (not a CA, not a time-stamping or
    OCSP-only certificate that happens to sit on the same token)."""
    if cert.ca:
        return False
    usage = cert.key_usage_value.native if cert.key_usage_value else {"digital_signature"}
    purposes = set(cert.extended_key_usage_value.native) if cert.extended_key_usage_value else set()
    narrow = purposes and purposes <= {"time_stamping", "ocsp_signing", "server_auth"}
    return bool({"digital_signature", "non_repudiation"} & set(usage)) and not narrow


def list_credentials(modules: str | Sequence[str]) -> list[Credential]:
    """Every end-entity certificate on every token the module(s) see."""
    result: list[Credential] = []
    for module in [modules] if isinstance(modules, str) else modules:
        result += _module_credentials(module)
    return result


def _module_credentials(module: str) -> list[Credential]:
    lib = load_module(module)
    result: list[Credential] = []
    for slot in lib.getSlotList(tokenPresent=True):
        info = lib.getTokenInfo(slot)
        if not info.flags & PyKCS11.CKF_TOKEN_INITIALIZED:
            continue
        session = lib.openSession(slot, PyKCS11.CKF_SERIAL_SESSION)
        try:
            certs = _certificates(session)
        finally:
            session.closeSession()
        chain = tuple(c for _, _, c in certs if c.ca)
        # A renewed key keeps its older certificates (protected objects): sign with the newest.
        newest: dict[bytes, tuple[str, x509.Certificate]] = {}
        for key_id, label, cert in certs:
            if _signs_documents(cert) and key_id and (key_id not in newest
                                           or cert.not_valid_after > newest[key_id][1].not_valid_after):
                newest[key_id] = (label, cert)
        for key_id, (label, cert) in newest.items():
            result.append(Credential(module, int(slot), _label(info.label), _label(info.serialNumber),
                                     key_id, label, cert, chain))
    return result


def find_credential(modules: str | Sequence[str], *, token: str | None = None, key: str | None = None,
                    key_id: str | None = None, credential_id: str | None = None) -> Credential:
    """The one credential matching the selection (token label, key/cert label, CKA_ID in hex)."""
    candidates = [
        c for c in list_credentials(modules)
        if (token is None or c.token_label == token)
        and (key is None or c.key_label == key)
        and (key_id is None or c.key_id.hex() == key_id.lower())
        and (credential_id is None or c.id == credential_id)
    ]
    if not candidates:
        raise TokenError("no key with a certificate matches " + _selection(token, key, key_id, credential_id))
    if len(candidates) > 1:
        names = ", ".join(f"{c.token_label}/{c.key_label or c.key_id.hex()}" for c in candidates)
        raise TokenError(f"several keys match ({names}): choose one with --token and --key or --key-id")
    return candidates[0]


def _selection(token, key, key_id, credential_id) -> str:
    parts = [f"{n}={v}" for n, v in (("token", token), ("key", key), ("key-id", key_id), ("id", credential_id)) if v]
    return ", ".join(parts) or "(is a USB-Key plugged in?)"


def pin_state(lib: PyKCS11.PyKCS11Lib, slot: int) -> str | None:
    """"locked", "final_try", "count_low" from the token's flags, or None."""
    flags = lib.getTokenInfo(slot).flags
    if flags & PyKCS11.CKF_USER_PIN_LOCKED:
        return "locked"
    if flags & PyKCS11.CKF_USER_PIN_FINAL_TRY:
        return "final_try"
    if flags & PyKCS11.CKF_USER_PIN_COUNT_LOW:
        return "count_low"
    return None


_PIN_NOTES = {"final_try": " One try is left before the USB-Key locks.",
              "count_low": " Few tries are left before the USB-Key locks."}


def _find_slot(lib: PyKCS11.PyKCS11Lib, credential: Credential) -> int:
    # The key may have been unplugged and put back on another slot: find it by serial.
    for slot in lib.getSlotList(tokenPresent=True):
        if _label(lib.getTokenInfo(slot).serialNumber) == credential.token_serial:
            return int(slot)
    raise TokenError(f"USB-Key {credential.token_label!r} is no longer plugged in")


@contextmanager
def signing_session(credential: Credential, pin: str, rsa_scheme: str = "pkcs1v15") -> Iterator["KeySigner"]:
    """Log in once with ``pin`` and yield a signer for the credential's key."""
    lib = load_module(credential.module)
    slot = _find_slot(lib, credential)
    if pin_state(lib, slot) == "locked":
        raise PinError("The PIN of this USB-Key is locked; ask the issuer to unlock it.", "pin_locked")
    session = lib.openSession(slot, PyKCS11.CKF_SERIAL_SESSION)
    try:
        try:
            session.login(pin)
        except PyKCS11.PyKCS11Error as exc:
            if exc.value == PyKCS11.CKR_USER_ALREADY_LOGGED_IN:
                pass
            elif exc.value in (PyKCS11.CKR_PIN_INCORRECT, PyKCS11.CKR_PIN_LEN_RANGE, PyKCS11.CKR_PIN_INVALID):
                raise PinError("Wrong PIN." + _PIN_NOTES.get(pin_state(lib, slot) or "", ""), "pin_incorrect") from exc
            elif exc.value == PyKCS11.CKR_PIN_LOCKED:
                raise PinError("The PIN of this USB-Key is locked; ask the issuer to unlock it.", "pin_locked") from exc
            else:
                raise TokenError(f"cannot log in to USB-Key {credential.token_label!r}: {exc}") from exc
        keys = session.findObjects([(PyKCS11.CKA_CLASS, PyKCS11.CKO_PRIVATE_KEY),
                                    (PyKCS11.CKA_ID, tuple(credential.key_id))])
        if not keys:
            raise TokenError(f"USB-Key {credential.token_label!r} holds no private key for this certificate")
        offered = frozenset(str(m) for m in lib.getMechanismList(slot))
        try:
            scheme = choose_scheme(credential.certificate.public_key, offered, rsa_scheme)
        except UnsupportedKey as exc:
            raise TokenError(str(exc)) from exc
        yield KeySigner(session, keys[0], scheme, credential)
    finally:
        session.closeSession()


class KeySigner:
    """Raw signatures with one private key on a logged-in session, in the chosen scheme."""

    def __init__(self, session: PyKCS11.Session, key, scheme: Scheme, credential: Credential) -> None:
        self._session, self._key = session, key
        self.scheme = scheme
        self.credential = credential

    def sign(self, data: bytes, digest_algorithm: str) -> bytes:
        """The CMS signature value over ``data`` (DER ECDSA-Sig-Value for EC keys)."""
        if digest_algorithm.lower() != self.scheme.digest:
            raise TokenError(f"asked to sign a {digest_algorithm} digest with a {self.scheme.digest} scheme")
        digest = hashlib.new(self.scheme.digest, data).digest()
        kind, name = self.scheme.kind, self.scheme.mechanism
        payload = digest if self.scheme.prehash else data
        if kind == "pkcs1v15" and self.scheme.prehash:
            payload = algos.DigestInfo({"digest_algorithm": {"algorithm": self.scheme.digest},
                                        "digest": digest}).dump()
        mechanism_type = getattr(PyKCS11, name)
        if kind == "pss":
            hash_name = self.scheme.digest.upper()
            mechanism = PyKCS11.RSA_PSS_Mechanism(mechanism_type, getattr(PyKCS11, f"CKM_{hash_name}"),
                                                  getattr(PyKCS11, f"CKG_MGF1_{hash_name}"), self.scheme.salt_length)
        else:
            mechanism = PyKCS11.Mechanism(mechanism_type, None)
        try:
            raw = bytes(self._session.sign(self._key, payload, mechanism))
        except PyKCS11.PyKCS11Error as exc:
            raise TokenError(f"the USB-Key refused to sign ({exc})") from exc
        return algos.DSASignature.from_p1363(raw).dump() if kind == "ecdsa" else raw

    def seal_image(self) -> bytes | None:
        """The seal picture issued with the certificate (a private CKO_DATA object), or None.

        :raises TokenError: the certificate names a picture the token does not hold (swapped).
        """
        images = [bytes(self._session.getAttributeValue(handle, [PyKCS11.CKA_VALUE], allAsBinary=True)[0])
                  for handle in self._session.findObjects([(PyKCS11.CKA_CLASS, PyKCS11.CKO_DATA),
                                                           (PyKCS11.CKA_LABEL, SEAL_IMAGE_LABEL)])]
        try:
            return issued_seal(images, self.credential.certificate)
        except SealMismatch as exc:
            raise TokenError(str(exc)) from exc
