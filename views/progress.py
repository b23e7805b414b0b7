"""审批进度查询: the applicant's materials by type and the timeline of each, for every record
type of the program registry (app/programs.py)."""
from __future__ import annotations

from flask import abort, g, request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.programs import BY_RECORD_TYPE, RECORD_TYPES
from app.security.scope import scope_criterion
from models import WorkflowLog

MATERIAL_TYPES = tuple((r.record_type, r.label) for r in RECORD_TYPES if r.on_progress_page)


def materials(enterprise_id: int, kind: str | None) -> list[dict]:
    rows = []
    for entry in RECORD_TYPES:
        if not entry.on_progress_page or kind not in (None, "", entry.record_type):
            continue
        model = entry.model
        key = model.id if entry.record_type == "enterprise" else model.enterprise_id
        stmt = select(model).where(key == enterprise_id).order_by(getattr(model, entry.order_by).desc())
        for record in db.session.execute(stmt).scalars():
            rows.append({"type": entry.record_type, "id": record.id,
                         "title": entry.title(record) or _("(not named yet)"), "status": record.status,
                         "status_label": entry.workflow.state_label(record.status), "type_label": entry.label,
                         "submitted_at": getattr(record, entry.submitted_at), "updated_at": getattr(record, "updated_at", None)})
    return rows


def _change_fields(record_type: str) -> dict:
    """Field name -> (label, value formatter) for the edits a record type logs."""
    from app.services.enterprise_form import FIELDS
    from views.eseal_operator import SealApplicationView

    if record_type == "enterprise":
        return {f.name: (f.label, _choice_text(f.choices) if f.choices else _region_text if f.kind == "region" else str)
                for f in FIELDS if f.kind not in ("file", "ref")}
    if record_type == "seal_application":
        return {name: (label, str) for name, label in SealApplicationView.label_columns.items()}
    return {}


def _choice_text(choices):
    names = dict(choices)
    if "yes" in names:  # yes/no fields are stored as booleans
        names.update({"True": names["yes"], "False": names["no"]})
    return lambda value: str(names.get(value, value))


def _region_text(code: str) -> str:
    from views.reference_choices import region_name

    return region_name(code)


def changes_shown(record_type: str, entry: WorkflowLog) -> list[tuple[str, str, str]]:
    """(field label, old, new) of an edit, for the fields the reader knows by name; internal
    bookkeeping (ids of files, counters) is left out."""
    fields = _change_fields(record_type)
    shown = []
    for name, pair in (entry.changes or {}).items():
        if name not in fields or not isinstance(pair, list) or len(pair) != 2:
            continue
        label, text = fields[name]
        old, new = (text(v) if v not in (None, "") else "—" for v in pair)
        shown.append((str(label), old, new))
    return shown


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
        entry = BY_RECORD_TYPE.get(record_type)
        if entry is None:
            abort(404)
        entries = timeline(record_type, record_id)
        if not entries:
            abort(404)
        return self.render_template("shenbao/timeline.html", entries=entries, workflow=entry.workflow,
                                    type_label=entry.label,
                                    changes={e.id: changes_shown(record_type, e) for e in entries})
