"""The workflow engine: the one place a record changes status.

``apply`` checks scope, version, channel, role, reason and guard, then carries out the row:
new status, the fields it sets, the reason in its field, its hooks, the log entry and its
notifications, and commits. It is the only commit and rollback of a transition: when anything
fails the session is rolled back and the undo work registered by hooks (a key generated on a
token, a file written) runs, so nothing outside the database is left without its row.
"""
from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.security.actors import department_of, display_name
from app.security.scope import in_scope, role_names
from app.services.errors import Conflict, Forbidden, NotFound, ServiceError
from app.workflows.model import FOLLOW, NOW, REVIEW, Workflow
from app.workflows.registry import GUARDS, HOOKS, Step
from models import WorkflowLog
from models.base import utcnow

log = logging.getLogger(__name__)


class IntegrityConflict(ServiceError):
    """A database constraint refused the transition (a unique number, one record per year)."""

    status_code = 409


def _conflict() -> Conflict:
    return Conflict(_("This record was changed by someone else meanwhile. Please reload and check it again."))


def apply(
    workflow: Workflow,
    model: type,
    record_id: Any,
    action: str,
    actor: Any,
    *,
    comment: str | None = None,
    expected_version: int | None = None,
    channel: str = REVIEW,
    params: dict[str, Any] | None = None,
) -> Any:
    """Carry out ``action`` on the record and commit.

    :param expected_version: the version the actor saw; a different current version means
        someone acted first.
    :param channel: the screen or process acting (``app.workflows.model`` channels).
    :param params: prepared input for the row's hooks.
    :returns: the record, with ``step_result`` (what hooks returned to the caller) set on it.
    :raises NotFound: record absent or outside the actor's scope.
    :raises Forbidden: the actor's role may not take this action.
    :raises Conflict: the record changed meanwhile.
    :raises ServiceError: the action does not apply to the current state or channel, a guard
        fails, or a required reason is missing.
    """
    with _transaction() as unit:
        step = unit.step = _checked_step(workflow, model, record_id, action, actor, comment, expected_version,
                                         channel, params or {})
        _enter(step)  # hooks register their undo on ``step`` before anything can fail
    _run_after_commit(step, f"{workflow.name}/{action} on {record_id}")
    step.record.step_result = step.result
    return step.record


class _Unit:
    step: Step | None = None


@contextmanager
def _transaction() -> Iterator[_Unit]:
    """Commit what the block did; on any failure roll back and undo what ``unit.step``'s hooks
    did outside the database, and say what went wrong in the user's terms."""
    unit = _Unit()
    try:
        yield unit
        db.session.commit()
    except StaleDataError:
        _abandon(unit.step)
        raise _conflict() from None
    except IntegrityError as exc:
        _abandon(unit.step)
        raise IntegrityConflict(_("This conflicts with a record that already exists.")) from exc
    except BaseException:
        _abandon(unit.step)
        raise


def _run_after_commit(step: Step, what: str) -> None:
    for work in step.after_commit:
        try:
            work()
        except Exception:  # noqa: BLE001 - the change stands; the follow-up is logged for the operator
            log.exception("after-commit work of %s failed", what)


def _abandon(step: Step | None) -> None:
    db.session.rollback()
    for undo in reversed(step.undo if step else []):
        try:
            undo()
        except Exception:  # noqa: BLE001 - keep undoing the rest
            log.exception("undo after a failed transition failed")


def _checked_step(workflow, model, record_id, action, actor, comment, expected_version, channel, params) -> Step:
    record = in_scope(db.session, model, record_id, actor)
    if record is None:
        raise NotFound(_("Record not found."))
    source = record.status
    transition = workflow.transition(action, source)
    if transition is None and (done := _already_done(workflow, action, source)) is not None:
        # A second click (or a second tab) after the first one went through: say so, before
        # the version check would call it someone else's change.
        raise ServiceError(_("“%(action)s” is already done: the status is now “%(status)s”.",
                             action=done.label, status=workflow.state_label(source)))
    version = getattr(record, "version", None)
    if expected_version not in (None, "") and version is not None and int(expected_version) != version:
        raise _conflict()
    if transition is None or channel not in transition.channels:
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
    return Step(workflow=workflow, transition=transition, record=record, actor=actor, comment=comment,
                params=params, source=source, now=utcnow())


