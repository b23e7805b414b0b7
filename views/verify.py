"""Public pages, no login: certificate verification (by number and version, or by uploading the
PDF), the CA certificates and the CRLs."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_babel import gettext as _

from app.services.eseal import issued_documents, pki
from app.services.errors import NotFound, ServiceError

ROLES = (pki.ROOT, pki.ISSUING)


class VerifyView(BaseView):
    """在线验证: the report follows the EU DSS simple report (indication, signer, time, chain,
    revocation), plus the document's status (current / superseded by version N / revoked)."""

    route_base = "/verify"
    default_view = "index"

    @expose("/", methods=["GET", "POST"])
    def index(self):
        if request.method == "GET":
            number = (request.args.get("number") or "").strip()
            version = (request.args.get("version") or "").strip()
            if number and version.isdigit():
                return redirect(url_for("VerifyView.issued", number=number, version=int(version)))
            return self.render_template("shenbao/verify/index.html", result=None)
        upload = request.files.get("document")
        try:
            data = _read_upload(upload)
            result = issued_documents.verify(data)
        except ServiceError as exc:
            flash(exc.message, "danger")
            return self.render_template("shenbao/verify/index.html", result=None), exc.status_code
        return self.render_template("shenbao/verify/index.html", result=result, source=upload.filename,
                                    **_labels())

    @expose("/<number>/<int:version>")
    def issued(self, number, version):
        try:
            result = issued_documents.verify_issued(number[:40], version)
        except NotFound as exc:
            flash(exc.message, "danger")
            return self.render_template("shenbao/verify/index.html", result=None), 404
        except pki.PkiUnavailable as exc:
            flash(exc.message, "danger")
            return self.render_template("shenbao/verify/index.html", result=None), 503
        return self.render_template("shenbao/verify/index.html", result=result,
                                    source=f"{number} · {_('Version')} {version}", **_labels())

    # Kept as routes of this view so the links live in one place. ".crt" is the address the
    # certificates' Authority Information Access (caIssuers) gives; ".cer" the earlier link.
    @expose("/ca/<role>.cer")
    @expose("/ca/<role>.crt")
    def ca_certificate(self, role):
        if role not in ROLES:
            abort(404)
        authority = pki.ensure_ca()
        der = authority.root.dump() if role == pki.ROOT else authority.issuing.dump()
        return Response(der, mimetype="application/pkix-cert",
                        headers={"Content-Disposition": f"attachment; filename=shenbao-{role}-ca.crt",
                                 "Cache-Control": "max-age=86400"})

    @expose("/crl/<role>.crl")
    def crl(self, role):
        if role not in ROLES:
            abort(404)
        return Response(pki.current_crl(role), mimetype="application/pkix-crl",
                        headers={"Content-Disposition": f"attachment; filename=shenbao-{role}.crl",
                                 "Cache-Control": "max-age=300"})


def _read_upload(upload) -> bytes:
    from app.storage import max_bytes, max_megabytes_label

    if upload is None or not upload.filename:
        raise ServiceError(_("Please choose the PDF file to verify."))
    data = upload.stream.read(max_bytes() + 1)
    if len(data) > max_bytes():
        raise ServiceError(_("The file is larger than %(limit)s.", limit=max_megabytes_label()))
    if not data.startswith(b"%PDF-"):
        raise ServiceError(_("The file is not a PDF."))
    return data


def _labels() -> dict:
    return {
        "indications": {"TOTAL_PASSED": _("Passed: the signature is valid"),
                        "TOTAL_FAILED": _("Failed: the signature is not valid"),
                        "INDETERMINATE": _("Indeterminate: the signature could not be confirmed"),
                        "NO_SIGNATURE": _("The file carries no signature")},
        "document_status": {k: _(v) for k, v in issued_documents.DOCUMENT_STATUS.items()},
        # What failed, in the reader's words (the ETSI sub-indication stays in the page's data).
        "findings": {"HASH_FAILURE": _("The file was tampered with: the signed content is not what was signed."),
                     "SIG_CRYPTO_FAILURE": _("The signature value does not match the signed content."),
                     "REVOKED": _("The signing certificate was revoked."),
                     "MODIFIED_AFTER_SIGNING": _("The file was changed after signing."),
                     "EXPIRED": _("The signing certificate had expired."),
                     "NO_CERTIFICATE_CHAIN_FOUND": _("The signing certificate was not issued under a trusted root."),
                     "FORMAT_FAILURE": _("The signature cannot be read."),
                     "GENERIC": _("The signature could not be confirmed.")},
    }
