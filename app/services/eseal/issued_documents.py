"""Certificates Shenbao issues (电子版证书): rendered, signed on the CA token with a visible seal,
stored, versioned (a new version supersedes the older), revocable, and verifiable online.

Also the other direction: a PDF Shenbao handed out (SME cover, benchmark declaration) signed
by the enterprise's USB-Key and uploaded back is checked here.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import logging
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.extensions import db
from app.services.eseal import pki
from app.services.errors import NotFound, ServiceError
from app.security.actors import SystemActor, require_operator
from app.workflows import engine
from app.workflows.definitions import ISSUED_DOCUMENT
from app.workflows.model import OPERATOR
from models import HandedOutPdf, IssuedDocument, KeyCertificate, SealKey
from models.base import utcnow
from app.timeutil import today_in_china

log = logging.getLogger(__name__)

FIELD_PREFIX = "Shenbao"
DOCUMENT_KINDS = {"sme_certificate": "Tech-based SME registration certificate",
                  "benchmark_result": "National quality benchmark result", "template": "Certificate from a template"}
DOCUMENT_STATUS = {"current": "Current", "superseded": "Superseded", "revoked": "Revoked", "unknown": "Unknown"}
# Lower right of an A4 page, kept free by documents/issued_certificate.html.
STAMP_BOX = (380, 90, 520, 230)


@functools.lru_cache(maxsize=4)
def _platform_seal(name: str) -> bytes:
    from app.pki.seal_image import render_seal

    return render_seal(name, caption="电子证书专用章")


def field_name(number: str, version: int) -> str:
    return f"{FIELD_PREFIX}-{number}-v{version}"


def parse_field_name(name: str | None) -> tuple[str, int] | None:
    if not name or not name.startswith(FIELD_PREFIX + "-") or "-v" not in name:
        return None
    number, _sep, version = name[len(FIELD_PREFIX) + 1:].rpartition("-v")
    return (number, int(version)) if version.isdigit() and number else None


def verify_url(number: str, version: int) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/verify/{number}/{version}"


def sign_as_platform(pdf: bytes, name: str, *, archival: bool = True) -> bytes:
    """PAdES signature by the platform's document key, with the platform seal as the stamp.

    Long-term: a signature timestamp from the platform's TSA, the CA certificates and CRLs in
    /DSS (B-LT) and, with ``archival``, a document timestamp over them (B-LTA), so the
    certificate stays verifiable after the signing certificate expires or is revoked.
    """
    from app.pki.signer import sign_pdf
    from app.services.eseal import ltv
    from app.services.eseal.timestamps import platform_timestamper

    session, signer = pki.platform_signer()
    with session:
        return sign_pdf(pdf, signer, field_name=name, reason="电子版证书签发", location=current_app.config["CA_NAME"],
                        stamp_image_png=_platform_seal(current_app.config["CA_NAME"]), stamp_box=STAMP_BOX,
                        stamp_text="%(ts)s", certify=True, timestamper=platform_timestamper(session),
                        validation_context=ltv.validation_context(for_certs=[signer.signing_cert]),
                        embed_validation_info=True, archival_timestamp=archival)


def signed_revision(pdf: bytes) -> bytes:
    """The part of ``pdf`` its first signature covers: what was issued, unchanged by later
    /DSS updates and document timestamps (and by the renewal job)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    signature = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_regular_signatures[0]
    _start1, _len1, start2, len2 = signature.byte_range
    return pdf[:start2 + len2]


def replace_file(document: IssuedDocument, data: bytes):
    """Store ``data`` as ``document``'s file (a renewed copy of the same signed document);
    returns the old attachment, whose file the caller removes after the commit."""
    from app.storage import save_upload
    from models import Attachment

    old = db.session.get(Attachment, document.attachment_id)
    new = save_upload(io.BytesIO(data), old.original_name, old.purpose, enterprise_id=old.enterprise_id,
                      record_type=old.record_type, record_id=old.record_id, uploaded_by_id=old.uploaded_by_id)
    db.session.flush()
    document.attachment_id = new.id
    db.session.delete(old)
    return old


