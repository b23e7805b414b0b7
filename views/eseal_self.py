"""The applicant's e-seal screens (申请指南 steps 2–4): 查看电子签章, the application form, the
printable form, the remittance, keys and their certificates, and issued certificates."""
from __future__ import annotations

import datetime as dt

from flask import Response, abort, current_app, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.services.eseal import delivery, issued_documents, pki, seal_keys, subject
from app.services.eseal import seal_application as svc
from app.services.errors import NotFound, ServiceError
from app.storage import allowed_label, max_megabytes_label
from app.workflows.definitions import SEAL_APPLICATION
from models import IssuedDocument, KeyCertificate
from app.timeutil import today_in_china


def application_status(status: str) -> str:
    return SEAL_APPLICATION.state_label(status)


def document_status(status: str) -> str:
    return _(issued_documents.DOCUMENT_STATUS.get(status, status))


def key_status(key) -> str:
    return _(seal_keys.STATUS_LABELS[seal_keys.display_status(key)])


class SealSelfView(BaseView):
    route_base = "/eseal"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        keys = seal_keys.keys_for(g.user)
        documents = []
        if g.user.enterprise_id:
            documents = list(db.session.execute(select(IssuedDocument).where(
                IssuedDocument.enterprise_id == g.user.enterprise_id).order_by(IssuedDocument.id.desc())).scalars())
        return self.render_template(
            "shenbao/eseal/index.html", keys=keys, applications=svc.list_for(g.user), documents=documents,
            key_status=key_status, display_status=seal_keys.display_status, current=seal_keys.current_certificate,
            application_status=application_status, kind_labels=svc.KIND_LABELS, pki_problem=pki.status(),
            holder_name=subject.holder_name,
            doc_status=document_status)

    @expose("/apply", methods=["GET", "POST"])
    @has_access
    def apply(self):
        kind = request.values.get("kind", "first")
        if kind not in svc.KIND_LABELS:
            abort(404)
        key_id = request.values.get("key")
        key = None
        try:
            if kind != "first":
                key = seal_keys.own_key(g.user, key_id)
            values = svc.defaults(g.user, kind, key)
        except ServiceError as exc:
            flash(exc.message, "danger")
            return redirect(url_for("SealSelfView.index"))
        errors: dict[str, str] = {}
        if request.method == "POST":
            values = {**values, **{k: request.form.get(k, "") for k in (*svc.FORM_FIELDS, "years")}}
            try:
                application = svc.apply(g.user, kind, request.form, key_id=key.id if key else None)
                flash(_("Application confirmed. Print the application form, seal it and mail it with the papers."),
                      "success")
                return redirect(url_for("SealSelfView.application", application_id=application.id))
            except ServiceError as exc:
                errors = exc.field_errors
                flash(exc.message, "danger")
        return self.render_template(
            "shenbao/eseal/apply.html", kind=kind, key=key, values=values, errors=errors,
            kind_label=svc.KIND_LABELS[kind], departments=svc.BUSINESS_DEPARTMENTS, max_years=svc.rules.MAX_YEARS,
            fees=svc.fee_schedule(), editing=None, previous=svc.last_application_of(key) if key else None)

    def _own(self, application_id):
        try:
            return svc.own(g.user, application_id)
        except ServiceError:
            abort(404)

    @expose("/application/<int:application_id>", methods=["GET", "POST"])
    @has_access
    def application(self, application_id):
        application = self._own(application_id)
        errors: dict[str, str] = {}
        payment = {}
        if request.method == "POST":
            op = request.form.get("op", "")
            try:
                if op == "payment":
                    payment = request.form
                    upload = request.files.get("invoice_statement")
                    statement = (upload.stream, upload.filename) if upload is not None and upload.filename else None
                    svc.record_payment(g.user, application.id, request.form, statement)
                    flash(_("The remittance was recorded. The CA operator confirms it against the bank receipt."),
                          "success")
                elif op == "update":
                    svc.update(g.user, application.id, request.form)
                    svc.resubmit(g.user, application.id)
                    flash(_("The corrected application was sent again."), "success")
                elif op == "cancel":
                    svc.cancel(g.user, application.id)
                    flash(_("The application was cancelled."), "success")
                else:
                    abort(400)
                return redirect(url_for("SealSelfView.application", application_id=application.id))
            except ServiceError as exc:
                errors = exc.field_errors
                flash(exc.message, "danger")
            application = self._own(application_id)
        form_values = request.form if request.method == "POST" and request.form.get("op") == "update" else None
        return self.render_template(
            "shenbao/eseal/application.html", application=application, errors=errors, payment=payment,
            form_values=form_values, status_label=application_status(application.status),
            kind_label=svc.KIND_LABELS[application.kind], department_label=dict(svc.BUSINESS_DEPARTMENTS).get(
                application.business_department, ""), bank=svc.bank_details(current_app.config),
            mailing=svc.INVOICE_MAILING, payable=application.status in svc.PAYABLE, invoice=delivery.invoice_of(application),
            departments=svc.BUSINESS_DEPARTMENTS, max_years=svc.rules.MAX_YEARS,
            papers=_papers_to_mail(), upload_limit=max_megabytes_label(),
            file_types=allowed_label("invoice_statement"))

    @expose("/application/<int:application_id>/form.pdf")
    @has_access
    def form_pdf(self, application_id):
        from app.documents import render_pdf

        application = self._own(application_id)
        today = today_in_china()
        pdf = render_pdf("documents/seal_application_form.html", {
            "application": application, "kind_label": str(svc.KIND_LABELS[application.kind]),
            "department_label": str(dict(svc.BUSINESS_DEPARTMENTS).get(application.business_department, "")),
            "credit_code": application.enterprise.credit_code or "", "bank": svc.bank_details(current_app.config),
            "papers": _papers_to_mail(), "mail_address": svc.mail_address(),
            "printed_on": f"{today.year}年{today.month}月{today.day}日"})
        return _pdf_response(pdf, f"seal-application-ES{application.id:06d}.pdf",
                             inline=request.args.get("download") is None)

    @expose("/key/<int:key_id>", methods=["GET", "POST"])
    @has_access
    def key(self, key_id):
        try:
            key = seal_keys.own_key(g.user, key_id)
        except ServiceError:
            abort(404)
        if request.method == "POST":
            try:
                if not request.form.get("confirm"):
                    raise ServiceError(_("Tick the box to confirm the revocation."))
                seal_keys.revoke(g.user, key.id, request.form.get("reason", ""))
                flash(_("The key was revoked. Its certificate is on the published revocation list."), "success")
            except ServiceError as exc:
                flash(exc.message, "danger")
            return redirect(url_for("SealSelfView.key", key_id=key.id))
        return self.render_template("shenbao/eseal/key.html", key=key, status_label=key_status(key),
                                    seal_image=seal_keys.seal_image_id(key), subject_lines=subject.subject_lines,
                                    reasons=[(k, _(v)) for k, v in seal_keys.REVOCATION_REASONS.items()
                                             if k != "superseded"])

    @expose("/certificate/<int:certificate_id>.cer")
    @has_access
    def certificate(self, certificate_id):
        cert = db.session.get(KeyCertificate, certificate_id) if 0 < certificate_id < 2**31 else None
        try:
            if cert is None:
                raise NotFound("")
            seal_keys.own_key(g.user, cert.key_id)
        except ServiceError:
            abort(404)
        return Response(cert.der, mimetype="application/pkix-cert",
                        headers={"Content-Disposition": f"attachment; filename=shenbao-{cert.serial}.cer"})

    @expose("/document/<int:document_id>.pdf")
    @has_access
    def document(self, document_id):
        from app.services.lookup import owned_by

        try:
            document = owned_by(g.user, IssuedDocument, document_id)
        except ServiceError:
            abort(404)
        return _pdf_response(issued_documents.pdf_bytes(document), f"{document.number}-v{document.version}.pdf",
                             inline=False)

    @expose("/sign")
    @has_access
    def sign(self):
        """签署 PDF: any PDF from the user's computer, signed through the local signing agent and
        saved back on the computer; nothing reaches Shenbao (the page only talks to the agent)."""
        return self.render_template("shenbao/eseal/sign.html")


def _papers_to_mail() -> list[str]:
    return [str(label) for _code, label, _required in svc.PAPER_ITEMS]


def _pdf_response(pdf: bytes, filename: str, *, inline: bool) -> Response:
    disposition = "inline" if inline else "attachment"
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f"{disposition}; filename={filename}"})
