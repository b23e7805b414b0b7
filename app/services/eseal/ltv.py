"""Long-term validation of what the platform signs (PAdES B-LT / B-LTA).

The validation data put into a document (/DSS) come from the platform itself: its CA
certificates, its current CRLs and, when the OCSP responder module is present, OCSP
responses; nothing is fetched over the network. Document timestamps are renewed by
:func:`renew_document_timestamps` (a scheduled job) before the certificate of the TSA that
made the last one expires, so the chain of evidence never lapses.
"""
from __future__ import annotations

import datetime as dt
import io
import logging

from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509
from flask import current_app
from pyhanko_certvalidator import ValidationContext
from sqlalchemy import select

from app.extensions import db
from app.services.eseal import pki

log = logging.getLogger(__name__)


def _ocsp_responses(certs: list[x509.Certificate]) -> list[asn1_ocsp.OCSPResponse]:
    """OCSP responses for ``certs`` from the platform's responder, if that module exists."""
    try:
        from app.services.eseal.ocsp import ocsp_response_for
    except ImportError:
        return []
    responses = []
    for cert in certs:
        try:
            responses.append(asn1_ocsp.OCSPResponse.load(ocsp_response_for(cert)))
        except Exception:  # noqa: BLE001 - the CRLs suffice for B-LT; log and go on
            log.warning("no OCSP response for certificate %x", cert.serial_number, exc_info=True)
    return responses


def validation_context(*, for_certs: list[x509.Certificate] = (), moment: dt.datetime | None = None,
                       ) -> ValidationContext:
    """A context holding everything needed to validate the platform's signatures and
    timestamps offline; pyHanko copies what it used into the document's /DSS.

    ``for_certs``: end-entity certificates to fetch OCSP responses for (the signer's).
    """
    material = pki.validation_material()
    authority = pki.ensure_ca()
    return ValidationContext(
        trust_roots=material["trust_roots"],
        other_certs=material["other_certs"],
        crls=material["crls"],
        ocsps=_ocsp_responses([*for_certs, authority.tsa]),
        allow_fetching=False,
        revocation_mode="hard-fail",
        moment=moment,
    )


def last_document_timestamp_expiry(pdf: bytes) -> dt.datetime | None:
    """notAfter of the TSA certificate of the last document timestamp, None without one."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    stamps = reader.embedded_timestamp_signatures
    if not stamps:
        return None
    return stamps[-1].signer_cert.not_valid_after


def add_document_timestamp(pdf: bytes) -> bytes:
    """``pdf`` with the validation data of its last document timestamp in /DSS and a new
    document timestamp over everything (an incremental update: earlier signatures stay valid)."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.signers import PdfTimeStamper

    from app.services.eseal.timestamps import platform_timestamper

    with pki.ca_session() as session:
        stamper = PdfTimeStamper(platform_timestamper(session))
        out = stamper.update_archival_timestamp_chain(
            PdfFileReader(io.BytesIO(pdf), strict=False), validation_context(), in_place=False)
    return out.getvalue()


def renew_document_timestamps(now: dt.datetime | None = None, days: int | None = None) -> dict:
    """Add a document timestamp to every stored platform-issued document whose last one's TSA
    certificate expires within ``days`` (config ``TSA_RENEW_DAYS``). Idempotent: a renewed
    document's new timestamp is far from expiry unless the TSA certificate itself is."""
    from app.services.eseal.issued_documents import pdf_bytes, replace_file
    from app.storage import delete_stored_file
    from models import IssuedDocument

    now = now or dt.datetime.now(dt.timezone.utc)
    days = int(current_app.config.get("TSA_RENEW_DAYS", 180) if days is None else days)
    limit = now + dt.timedelta(days=days)
    counts = {"checked": 0, "renewed": 0, "failed": 0}
    ids = db.session.execute(select(IssuedDocument.id).order_by(IssuedDocument.id)).scalars().all()
    for document_id in ids:
        document = db.session.get(IssuedDocument, document_id)
        counts["checked"] += 1
        try:
            pdf = pdf_bytes(document)
            expiry = last_document_timestamp_expiry(pdf)
            if expiry is None or expiry > limit:
                continue  # signed before B-LTA existed (nothing to keep alive), or not due
            old = replace_file(document, add_document_timestamp(pdf))
            db.session.commit()
            delete_stored_file(old)
            counts["renewed"] += 1
        except Exception:  # noqa: BLE001 - one bad file must not stop the others; retried next run
            db.session.rollback()
            log.exception("document timestamp of issued document %s not renewed", document_id)
            counts["failed"] += 1
    return counts