def issue(*, kind: str, number: str, title: str, holder_name: str, credit_code: str = "",
          paragraphs: list[str] | None = None, fields: list[tuple[str, str]] | None = None,
          enterprise_id: int | None = None, record_type: str | None = None, record_id: int | None = None,
          actor: Any = None, task_id: int | None = None) -> IssuedDocument:
    """Render, sign and store a new version of certificate ``number``; older versions become superseded.

    :param task_id: the background task issuing it (recorded: its retry finds this version).
    """
    from app.documents import render_pdf
    from app.documents.qr import qr_data_uri
    from app.storage import delete_stored_file, save_upload

    last = db.session.execute(select(func.max(IssuedDocument.version)).where(
        IssuedDocument.number == number)).scalar() or 0
    version = last + 1
    url = verify_url(number, version)
    today = today_in_china()
    pdf = render_pdf("documents/issued_certificate.html", {
        "title": title, "number": number, "version": version, "holder_name": holder_name,
        "credit_code": credit_code, "paragraphs": paragraphs or [], "fields": fields or [],
        "issuer": current_app.config["CA_NAME"], "issued_on": f"{today.year}年{today.month}月{today.day}日",
        "verify_url": url, "qr_data_uri": qr_data_uri(url)})
    signed = sign_as_platform(pdf, field_name(number, version))
    attachment = save_upload(io.BytesIO(signed), f"{number}-v{version}.pdf", "issued_certificate",
                             enterprise_id=enterprise_id, record_type="issued_document", record_id=None,
                             uploaded_by_id=getattr(actor, "id", None))
    db.session.flush()  # the attachment's id
    document = IssuedDocument(number=number, version=version, kind=kind, title=title, enterprise_id=enterprise_id,
                              holder_name=holder_name, record_type=record_type, record_id=record_id,
                              attachment_id=attachment.id,
                              sha256=hashlib.sha256(signed_revision(signed)).hexdigest(),
                              issued_at=utcnow(), issued_by_id=getattr(actor, "id", None), task_id=task_id)

    def supersede_older(step) -> None:
        for older in db.session.execute(select(IssuedDocument).where(
                IssuedDocument.number == number, IssuedDocument.status == "current",
                IssuedDocument.version < version)).scalars().all():
            engine.follow(ISSUED_DOCUMENT, older, "supersede", step.actor, parent=step)
        db.session.flush()
        attachment.record_id = document.id

    engine.create(ISSUED_DOCUMENT, document, actor or SystemActor(), event="issue",
                  undo=(lambda: delete_stored_file(attachment),), then=supersede_older)
    return document


def revoke(actor, document_id: int, reason: str | None) -> IssuedDocument:
    require_operator(actor)
    return engine.apply(ISSUED_DOCUMENT, IssuedDocument, document_id, "revoke", actor, comment=reason,
                        channel=OPERATOR)


def pdf_bytes(document: IssuedDocument) -> bytes:
    from app.storage import open_attachment
    from models import Attachment

    with open_attachment(db.session.get(Attachment, document.attachment_id)) as fh:
        return fh.read()


# --- verification ----------------------------------------------------------------------

@dataclass
class Verification:
    """What the public verification page reports (after the EU DSS simple report)."""

    indication: str  # TOTAL_PASSED | TOTAL_FAILED | INDETERMINATE | NO_SIGNATURE
    reports: list = field(default_factory=list)
    document: IssuedDocument | None = None
    document_status: str = "unknown"  # current | superseded | revoked | unknown
    current_version: int | None = None
    matches_issued: bool | None = None
    error: str | None = None


def verify(pdf: bytes) -> Verification:
    """Verify every signature of ``pdf`` and, where it is a certificate Shenbao issued, its status."""
    from app.pki.verify import UnreadablePdf, verify_pdf

    try:
        reports = verify_pdf(pdf, **pki.validation_material())
    except UnreadablePdf as exc:
        return Verification(indication="TOTAL_FAILED", error=_("The file is not a readable PDF (%(detail)s).",
                                                               detail=str(exc)))
    if not reports:
        return Verification(indication="NO_SIGNATURE")
    indications = {r.indication for r in reports}
    overall = "TOTAL_PASSED" if indications == {"TOTAL_PASSED"} else (
        "TOTAL_FAILED" if "TOTAL_FAILED" in indications else "INDETERMINATE")
    result = Verification(indication=overall, reports=reports)
    for report in reports:
        parsed = parse_field_name(report.field_name)
        if parsed is None:
            continue
        document = db.session.execute(select(IssuedDocument).filter_by(number=parsed[0], version=parsed[1])).scalar_one_or_none()
        if document is None:
            continue
        result.document = document
        result.document_status = document.status
        result.current_version = db.session.execute(select(func.max(IssuedDocument.version)).where(
            IssuedDocument.number == document.number, IssuedDocument.status != "revoked")).scalar()
        signed_part = pdf[:report.signed_revision_length]
        result.matches_issued = hashlib.sha256(signed_part).hexdigest() == document.sha256
        break
    return result


