"""The objection queues (公示异议): the province's for its Tech-SME records, the association's
for the benchmark selection lists; and the association's page publishing an activity's
selection results (选拔结果公示). Decisions go through the workflow engine (services)."""
from __future__ import annotations

import datetime as dt

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from app.datamodel import PagedSQLAInterface
from app.security.scope import scoped_base_filters
from app.services import benchmark_results
from app.services.errors import ServiceError
from app.services.sme import objections
from app.timeutil import beijing
from app.workflows.definitions import BENCHMARK_ACTIVITY, PUBLICITY_OBJECTION
from models import PublicityObjection, SmeEvaluation
from views.exports import ExportableModelView
from views.review import ReviewMixin, _attachment_link, status_formatter


def _subject_link(record):
    """The record objected to, linking to its review page (the reviewer sees every document)."""
    if record is None:
        return ""
    if isinstance(record, SmeEvaluation):
        url = url_for("SmeReviewView.show", pk=record.id)
        text = f"{record.system_number or ''} {record.enterprise_name}".strip()
    else:
        url = url_for("DeclarationReviewView.show", pk=record.id)
        text = str(record)
    return Markup(f'<a href="{escape(url)}">{escape(text)}</a>')


class ObjectionReviewView(ReviewMixin, ExportableModelView):
    route_base = "/review/objections"
    datamodel = PagedSQLAInterface(PublicityObjection)
    show_template = "shenbao/review/objection_show.html"
    workflow = PUBLICITY_OBJECTION
    decide_service = staticmethod(objections.decide)
    base_filters = scoped_base_filters()
    base_permissions = ["can_list", "can_show", "can_decide"]
    base_order = ("created_at", "desc")
    list_title = _l("Publicity objections")
    show_title = _l("Publicity objection")
    list_columns = ["reference", "enterprise_name", "objector_name", "status", "created_at"]
    search_columns = ["reference", "objector_name", "status", "created_at"]
    order_columns = ["reference", "status", "created_at"]
    show_columns = ["reference", "subject", "objector_name", "objector_contact", "reason", "evidence_attachment_id",
                    "status", "reply", "created_at", "decided_at"]
    formatters_columns = {"status": status_formatter(PUBLICITY_OBJECTION), "subject": _subject_link,
                          "evidence_attachment_id": _attachment_link, "reply": lambda v: v or "",
                          "created_at": beijing, "decided_at": beijing}
    label_columns = {"reference": _l("Reference number"), "enterprise_name": _l("Enterprise name"),
                     "subject": _l("Record objected to"), "objector_name": _l("Objector"),
                     "objector_contact": _l("Objector's contact"), "reason": _l("Reason of the objection"),
                     "evidence_attachment_id": _l("Evidence"), "status": _l("Status"), "reply": _l("Reply"),
                     "created_at": _l("Objection received at"), "decided_at": _l("Decided at")}


def _date(value):
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


class SelectionResultsView(BaseView):
    """选拔结果公示: the association publishes a closed activity's selected declarations."""

    route_base = "/review/selection-results"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        return self._page()

    def _page(self, errors=None, typed=None, status=200):
        return self.render_template("shenbao/benchmark/selection_results.html",
                                    activities=benchmark_results.publishable(g.user), errors=errors or {},
                                    typed=typed or {}, states=BENCHMARK_ACTIVITY), status

    @expose("/publish/<int:activity_id>", methods=["POST"])
    @has_access
    def publish(self, activity_id):
        from app.services.errors import NotFound

        try:
            benchmark_results.publish(g.user, activity_id, _date(request.form.get("ends_on")))
        except NotFound:
            abort(404)
        except ServiceError as exc:
            if not exc.field_errors:
                flash(exc.message, "danger")
            return self._page({activity_id: exc.field_errors.get("ends_on")},
                              {activity_id: request.form.get("ends_on", "")[:10]}, 422)
        flash(_("The selection results are published."), "success")
        return redirect(url_for("SelectionResultsView.index"))


def register(appbuilder) -> None:
    appbuilder.add_view(ObjectionReviewView, "Publicity Objections", label=_l("Publicity objections"),
                        icon="fa-exclamation-circle", category="Tech SME")
    appbuilder.add_view(SelectionResultsView, "Selection Results", label=_l("Selection results publicity"),
                        icon="fa-bullhorn", category="Quality Benchmark")
    appbuilder.add_link("Benchmark Objections", label=_l("Selection objections"), href="/review/objections/list/",
                        icon="fa-exclamation-circle", category="Quality Benchmark")
