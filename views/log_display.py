"""The workflow log's 变更内容 as a reader reads it: each changed field by its label with its old
and new value ("—" where there was none), instead of the stored {"field": [old, new]} dict."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

# Fields written by transition hooks and service events (app/workflows/hooks.py, app/services)
# that no form names.
EVENT_LABELS = {
    "key": _l("USB-Key"), "papers": _l("Papers received"), "recommending_unit": _l("Recommending unit"),
    "email": _l("E-mail"), "invoice_number": _l("Invoice number"), "days_left": _l("Days left"),
    "ems_tracking": _l("EMS tracking number"), "paid_until": _l("Service paid until"),
    "seal_image": _l("Seal image"), "seal_design": _l("Seal design for the next key"), "certificate_number": _l("Registration number"),
    "for_year": _l("Activity year"),
}


def _fields() -> dict:
    from views.progress import _change_fields

    return {**_change_fields("seal_application"), **_change_fields("enterprise")}


def _paper_names(codes: str) -> str:
    from app.services.eseal.seal_application import CIRCUMSTANCES, PAPER_ITEMS

    names = {code: str(label) for code, label, _r in PAPER_ITEMS}
    names.update({flag: str(label) for flag, _p, label in CIRCUMSTANCES})
    names["names_match"] = _("Names match the applicant")
    return "；".join(names.get(code.strip(), code.strip()) for code in codes.split(",") if code.strip())


def _value_text(name: str, value, text) -> str:
    if value in (None, "", [], {}):
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if name == "papers":
        return _paper_names(str(value))
    if isinstance(value, list):
        return "；".join("，".join(str(v) for v in row.values() if v) if isinstance(row, dict) else str(row) for row in value)
    return text(str(value))


def changes_html(changes: dict | None):
    if not changes:
        return ""
    fields = _fields()
    lines = []
    for name, pair in changes.items():
        if name in fields:
            label, text = fields[name]
        elif name in EVENT_LABELS:
            label, text = EVENT_LABELS[name], str
        else:
            continue  # internal bookkeeping (file ids, counters) the reader has no use for
        old, new = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
        if name in ("seal_image", "seal_design"):  # attachment ids: say that an image came, not the ids
            old, new = (_("Previous image") if old else None), _("New image")
        lines.append(f"<div><strong>{escape(str(label))}</strong>：{escape(_value_text(name, old, text))} → "
                     f"{escape(_value_text(name, new, text))}</div>")
    return Markup("".join(lines))


def _all_workflows():
    from app.workflows.definitions import WORKFLOWS

    return WORKFLOWS.values()


def workflow_name(name: str) -> str:
    """A workflow by the name of the record it moves (企业注册, 评价信息, USB-Key...)."""
    from app.programs import RECORD_TYPES

    for entry in RECORD_TYPES:
        if entry.workflow.name == name:
            return str(entry.label)
    return name


def action_name(action: str) -> str:
    # The log's rows do not reach a column formatter, only the value: an action code carries
    # one meaning across the workflows (approve, return, submit), so the first label serves.
    for workflow in _all_workflows():
        label = workflow.action_label(action)
        if label != action:
            return label
    return action


def state_name(state: str | None) -> str:
    for workflow in _all_workflows():
        if state in workflow.states:
            return workflow.state_label(state)
    return state or ""


def _record_type_name(value):
    from views.screen_text import record_type_name

    return record_type_name(value)


LOG_FORMATTERS = {"workflow": workflow_name, "record_type": _record_type_name, "action": action_name, "from_state": state_name,
                  "to_state": state_name, "changes": changes_html}
