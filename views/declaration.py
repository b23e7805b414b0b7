"""Quality benchmark: the applicant's projects and declarations ("我的申报"), and the review
screen shared by recommending units and the association (each sees its own scope)."""
from __future__ import annotations

from flask import Response, abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.actions import action
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.datamodel import PagedSQLAInterface
from app.extensions import db
from app.security.scope import scoped_base_filters
from app.services import declaration as svc
from app.services import declaration_documents as documents
from app.services import filing as filing_svc
from app.services.errors import ServiceError
from app.services.progress_labels import declaration_status_label
from app.storage import allowed_label, max_megabytes_label
from app.workflows.definitions import DECLARATION
from app.timeutil import beijing
from models import Attachment, Declaration
from views.review import ReviewMixin, _attachment_link, status_formatter
from views.exports import ExportableModelView


def _rows(prefix: str, columns: tuple[str, ...], table: str, proofs: dict) -> list[dict[str, str]]:
    """Posted table rows; a proof file sent with a row is collected into ``proofs``."""
    values = {c: request.form.getlist(f"{prefix}_{c}") for c in columns}
    files = request.files.getlist(f"{prefix}_proof_file")
    count = max((len(v) for v in values.values()), default=0)
    rows = []
    for i in range(count):
        row = {c: (values[c][i] if i < len(values[c]) else "").strip() for c in columns}
        upload = files[i] if i < len(files) else None
        if not any(v for c, v in row.items() if c != "proof") and not (upload and upload.filename):
            continue
        if upload is not None and upload.filename:
            proofs[(table, len(rows))] = (upload.stream, upload.filename)
        rows.append(row)
    return rows


