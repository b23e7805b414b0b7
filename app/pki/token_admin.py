"""Loading a PKCS#11 module and creating tokens: what the CA operator's side does before any
session (SoftHSM2 configuration, C_Initialize once per process, C_InitToken with the user PIN set).
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

import PyKCS11

__all__ = [
    "DEFAULT_MODULE",
    "Pkcs11Unavailable",
    "TokenError",
    "find_token",
    "init_token",
    "library",
    "reset_token",
    "softhsm_config",
]

DEFAULT_MODULE = "/usr/lib/softhsm/libsofthsm2.so"

_LABEL_MAX = 32  # CK_TOKEN_INFO.label is 32 bytes, blank padded


class Pkcs11Unavailable(RuntimeError):
    """The PKCS#11 module cannot be found or loaded."""


class TokenError(RuntimeError):
    """Wrong PIN, missing token, missing key or another token-level failure."""


def _unavailable_message(module_path: str, detail: str) -> str:
    return (
        f"PKCS#11 module {module_path} {detail}: install Debian package softhsm2 "
        "(apt-get install softhsm2) or set PKCS11_MODULE to the path of your "
        "token's PKCS#11 library"
    )


def softhsm_config(instance_dir: Path) -> Path:
    """Write ``<instance_dir>/softhsm2.conf`` if missing and point SOFTHSM2_CONF at it.

    SoftHSM reads SOFTHSM2_CONF once, at C_Initialize, so call this before the first
    :func:`library` call. An SOFTHSM2_CONF already in the environment wins, so an
    operator can point the app at a shared token directory.
    """
    instance_dir = Path(instance_dir)
    token_dir = instance_dir / "tokens"
    token_dir.mkdir(parents=True, exist_ok=True)
    conf = instance_dir / "softhsm2.conf"
    if not conf.exists():
        conf.write_text(
            f"directories.tokendir = {token_dir}\n"
            "objectstore.backend = file\n"
            "log.level = ERROR\n",
            encoding="utf-8",
        )
    os.environ.setdefault("SOFTHSM2_CONF", str(conf))
    return conf


_libs: dict[str, PyKCS11.PyKCS11Lib] = {}
_libs_lock = threading.Lock()


def library(module_path: str = DEFAULT_MODULE) -> PyKCS11.PyKCS11Lib:
    """Load (once per process and path) and initialise a PKCS#11 module.

    The object is cached and kept alive on purpose: dropping the last PyKCS11Lib
    finalises the module, which logs every session out.
    """
    with _libs_lock:
        lib = _libs.get(module_path)
        if lib is not None:
            return lib
        if not Path(module_path).is_file():
            raise Pkcs11Unavailable(_unavailable_message(module_path, "not found"))
        lib = PyKCS11.PyKCS11Lib()
        try:
            lib.load(module_path)
        except PyKCS11.PyKCS11Error as exc:
            raise Pkcs11Unavailable(_unavailable_message(module_path, f"failed to load ({exc})")) from exc
        _libs[module_path] = lib
        return lib


def _clean_label(raw: str) -> str:
    # The label field is blank padded per spec, but tokens created without padding
    # carry NULs instead (PyKCS11 passes the label as a C string).
    return raw.replace("\x00", " ").strip()


def find_token(lib: PyKCS11.PyKCS11Lib, label: str) -> int | None:
    """Slot id of the initialised token with this label, or None."""
    for slot in lib.getSlotList(tokenPresent=True):
        info = lib.getTokenInfo(slot)
        if info.flags & PyKCS11.CKF_TOKEN_INITIALIZED and _clean_label(info.label) == label:
            return int(slot)
    return None


def _check_label(label: str) -> None:
    if not label or len(label.encode("utf-8")) > _LABEL_MAX:
        raise TokenError(f"token label {label!r} must be 1 to {_LABEL_MAX} bytes (UTF-8)")


def init_token(lib: PyKCS11.PyKCS11Lib, label: str, so_pin: str, user_pin: str) -> int:
    """Initialise a token on a free slot, set the user PIN, return its slot id.

    The slot id is looked up again after C_InitToken because SoftHSM may renumber
    the slot of a freshly initialised token.
    """
    _check_label(label)
    if find_token(lib, label) is not None:
        raise TokenError(f"a token labelled {label!r} already exists")
    free = [
        s for s in lib.getSlotList(tokenPresent=True)
        if not lib.getTokenInfo(s).flags & PyKCS11.CKF_TOKEN_INITIALIZED
    ]
    if not free:
        raise TokenError("no free (uninitialised) PKCS#11 slot to create a token in")
    return _initialise(lib, free[0], label, so_pin, user_pin)


def reset_token(lib: PyKCS11.PyKCS11Lib, label: str, so_pin: str, user_pin: str) -> int:
    """Initialise an existing token again with its SO PIN: every object goes, protected ones
    (non-destroyable certificates, the seal) included; the label and the user PIN are set anew."""
    slot = find_token(lib, label)
    if slot is None:
        raise TokenError(f"no PKCS#11 token labelled {label!r}")
    return _initialise(lib, slot, label, so_pin, user_pin)


def _initialise(lib: PyKCS11.PyKCS11Lib, slot: int, label: str, so_pin: str, user_pin: str) -> int:
    try:
        # Pad to the fixed 32-byte field ourselves: C_InitToken copies 32 bytes, and
        # PyKCS11 hands over an unpadded C string (SoftHSM stored NULs).
        padded = label + " " * (_LABEL_MAX - len(label.encode("utf-8")))
        lib.initToken(slot, so_pin, padded)
    except PyKCS11.PyKCS11Error as exc:
        raise TokenError(f"cannot initialise token {label!r}: {exc}") from exc
    slot = find_token(lib, label)
    if slot is None:  # pragma: no cover - would be a module bug
        raise TokenError(f"token {label!r} vanished right after initialisation")
    session = lib.openSession(slot, PyKCS11.CKF_SERIAL_SESSION | PyKCS11.CKF_RW_SESSION)
    try:
        session.login(so_pin, user_type=PyKCS11.CKU_SO)
        session.initPin(user_pin)
        session.logout()
    except PyKCS11.PyKCS11Error as exc:
        raise TokenError(f"cannot set the user PIN of token {label!r}: {exc}") from exc
    finally:
        session.closeSession()
    return slot
