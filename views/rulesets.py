"""The rules administrator's Tech-SME rule sets (评价规则集): list, show, draft form, transitions.

Every change goes through app.services.sme.rulesets (only the rules administrator may change a
set; the platform administrator reads). The show page follows the regulation's structure; the
form is views/ruleset_form.py.
"""
from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.routing import BuildError

from app.extensions import db
from app.security import roles as R
from app.security.scope import role_names, scope_criterion
from app.services.errors import ServiceError
from app.services.sme import rulesets as svc
from app.services.sme_form import INDICATOR_LABELS, INSTITUTION_LEVELS, IP_KINDS, RD_FORMS, STANDARD_LEVELS
from app.workflows.definitions import SME_RULESET
from app.workflows.model import REVIEW
from models import SmeRuleset, WorkflowLog
from views import ruleset_form as rf
from views.ruleset_display import regulation


def _may_change(user) -> bool:
    return R.RULES_ADMIN in role_names(user)


def _refuse(exc: ServiceError):
    """Not found / not allowed are statuses; anything else is said on the page."""
    if exc.status_code in (403, 404):
        abort(exc.status_code)


def ruleset_title(row) -> str:
    """The set's title; the shipped one in the reader's language."""
    return str(_l("Measures for the Evaluation of Tech-based SMEs")) if row.builtin else row.source


def bench_url(endpoint: str, ruleset_id: int) -> str | None:
    """A link to the test bench (views/ruleset_bench.py), or None while it is not there."""
    try:
        return url_for(f"RulesetTestView.{endpoint}", ruleset_id=ruleset_id)
    except BuildError:
        return None


def _checked_rest(posted: rf.Posted, ruleset_id: int) -> dict[str, str]:
    """The service's check of a form that has errors of its own (read only: nothing is saved),
    the half-filled rows left out and a wrong share counted as 0, so both show at once."""
    doc = {**posted.doc, "rd_form_factors": [[form, share or "0"] for form, share in posted.doc["rd_form_factors"]]}
    try:
        svc.checked(doc, exclude_id=ruleset_id)
    except ServiceError as exc:
        return rf.displayed_errors(exc.field_errors, posted.kept_rows)
    return {}


