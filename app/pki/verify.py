"""Validation of the signatures in a PDF, summarised like the EU DSS simple report.

The verdict is pyHanko's ``bottom_line`` (integrity, cryptographic validity, trust,
and the modification policy together): ``trusted`` alone stays True when someone
adds page content after signing. Revocation is checked against the CRLs given,
hard-fail, never fetched.

Long-term validation: a signature timestamp that a trusted TSA made before the signer's
certificate was revoked or expired is proof that the signature existed while the certificate
was good. Such a signature is validated again (by pyhanko-certvalidator) at the timestamp's
time, using today's CRLs, and reads "valid at signing time" when it passes there. A signature
whose timestamp is later than the revocation stays failed.
"""
from __future__ import annotations

import dataclasses
import io
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from asn1crypto import crl as asn1_crl
from asn1crypto import x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import SigSeedSubFilter, enumerate_sig_fields
from pyhanko.sign.validation import EmbeddedPdfSignature, validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from app.pki.x509 import credit_code

from shenbao_signer import library_patches

library_patches.apply()

__all__ = ["SignatureReport", "UnreadablePdf", "verify_pdf"]

TOTAL_PASSED = "TOTAL_PASSED"
TOTAL_FAILED = "TOTAL_FAILED"
INDETERMINATE = "INDETERMINATE"

# Changes after a signature that do not invalidate it: nothing, DSS/timestamp
# updates, filling fields and further signatures.
_HARMLESS_LEVELS = (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES, ModificationLevel.FORM_FILLING)

_REVOKED_INDICS = {"REVOKED", "REVOKED_NO_POE", "REVOKED_CA_NO_POE"}
_EXPIRED_INDICS = {"EXPIRED", "OUT_OF_BOUNDS_NO_POE", "OUT_OF_BOUNDS_NOT_REVOKED"}


class UnreadablePdf(ValueError):
    """The bytes are not a PDF pyHanko can parse (broken xref, truncated, not a PDF)."""


@dataclass(frozen=True)
class SignatureReport:
    """Outcome for one signature field.

    ``indication`` is TOTAL_PASSED, TOTAL_FAILED or INDETERMINATE; ``sub_indication``
    a short code such as HASH_FAILURE, SIG_CRYPTO_FAILURE, REVOKED, EXPIRED,
    NO_CERTIFICATE_CHAIN_FOUND, MODIFIED_AFTER_SIGNING or FORMAT_FAILURE.
    ``signed_revision_length`` is the byte length of the file up to the end of the
    signature's ByteRange: ``pdf[:signed_revision_length]`` is the signed document.
    """

    field_name: str
    indication: str
    sub_indication: str | None
    intact: bool
    valid: bool
    trusted: bool
    revoked: bool
    expired: bool
    signer_common_name: str | None
    signer_organization: str | None
    signer_organization_identifier: str | None
    signer_serial: int | None
    signing_time: datetime | None
    coverage: str | None
    modified_after_signing: bool
    modification_level: str | None
    signed_revision_length: int
    docmdp_ok: bool | None
    message: str | None = None
    # Signature timestamp (RFC 3161 token in the CMS): its time, the TSA's name, and whether
    # the token is intact and its TSA certificate chains to the trust roots.
    timestamp_time: datetime | None = None
    timestamp_authority: str | None = None
    timestamp_trusted: bool = False
    # Revocation data embedded in the file (/DSS) and document timestamps after the signature.
    has_validation_data: bool = False
    document_timestamps: int = 0
    # The certificate is revoked or expired now, but a trusted timestamp proves the signature
    # was made before that: the indication is then TOTAL_PASSED.
    valid_at_signing_time: bool = False

    @property
    def passed(self) -> bool:
        return self.indication == TOTAL_PASSED


def _read_fields(pdf: bytes) -> tuple[PdfFileReader, list[tuple[str, object, object]]]:
    """Parse the file and list its filled signature fields, or raise UnreadablePdf."""
    if not pdf.lstrip()[:5].startswith(b"%PDF-"):
        raise UnreadablePdf("not a PDF file (no %PDF- header)")
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        fields = list(enumerate_sig_fields(reader, filled_status=True))
    except Exception as exc:  # noqa: BLE001 - pyHanko raises many types on bad input
        raise UnreadablePdf(f"the PDF cannot be read ({type(exc).__name__}: {exc})") from exc
    return reader, fields


_SUBFILTERS = {sf.value for sf in SigSeedSubFilter}


def _signed_length(byte_range: object) -> int:
    try:
        start1, len1, start2, len2 = (int(v) for v in byte_range)  # type: ignore[union-attr]
        return max(start1 + len1, start2 + len2)
    except Exception:  # noqa: BLE001 - malformed /ByteRange
        return 0


def _name_fields(cert: x509.Certificate | None) -> tuple[str | None, str | None, str | None, int | None]:
    if cert is None:
        return None, None, None, None
    subject = cert.subject.native
    return (
        subject.get("common_name"),
        subject.get("organization_name"),
        credit_code(cert.subject),  # the plain code, without the NTRCN- prefix
        cert.serial_number,
    )


