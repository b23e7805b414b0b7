"""Results told to the applicant: the notifications a workflow row names, written in the
transaction of the change they announce (SMS and e-mail into the outbox, the in-app message
into the inbox) and delivered after commit by the outbox worker (app.notify.delivery)."""
from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import force_locale

from app.programs import record_type_of
from app.timeutil import beijing

LOCALE = "zh"  # enterprises read Chinese; the templates hold English too for an English locale


def queue_notices(step, entry) -> None:
    """For a transition: each code of the row, to the record's contact."""
    _queue(step.workflow, step.record, step.transition.action, step.actor, step.comment, entry,
           step.transition.notify, step.params)


def queue_event_notices(workflow, record, action, actor, comment, entry, codes) -> None:
    """For a timeline event that is not a status change (a fee reminder, a rejected remittance)."""
    _queue(workflow, record, action, actor, comment, entry, codes, {})


def _queue(workflow, record, action, actor, comment, entry, codes, params) -> None:
    from app.notify import enqueue
    from app.notify.messages import preferences, write_inbox
    from app.notify.templates import render

    kind = record_type_of(workflow.record_type)
    contact = kind.contact(record)
    context = _context(kind, workflow, record, action, comment, entry)
    prefs = preferences(contact.enterprise_id) if contact.enterprise_id else None
    origin = {"record_type": workflow.record_type, "record_id": record.id, "enterprise_id": contact.enterprise_id}
    for code in codes:
        text = render(code, LOCALE, context)
        if contact.mobile and (prefs is None or prefs.sms) and text.sms_body:
            enqueue("sms", contact.mobile, None, text.sms_body, template=code, **origin)
        if contact.email and (prefs is None or prefs.email) and text.email_body:
            enqueue("email", contact.email, text.email_subject, text.email_body, template=code, **origin)
        if contact.enterprise_id:
            write_inbox(contact.enterprise_id, text.message_title, text.message_body, record_type=workflow.record_type,
                        record_id=record.id, template=code)


def _context(kind, workflow, record, action, comment, entry) -> dict[str, Any]:
    from app.notify.links import record_url

    enterprise = _enterprise(record)
    with force_locale(LOCALE):
        context = {
            "enterprise_name": getattr(enterprise, "name", "") or "",
            "record_kind": str(kind.label),
            "record_title": kind.title(record),
            "action": workflow.action_label(action),
            "status": workflow.state_label(record.status),
            "reason": comment or "",
            "department": entry.actor_agency or "",
            "at": beijing(entry.at),
            "link": current_app.config["PUBLIC_BASE_URL"].rstrip("/") + record_url(workflow.record_type, record.id),
        }
    for name in ("certificate_number", "ems_tracking", "token_label"):
        if getattr(record, name, None):
            context[name if name != "token_label" else "key_label"] = getattr(record, name)
    if getattr(record, "paid_until", None):
        context["paid_until"] = record.paid_until.isoformat()
    if (entry.changes or {}).get("days_left"):
        context["days"] = entry.changes["days_left"][1]
    batch = getattr(record, "publicity_batch", None)
    if batch is not None:
        context["publicity_starts"], context["publicity_ends"] = batch.starts_on.isoformat(), batch.ends_on.isoformat()
    application_key = getattr(record, "key", None)
    if application_key is not None and getattr(application_key, "token_label", None):
        context.setdefault("key_label", application_key.token_label)
    return context


def _enterprise(record):
    if record.__tablename__ == "enterprise":
        return record
    enterprise = getattr(record, "enterprise", None)
    if enterprise is None and getattr(record, "enterprise_id", None):
        from app.extensions import db
        from models import Enterprise

        enterprise = db.session.get(Enterprise, record.enterprise_id)
    return enterprise
