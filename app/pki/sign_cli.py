"""Sign a PDF with the key on a USB-Key: what ``flask --app run sign-pdf`` runs.

Works with any PKCS#11 module (SoftHSM, OpenSC for a real key): the token holds the key pair,
its certificate (same CKA_ID) and the seal image (data object "seal image").
"""
from __future__ import annotations

from pathlib import Path

from asn1crypto import x509

from app.pki import token as tk

SEAL_IMAGE_LABEL = "seal image"


class SigningFailed(RuntimeError):
    """Why the PDF could not be signed, in words for the person at the command line."""


def sign_with_token(*, module: str, token_label: str, pin: str, field_name: str, source: Path, target: Path,
                    chain: list[x509.Certificate] | None = None) -> int:
    """Sign ``source`` into ``target`` with the token's first key that has a certificate.

    :returns: the size of the signed file.
    :raises SigningFailed: module, token, PIN, key or PDF problem.
    """
    from app.pki.signer import TokenSigner, sign_pdf

    data = source.read_bytes()
    if not data.startswith(b"%PDF-"):
        raise SigningFailed(f"{source} is not a PDF file")
    try:
        lib = tk.library(module)
        with tk.TokenSession(lib, token_label, pin) as session:
            key_id = cert_der = None
            for candidate in session.list_key_ids():
                cert_der = session.read_certificate(candidate)
                if cert_der:
                    key_id = candidate
                    break
            if key_id is None:
                raise SigningFailed(f"token {token_label!r} holds no key with a certificate")
            cert = x509.Certificate.load(cert_der)
            seal = session.read_data(SEAL_IMAGE_LABEL)
            signer = TokenSigner(session, key_id=key_id, signing_cert=cert, chain=chain or [])
            signed = sign_pdf(data, signer, field_name=field_name, reason="企业电子签章",
                              stamp_image_png=seal, stamp_text="%(ts)s" if seal else None)
    except (tk.Pkcs11Unavailable, tk.TokenError) as exc:
        raise SigningFailed(str(exc)) from exc
    target.write_bytes(signed)
    return len(signed)