def _cert_expired(cert: x509.Certificate | None, moment: datetime) -> bool:
    if cert is None:
        return False
    return moment > cert["tbs_certificate"]["validity"]["not_after"].native


def _modified_after(status: PdfSignatureStatus) -> bool:
    coverage = status.coverage
    if coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return False
    if coverage != SignatureCoverageLevel.ENTIRE_REVISION:
        return True  # the ByteRange leaves holes: treat as tampering
    level = status.modification_level
    # None means the difference analysis could not decide: be strict.
    return level is None or level not in _HARMLESS_LEVELS


def _classify(status: PdfSignatureStatus, modified: bool, expired: bool) -> tuple[str, str | None]:
    if status.bottom_line and not modified:
        return TOTAL_PASSED, None
    indic = status.trust_problem_indic.name if status.trust_problem_indic is not None else None
    if not status.intact:
        return TOTAL_FAILED, "HASH_FAILURE"
    if not status.valid:
        return TOTAL_FAILED, "SIG_CRYPTO_FAILURE"
    if status.revoked or indic in _REVOKED_INDICS:
        # Without a timestamp there is no proof the signature predates the
        # revocation, so a revoked signer fails outright on this platform.
        return TOTAL_FAILED, "REVOKED"
    if modified or status.docmdp_ok is False:
        return TOTAL_FAILED, "MODIFIED_AFTER_SIGNING"
    if expired or indic in _EXPIRED_INDICS:
        return INDETERMINATE, "EXPIRED"
    if indic is not None:
        return (TOTAL_FAILED if status.trust_problem_indic.status.name == "FAILED" else INDETERMINATE), indic
    if status.validation_path is None:
        return INDETERMINATE, "NO_CERTIFICATE_CHAIN_FOUND"
    return INDETERMINATE, "GENERIC"


def _error_report(
    field_name: str,
    signed_length: int,
    exc: Exception,
    moment: datetime,
    embedded_sig: EmbeddedPdfSignature | None = None,
) -> SignatureReport:
    """Report for a signature that could not be evaluated at all."""
    cert = signing_time = None
    if embedded_sig is not None:
        try:
            cert = embedded_sig.signer_cert
            signing_time = embedded_sig.self_reported_timestamp
        except Exception:  # noqa: BLE001 - best effort only
            pass
    cn, org, org_id, serial = _name_fields(cert)
    indication, sub = TOTAL_FAILED, "FORMAT_FAILURE"
    if isinstance(exc, SignatureValidationError) and exc.ades_subindication is not None:
        sub = exc.ades_subindication.name
        indication = TOTAL_FAILED if exc.ades_subindication.status.name == "FAILED" else INDETERMINATE
    return SignatureReport(
        field_name=field_name,
        indication=indication,
        sub_indication=sub,
        intact=False,
        valid=False,
        trusted=False,
        revoked=False,
        expired=_cert_expired(cert, moment),
        signer_common_name=cn,
        signer_organization=org,
        signer_organization_identifier=org_id,
        signer_serial=serial,
        signing_time=signing_time,
        coverage=None,
        modified_after_signing=False,
        modification_level=None,
        signed_revision_length=signed_length,
        docmdp_ok=None,
        message=f"{type(exc).__name__}: {exc}",
    )


def verify_pdf(
    pdf: bytes,
    *,
    trust_roots: list[x509.Certificate],
    other_certs: list[x509.Certificate] = (),  # type: ignore[assignment]
    crls: list[bytes | asn1_crl.CertificateList] = (),  # type: ignore[assignment]
    moment: datetime | None = None,
) -> list[SignatureReport]:
    """Validate every signature in ``pdf``; one report each, empty if unsigned.

    ``moment`` is the validation time (default: now). Certificates that declare a
    CRL distribution point must be covered by one of ``crls`` (hard-fail); nothing
    is fetched from the network.
    Raises :class:`UnreadablePdf` if the file cannot be parsed at all.
    """
    if moment is not None and moment.tzinfo is None:
        raise ValueError("moment must be timezone-aware")
    reader, fields = _read_fields(pdf)
    moment = moment or datetime.now(timezone.utc)
    sig_dicts = [sig_obj.get_object() for _name, sig_obj, _field in fields]
    ltv = _ltv_facts(reader, sig_dicts)
    reports: list[tuple[int, SignatureReport]] = []
    for (fq_name, _sig_obj, sig_field), sig_dict in zip(fields, sig_dicts):
        # Collected by hand rather than via reader.embedded_signatures: that parses
        # every CMS blob up front, so one corrupt signature would hide the others,
        # and it silently skips unknown /SubFilter values.
        signed_length = _signed_length(sig_dict.get("/ByteRange"))
        if sig_dict.get("/Type") == "/DocTimeStamp":
            continue  # a document timestamp, not a signature (pyHanko's diff analysis allows it)
        embedded_sig = None
        try:
            subfilter = sig_dict.get("/SubFilter")
            if subfilter not in _SUBFILTERS:
                raise ValueError(f"unsupported signature /SubFilter {subfilter}")
            embedded_sig = EmbeddedPdfSignature(reader, sig_field, fq_name)

            def context(at: datetime = moment, **kw) -> ValidationContext:
                # A fresh context per validation: it caches path and revocation results.
                return ValidationContext(trust_roots=list(trust_roots), other_certs=list(other_certs),
                                         crls=list(crls), allow_fetching=False, revocation_mode="hard-fail",
                                         moment=at, **kw)

            status = validate_pdf_signature(embedded_sig, signer_validation_context=context())
            report = _report(embedded_sig, status, moment, ltv)
            if report.sub_indication in ("REVOKED", "EXPIRED") and report.timestamp_trusted:
                report = _at_signing_time(embedded_sig, report, context)
        except Exception as exc:  # noqa: BLE001 - a bad signature must not crash the caller
            report = _error_report(fq_name, signed_length, exc, moment, embedded_sig)
        reports.append((signed_length, report))
    # signing order, like pyHanko's embedded_signatures
    return [report for _length, report in sorted(reports, key=lambda item: item[0])]


