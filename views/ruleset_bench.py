"""The rule-set test bench: re-score past evaluations under a draft, progress, differences, xlsx.

Routes (all the rules administrator's; RulesetView links here):
``start`` (form, POST starts and redirects to the run), ``runs`` (a set's runs, newest first),
``show`` (progress, then the result and the changed enterprises, 50 a page), ``status`` (JSON the
progress bar polls) and ``download`` (the run as .xlsx).
"""
from __future__ import annotations

import io
from dataclasses import dataclass

from flask import abort, flash, g, jsonify, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.reports import ruleset_bench as report
from app.security import roles as R
from app.security.scope import role_names
from app.services.errors import ServiceError
from app.services.sme import ruleset_bench as bench
from app.services.sme import rulesets
from app.services.sme.ruleset_rescore import BIN_COUNT
from app.timeutil import today_in_china

STATUS_LABELS = {"queued": _l("Waiting to run"), "running": _l("Running"), "done": _l("Finished"),
                 "failed": _l("Run failed")}


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    height: float
    value: int


@dataclass(frozen=True)
class Chart:
    """A grouped bar chart's geometry (SVG user units): per bin the bar now and under the draft."""

    labels: list[str]
    before: list[Bar]
    after: list[Bar]
    top: int
    width: int = 720
    height: int = 260
    left: int = 40
    base: int = 220
    group: float = 60.0


def score_chart(histogram: dict) -> Chart:
    labels = report.bin_labels()
    before = list(histogram.get("before") or [0] * (BIN_COUNT + 1))
    after = list(histogram.get("after") or [0] * (BIN_COUNT + 1))
    top = max([1, *before, *after])
    chart = Chart(labels, [], [], top)
    plot = chart.base - 20  # room above the tallest bar for its value
    for index, (old, new) in enumerate(zip(before, after)):
        x = chart.left + index * chart.group + 6
        for bars, value, shift in ((chart.before, old, 0), (chart.after, new, 24)):
            height = round(plot * value / top, 1)
            bars.append(Bar(x + shift, chart.base - height, height, value))
    return chart


class RulesetTestView(BaseView):
    route_base = "/ruleset-bench"
    default_view = "runs"

    def create_blueprint(self, appbuilder, endpoint=None, static_folder=None):
        blueprint = super().create_blueprint(appbuilder, endpoint=endpoint, static_folder=static_folder)
        blueprint.before_request(self._rules_administrator_only)
        return blueprint

    @staticmethod
    def _rules_administrator_only():
        # A signed-in user of another role is refused outright (403), not sent to the login page
        # as FAB does; visitors still go to the login page through has_access.
        user = getattr(g, "user", None)
        if user is not None and getattr(user, "is_authenticated", False) and R.RULES_ADMIN not in role_names(user):
            abort(403)

    @expose("/<int:ruleset_id>/start", methods=["GET", "POST"])
    @has_access
    def start(self, ruleset_id):
        row = bench.bench_ruleset(g.user, ruleset_id)
        errors: dict[str, str] = {}
        if request.method == "POST":
            try:
                test_run = bench.start(g.user, ruleset_id, request.form.get("year"), request.form.get("province"))
            except ServiceError as exc:
                if exc.status_code != 422:
                    raise
                errors = exc.field_errors
                flash(exc.message, "danger")
            else:
                return redirect(url_for("RulesetTestView.show", ruleset_id=row.id, run_id=test_run.id))
        return self.render_template("shenbao/rulesets/bench_start.html", ruleset=row, name=rulesets.label(row),
                                    testable=bench.testable(row), options=bench.selection_options(),
                                    chosen_year=request.form.get("year", ""),
                                    chosen_province=request.form.get("province", ""), errors=errors,
                                    runs_url=url_for("RulesetTestView.runs", ruleset_id=row.id))

    @expose("/<int:ruleset_id>/runs")
    @has_access
    def runs(self, ruleset_id):
        row, runs = bench.runs_of(g.user, ruleset_id)
        names = bench.region_names(r.selection_province for r in runs)
        return self.render_template("shenbao/rulesets/bench_runs.html", ruleset=row, name=rulesets.label(row),
                                    runs=runs, current_version=row.version, testable=bench.testable(row),
                                    selection=lambda r: report.selection_text(r, names.get(r.selection_province)),
                                    status_label=lambda s: str(STATUS_LABELS.get(s, "")))

    @expose("/<int:ruleset_id>/runs/<int:run_id>")
    @has_access
    def show(self, ruleset_id, run_id):
        row, test_run = bench.get_run(g.user, ruleset_id, run_id)
        context = {}
        if test_run.status == "done":
            page = bench.changes_page(test_run, request.args.get("page"))
            summary = test_run.summary or {}
            context = {"page": page, "lines": report.outcome_lines(summary),
                       "chart": score_chart(summary.get("histogram") or {}),
                       "regions": bench.region_names(c.province_code for c in page.items), "report": report}
        province = bench.region_names([test_run.selection_province]).get(test_run.selection_province or "")
        return self.render_template("shenbao/rulesets/bench_run.html", ruleset=row, name=rulesets.label(row),
                                    run=test_run, selection=report.selection_text(test_run, province),
                                    status_label=str(STATUS_LABELS.get(test_run.status, "")),
                                    failure=self._failure(test_run), current=test_run.ruleset_version == row.version,
                                    **context)

    @staticmethod
    def _failure(test_run) -> str | None:
        if test_run.status != "failed":
            return None
        if test_run.error == bench.DRAFT_CHANGED:
            return _("The draft was changed before the run began. Start a new run on the current version.")
        return _("The run failed. The error has been logged; please try again.")

    @expose("/<int:ruleset_id>/runs/<int:run_id>/status")
    @has_access
    def status(self, ruleset_id, run_id):
        _row, test_run = bench.get_run(g.user, ruleset_id, run_id)
        return jsonify(status=test_run.status, done=test_run.done, total=test_run.total,
                       label=str(STATUS_LABELS.get(test_run.status, "")))

    @expose("/<int:ruleset_id>/runs/<int:run_id>/download")
    @has_access
    def download(self, ruleset_id, run_id):
        row, test_run = bench.get_run(g.user, ruleset_id, run_id)
        if test_run.status != "done":
            abort(404)
        names = bench.region_names([*bench.change_provinces(test_run), test_run.selection_province])
        buffer = io.BytesIO()
        report.write_run_workbook(buffer, ruleset_name=rulesets.label(row), test_run=test_run,
                                  province_name=names.get(test_run.selection_province or ""),
                                  changes=bench.all_changes(test_run), region_names=names)
        buffer.seek(0)
        return send_file(buffer, as_attachment=True, max_age=0,
                         download_name=f"ruleset-bench-{test_run.id}-{today_in_china():%Y%m%d}.xlsx",
                         mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def register(appbuilder) -> None:
    """Add the test bench view (no menu entry: reached from a rule set's page)."""
    appbuilder.add_view_no_menu(RulesetTestView)
