"""审批进度查询: the applicant's materials by type and the timeline of each."""
from __future__ import annotations

from flask import abort, g, request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.security.scope import scope_criterion
from app.workflows.definitions import WORKFLOWS
from models import (
    CoreInfoChange,
    Declaration,
    EmailChangeRequest,
    Enterprise,
    OrganizationFiling,
    SealApplication,
    SmeEvaluation,
    WorkflowLog,
)

MATERIAL_TYPES = (
    ("enterprise", _l("Enterprise registration")),
    ("core_info_change", _l("Core information change")),
    ("email_change", _l("E-mail change")),
    ("sme_evaluation", _l("Tech-based SME evaluation")),
    ("organization_filing", _l("Organization filing")),
    ("declaration", _l("Quality benchmark declaration")),
    ("seal_application", _l("E-seal service application")),
)
_WORKFLOW_OF = {"enterprise": "enterprise_registration", "core_info_change": "core_info_change",
                "email_change": "email_change", "sme_evaluation": "sme_evaluation",
                "organization_filing": "organization_filing", "declaration": "declaration",
                "seal_application": "seal_application"}


def materials(enterprise_id: int, kind: str | None) -> list[dict]:
    rows = []
    if kind in (None, "", "enterprise"):
        e = db.session.get(Enterprise, enterprise_id)
        if e is not None:
            rows.append({"type": "enterprise", "id": e.id, "title": e.name or _("(not named yet)"),
                         "status": e.status, "submitted_at": e.submitted_at, "updated_at": e.updated_at})
    if kind in (None, "", "core_info_change"):
        for c in db.session.execute(select(CoreInfoChange).where(CoreInfoChange.enterprise_id == enterprise_id)
                                    .order_by(CoreInfoChange.id.desc())).scalars():
            rows.append({"type": "core_info_change", "id": c.id, "title": c.data.get("name") or "",
                         "status": c.status, "submitted_at": c.submitted_at, "updated_at": c.updated_at})
    if kind in (None, "", "email_change"):
        for r in db.session.execute(select(EmailChangeRequest).where(EmailChangeRequest.enterprise_id == enterprise_id)
                                    .order_by(EmailChangeRequest.id.desc())).scalars():
            rows.append({"type": "email_change", "id": r.id, "title": r.new_email,
                         "status": r.status, "submitted_at": r.created_at, "updated_at": r.updated_at})
    if kind in (None, "", "sme_evaluation"):
        for ev in db.session.execute(select(SmeEvaluation).where(SmeEvaluation.enterprise_id == enterprise_id)
                                     .order_by(SmeEvaluation.year.desc())).scalars():
            rows.append({"type": "sme_evaluation", "id": ev.id, "title": f"{ev.year} {ev.system_number or ''}",
                         "status": ev.status, "submitted_at": ev.submitted_at, "updated_at": ev.updated_at})
    if kind in (None, "", "organization_filing"):
        for filing in db.session.execute(select(OrganizationFiling).where(OrganizationFiling.enterprise_id == enterprise_id)
                                         .order_by(OrganizationFiling.id.desc())).scalars():
            rows.append({"type": "organization_filing", "id": filing.id, "title": f"{filing.for_year} {filing.org_name or ''}",
                         "status": filing.status, "submitted_at": filing.filed_at, "updated_at": filing.updated_at})
    if kind in (None, "", "declaration"):
        for item in db.session.execute(select(Declaration).where(Declaration.enterprise_id == enterprise_id)
                                       .order_by(Declaration.id.desc())).scalars():
            rows.append({"type": "declaration", "id": item.id, "title": str(item),
                         "status": item.status, "submitted_at": item.submitted_at, "updated_at": item.updated_at})
    if kind in (None, "", "seal_application"):
        for item in db.session.execute(select(SealApplication).where(SealApplication.enterprise_id == enterprise_id)
                                       .order_by(SealApplication.id.desc())).scalars():
            rows.append({"type": "seal_application", "id": item.id, "title": f"ES{item.id:06d}",
                         "status": item.status, "submitted_at": item.submitted_at, "updated_at": item.updated_at})
    for row in rows:
        workflow = WORKFLOWS[_WORKFLOW_OF[row["type"]]]
        row["status_label"] = _(workflow.states.get(row["status"], row["status"]))
        row["type_label"] = dict(MATERIAL_TYPES)[row["type"]]
    return rows


def timeline(record_type: str, record_id: int) -> list[WorkflowLog]:
    stmt = (
        select(WorkflowLog)
        .where(WorkflowLog.record_type == record_type, WorkflowLog.record_id == record_id)
        .where(scope_criterion(WorkflowLog))
        .order_by(WorkflowLog.at, WorkflowLog.id)
    )
    return list(db.session.execute(stmt).scalars())


class ProgressView(BaseView):
    route_base = "/progress"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        kind = request.args.get("type") or None
        if kind not in (None, *dict(MATERIAL_TYPES)):
            kind = None
        rows = materials(g.user.enterprise_id, kind) if g.user.enterprise_id else []
        return self.render_template("shenbao/progress.html", rows=rows, kind=kind or "", types=MATERIAL_TYPES)

    @expose("/<record_type>/<int:record_id>")
    @has_access
    def detail(self, record_type, record_id):
        if record_type not in _WORKFLOW_OF:
            abort(404)
        entries = timeline(record_type, record_id)
        if not entries:
            abort(404)
        workflow = WORKFLOWS[_WORKFLOW_OF[record_type]]
        return self.render_template("shenbao/timeline.html", entries=entries, workflow=workflow,
                                    type_label=dict(MATERIAL_TYPES)[record_type], action_label=action_label)


ACTION_LABELS = {
    "submit": _l("Submit"),
    "approve": _l("Approve"),
    "return": _l("Return"),
    "cancel": _l("Cancel"),
    "withdraw": _l("Withdraw"),
    "confirm": _l("Confirm"),
    "send": _l("Send to the provincial agency"),
    "return_to_agency": _l("Return to the evaluation agency"),
    "reject": _l("Not passed"),
    "sample": _l("Drawn for spot check"),
    "queue": _l("Queued for publicity"),
    "check_pass": _l("Spot check passed"),
    "check_fail": _l("Spot check failed"),
    "open_publicity": _l("Publicity opened"),
    "close_publicity": _l("Publicity completed"),
    "object": _l("Objection raised"),
    "resolve": _l("Objection resolved"),
    "store": _l("Store"),
    "number": _l("Generate certificate number"),
    "file": _l("File"),
    "choose_recommender": _l("Send to the recommending unit"),
    "recommend": _l("Recommend"),
    "qualify": _l("Pass the qualification review"),
    "return_to_applicant": _l("Return to the applicant"),
    "select": _l("Select as a benchmark"),
    "not_select": _l("Not selected"),
    "apply": _l("Apply"),
    "resubmit": _l("Send again"),
    "receive_papers": _l("Papers received"),
    "return_papers": _l("Return the papers"),
    "confirm_payment": _l("Confirm the payment"),
    "reject_payment": _l("Remittance not received"),
    "issue_invoice": _l("Invoice issued"),
    "provision": _l("Produce the key"),
    "renew": _l("Renew"),
    "ship": _l("Ship"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))