def _ltv_facts(reader: PdfFileReader, sig_dicts: list) -> dict:
    """Whether the file carries a document security store (/DSS) and how many document
    timestamps; malformed entries count as absent."""
    try:
        has_dss = "/DSS" in reader.root
    except Exception:  # noqa: BLE001 - a broken trailer/root is reported as no /DSS
        has_dss = False
    stamps = sum(1 for sig in sig_dicts if sig.get("/Type") == "/DocTimeStamp")
    return {"has_validation_data": has_dss, "document_timestamps": stamps}


def _timestamp_facts(status: PdfSignatureStatus) -> dict:
    ts = status.timestamp_validity
    if ts is None:
        return {}
    tsa = ts.signing_cert.subject.native if ts.signing_cert is not None else {}
    return {"timestamp_time": ts.timestamp,
            # The organization, as for the signer: the name a reader knows (the CN is "<CA> 时间戳服务").
            "timestamp_authority": tsa.get("organization_name") or tsa.get("common_name"),
            "timestamp_trusted": bool(ts.intact and ts.valid and ts.trusted)}


def _at_signing_time(embedded_sig, report: SignatureReport, context) -> SignatureReport:
    """Validate the signer's certificate again at the time of the signature timestamp.

    The control time is the timestamp plus its accuracy (1 s on this platform's TSA): a
    revocation within that second counts as before the signature. ``retroactive_revinfo``
    lets today's CRL speak about that earlier time (it lists the revocation date)."""
    if not (report.intact and report.valid) or report.modified_after_signing:
        return report
    control = report.timestamp_time + timedelta(seconds=1)
    try:
        past = validate_pdf_signature(embedded_sig, signer_validation_context=context(control, retroactive_revinfo=True),
                                      skip_diff=True)
    except Exception:  # noqa: BLE001 - then the verdict of today stands
        return report
    if not (past.intact and past.valid and past.trusted and past.trust_problem_indic is None):
        return report
    return dataclasses.replace(report, indication=TOTAL_PASSED, sub_indication=None, valid_at_signing_time=True,
                               trusted=True, expired=False, message=None)


def _report(embedded_sig, status: PdfSignatureStatus, moment: datetime, ltv: dict) -> SignatureReport:
    cert = status.signing_cert
    cn, org, org_id, serial = _name_fields(cert)
    modified = _modified_after(status)
    expired = _cert_expired(cert, moment) or (
        status.trust_problem_indic is not None and status.trust_problem_indic.name in _EXPIRED_INDICS
    )
    revoked = status.revoked or (
        status.trust_problem_indic is not None and status.trust_problem_indic.name in _REVOKED_INDICS
    )
    indication, sub = _classify(status, modified, expired)
    ts = status.timestamp_validity
    if sub == "GENERIC" and ts is not None and not (ts.intact and ts.valid and ts.trusted):
        sub = "TIMESTAMP_FAILURE"  # everything else held: the timestamp token is what failed
    level = status.modification_level
    return SignatureReport(
        field_name=embedded_sig.field_name,
        indication=indication,
        sub_indication=sub,
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted),
        revoked=revoked,
        expired=expired,
        signer_common_name=cn,
        signer_organization=org,
        signer_organization_identifier=org_id,
        signer_serial=serial,
        signing_time=status.signer_reported_dt,
        coverage=status.coverage.name if status.coverage is not None else None,
        modified_after_signing=modified,
        modification_level=level.name if level is not None else None,
        signed_revision_length=_signed_length(embedded_sig.byte_range),
        docmdp_ok=status.docmdp_ok,
        message=None if indication == TOTAL_PASSED else status.summary(),
        **_timestamp_facts(status),
        **ltv,
    )
