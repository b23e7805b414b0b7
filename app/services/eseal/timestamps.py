"""The platform's time-stamp authority (RFC 3161): its key is the "tsa" key on the CA token.

Two ways in: :func:`reply` answers a DER request (the public ``POST /tsa`` used by the local
signing agent and anyone else); :func:`platform_timestamper` hands pyHanko a time stamper
that calls the authority in this process, for the platform's own signatures (no HTTP request
to ourselves from inside a request).
"""
from __future__ import annotations

import functools
import logging

from app.pki import tsa
from app.pki.oids import TSA_POLICY
from app.services.eseal import pki

log = logging.getLogger(__name__)


def _unit(session, authority: pki.Authority) -> tsa.TimeStampUnit:
    from app.pki.signer import TokenSigner

    signer = TokenSigner(session, key_id=pki.key_ref(pki.TSA), signing_cert=authority.tsa,
                         chain=[authority.issuing])
    # Accuracy 1 s (the default): app.pki.verify counts a revocation within that second as
    # before the signature.
    return tsa.TimeStampUnit(signer=signer, certificate=authority.tsa, policy=TSA_POLICY)


def reply(request_der: bytes) -> bytes:
    """DER TimeStampResp for a DER TimeStampReq; a refused request gets a rejection.

    :raises pki.PkiUnavailable: no PKCS#11 module (the view answers systemFailure).
    """
    authority = pki.ensure_ca()
    with pki.ca_session() as session:
        return tsa.answer_der(_unit(session, authority), request_der)


def rejection(failure: str, text: str) -> bytes:
    return tsa.rejection(failure, text).dump()


def system_failure() -> bytes:
    """The reply when the key service is down: a rejection with systemFailure, not an HTML 503."""
    return tsa.rejection("system_failure", "the time-stamp service is not available").dump()


def platform_timestamper(session) -> tsa.InProcessTimeStamper:
    """Time stamper for one signing batch, signing on ``session`` (an open CA token session)."""
    unit = _unit(session, pki.ensure_ca())
    return tsa.InProcessTimeStamper(functools.partial(tsa.async_answer, unit))
