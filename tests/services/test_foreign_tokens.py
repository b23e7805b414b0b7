"""Any USB-Key signs: RSA (PKCS#1 v1.5, PSS) and EC keys made outside Shenbao, through the
agent's `shenbao-signer sign` and through `flask sign-pdf` with no database."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from app.pki.verify import verify_pdf
from tests.foreign_tokens import PIN, make_foreign_token
from tests.pki_support import SOFTHSM_MODULE
from tests.services.test_eseal import one_page_pdf

ROOT = Path(__file__).resolve().parents[2]


def _signer(*args: str, config_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "KEY_PIN": PIN}
    return subprocess.run([sys.executable, "-m", "shenbao_signer", "--config-dir", str(config_dir),
                           "--module", SOFTHSM_MODULE, *args], capture_output=True, text=True, env=env, timeout=120)


def _signature_algorithm(pdf: bytes) -> str:
    (sig,) = PdfFileReader(__import__("io").BytesIO(pdf)).embedded_signatures
    return sig.signer_info["signature_algorithm"]["algorithm"].native


@pytest.mark.parametrize("kind, scheme, algorithm", [
    ("rsa2048", "pkcs1v15", "sha256_rsa"),
    ("rsa2048", "pss", "rsassa_pss"),
    ("rsa3072", "pkcs1v15", "sha256_rsa"),
    ("rsa4096", "pss", "rsassa_pss"),
    ("p256", "pkcs1v15", "sha256_ecdsa"),
    ("p384", "pkcs1v15", "sha384_ecdsa"),
])
def test_a_foreign_key_signs_and_validates(pkcs11_lib, tmp_path, kind, scheme, algorithm):
    token = make_foreign_token(pkcs11_lib, tmp_path / "ca", kind)
    source, target = tmp_path / "in.pdf", tmp_path / "out.pdf"
    source.write_bytes(one_page_pdf("外省文件"))
    done = _signer("sign", "--token", token.label, "--key", token.key_label, "--pin-env", "KEY_PIN",
                   "--rsa-scheme", scheme, "--chain", str(token.root_pem), str(source), str(target),
                   config_dir=tmp_path / "cfg")
    assert done.returncode == 0, done.stderr
    signed = target.read_bytes()
    (report,) = verify_pdf(signed, trust_roots=[token.root])
    assert report.indication == "TOTAL_PASSED", report
    assert report.signer_organization == "外省测试有限公司"
    assert _signature_algorithm(signed) == algorithm


def test_the_key_is_chosen_by_id_and_the_chain_read_from_the_token(pkcs11_lib, tmp_path):
    token = make_foreign_token(pkcs11_lib, tmp_path / "ca", "rsa2048", chain_on_token=True)
    source, target = tmp_path / "in.pdf", tmp_path / "out.pdf"
    source.write_bytes(one_page_pdf("by id"))
    done = _signer("sign", "--key-id", token.key_id.hex(), "--pin-env", "KEY_PIN", str(source), str(target),
                   config_dir=tmp_path / "cfg")
    assert done.returncode == 0, done.stderr
    (sig,) = PdfFileReader(__import__("io").BytesIO(target.read_bytes())).embedded_signatures
    embedded = {c.subject.native["common_name"] for c in sig.other_embedded_certs}
    assert "Foreign Root CA" in embedded  # the validator finds the path in the CMS alone


def test_wrong_pin_and_unknown_key_are_said_plainly(pkcs11_lib, tmp_path):
    token = make_foreign_token(pkcs11_lib, tmp_path / "ca", "p256")
    source = tmp_path / "in.pdf"
    source.write_bytes(one_page_pdf("x"))
    env_pin = {**os.environ, "KEY_PIN": "0000-0000"}
    wrong = subprocess.run([sys.executable, "-m", "shenbao_signer", "--config-dir", str(tmp_path / "cfg"),
                            "--module", SOFTHSM_MODULE, "sign", "--token", token.label, "--pin-env", "KEY_PIN",
                            str(source), str(tmp_path / "o.pdf")], capture_output=True, text=True, env=env_pin)
    assert wrong.returncode == 1 and "Wrong PIN" in wrong.stderr
    assert not (tmp_path / "o.pdf").exists()
    missing = _signer("sign", "--token", "no-such-token", "--pin-env", "KEY_PIN", str(source),
                      str(tmp_path / "o.pdf"), config_dir=tmp_path / "cfg")
    assert missing.returncode == 1 and "no key with a certificate matches token=no-such-token" in missing.stderr


def test_flask_sign_pdf_needs_no_database(pkcs11_lib, tmp_path):
    """The app's sign-pdf on an instance whose database was never created or migrated."""
    token = make_foreign_token(pkcs11_lib, tmp_path / "ca", "rsa2048")
    source, target = tmp_path / "in.pdf", tmp_path / "out.pdf"
    source.write_bytes(one_page_pdf("no db"))
    env = {**os.environ, "KEY_PIN": PIN, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}",
           "UPLOAD_DIR": str(tmp_path / "up")}
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "run", "sign-pdf", "--module", SOFTHSM_MODULE,
                           "--token", token.label, "--pin-env", "KEY_PIN", "--chain", str(token.root_pem),
                           str(source), str(target)], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "signed:" in done.stdout
    (report,) = verify_pdf(target.read_bytes(), trust_roots=[token.root])
    assert report.indication == "TOTAL_PASSED"


@pytest.mark.parametrize("kind, scheme", [("rsa2048", "pss"), ("rsa3072", "pkcs1v15"), ("p384", "pkcs1v15")])
def test_pdfsig_accepts_what_a_foreign_key_signed(pkcs11_lib, tmp_path, kind, scheme):
    """poppler/NSS, with only the foreign root trusted, agrees with Shenbao's verifier."""
    token = make_foreign_token(pkcs11_lib, tmp_path / "ca", kind)
    source, target = tmp_path / "in.pdf", tmp_path / "out.pdf"
    source.write_bytes(one_page_pdf("pdfsig"))
    done = _signer("sign", "--token", token.label, "--pin-env", "KEY_PIN", "--rsa-scheme", scheme,
                   "--chain", str(token.root_pem), str(source), str(target), config_dir=tmp_path / "cfg")
    assert done.returncode == 0, done.stderr
    nss = tmp_path / "nss"
    nss.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True)
    subprocess.run(["certutil", "-A", "-n", "foreign", "-t", "CT,C,C", "-i", str(token.root_pem), "-d", f"sql:{nss}"],
                   check=True)
    pdfsig = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss}", str(target)], capture_output=True, text=True)
    assert "Signature is Valid." in pdfsig.stdout and "Certificate is Trusted." in pdfsig.stdout, pdfsig.stdout
