"""Export to Excel for every generated list and REST list, and the page that follows a large
export until its file is ready."""
from __future__ import annotations

import io

from flask import abort, g, jsonify, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.api import expose as api_expose
from flask_appbuilder.api import rison, safe
from flask_appbuilder.api.schemas import get_list_schema
from flask_appbuilder.exceptions import FABException
from flask_appbuilder.security.decorators import has_access, permission_name, protect
from flask_appbuilder.urltools import get_filter_args, get_order_args
from flask_appbuilder.widgets import ListWidget
from flask_babel import get_locale
from flask_babel import gettext as _

from app.extensions import db
from app.reports import export as ex
from app.reports.statistics_export import STATISTICS_TASK
from app.tasks.results import open_result
from models import BackgroundTask, ExportJob


def failure_text(error: str | None) -> str:
    """What an export's owner reads about its failure: the worker-lost mark in words, else the error."""
    from app.tasks.queue import WORKER_LOST

    if error == WORKER_LOST:
        return _("The export stopped: the server running it went away in every attempt. Please export again.")
    return error or ""


def _user_name(user) -> str:
    return " ".join(p for p in (user.first_name, user.last_name) if p) or user.username


def _respond(view, spec: ex.ExportSpec, filename: str):
    """Small: the file now. Large: a job and its progress page (HTML) or its status URL (REST)."""
    if len(spec.ids) > ex.sync_limit():
        job = ex.start_job(view, spec, g.user, str(get_locale() or "zh"), filename)
        if request.path.startswith("/api/"):
            return jsonify(job=job.id, rows=len(spec.ids),
                           status_url=url_for("ExportJobView.status", job_id=job.id),
                           download_url=url_for("ExportJobView.download", job_id=job.id)), 202
        return redirect(url_for("ExportJobView.show", job_id=job.id))
    buffer = io.BytesIO()
    ex.write_spec(spec, buffer)
    buffer.seek(0)
    return send_file(buffer, as_attachment=True, download_name=filename, max_age=0,
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


class ShowLinkListWidget(ListWidget):
    """FAB's list widget, the row's show link built once per page (shenbao/widgets/list.html)."""

    template = "shenbao/widgets/list.html"


def _may_open(endpoint: str) -> bool:
    from flask import current_app

    view_name, method = endpoint.split(".")
    view = next((v for v in current_app.appbuilder.baseviews if type(v).__name__ == view_name), None)
    permission = (getattr(view, "method_permission_name", None) or {}).get(method, method)
    return current_app.appbuilder.sm.has_access(f"can_{permission}", view_name)


class ExcelExportMixin:
    """导出 Excel on a FAB ModelView: the list's filters, sort and scope. Whoever may see the
    list may export it (the permission is the list's)."""

    list_template = "shenbao/list_export.html"
    list_widget = ShowLinkListWidget
    # Pages that act on this list's records, as buttons above it: (endpoint, label, icon). A button
    # shows only to whoever may open its page (the endpoint's permission is checked here).
    list_links: tuple = ()

    def render_template(self, template, **kwargs):
        if template == self.list_template and self.list_links:
            kwargs["list_links"] = [(url_for(endpoint), label, icon) for endpoint, label, icon in self.list_links
                                    if _may_open(endpoint)]
        return super().render_template(template, **kwargs)

    @expose("/export/")
    @has_access
    @permission_name("list")
    def export(self):
        filters = self.datamodel.get_filters(self.search_columns)
        get_filter_args(filters, disallow_if_not_in_search=False)
        order_column, order_direction = get_order_args().get(self.__class__.__name__) or self.base_order or ("", "")
        joined = filters.get_joined_filters(self._base_filters)
        ids = ex.filtered_ids(self.datamodel, joined, order_column, order_direction)
        title = str(self.list_title)
        spec = ex.spec_for(self, ids, ex.title_row(title, ex.describe_filters(self, filters), len(ids),
                                                   _user_name(g.user)), title)
        return _respond(self, spec, ex.safe_filename(title))


class ExcelExportApiMixin:
    """GET /api/v1/<resource>/export?q=(filters:!(...),order_column:...,order_direction:...)."""

    def get_method_permission(self, method_name: str) -> str:
        # Whoever may list may export (can_get), whatever else the API maps.
        return "get" if method_name == "export" else super().get_method_permission(method_name)

    @api_expose("/export", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    @rison(get_list_schema)
    def export(self, **kwargs):
        """The list as an Excel workbook: its filters and order, every row in the caller's scope.
        ---
        get:
          description: >-
            ``q`` as for the list (rison or JSON; ``page`` and ``page_size`` are ignored). Up to
            EXPORT_SYNC_MAX_ROWS rows the answer is the workbook; beyond, a background job (202) whose
            status and download URLs are given (tests/web/test_export_web.py).
          parameters:
          - in: query
            name: q
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/get_list_schema'
          responses:
            200:
              description: The workbook
              content:
                application/vnd.openxmlformats-officedocument.spreadsheetml.sheet:
                  schema:
                    type: string
                    format: binary
            202:
              description: A background export was started
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      job:
                        type: integer
                      rows:
                        type: integer
                      status_url:
                        type: string
                      download_url:
                        type: string
                    required: [job, rows, status_url, download_url]
            400:
              $ref: '#/components/responses/400'
            401:
              $ref: '#/components/responses/401'
        """
        args = kwargs.get("rison", {})
        try:
            joined = self._handle_filters_args(args)
        except FABException as exc:  # an unknown column or operation: 400, as FAB's list answers
            return self.response_400(message=str(exc))
        order_column = args.get("order_column") or (self.base_order or ("", ""))[0]
        order_direction = args.get("order_direction") or (self.base_order or ("", ""))[1]
        if order_column and order_column not in self.order_columns:
            return self.response_400(message=f"order_column {order_column!r} is not allowed")
        ids = ex.filtered_ids(self.datamodel, joined, order_column, order_direction)
        title = self.resource_name
        spec = ex.spec_for(self, ids, ex.title_row(title, "", len(ids), _user_name(g.user)), title)
        return _respond(self, spec, ex.safe_filename(title))


class ExportJobView(BaseView):
    """A large export or a statistics workbook: its progress, then the download — for its owner only."""

    route_base = "/exports"

    def _own(self, job_id) -> ExportJob:
        job = db.session.get(ExportJob, job_id) if 0 < job_id < 2**31 else None
        if job is None or job.user_id != g.user.id:
            abort(404)
        return job

    @expose("/<int:job_id>")
    @has_access
    def show(self, job_id):
        job = self._own(job_id)
        task = db.session.get(BackgroundTask, job.task_id) if job.task_id else None
        return self.render_template("shenbao/export_job.html", job=job, error=failure_text(job.error),
                                    statistics=task is not None and task.kind == STATISTICS_TASK)

    @expose("/<int:job_id>/status")
    @has_access
    def status(self, job_id):
        job = self._own(job_id)
        db.session.refresh(job)
        return jsonify(status=job.status, rows_done=job.rows_done, rows_total=job.rows_total, error=failure_text(job.error),
                       download_url=url_for("ExportJobView.download", job_id=job.id) if job.status == "done" else None)

    @expose("/<int:job_id>/download")
    @has_access
    def download(self, job_id):
        job = self._own(job_id)
        stored = open_result(job.stored_name) if job.status == "done" else None
        if stored is None:
            abort(404)
        return send_file(stored, as_attachment=True, download_name=job.title, max_age=0, mimetype=job.mimetype)


from flask_appbuilder import ModelView  # noqa: E402
from flask_appbuilder.api import ModelRestApi  # noqa: E402


def _listed(items) -> str:
    return "、".join(str(item) for item in items or [])


class ExportableModelView(ExcelExportMixin, ModelView):
    """The base of every generated list screen: FAB's ModelView with 导出 Excel. Timestamps are
    stored in UTC; every date-time column a view does not format itself is shown in Beijing time
    to the minute (FAB would print the UTC value with its microseconds)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from app.timeutil import beijing

        shown = {c for c in (*self.list_columns, *self.show_columns) if isinstance(c, str)}
        untold = {c for c in shown if c not in self.formatters_columns and self.datamodel.is_datetime(c)}
        if untold:
            self.formatters_columns = {**self.formatters_columns, **{c: beijing for c in untold}}
        # A to-many relation (an activity's recommending units) as "甲、乙", not a Python list.
        lists = {c for c in shown if c not in self.formatters_columns
                 and (self.datamodel.is_relation_many_to_many(c) or self.datamodel.is_relation_one_to_many(c))}
        if lists:
            self.formatters_columns = {**self.formatters_columns, **{c: _listed for c in lists}}

    def _init_titles(self):
        from views.screen_text import fill_titles

        fill_titles(self)
        super()._init_titles()


class ExportableModelRestApi(ExcelExportApiMixin, ModelRestApi):
    """The base of every REST list: FAB's ModelRestApi with /export."""
