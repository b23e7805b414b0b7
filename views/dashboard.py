"""统计 dashboards: per role, the reports it may see, scoped like every list; each downloadable
as a multi-sheet workbook with native Excel charts."""
from __future__ import annotations

import io

from flask import abort, g, send_file
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access

from app.reports import statistics
from app.reports.statistics_workbook import write_statistics


def _scope_text(user) -> str:
    agency = getattr(user, "agency", None)
    name = " ".join(p for p in (user.first_name, user.last_name) if p) or user.username
    return f"{name}（{agency.name}）" if agency is not None else name


class DashboardView(BaseView):
    route_base = "/dashboard"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        computed = [statistics.compute(r, g.user) for r in statistics.reports_for(g.user)]
        return self.render_template("shenbao/dashboard.html", computed=computed, scope_text=_scope_text(g.user))

    @expose("/<key>.xlsx")
    @has_access
    def workbook(self, key):
        allowed = {r.key: r for r in statistics.reports_for(g.user)}
        reports = list(allowed.values()) if key == "all" else [allowed[key]] if key in allowed else None
        if not reports:
            abort(404)
        buffer = io.BytesIO()
        write_statistics(buffer, [statistics.compute(r, g.user) for r in reports], scope_text=_scope_text(g.user))
        buffer.seek(0)
        return send_file(buffer, as_attachment=True, download_name=f"statistics-{key}.xlsx", max_age=0,
                         mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
