"""统计 dashboards: per role, the reports it may see, scoped like every list; each downloadable
as a multi-sheet workbook with native Excel charts, written by a background task
(app/reports/statistics_export.py) that the user follows on the export-job page."""
from __future__ import annotations

from flask import abort, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import get_locale

from app.reports import statistics
from app.reports import statistics_export as stats_export


class DashboardView(BaseView):
    route_base = "/dashboard"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        computed = [statistics.compute(r, g.user) for r in statistics.reports_for(g.user)]
        return self.render_template("shenbao/dashboard.html", computed=computed,
                                    scope_text=stats_export.scope_text(g.user))

    @expose("/<key>.xlsx", methods=["GET", "POST"])
    @has_access
    def workbook(self, key):
        """POST (the page's button, CSRF-checked): queue the workbook and follow it. GET (an old
        link or bookmark) changes nothing: back to the report on the page, whose button asks."""
        if not stats_export.reports_named(g.user, key):
            abort(404)
        if request.method == "GET":
            return redirect(url_for("DashboardView.index") + ("" if key == "all" else f"#report-{key}"))
        job = stats_export.start_job(g.user, key, str(get_locale() or "zh"))
        return redirect(url_for("ExportJobView.show", job_id=job.id))
