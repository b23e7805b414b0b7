"""Signing requests the agent holds between the web page's POST and the user's approval.

A request carries the PDF, what the user is shown (name, SHA-256, certificate) and, once
decided, the signed PDF or the reason it failed. The PIN is never stored: it goes from the
approval prompt straight into one C_Login.
"""
from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass, field

from .pades import CallbackSigner, sign_pdf
from .tokens import Credential, TokenError, find_credential, signing_session

__all__ = ["RequestBook", "SignRequest", "sign_document"]

MAX_PDF_BYTES = 64 * 1024 * 1024
_KEEP_SECONDS = 15 * 60  # a decided or abandoned request is forgotten after this


@dataclass
class SignRequest:
    id: str
    approve_token: str
    document_name: str
    pdf: bytes
    credential: Credential
    field_name: str
    created: float = field(default_factory=time.monotonic)
    state: str = "pending"  # pending | done | failed
    signed: bytes | None = None
    error: str | None = None
    message: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()

    def public(self) -> dict:
        """What GET /v1/sign/<id> answers."""
        if self.state == "done":
            import base64

            return {"state": "done", "pdf": base64.b64encode(self.signed or b"").decode("ascii"),
                    "sha256": hashlib.sha256(self.signed or b"").hexdigest()}
        if self.state == "failed":
            return {"state": "failed", "error": self.error, "message": self.message}
        return {"state": "pending"}


class RequestBook:
    """The agent's open requests, and signing one of them with a PIN."""

    def __init__(self, modules: list[str], *, rsa_scheme: str = "pkcs1v15", tsa_url: str | None = None) -> None:
        self.modules = modules
        self.rsa_scheme = rsa_scheme
        self.tsa_url = tsa_url
        self._requests: dict[str, SignRequest] = {}
        self._lock = threading.Lock()

    def open(self, *, document_name: str, pdf: bytes, credential_id: str | None, field_name: str | None) -> SignRequest:
        if not pdf.startswith(b"%PDF-"):
            raise ValueError("bad_pdf")
        credential = find_credential(self.modules, credential_id=credential_id or None)
        request = SignRequest(id=secrets.token_urlsafe(16), approve_token=secrets.token_urlsafe(16),
                              document_name=document_name[:200] or "document.pdf", pdf=pdf, credential=credential,
                              field_name=field_name or "Enterprise-Signature")
        with self._lock:
            self._forget_old()
            self._requests[request.id] = request
        return request

    def get(self, request_id: str) -> SignRequest | None:
        with self._lock:
            return self._requests.get(request_id)

    def _forget_old(self) -> None:
        now = time.monotonic()
        for key in [k for k, r in self._requests.items() if now - r.created > _KEEP_SECONDS]:
            del self._requests[key]

    def cancel(self, request: SignRequest) -> None:
        with request.lock:
            if request.state == "pending":
                request.state, request.error, request.message = "failed", "cancelled", "The user cancelled signing."

    def approve(self, request: SignRequest, pin: str) -> None:
        """Sign with one login attempt; the outcome is recorded on the request."""
        with request.lock:  # a double click on 签章 must not log in twice
            if request.state != "pending":
                return
            try:
                request.signed = self._sign(request, pin)
                request.state = "done"
            except TokenError as exc:
                request.state, request.error, request.message = "failed", exc.code, str(exc)
            except Exception as exc:  # noqa: BLE001 - a broken PDF or TSA: say it, keep serving
                request.state, request.error, request.message = "failed", "signing_failed", f"Signing failed: {exc}"

    def _sign(self, request: SignRequest, pin: str) -> bytes:
        return sign_document(request.credential, pin, request.pdf, field_name=request.field_name,
                             rsa_scheme=self.rsa_scheme, tsa_url=self.tsa_url)


def sign_document(credential: Credential, pin: str, pdf: bytes, *, field_name: str = "Enterprise-Signature",
                  rsa_scheme: str = "pkcs1v15", extra_chain: tuple = (), tsa_url: str | None = None) -> bytes:
    """PAdES signature of ``pdf`` with the credential's key, the token's seal image as the stamp.

    ``extra_chain``: CA certificates to embed besides those found on the token. ``tsa_url``: an
    RFC 3161 time-stamp authority (Shenbao's ``/tsa``); with it the signature carries a trusted
    signing time (PAdES B-T) and, when the chain ends in a root, the certificates and the
    revocation data fetched from the certificates' CRL/OCSP addresses (B-LT).
    """
    chain = (*credential.chain, *extra_chain)
    timestamper = validation = None
    if tsa_url:
        from pyhanko.sign.timestamps import HTTPTimeStamper

        timestamper = HTTPTimeStamper(tsa_url, timeout=15)
        roots = [c for c in chain if c.self_signed == "maybe" or c.self_signed == "yes"]
        if roots:
            from pyhanko_certvalidator import ValidationContext

            # soft-fail: a CA without CRL or OCSP still signs (B-T); Shenbao's certificates name both.
            validation = ValidationContext(trust_roots=roots, other_certs=list(chain), allow_fetching=True,
                                           revocation_mode="soft-fail")
    with signing_session(credential, pin, rsa_scheme) as key:
        signer = CallbackSigner(key.sign, scheme=key.scheme, signing_cert=credential.certificate, chain=chain)
        seal = key.seal_image()
        return sign_pdf(pdf, signer, field_name=field_name, reason="企业电子签章",
                        stamp_image_png=seal, stamp_text="%(ts)s" if seal else None, timestamper=timestamper,
                        validation_context=validation, embed_validation_info=validation is not None)