class RulesetView(BaseView):
    route_base = "/rulesets"
    default_view = "index"

    def _row(self, ruleset_id) -> SmeRuleset:
        try:
            return svc.get(g.user, ruleset_id)
        except ServiceError:
            abort(404)

    @expose("/")
    @has_access
    def index(self):
        rows = db.session.execute(
            select(SmeRuleset).where(scope_criterion(SmeRuleset))
            .order_by(SmeRuleset.year.desc(), SmeRuleset.id.desc())).scalars().all()
        return self.render_template("shenbao/rulesets/list.html", rows=rows, workflow=SME_RULESET,
                                    may_change=_may_change(g.user), ruleset_title=ruleset_title)

    @expose("/<int:ruleset_id>/copy", methods=["POST"])
    @has_access
    def copy(self, ruleset_id):
        try:
            draft = svc.create_draft(g.user, ruleset_id)
        except ServiceError as exc:
            _refuse(exc)
            flash(exc.message, "danger")
            return redirect(url_for("RulesetView.index"))
        flash(_("A new draft was copied from %(label)s.", label=self._name(ruleset_id)), "success")
        return redirect(url_for("RulesetView.edit", ruleset_id=draft.id))

    @staticmethod
    def _name(ruleset_id) -> str:
        row = db.session.get(SmeRuleset, ruleset_id)
        return svc.label(row) if row is not None else ""

    @expose("/<int:ruleset_id>")
    @has_access
    def show(self, ruleset_id):
        row = self._row(ruleset_id)
        # The row is in the user's scope (svc.get): so is its own timeline.
        entries = db.session.execute(
            select(WorkflowLog).where(WorkflowLog.record_type == SME_RULESET.record_type,
                                      WorkflowLog.record_id == row.id)
            .order_by(WorkflowLog.at, WorkflowLog.id)).scalars().all()
        may_change = _may_change(g.user)
        actions = SME_RULESET.actions_from(row.status, role_names(g.user), channel=REVIEW) if may_change else []
        bench = {}
        if may_change and row.status in ("draft", "tested"):
            bench = {"start": bench_url("start", row.id), "runs": bench_url("runs", row.id)}
        return self.render_template(
            "shenbao/rulesets/show.html", row=row, rules=regulation(row.rules), workflow=SME_RULESET,
            entries=entries, actions=actions, may_change=may_change, bench=bench, title=svc.label(row), ruleset_title=ruleset_title)

    @expose("/<int:ruleset_id>/act", methods=["POST"])
    @has_access
    def act(self, ruleset_id):
        self._row(ruleset_id)
        try:
            svc.act(g.user, ruleset_id, (request.form.get("action") or "")[:32],
                    (request.form.get("comment") or "")[:2000] or None, request.form.get("version") or None)
            flash(_("Saved successfully."), "success")
        except ServiceError as exc:
            _refuse(exc)
            flash(exc.message, "danger")
        return redirect(url_for("RulesetView.show", ruleset_id=ruleset_id))

    @expose("/<int:ruleset_id>/edit", methods=["GET", "POST"])
    @has_access
    def edit(self, ruleset_id):
        row = self._row(ruleset_id)
        if not _may_change(g.user):
            abort(403)
        if row.builtin:
            flash(_("The shipped 2017 rule set cannot be changed; copy it as a new draft."), "warning")
            return redirect(url_for("RulesetView.show", ruleset_id=row.id))
        if row.status != "draft":
            flash(_("Only a draft can be changed; a tested set must be reopened first."), "warning")
            return redirect(url_for("RulesetView.show", ruleset_id=row.id))
        errors, summary, version = {}, None, row.version
        if request.method == "GET":
            values = rf.values_from_rules(row)
        else:
            values = rf.values_from_form(request.form)
            version = values.get("version") or None
            posted = rf.document(values)
            errors = dict(posted.errors)
            summary = _("The rule set has errors; see the marked fields.") if errors else None
            if errors:  # also the first of the service's, on the rest of the form
                errors = {**_checked_rest(posted, row.id), **errors}
            else:
                try:
                    svc.save_draft(g.user, row.id, posted.doc, source=values.get("source", ""),
                                   document_number=values.get("document_number", ""),
                                   regulation_text=values.get("regulation_text", ""), expected_version=version)
                    flash(_("Saved successfully."), "success")
                    return redirect(url_for("RulesetView.show", ruleset_id=row.id))
                except ServiceError as exc:
                    _refuse(exc)
                    errors = rf.displayed_errors(exc.field_errors, posted.kept_rows)
                    summary = exc.message
        return self.render_template(
            "shenbao/rulesets/form.html", row=row, values=values, errors=errors, summary=summary,
            error_list=[(rf.error_label(name), message) for name, message in errors.items()],
            version=version, band_tables=rf.BAND_TABLES, band_rows=rf.BAND_ROWS, band_cell=rf.band_cell,
            ip_kinds=IP_KINDS, ip_classes=rf.IP_CLASSES, ip_prefix=rf.IP_KIND_PREFIX, rd_forms=RD_FORMS,
            rd_share_name=rf.rd_share_name, institution_levels=INSTITUTION_LEVELS, standard_levels=STANDARD_LEVELS,
            labels=rf.FIELD_LABELS, indicator_labels=INDICATOR_LABELS, title=svc.label(row), ruleset_title=ruleset_title)


def register(appbuilder) -> None:
    """Add the rule-set views (menu "Rule Sets" under Tech SME)."""
    appbuilder.add_view(RulesetView, "Rule Sets", label=_l("Evaluation rule sets"), icon="fa-balance-scale",
                        category="Tech SME")
