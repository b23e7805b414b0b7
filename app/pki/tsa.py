"""RFC 3161 time-stamp authority: a TimeStampReq in, a TimeStampResp out.

The TSTInfo is built here with asn1crypto and signed as CMS general data by a pyHanko
``Signer`` (a :class:`~app.pki.signer.TokenSigner` in practice, so the TSA key stays on
the token). The signer adds the ESSCertIDv2 signing-certificate attribute that RFC 5816,
pyHanko and openssl look for. :class:`InProcessTimeStamper` lets the platform's own
signatures use the same authority without an HTTP round trip to itself.
"""
from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from asn1crypto import cms, core, tsp, x509
from pyhanko.sign import signers
from pyhanko.sign.timestamps.api import TimeStamper

from shenbao_signer import library_patches

library_patches.apply()

__all__ = ["InProcessTimeStamper", "TimeStampUnit", "answer_der", "async_answer", "rejection"]

# Digest algorithms accepted in a message imprint, with their output length (RFC 3161 §2.4.1:
# the imprint must have the length of the hash named).
_DIGEST_LENGTHS = {"sha256": 32, "sha384": 48, "sha512": 64}


@dataclass(frozen=True)
class TimeStampUnit:
    """The authority's signing side: ``signer`` holds ``certificate`` (EKU timeStamping) and
    ``chain`` (the issuing CA), which go into the token when the request sets certReq."""

    signer: signers.Signer
    certificate: x509.Certificate
    policy: str
    accuracy_seconds: int = 1


class BadRequest(ValueError):
    """A request the authority refuses; ``failure`` is a PKIFailureInfo bit name."""

    def __init__(self, failure: str, text: str) -> None:
        super().__init__(text)
        self.failure = failure


class _TimeStampResp(core.Sequence):
    """TimeStampResp as RFC 3161 §2.4.2 has it: asn1crypto's makes the token mandatory,
    but a rejection carries none."""

    _fields = [("status", tsp.PKIStatusInfo), ("time_stamp_token", cms.ContentInfo, {"optional": True})]


def rejection(failure: str, text: str) -> _TimeStampResp:
    """A TimeStampResp with status rejection and the failure bit named (RFC 3161 §2.4.2)."""
    return _TimeStampResp({"status": {
        "status": "rejection",
        "status_string": [text],
        "fail_info": tsp.PKIFailureInfo({failure}),
    }})


def _parse(request_der: bytes, policy: str) -> tsp.TimeStampReq:
    try:
        req = tsp.TimeStampReq.load(request_der)
        req.native  # noqa: B018 - forces a full parse, so garbage fails here and not later
    except Exception as exc:  # noqa: BLE001 - asn1crypto raises several types on bad DER
        raise BadRequest("bad_request", f"not a DER TimeStampReq ({type(exc).__name__})") from exc
    if req["version"].native != "v1":
        raise BadRequest("bad_request", "version must be 1")
    imprint = req["message_imprint"]
    algorithm = imprint["hash_algorithm"]["algorithm"].native
    if algorithm not in _DIGEST_LENGTHS:
        raise BadRequest("bad_alg", f"unsupported hash algorithm {algorithm}; use SHA-256, SHA-384 or SHA-512")
    if len(imprint["hashed_message"].native) != _DIGEST_LENGTHS[algorithm]:
        raise BadRequest("bad_data_format", "the message imprint does not have the length of its hash")
    if req["req_policy"].native is not None and req["req_policy"].dotted != policy:
        raise BadRequest("unaccepted_policy", f"this authority stamps under policy {policy} only")
    if req["extensions"].native:
        raise BadRequest("unaccepted_extensions", "no request extensions are supported")
    return req


def _tst_info(unit: TimeStampUnit, req: tsp.TimeStampReq, now: datetime) -> tsp.TSTInfo:
    info = {
        "version": "v1",
        "policy": unit.policy,
        "message_imprint": req["message_imprint"],
        # ≥ 64 random bits (unique without a counter shared between processes), positive.
        "serial_number": secrets.randbits(127) | (1 << 64),
        "gen_time": core.GeneralizedTime(now.astimezone(timezone.utc).replace(microsecond=0)),
        "accuracy": {"seconds": unit.accuracy_seconds},
        "tsa": x509.GeneralName(name="directory_name", value=unit.certificate.subject),
    }
    if req["nonce"].native is not None:
        info["nonce"] = req["nonce"]
    return tsp.TSTInfo(info)


async def async_answer(unit: TimeStampUnit, req: tsp.TimeStampReq, *,
                       now: datetime | None = None) -> tsp.TimeStampResp:
    """Stamp a parsed request (already checked by :func:`answer_der`, or made by pyHanko)."""
    tst_info = _tst_info(unit, req, now or datetime.now(timezone.utc))
    content = cms.EncapsulatedContentInfo({
        "content_type": "tst_info",
        "content": cms.ParsableOctetString(tst_info.dump()),
    })
    token = await unit.signer.async_sign_general_data(content, "sha256", detached=False)
    if not req["cert_req"].native:
        # RFC 3161 §2.4.1: without certReq the certificates field must be absent. It is not
        # signed, so removing it after signing is allowed.
        signed_data = token["content"]
        signed_data["certificates"] = None
        token = cms.ContentInfo({"content_type": "signed_data", "content": signed_data})
    response = tsp.TimeStampResp({"status": {"status": "granted"}, "time_stamp_token": token})
    # Re-parsed from DER: pyHanko embeds the token in the signature's CMS, and an asn1crypto
    # value built in memory is re-encoded field by field at every dump of its container
    # (seconds, now and then, instead of microseconds).
    return tsp.TimeStampResp.load(response.dump())


def answer_der(unit: TimeStampUnit, request_der: bytes, *, now: datetime | None = None) -> bytes:
    """DER TimeStampResp for a DER TimeStampReq; a malformed or refused request gets a
    rejection with the reason, never an exception."""
    try:
        req = _parse(request_der, unit.policy)
    except BadRequest as exc:
        return rejection(exc.failure, str(exc)).dump()
    return asyncio.run(async_answer(unit, req, now=now)).dump()


class InProcessTimeStamper(TimeStamper):
    """pyHanko time stamper that asks a function in this process instead of a URL.

    ``respond`` is a coroutine function mapping a TimeStampReq to a TimeStampResp (e.g.
    ``functools.partial(async_answer, unit)``). pyHanko asks once for a dummy token to size the signature container; that
    token is cached per instance, so make one instance per signing batch, not per process
    (the TSA certificate can change)."""

    def __init__(self, respond: Callable[[tsp.TimeStampReq], Awaitable[tsp.TimeStampResp]],
                 include_nonce: bool = True) -> None:
        super().__init__(include_nonce=include_nonce)
        self._respond = respond

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        return await self._respond(req)