def verify_issued(number: str, version: int) -> Verification:
    document = db.session.execute(select(IssuedDocument).filter_by(number=number, version=version)).scalar_one_or_none()
    if document is None:
        raise NotFound(_("No certificate with this number and version."))
    return verify(pdf_bytes(document))


# --- PDFs handed out to be signed by the enterprise ---------------------------------------

def hand_out(purpose: str, record_id: int, enterprise_id: int, pdf: bytes) -> bytes:
    """Remember the exact bytes given to the enterprise, so a signed upload can be matched."""
    digest = hashlib.sha256(pdf).hexdigest()
    exists = db.session.execute(select(HandedOutPdf.id).filter_by(
        purpose=purpose, record_id=record_id, sha256=digest)).first()
    if exists is None:
        db.session.add(HandedOutPdf(purpose=purpose, record_id=record_id, enterprise_id=enterprise_id,
                                    sha256=digest, size=len(pdf)))
        db.session.commit()
    return pdf


def is_signed_pdf(data: bytes) -> bool:
    return data.startswith(b"%PDF-") and b"/ByteRange" in data


def check_enterprise_signature(data: bytes, *, purpose: str, record_id: int, enterprise_id: int) -> None:
    """Accept a PDF signed by the enterprise's USB-Key in place of a stamped scan.

    :raises ServiceError: with what is wrong — integrity, chain, revoked or expired certificate,
        another signer, a document other than the one Shenbao issued, or changes after signing.
    """
    from app.pki.verify import UnreadablePdf, verify_pdf

    try:
        reports = verify_pdf(data, **pki.validation_material())
    except UnreadablePdf:
        raise ServiceError(_("The signed PDF cannot be read: it was damaged or changed after signing."))
    serials = {int(c.serial, 16) for c in db.session.execute(
        select(KeyCertificate).join(SealKey).where(SealKey.enterprise_id == enterprise_id)).scalars()}
    own = [r for r in reports if r.signer_serial in serials]
    if not own:
        raise ServiceError(_("The PDF is not signed with a USB-Key issued to this enterprise."))
    report = own[-1]
    if report.revoked:
        raise ServiceError(_("The signing certificate is revoked."))
    if report.expired:
        raise ServiceError(_("The signing certificate had expired at signing time."))
    if not report.intact:
        raise ServiceError(_("The signed content was changed: the signature does not match."))
    if report.modified_after_signing:
        raise ServiceError(_("The PDF was changed after it was signed."))
    if report.indication != "TOTAL_PASSED":
        raise ServiceError(_("The signature could not be validated (%(reason)s).",
                             reason=report.sub_indication or report.indication))
    handed = db.session.execute(select(HandedOutPdf).filter_by(purpose=purpose, record_id=record_id)).scalars().all()
    if not any(h.size <= len(data) and hashlib.sha256(data[:h.size]).hexdigest() == h.sha256 for h in handed):
        raise ServiceError(_("The signed PDF is not the document downloaded from Shenbao for this record. "
                             "Download it again, sign it and upload the signed file."))


def signed_copy_check(purpose: str, record_id: int, enterprise_id: int):
    """A save_upload transform: a stamped scan passes as it is; a PDF signed with a USB-Key must
    be this enterprise's valid signature over the very PDF Shenbao handed out."""
    def check(data: bytes, content_type: str) -> bytes:
        if content_type == "application/pdf" and is_signed_pdf(data):
            check_enterprise_signature(data, purpose=purpose, record_id=record_id, enterprise_id=enterprise_id)
        return data

    return check
