"""Which seal picture on the token is the one issued with the certificate.

Shenbao's certificates carry the SHA-256 of the seal image written with the key (a non-critical
extension); a picture that does not match was swapped on the token and is refused. Certificates
of other CAs carry no hash: their token's single seal picture (if any) is used as it is.
"""
from __future__ import annotations

import hashlib

from asn1crypto import core, x509

__all__ = ["SEAL_IMAGE_SHA256_OID", "SealMismatch", "issued_seal_sha256", "issued_seal"]

# Under Shenbao's policy arc 2.25.322159998160228758299844782032188568674 (docs/pki.md).
SEAL_IMAGE_SHA256_OID = "2.25.322159998160228758299844782032188568674.3.1"


class SealMismatch(ValueError):
    """The token holds no seal picture matching its certificate."""


def issued_seal_sha256(cert: x509.Certificate) -> bytes | None:
    for extension in cert["tbs_certificate"]["extensions"] or []:
        if extension["extn_id"].dotted == SEAL_IMAGE_SHA256_OID:
            return core.OctetString.load(extension["extn_value"].native).native
    return None


def issued_seal(images: list[bytes], cert: x509.Certificate) -> bytes | None:
    """The picture to stamp: the one whose hash the certificate carries.

    :raises SealMismatch: the certificate names a picture the token does not hold.
    """
    expected = issued_seal_sha256(cert)
    if expected is None:
        return images[-1] if images else None
    for image in images:
        if hashlib.sha256(image).digest() == expected:
            return image
    raise SealMismatch("The seal picture on the USB-Key is not the one issued with its certificate "
                       "(it was replaced): signing refused. Ask the issuer for a new key.")
