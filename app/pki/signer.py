"""The platform's own PAdES signer: the CA token's P-256 keys behind the signing agent's engine.

PDF signing itself (stamp, fonts, any key type) lives in the ``shenbao_signer`` package
(``signer/``) that enterprises install; the platform signs with the same code.
"""
from __future__ import annotations

from collections.abc import Iterable

from asn1crypto import x509
from shenbao_signer.pades import DEFAULT_CJK_FONT, CallbackSigner, sign_pdf, subset_font
from shenbao_signer.schemes import Scheme

from .token import TokenSession
from .x509 import RawSigner

__all__ = ["DEFAULT_CJK_FONT", "TokenSigner", "sign_pdf", "subset_font"]

# The CA token's keys are P-256 and SoftHSM signs them with plain CKM_ECDSA over our digest.
_CA_SCHEME = Scheme(kind="ecdsa", digest="sha256", mechanism="CKM_ECDSA", prehash=True, max_signature_size=72)


class TokenSigner(CallbackSigner):
    """Signs with a P-256 key of the CA token (``source``: an open :class:`TokenSession` with
    ``key_id``, or a :data:`RawSigner` callable returning a DER ECDSA signature over SHA-256)."""

    def __init__(
        self,
        source: TokenSession | RawSigner,
        *,
        signing_cert: x509.Certificate,
        chain: Iterable[x509.Certificate] = (),
        key_id: bytes | None = None,
        embed_roots: bool = True,
    ) -> None:
        if isinstance(source, TokenSession):
            if key_id is None:
                raise ValueError("key_id is required when signing through a TokenSession")
            session = source
            raw: RawSigner = lambda data: session.sign(key_id, data)  # noqa: E731
        else:
            raw = source
        if signing_cert.public_key.algorithm != "ec":
            raise ValueError("the platform's CA keys are EC P-256 keys")
        super().__init__(lambda data, _digest: raw(data), scheme=_CA_SCHEME, signing_cert=signing_cert,
                         chain=chain, embed_roots=embed_roots)
