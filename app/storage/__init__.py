"""Attachments: checked by content, size and name; stored under random names with sha256.

Files go to the configured backend (``STORAGE_BACKEND``: the local folder ``UPLOAD_DIR``, the
embedded default, or an S3-compatible bucket; app.storage.backends) under the key
``<first two letters>/<stored name>``. Downloads always go through the app's scope-checked views.
"""
from __future__ import annotations

import hashlib
import io
import os
import re
import secrets
from dataclasses import dataclass
from typing import BinaryIO, Callable

from flask import current_app
from flask_babel import gettext as _

from app.extensions import db
from app.services.errors import ServiceError
from app.storage.backends import storage_backend
from models import Attachment


@dataclass(frozen=True)
class FileKind:
    name: str
    extensions: tuple[str, ...]
    content_type: str
    magic: tuple[bytes, ...]
    label: str  # as users call the format, the same in every language


KINDS = {
    "pdf": FileKind("pdf", (".pdf",), "application/pdf", (b"%PDF-",), "PDF"),
    "png": FileKind("png", (".png",), "image/png", (b"\x89PNG\r\n\x1a\n",), "PNG"),
    "jpeg": FileKind("jpeg", (".jpg", ".jpeg"), "image/jpeg", (b"\xff\xd8\xff",), "JPEG"),
    "docx": FileKind("docx", (".docx",),
                     "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",),
                     "Word (.docx)"),
    "xlsx": FileKind("xlsx", (".xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     (b"PK\x03\x04",), "Excel (.xlsx)"),
}

# purpose -> allowed kinds. New programs add their purposes here.
PURPOSES: dict[str, tuple[str, ...]] = {
    "business_licence": ("pdf", "png", "jpeg"),
    "email_change_proof": ("png", "jpeg"),
    "sme_proof": ("pdf", "png", "jpeg"),
    "sme_cover": ("pdf", "png", "jpeg"),
    "filing_licence": ("pdf", "png", "jpeg"),
    "filing_proof": ("pdf", "png", "jpeg"),
    "declaration_summary": ("docx", "pdf"),
    "benchmark_proof": ("pdf", "png", "jpeg"),
    "invoice_statement": ("pdf", "png", "jpeg"),
    "declaration_form": ("pdf", "png", "jpeg"),
    "seal_image": ("png",),
    "issued_certificate": ("pdf",),
    "verification_upload": ("pdf",),
    # Files of the public portal's articles (templates, regulations): downloaded by anyone.
    "portal_file": ("pdf", "docx", "xlsx"),
    "objection_evidence": ("pdf", "png", "jpeg"),
}

# A .docx expands; more than this, or an extreme ratio, is treated as a zip bomb.
DOCX_MAX_UNPACKED = 100 * 1024 * 1024
DOCX_MAX_RATIO = 200


def max_bytes() -> int:
    return int(current_app.config["UPLOAD_MAX_BYTES"])


def max_megabytes_label() -> str:
    return f"{max_bytes() / (1024 * 1024):g} MB"


def allowed_label(purpose: str) -> str:
    return ", ".join(ext for k in PURPOSES[purpose] for ext in KINDS[k].extensions)


def _check_name(filename: str) -> str:
    name = (filename or "").strip()
    if not name or len(name) > 200 or any(c in name for c in '/\\\x00:*?"<>|') or name.startswith("."):
        raise ServiceError(_("The file name is not acceptable."))
    return name


def _kind_named(filename: str, purpose: str) -> FileKind | None:
    """The allowed kind the file's extension claims, if any."""
    extension = os.path.splitext(filename)[1].lower()
    return next((KINDS[k] for k in PURPOSES[purpose] if extension in KINDS[k].extensions), None)


def detect_kind(head: bytes, purpose: str) -> FileKind | None:
    for kind_name in PURPOSES[purpose]:
        kind = KINDS[kind_name]
        if any(head.startswith(m) for m in kind.magic):
            return kind
    return None


def _verify_image(data: bytes) -> bool:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
        return True
    except Exception:  # noqa: BLE001 - any decoder failure means "not an image"
        return False


# PDF names that make a reader run something: scripts, launching programs, media players.
ACTIVE_PDF_KEYS = ("/JavaScript", "/JS", "/Launch", "/RichMedia", "/XFA")
# The same names in the file's text, outside stream data: a PDF name ends at white space or a
# delimiter. Stream bytes (images, compressed data, signatures) are skipped: by chance they
# contain "/JS" in about one file of a hundred (a CI run refused a signed certificate so).
_ACTIVE_NAME = re.compile(rb"/(?:JavaScript|JS|Launch|RichMedia|XFA)(?=[\s()<>\[\]{}/%])")
_STREAM_DATA = re.compile(rb"stream\r?\n.*?endstream", re.S)


def _pdf_has_active_content(data: bytes) -> bool:
    """Scripts or launch actions anywhere in the file, compressed object streams included.

    Attachments are read by reviewers in their own PDF readers: a form or a proof has no
    reason to carry code, so any is refused. Every object pypdf can read is looked at (names
    written with #xx escapes included); the text outside streams is also scanned, for objects a
    damaged cross-reference table hides from pypdf.
    """
    if _ACTIVE_NAME.search(_STREAM_DATA.sub(b"stream endstream", data)):
        return True
    from pypdf import PdfReader
    from pypdf.generic import DictionaryObject, NameObject

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        ids = {idnum for generation in reader.xref.values() for idnum in generation} | set(reader.xref_objStm)
        for idnum in ids:
            try:
                obj = reader.get_object(idnum)
            except Exception:  # noqa: BLE001 - an unreadable object is judged by the rest
                continue
            if isinstance(obj, DictionaryObject):
                if any(NameObject(k) in obj for k in ACTIVE_PDF_KEYS):
                    return True
                if obj.get("/S") in ("/JavaScript", "/Launch"):
                    return True
    except Exception:  # noqa: BLE001 - unparsable: only the scan above applies
        return False
    return False


def _verify_docx(data: bytes, main_part: str = "word/document.xml") -> None:
    """A Word document (an Excel workbook: ``main_part`` xl/workbook.xml): a zip holding its main
    part, of sane unpacked size."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ServiceError(_("The Word document is damaged."))
    if main_part not in names or "[Content_Types].xml" not in names:
        if main_part.startswith("xl/"):
            raise ServiceError(_("The file is not an Excel (.xlsx) workbook."))
        raise ServiceError(_("The file is not a Word (.docx) document."))
    if unpacked > DOCX_MAX_UNPACKED or unpacked > DOCX_MAX_RATIO * max(len(data), 1):
        raise ServiceError(_("The Word document expands to an unreasonable size and was refused."))


def save_upload(
    stream: BinaryIO,
    filename: str,
    purpose: str,
    *,
    enterprise_id: int | None,
    record_type: str | None,
    record_id: int | None,
    uploaded_by_id: int | None,
    transform: Callable[[bytes, str], bytes] | None = None,
) -> Attachment:
    """Validate and store one upload. The caller commits.

    :param transform: applied to the checked content before it is stored (e.g. a watermark);
        the stored size and sha256 are those of the stored bytes.

    :raises ServiceError: wrong type by content, extension not matching the content,
        too large, empty, or an unacceptable name.
    """
    name = _check_name(filename)
    limit = max_bytes()
    data = stream.read(limit + 1)
    if not data:
        raise ServiceError(_("The file is empty."))
    if len(data) > limit:
        raise ServiceError(_("The file is larger than %(limit)s.", limit=max_megabytes_label()))
    kind = detect_kind(data[:16], purpose)
    named = _kind_named(name, purpose)
    if kind is not None and named is not None and any(data.startswith(m) for m in named.magic):
        kind = named  # .docx and .xlsx are both zips: the name says which one to check for
    if kind is None:
        if named is not None:  # the name is right, the content is not: listing the types would not help
            raise ServiceError(_("The file is named %(ext)s but is not a real %(kind)s file (damaged, or another "
                                 "file renamed).", ext=os.path.splitext(name)[1].lower(), kind=named.label))
        raise ServiceError(_("Allowed file types: %(types)s.", types=allowed_label(purpose)))
    if os.path.splitext(name)[1].lower() not in kind.extensions:
        raise ServiceError(_("The file extension does not match its content."))
    if kind.name in ("png", "jpeg") and not _verify_image(data):
        raise ServiceError(_("The image file is damaged."))
    if kind.name == "docx":
        _verify_docx(data)
    if kind.name == "xlsx":
        _verify_docx(data, "xl/workbook.xml")
    if kind.name == "pdf" and _pdf_has_active_content(data):
        raise ServiceError(_("The PDF contains scripts or launch actions and was refused."))
    if transform is not None:
        data = transform(data, kind.content_type)
    stored_name = secrets.token_hex(16) + kind.extensions[0]
    storage_backend().put_bytes(attachment_key(stored_name), data)  # never half a file under the key
    attachment = Attachment(
        purpose=purpose,
        original_name=name,
        stored_name=stored_name,
        content_type=kind.content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        enterprise_id=enterprise_id,
        record_type=record_type,
        record_id=record_id,
        uploaded_by_id=uploaded_by_id,
    )
    db.session.add(attachment)
    return attachment


def attach_to(record, field: str, stream: BinaryIO, filename: str, purpose: str, *, record_type: str,
              uploaded_by_id: int | None, transform: Callable[[bytes, str], bytes] | None = None) -> Attachment:
    """Store an upload owned by ``record`` and point ``record.<field>`` at it; commits."""
    attachment = save_upload(stream, filename, purpose, enterprise_id=record.enterprise_id, record_type=record_type,
                             record_id=record.id, uploaded_by_id=uploaded_by_id, transform=transform)
    db.session.flush()
    setattr(record, field, attachment.id)
    db.session.commit()
    return attachment


def attachment_key(stored_name: str) -> str:
    return f"{stored_name[:2]}/{stored_name}"


def open_attachment(attachment: Attachment) -> BinaryIO:
    """The stored bytes as a stream. :raises FileNotFoundError: the file is not in storage."""
    return storage_backend().open(attachment_key(attachment.stored_name))


def delete_stored_file(attachment: Attachment) -> None:
    """Remove the file of an attachment whose row was never committed (the undo of a failed
    transition); the orphaned-upload sweep would find it later otherwise."""
    storage_backend().delete(attachment_key(attachment.stored_name))
