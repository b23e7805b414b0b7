"""The workflow engine: role, scope, guard, optimistic version, new state and log row,
all in one transaction."""
from __future__ import annotations

from typing import Any, Callable

from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.security import roles as R
from app.security.scope import in_scope, role_names
from app.services.errors import Conflict, Forbidden, NotFound, ServiceError
from app.workflows.model import Workflow
from models import WorkflowLog
from models.base import utcnow

# guard name -> callable(record) returning an error message or None
GUARDS: dict[str, Callable[[Any], str | None]] = {}


def guard(name: str):
    def register(fn):
        GUARDS[name] = fn
        return fn

    return register


def apply(
    workflow: Workflow,
    model: type,
    record_id: Any,
    action: str,
    actor: Any,
    *,
    comment: str | None = None,
    expected_version: int | None = None,
    on_enter: Callable[[Any], dict | None] | None = None,
) -> Any:
    """Carry out ``action`` on the record and commit.

    :param expected_version: the version the actor saw; a different current version means
        someone acted first.
    :param on_enter: called with the record after the state changes and before commit;
        returns the changed fields ``{field: [old, new]}`` for the log.
    :raises NotFound: record absent or outside the actor's scope.
    :raises Forbidden: the actor's role may not take this action.
    :raises Conflict: the record changed meanwhile.
    :raises ServiceError: the action does not apply to the current state, a guard fails,
        or a required comment is missing.
    """
    record = in_scope(db.session, model, record_id, actor)
    if record is None:
        raise NotFound(_("Record not found."))
    if expected_version is not None and int(expected_version) != record.version:
        raise Conflict(_("This record was changed by someone else meanwhile. Please reload and check it again."))
    source = record.status
    transition = workflow.transition(action, source)
    if transition is None:
        raise ServiceError(_("This action is not possible in the current status."))
    if not (transition.roles & role_names(actor)):
        raise Forbidden(_("Your role may not take this action."))
    comment = (comment or "").strip() or None
    if transition.comment_required and not comment:
        raise ServiceError(_("Please give a reason."), {"comment": _("Please give a reason.")})
    if transition.guard:
        problem = GUARDS[transition.guard](record)
        if problem:
            raise ServiceError(problem)
    record.status = transition.target
    changes = on_enter(record) if on_enter else None
    log_transition(workflow, record, action, source, transition.target, actor, comment, changes)
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise Conflict(_("This record was changed by someone else meanwhile. Please reload and check it again."))
    return record


def log_transition(workflow, record, action, source, target, actor, comment, changes) -> WorkflowLog:
    entry = WorkflowLog(
        workflow=workflow.name,
        record_type=workflow.record_type,
        record_id=record.id,
        enterprise_id=_enterprise_id(record),
        action=action,
        from_state=source,
        to_state=target,
        actor_id=getattr(actor, "id", None),
        actor_name=_display_name(actor),
        actor_agency=_department(actor),
        at=utcnow(),
        comment=comment,
        changes=_jsonable(changes) if changes else None,
    )
    db.session.add(entry)
    return entry


def _department(actor) -> str | None:
    """The department shown in timelines: the agency, the recommending unit, or the association."""
    agency = getattr(actor, "agency", None)
    if agency is not None:
        return agency.name
    unit_id = getattr(actor, "recommending_unit_id", None)
    if unit_id:
        from models import RecommendingUnit

        unit = db.session.get(RecommendingUnit, unit_id)
        return unit.name if unit is not None else None
    if R.ASSOCIATION_REVIEWER in role_names(actor):
        return _("China Association for Quality")
    return None


def _enterprise_id(record) -> int | None:
    if record.__tablename__ == "enterprise":
        return record.id
    return getattr(record, "enterprise_id", None)


def _display_name(actor) -> str | None:
    if actor is None:
        return None
    return " ".join(p for p in (actor.first_name, actor.last_name) if p) or actor.username


def _jsonable(changes: dict) -> dict:
    return {k: [None if v is None else str(v) for v in pair] for k, pair in changes.items()}
