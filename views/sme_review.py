"""Reviewer screens for the Tech-SME evaluation: the scoped list with bulk actions, the
record with its decision form, spot-check draws and publicity batches."""
from __future__ import annotations

import datetime as dt

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.actions import action
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.datamodel import PagedSQLAInterface
from app.reports.sme_columns import sme_export_layout, sme_export_rows
from app.extensions import db
from app.security.scope import in_scope, scope_criterion, scoped_base_filters
from app.services import sme as svc
from app.services import sme_documents
from app.services.errors import ServiceError
from app.services.sme.filling import WITHOUT_PLACES
from app.services.sme_form import INDICATOR_LABELS, IP_ACQUISITION, IP_KINDS
from flask_appbuilder.fieldwidgets import Select2Widget
from wtforms import DateField, SelectField
from wtforms.validators import DataRequired
from wtforms.widgets import DateInput
from app.workflows.definitions import PUBLICITY_BATCH, SME_EVALUATION
from models import EnterpriseIp, PublicityBatch, SmeEvaluation
from views.review import ReviewMixin, _attachment_link, _yes_no, status_formatter
from views.exports import ExportableModelView
from views.reference_choices import region_name
from app.timeutil import beijing


def _flash_bulk(results) -> None:
    done = [r for r in results if r.ok]
    failed = [r for r in results if not r.ok]
    flash(_("%(done)d done, %(failed)d not possible.", done=len(done), failed=len(failed)),
          "success" if not failed else "warning")
    for r in failed[:20]:
        flash(f"#{r.record_id}: {r.message}", "warning")


# Translated per cell shown, not three times per row.
PATH_LABELS = {"scored": _l("Scored"), "direct": _l("Qualified directly"), "entry_failed": _l("Entry condition not met")}


