"""USB-Keys made outside Shenbao: an openssl CA, a key made by openssl and imported into a fresh
SoftHSM token with softhsm2-util, the certificate written next to it — as another CA ships them."""
from __future__ import annotations

import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

import PyKCS11
from asn1crypto import core, pem, x509

from app.pki import token as pki_token

PIN = "4711-0815"
_KEYGEN = {
    "rsa2048": ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
    "rsa3072": ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072"],
    "rsa4096": ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:4096"],
    "p256": ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
    "p384": ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
}


def _run(*args: str, cwd: Path) -> None:
    subprocess.run(args, cwd=cwd, check=True, capture_output=True, timeout=120)


def _load(path: Path) -> x509.Certificate:
    data = path.read_bytes()
    return x509.Certificate.load(pem.unarmor(data)[2] if pem.detect(data) else data)


@dataclass
class ForeignToken:
    label: str
    key_label: str
    key_id: bytes
    root: x509.Certificate
    root_pem: Path
    cert: x509.Certificate


def openssl_ca(work: Path) -> Path:
    """A root CA made by openssl (key in a file: this is the foreign CA, not Shenbao's)."""
    if not (work / "root.pem").exists():
        _run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", "root.key", "-out", "root.pem", "-days", "3650", "-subj", "/C=CN/O=Foreign CA/CN=Foreign Root CA",
             "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
             cwd=work)
    return work / "root.pem"


def make_foreign_token(lib, work: Path, kind: str, *, chain_on_token: bool = False) -> ForeignToken:
    """A token holding a ``kind`` key (see _KEYGEN) and its certificate from the openssl CA."""
    work.mkdir(parents=True, exist_ok=True)
    root_pem = openssl_ca(work)
    tag = uuid.uuid4().hex[:12]
    label, key_label, key_id = f"foreign-{tag}", f"key-{kind}", bytes.fromhex(tag[:8])
    _run("openssl", "genpkey", *_KEYGEN[kind], "-out", f"{tag}.key", cwd=work)
    (work / f"{tag}.ext").write_text("basicConstraints=critical,CA:FALSE\n"
                                     "keyUsage=critical,digitalSignature,nonRepudiation\n", encoding="utf-8")
    _run("openssl", "req", "-new", "-key", f"{tag}.key", "-out", f"{tag}.csr", "-utf8",
         "-subj", "/C=CN/O=外省测试有限公司/CN=外省测试有限公司", cwd=work)
    _run("openssl", "x509", "-req", "-in", f"{tag}.csr", "-CA", "root.pem", "-CAkey", "root.key", "-CAcreateserial",
         "-days", "365", "-extfile", f"{tag}.ext", "-out", f"{tag}.pem", cwd=work)
    pki_token.init_token(lib, label, "so-" + tag, PIN)
    # softhsm2-util wants PKCS#8.
    _run("openssl", "pkcs8", "-topk8", "-nocrypt", "-in", f"{tag}.key", "-out", f"{tag}.p8", cwd=work)
    _run("softhsm2-util", "--import", f"{tag}.p8", "--token", label, "--label", key_label, "--id", key_id.hex(),
         "--pin", PIN, cwd=work)
    cert = _load(work / f"{tag}.pem")
    root = _load(root_pem)
    session = lib.openSession(pki_token.find_token(lib, label), PyKCS11.CKF_SERIAL_SESSION | PyKCS11.CKF_RW_SESSION)
    try:
        session.login(PIN)
        for obj_id, obj_label, obj in [(key_id, key_label, cert)] + ([(b"ca", "root", root)] if chain_on_token else []):
            session.createObject([
                (PyKCS11.CKA_CLASS, PyKCS11.CKO_CERTIFICATE), (PyKCS11.CKA_CERTIFICATE_TYPE, PyKCS11.CKC_X_509),
                (PyKCS11.CKA_TOKEN, PyKCS11.CK_TRUE), (PyKCS11.CKA_PRIVATE, PyKCS11.CK_FALSE),
                (PyKCS11.CKA_ID, tuple(obj_id)), (PyKCS11.CKA_LABEL, obj_label),
                (PyKCS11.CKA_SUBJECT, tuple(obj.subject.dump())), (PyKCS11.CKA_ISSUER, tuple(obj.issuer.dump())),
                (PyKCS11.CKA_SERIAL_NUMBER, tuple(core.Integer(obj.serial_number).dump())),
                (PyKCS11.CKA_VALUE, tuple(obj.dump())),
            ])
        session.logout()
    finally:
        session.closeSession()
    return ForeignToken(label, key_label, key_id, root, root_pem, cert)