def _already_done(workflow, action: str, state: str):
    """The row of ``action`` that leads to ``state`` (the action was just taken), if any."""
    return next((t for t in workflow.transitions if t.action == action and t.target == state), None)


def _enter(step: Step) -> None:
    """The row, carried out: status, fields, reason, hooks, log entry, notifications."""
    record, transition = step.record, step.transition
    record.status = transition.target
    for name, value in transition.sets:
        setattr(record, name, step.now if value is NOW else value)
    if transition.reason_field:
        setattr(record, transition.reason_field, step.comment)
    for name in transition.hooks:
        changes = HOOKS[name](step)
        if changes:
            step.changes.update(changes)
    entry = log_transition(step.workflow, record, transition.action, step.source, transition.target, step.actor,
                           step.comment, step.changes, at=step.now)
    if transition.notify:
        from app.notify.notices import queue_notices

        queue_notices(step, entry)


def follow(workflow: Workflow, record: Any, action: str, actor: Any, *, parent: Step | None = None,
           comment: str | None = None, params: dict[str, Any] | None = None) -> Step:
    """Carry out ``action`` on another record as a consequence of a transition already checked
    (a key shipped with its application, an older certificate superseded by a new one), in the
    same transaction: the caller's commit (the engine's, through ``parent``) makes it durable.

    :param parent: the transition this one follows; its undo and after-commit lists are shared.
    """
    transition = workflow.transition(action, record.status)
    if transition is None or FOLLOW not in transition.channels:
        raise ServiceError(_("This action is not possible in the current status."))
    step = Step(workflow=workflow, transition=transition, record=record, actor=actor,
                comment=(comment or "").strip() or None, params=params or {}, source=record.status,
                now=parent.now if parent else utcnow())
    if parent is not None:
        step.undo, step.after_commit = parent.undo, parent.after_commit
    _enter(step)
    return step


def create(workflow: Workflow, record: Any, actor: Any, *, event: str,
           undo: tuple[Callable[[], None], ...] = (), then: Callable[[Step], None] | None = None) -> Any:
    """A new record entering ``workflow`` at its initial state, logged as ``event`` and committed
    here, with ``then`` (transitions of other records it causes, through :func:`follow`) in the
    same transaction. When the commit fails, ``undo`` (work outside the database done to prepare
    the record, e.g. a stored file) is carried out as for a failed transition.
    """
    step = Step(workflow=workflow, transition=None, record=record, actor=actor, comment=None, params={},
                source=None, now=utcnow())
    step.undo.extend(undo)
    with _transaction() as unit:
        unit.step = step
        record.status = workflow.initial
        db.session.add(record)
        if then is not None:
            then(step)
        db.session.flush()
        log_transition(workflow, record, event, None, workflow.initial, actor, None, None, at=step.now)
    _run_after_commit(step, f"{workflow.name}/{event}")
    return record


def record_event(workflow: Workflow, record: Any, action: str, actor: Any, comment: str | None = None,
                 changes: dict | None = None, notify: tuple[str, ...] = ()) -> WorkflowLog:
    """A timeline entry that is not a status change (an edit of submitted data, an invoice);
    the caller's transaction commits it with the change it describes.

    :param notify: notification codes sent with it, as for a transition.
    """
    entry = log_transition(workflow, record, action, record.status, record.status, actor, comment, changes)
    if notify:
        from app.notify.notices import queue_event_notices

        queue_event_notices(workflow, record, action, actor, comment, entry, notify)
    return entry


def log_transition(workflow, record, action, source, target, actor, comment, changes, at=None) -> WorkflowLog:
    entry = WorkflowLog(
        workflow=workflow.name,
        record_type=workflow.record_type,
        record_id=record.id,
        enterprise_id=_enterprise_id(record),
        action=action,
        from_state=source,
        to_state=target,
        actor_id=getattr(actor, "id", None),
        actor_name=display_name(actor),
        actor_agency=department_of(actor),
        at=at or utcnow(),
        comment=comment,
        changes=_jsonable(changes) if changes else None,
    )
    db.session.add(entry)
    return entry


def _enterprise_id(record) -> int | None:
    if record.__tablename__ == "enterprise":
        return record.id
    return getattr(record, "enterprise_id", None)


def _jsonable(changes: dict) -> dict:
    return {k: [None if v is None else str(v) for v in pair] for k, pair in changes.items()}