class DeclarationSelfView(BaseView):
    route_base = "/benchmark/my"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        declarations = db.session.query(Declaration).filter(Declaration.enterprise_id == g.user.enterprise_id) \
            .order_by(Declaration.id.desc()).all() if g.user.enterprise_id else []
        return self.render_template("shenbao/benchmark/my.html", declarations=declarations,
                                    projects=svc.projects_for(g.user), status_label=declaration_status_label,
                                    printable=documents.PRINTABLE, editable=svc.EDITABLE)

    @expose("/project/<int:project_id>", methods=["GET", "POST"])
    @expose("/project/new", methods=["GET", "POST"])
    @has_access
    def project(self, project_id=None):
        errors: dict[str, str] = {}
        project = None
        if project_id is not None:
            try:
                project = svc.own_project(g.user, project_id)
            except ServiceError:
                abort(404)
        if request.method == "POST":
            proofs: dict = {}
            ip = _rows("ip", svc.IP_COLUMNS, "ip", proofs)
            honours = _rows("hn", svc.HONOUR_COLUMNS, "honours", proofs)
            other = request.files.get("other_evidence_file")
            try:
                project, errors = svc.save_project(g.user, project_id, request.form, ip=ip, honours=honours, proofs=proofs,
                                                   other_evidence=(other.stream, other.filename)
                                                   if other is not None and other.filename else None)
            except ServiceError as exc:
                flash(exc.message, "danger")
                return redirect(request.url)
            flash(_("Saved. Some fields still need attention.") if errors else _("Saved successfully."),
                  "warning" if errors else "success")
            if project_id is None:
                if "other_evidence" in errors:  # a refused file is not found again after the redirect
                    flash(errors["other_evidence"], "danger")
                return redirect(url_for("DeclarationSelfView.project", project_id=project.id))
        elif project is not None:
            errors = svc.project_errors(project)
        other_file = db.session.get(Attachment, project.other_evidence_attachment_id) \
            if project is not None and project.other_evidence_attachment_id else None
        return self.render_template("shenbao/benchmark/project.html", project=project, errors=errors,
                                    ip_columns=svc.IP_COLUMNS, honour_columns=svc.HONOUR_COLUMNS,
                                    other_file=other_file, upload_limit=max_megabytes_label(),
                                    proof_types=allowed_label("benchmark_proof"))

    @expose("/declare", methods=["GET", "POST"])
    @has_access
    def declare(self):
        """Choose the activity, the approved filing and the project; accept the commitment first."""
        activities = filing_svc.open_activities()
        if request.method == "POST":
            try:
                declaration = svc.start(g.user, int(request.form.get("activity_id") or 0),
                                        int(request.form.get("filing_id") or 0), int(request.form.get("project_id") or 0),
                                        request.form.get("commitment") == "y")
                return redirect(url_for("DeclarationSelfView.declaration", declaration_id=declaration.id))
            except (ServiceError, ValueError) as exc:
                flash(getattr(exc, "message", _("Please correct the marked fields.")), "danger")
        filings = filing_svc.approved_for(g.user)
        gaps = [(a, fl, missing) for a in activities for fl in filings if (missing := filing_svc.missing_for(fl, a.year))]
        return self.render_template("shenbao/benchmark/declare.html", activities=activities, filings=filings,
                                    projects=svc.projects_for(g.user), gaps=gaps)

    @expose("/declaration/<int:declaration_id>", methods=["GET", "POST"])
    @has_access
    def declaration(self, declaration_id):
        try:
            declaration = svc.own(g.user, declaration_id)
        except ServiceError:
            abort(404)
        errors: dict[str, str] = {}
        if request.method == "POST":
            op = request.form.get("op", "save")
            try:
                if op == "choose":
                    svc.choose_recommender(g.user, declaration.id, request.form.get("unit_id", ""))
                    flash(_("Sent to the recommending unit."), "success")
                elif op == "signed_form":
                    upload = request.files.get("signed_form")
                    if upload is None or not upload.filename:
                        raise ServiceError(_("Please choose the file to upload."))
                    svc.upload_signed_form(g.user, declaration.id, upload.stream, upload.filename)
                    flash(_("The signed declaration form was uploaded."), "success")
                else:
                    declaration, errors = svc.save(g.user, declaration.id, request.form)
                    summary = request.files.get("summary")
                    if summary is not None and summary.filename:
                        svc.upload_summary(g.user, declaration.id, summary.stream, summary.filename)
                    if op == "submit":
                        sent = svc.submit(g.user, declaration.id, unit_id=request.form.get("unit_id"))
                        if sent.status == "pending_recommendation":
                            flash(_("Submitted and sent again to %(unit)s.", unit=sent.recommending_unit.name), "success")
                        else:
                            flash(_("Submitted. Now choose the recommending unit."), "success")
                    else:
                        flash(_("Saved. Some fields still need attention.") if errors else _("Saved successfully."),
                              "warning" if errors else "success")
            except ServiceError as exc:
                errors = {**errors, **exc.field_errors}
                flash(exc.message, "danger")
            declaration = svc.own(g.user, declaration_id)
        return self.render_template(
            "shenbao/benchmark/declaration.html", declaration=declaration, errors=errors, contact=declaration.contact or {},
            fields=svc.CONTACT_FIELDS, editable=declaration.status in svc.EDITABLE,
            problems=svc.submit_problems(declaration) if declaration.status in svc.EDITABLE else [],
            status_label=declaration_status_label(declaration.status), printable=documents.PRINTABLE,
            upload_limit=max_megabytes_label(), summary_types=allowed_label("declaration_summary"))

    @expose("/declaration/<int:declaration_id>/print/<kind>")
    @has_access
    def print_pdf(self, declaration_id, kind):
        try:
            declaration = svc.own(g.user, declaration_id)
        except ServiceError:
            abort(404)
        if kind not in documents.TEMPLATES:
            abort(404)
        if declaration.status not in documents.PRINTABLE:
            flash(_("Printing is available once the qualification review has passed."), "warning")
            return redirect(url_for("DeclarationSelfView.declaration", declaration_id=declaration.id))
        pdf = documents.render(declaration, kind)
        if kind == "declaration":
            from app.services.eseal.issued_documents import hand_out

            # Remembered, so that this very PDF signed with the enterprise's USB-Key is accepted back.
            hand_out("declaration", declaration.id, declaration.enterprise_id, pdf)
        return Response(pdf, mimetype="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{kind}-{declaration.id}.pdf"'})


class DeclarationReviewView(ReviewMixin, ExportableModelView):
    """Recommending units see the declarations that chose them; the association sees them once recommended."""

    route_base = "/review/declarations"
    datamodel = PagedSQLAInterface(Declaration)
    workflow = DECLARATION
    decide_service = staticmethod(svc.review)
    show_template = "shenbao/review/declaration_show.html"
    base_filters = scoped_base_filters()
    base_permissions = ["can_list", "can_show", "can_decide"]
    base_order = ("submitted_at", "desc")
    list_title = _l("Declarations")
    show_title = _l("Declaration")
    list_columns = ["activity", "project", "recommending_unit", "status", "submitted_at"]
    search_columns = ["status", "submitted_at"]
    # The declaration itself, its files and the summary material: review/declaration_show.html.
    show_columns = ["activity", "status", "submitted_at", "recommending_unit", "recommendation_opinion", "return_reason"]
    formatters_columns = {"status": status_formatter(DECLARATION), "summary_attachment_id": _attachment_link,
                          "activity": svc.activity_title,
                          "recommendation_opinion": lambda v: v or "", "return_reason": lambda v: v or "",
                          "submitted_at": beijing}
    label_columns = {"activity": _l("Activity"), "project": _l("Project"), "recommending_unit": _l("Recommending unit"),
                     "status": _l("Status"), "submitted_at": _l("Submitted at"),
                     "recommendation_opinion": _l("Recommendation opinion"), "return_reason": _l("Return reason"),
                     "summary_attachment_id": _l("Summary material")}

    @action("bulk_pdf", _l("Download declarations (PDF, bulk)"), "", "fa-file-archive-o", single=False)
    def bulk_pdf(self, items):
        from app.reports.bulk_pdf import DECLARATION
        from views.bulk_pdf import start_download

        return start_download(self, DECLARATION, items)

    def _decision_context(self, item):
        from views.review_details import declaration_context

        # What was submitted (the snapshot frozen at submit), not the project as edited since.
        doc = documents.context(item) if item.snapshot else None
        return {**super()._decision_context(item), "doc": doc, **declaration_context(item, doc)}