class SmeReviewView(ReviewMixin, ExportableModelView):
    route_base = "/review/sme"
    show_template = "shenbao/sme/review_show.html"
    # The list shows the enterprise's name, not its places: five joins a row fewer.
    datamodel = PagedSQLAInterface(SmeEvaluation, list_options=WITHOUT_PLACES)
    workflow = SME_EVALUATION
    decide_service = staticmethod(svc.review)
    base_filters = scoped_base_filters()
    base_permissions = ["can_list", "can_show", "can_decide", "can_draw", "can_batch", "can_pdf"]
    list_links = (("SmeReviewView.draw", _l("Spot-check draw"), "fa-random"),
                  ("SmeReviewView.batch", _l("New publicity batch"), "fa-bullhorn"))
    base_order = ("submitted_at", "desc")
    list_title = _l("Tech-based SME evaluations")
    # 导出 Excel: 40 columns (the record, its place, result and figures), not just the list's eight.
    export_layout = staticmethod(sme_export_layout)
    export_loader = staticmethod(sme_export_rows)
    show_title = _l("Tech-based SME evaluation")
    list_columns = ["system_number", "enterprise_name", "year", "total_score", "path", "status", "submitted_at",
                    "certificate_number"]
    search_columns = ["system_number", "year", "status", "submitted_at", "certificate_number", "qualified"]
    order_columns = ["system_number", "year", "total_score", "status", "submitted_at"]
    show_columns = ["system_number", "enterprise_name", "year", "status", "qualified", "path", "total_score",
                    "submitted_at", "return_reason", "objection_reason", "publicity_batch", "sampled",
                    "certificate_number", "cover_attachment_id"]
    formatters_columns = {"status": status_formatter(SME_EVALUATION),
                          "total_score": lambda v: "" if v is None else v,
                          "certificate_number": lambda v: v or "",
                          "path": lambda v: str(PATH_LABELS.get(v, "")),
                          "qualified": _yes_no, "sampled": _yes_no,
                          "return_reason": lambda v: v or "", "objection_reason": lambda v: v or "",
                          "publicity_batch": lambda b: b.name if b is not None else "",
                          "submitted_at": beijing, "cover_attachment_id": _attachment_link}
    label_columns = {
        "system_number": _l("System number"), "enterprise_name": _l("Enterprise name"), "year": _l("Year"),
        "total_score": _l("Score"), "path": _l("Qualification path"), "status": _l("Status"),
        "submitted_at": _l("Submitted at"), "certificate_number": _l("Certificate number"),
        "qualified": _l("Qualified"), "return_reason": _l("Return reason"), "objection_reason": _l("Objection"),
        "publicity_batch": _l("Publicity batch"), "sampled": _l("Drawn for spot check"),
        "cover_attachment_id": _l("Stamped cover"),
    }

    def _decision_context(self, item):
        from app.services.sme_form import ROW_TABLES
        from views.review_details import attachments_by_id

        context = super()._decision_context(item)
        data = item.data or {}
        proofs = [r.get("proof") for key in ("ip", "standards", "institutions", "awards") for r in data.get(key) or []]
        context.update(doc=sme_documents.context(item), result=item.result, evaluation=item,
                       indicator_labels=INDICATOR_LABELS,
                       row_tables=ROW_TABLES, files=attachments_by_id(proofs))
        return context

    @expose("/pdf/<int:pk>")
    @has_access
    def pdf(self, pk):
        from flask import Response

        item = in_scope(db.session, SmeEvaluation, pk)
        if item is None:
            abort(404)
        return Response(sme_documents.information_pdf(item), mimetype="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="sme-{item.system_number}.pdf"'})

    def _bulk(self, items, action_name):
        if not isinstance(items, list):
            items = [items]
        _flash_bulk(svc.bulk(g.user, [i.id for i in items], action_name))
        return redirect(url_for("SmeReviewView.list"))

    @action("bulk_confirm", _l("Confirm"), _l("Confirm the selected records?"), "fa-check", single=False)
    def bulk_confirm(self, items):
        return self._bulk(items, "confirm")

    @action("bulk_send", _l("Send to the provincial agency"), _l("Send the selected records?"), "fa-share", single=False)
    def bulk_send(self, items):
        return self._bulk(items, "send")

    @action("bulk_approve", _l("Approve"), _l("Approve the selected records?"), "fa-thumbs-up", single=False)
    def bulk_approve(self, items):
        return self._bulk(items, "approve")

    @action("bulk_store", _l("Store"), _l("Store the selected records?"), "fa-archive", single=False)
    def bulk_store(self, items):
        return self._bulk(items, "store")

    @action("bulk_pdf", _l("Download information tables (PDF, bulk)"), "", "fa-file-archive-o", single=False)
    def bulk_pdf(self, items):
        from app.reports.bulk_pdf import SME_INFORMATION
        from views.bulk_pdf import start_download

        return start_download(self, SME_INFORMATION, items)

    @action("bulk_number", _l("Generate certificate number"), _l("Number the selected records?"), "fa-hashtag", single=False)
    def bulk_number(self, items):
        return self._bulk(items, "number")

    @expose("/draw", methods=["GET", "POST"])
    @has_access
    def draw(self):
        """Spot check: draw a reproducible sample of the recommended records."""
        if request.method == "POST":
            try:
                draw = svc.draw_spot_check(g.user, int(request.form.get("percentage") or -1),
                                           (request.form.get("seed") or "").strip() or None)
                flash(_("Drawn %(n)d of %(m)d records (seed %(seed)s).", n=len(draw.sampled_ids),
                        m=len(draw.candidate_ids), seed=draw.seed), "success")
                return redirect(url_for("SmeReviewView.list"))
            except (ServiceError, ValueError) as exc:
                flash(getattr(exc, "message", _("Enter a percentage between 0 and 100.")), "danger")
        count = db.session.execute(select(SmeEvaluation.id).where(
            SmeEvaluation.status == "recommended", scope_criterion(SmeEvaluation))).all()
        return self.render_template("shenbao/sme/draw.html", candidates=len(count))

    @expose("/batch", methods=["GET", "POST"])
    @has_access
    def batch(self):
        """A publicity batch (公示批次) with its start and end dates."""
        queued = list(db.session.execute(select(SmeEvaluation).where(
            SmeEvaluation.status == "publicity_queued", SmeEvaluation.publicity_batch_id.is_(None),
            scope_criterion(SmeEvaluation)).order_by(SmeEvaluation.id)).scalars())
        if request.method == "POST":
            try:
                batch = svc.create_batch(g.user, request.form.get("name", ""), _date(request.form.get("starts_on")),
                                         _date(request.form.get("ends_on")), request.form.getlist("evaluation_id"))
                flash(_("Publicity batch %(name)s created.", name=batch.name), "success")
                return redirect(url_for("PublicityBatchView.list"))
            except ServiceError as exc:
                flash(exc.message, "danger")
        return self.render_template("shenbao/sme/batch.html", queued=queued)


def _date(value):
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


class PublicityBatchView(ExportableModelView):
    route_base = "/review/publicity-batches"
    list_links = (("SmeReviewView.batch", _l("New publicity batch"), "fa-plus"),)
    datamodel = PagedSQLAInterface(PublicityBatch)
    base_filters = scoped_base_filters()
    base_permissions = ["can_list", "can_show"]
    base_order = ("starts_on", "desc")
    list_title = _l("Publicity batches")
    list_columns = ["name", "province_code", "starts_on", "ends_on", "status"]
    search_columns = ["name", "starts_on", "ends_on", "status"]
    label_columns = {"name": _l("Name"), "province_code": _l("Province"), "starts_on": _l("Start date"),
                     "ends_on": _l("End date"), "status": _l("Status")}
    formatters_columns = {"status": status_formatter(PUBLICITY_BATCH), "province_code": region_name}


class _NativeDateInput(DateInput):
    """``<input type="date">`` styled like FAB's other fields."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("class", "form-control")
        return super().__call__(field, **kwargs)


class EnterpriseIpView(ExportableModelView):
    """The applicant's IP registry; the enterprise is always the user's own (set here, never posted)."""

    route_base = "/my-enterprise/ip"
    datamodel = PagedSQLAInterface(EnterpriseIp)
    base_filters = scoped_base_filters()
    list_title = _l("IP registry")
    list_columns = ["name", "kind", "number", "grant_date", "acquisition"]
    search_columns = ["name", "kind", "number"]
    add_columns = edit_columns = ["name", "kind", "number", "grant_date", "acquisition"]
    label_columns = {"name": _l("IP name"), "kind": _l("Kind"), "number": _l("Grant number"),
                     "grant_date": _l("Grant date"), "acquisition": _l("Acquisition")}

    add_title = _l("Add to the IP registry")
    edit_title = _l("Edit an IP registry entry")
    show_title = _l("IP registry entry")

    # The grant date is required (an evaluation's IP row needs it) and a native date input:
    # FAB's bootstrap-datepicker threw away a date typed, pasted or autofilled without a keyup.
    add_form_extra_fields = edit_form_extra_fields = {
        "kind": SelectField(_l("Kind"), choices=[(c, l) for c, l in IP_KINDS], widget=Select2Widget()),
        "grant_date": DateField(_l("Grant date"), format="%Y-%m-%d", validators=[DataRequired()],
                                widget=_NativeDateInput()),
        "acquisition": SelectField(_l("Acquisition"), choices=[(c, l) for c, l in IP_ACQUISITION], widget=Select2Widget()),
    }
    formatters_columns = {"kind": lambda v: str(dict(IP_KINDS).get(v, v)),
                          "acquisition": lambda v: str(dict(IP_ACQUISITION).get(v, v))}

    def pre_add(self, item):
        from app.services import enterprise as enterprise_svc

        item.enterprise_id = enterprise_svc.get_or_create(g.user).id

    def pre_update(self, item):
        item.enterprise_id = g.user.enterprise_id
