"""Certificates of records (the Tech-SME registration certificate, the benchmark result) issued by
a background task, kind ``issue_certificate``.

The transition that earns the certificate ("number", "select") queues the task in its own
transaction, so the task exists if and only if the transition commits. Signing needs the key
service (PKCS#11): when it is down the task fails that attempt and the queue retries it with
back-off; after the last attempt the record's pages say so and offer re-issuing. Re-issue queues
the same kind (a new version; the older one is superseded by ``issued_documents.issue``).

A retry must not issue a second version: the version records the task that issued it
(``IssuedDocument.task_id``, unique), and a task whose version exists is done.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Callable

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from app.extensions import db
from app.security.scope import in_scope, role_names
from app.services.errors import Forbidden, NotFound, ServiceError
from app.tasks.queue import WORKER_LOST, enqueue
from app.tasks.registry import ClaimedTask, register
from models import BackgroundTask, Declaration, IssuedDocument, ShenbaoUser, SmeEvaluation

log = logging.getLogger(__name__)
TASK = "issue_certificate"
# The key service may be down for a while: more attempts than other kinds (back-off doubles,
# capped by TASK_RETRY_MAX_SECONDS, so 6 attempts span about 5 minutes with the defaults).
MAX_ATTEMPTS = 6


@dataclass(frozen=True)
class Certified:
    """A kind of record that earns a certificate: its model, the status it holds while the
    certificate stands, the transition that issues it (whose roles may re-issue) and the issuer."""

    model: type
    status: str
    workflow_name: str
    action: str
    issue: Callable[..., IssuedDocument]


def _kinds() -> dict[str, Certified]:
    from app.services.declaration import issue_result_certificate
    from app.services.sme.decisions import issue_certificate

    return {"sme_evaluation": Certified(SmeEvaluation, "numbered", "sme_evaluation", "number", issue_certificate),
            "declaration": Certified(Declaration, "selected", "declaration", "select", issue_result_certificate)}


def _certified(record_type: str) -> Certified:
    kind = _kinds().get(record_type)
    if kind is None:
        raise NotFound(_("Record not found."))
    return kind


def dedupe_key(record_type: str, record_id: int) -> str:
    """One issuance per record at a time: a double click, or a re-issue while the first runs."""
    return f"{TASK}:{record_type}:{record_id}"


def subject(record_type: str, record_id: int) -> str:
    return f"{record_type}:{int(record_id)}"


def _queue(record_type: str, record_id: int, actor_id: int | None) -> BackgroundTask:
    return enqueue(TASK, {"record_type": record_type, "record_id": record_id, "actor_id": actor_id},
                   requested_by=actor_id, dedupe_key=dedupe_key(record_type, record_id), max_attempts=MAX_ATTEMPTS,
                   subject=subject(record_type, record_id))


def queue_for_step(step) -> None:
    """Hook of "number" (Tech-SME) and "select" (benchmark): the task, in the transition's transaction."""
    db.session.flush()  # a new record's id
    _queue(step.workflow.record_type, step.record.id, getattr(step.actor, "id", None))


def may_reissue(user: Any, record_type: str) -> bool:
    """The roles of the transition that issues the certificate (province reviewer / association, admin)."""
    from app.workflows.definitions import WORKFLOWS

    kind = _kinds().get(record_type)
    if kind is None:
        return False
    workflow = WORKFLOWS[kind.workflow_name]
    roles = frozenset().union(*(t.roles for t in workflow.transitions if t.action == kind.action))
    return bool(roles & role_names(user))


def reissue(actor: Any, record_type: str, record_id: int) -> BackgroundTask:
    """重新签发证书: queue a new version of the record's certificate (a double click queues one).

    :raises NotFound: record absent or outside the actor's scope.
    :raises Forbidden: the actor's role may not issue this certificate.
    :raises ServiceError: the record holds no certificate in its status.
    """
    kind = _certified(record_type)
    record = in_scope(db.session, kind.model, record_id, actor)
    if record is None:
        raise NotFound(_("Record not found."))
    if not may_reissue(actor, record_type):
        raise Forbidden(_("Your role may not take this action."))
    if record.status != kind.status:
        raise ServiceError(_("This action is not possible in the current status."))
    task = _queue(record_type, record.id, getattr(actor, "id", None))
    db.session.commit()  # the task runs after this commit (TASK_WORKER)
    return task


# --- the task -------------------------------------------------------------------------------------

def run(task: ClaimedTask, progress) -> None:
    """Issue the record's certificate unless this task already did (a retry after its commit).

    Runs in an app context of its own, so the issue's commits use a session of their own (under
    TASK_WORKER=sync the task runs inside the commit of the request's session).
    """
    with current_app.app_context():
        try:
            _issue(task)
        finally:
            db.session.rollback()


def _issue(task: ClaimedTask) -> None:
    args = task.args
    kind = _certified(args["record_type"])
    if db.session.execute(sa.select(IssuedDocument.id).where(IssuedDocument.task_id == task.id)).first():
        return  # an earlier attempt issued it and died before the task was marked done
    record = db.session.get(kind.model, args["record_id"])
    if record is None or record.status != kind.status:
        # Revoked (or gone) while the task waited: nothing to certify any more, which is no failure.
        log.info("certificate of %s %s not issued: the record no longer holds one", args["record_type"],
                 args["record_id"])
        return
    actor = db.session.get(ShenbaoUser, args["actor_id"]) if args.get("actor_id") else None
    kind.issue(record, actor, task_id=task.id)


def _failed(session, task: ClaimedTask, error: str) -> None:
    """The record's pages show it (issuance_state) and offer re-issuing; the log tells operators;
    the reviewer who earned the certificate for it (numbered, selected or re-issued) is told in an
    in-app message, in the transaction that marks the task failed, with the reason and the record."""
    args = task.args
    log.error("certificate of %s %s not issued after %s attempts: %s", args.get("record_type"),
              args.get("record_id"), task.attempts, error)
    kind = _kinds().get(args.get("record_type"))
    actor = session.get(ShenbaoUser, args["actor_id"]) if args.get("actor_id") else None
    record = session.get(kind.model, args.get("record_id")) if kind else None
    if actor is None or not actor.active or record is None:
        return
    from flask_babel import force_locale

    from app.notify.messages import inbox_message
    from app.programs import record_type_of

    with force_locale("zh"):  # staff read Chinese, as every workflow message
        title = _("Certificate not issued: %(record)s", record=record_type_of(args["record_type"]).title(record))
        body = failure_text(error)
    session.add(inbox_message(actor.id, actor.enterprise_id, title, body, record_type=args["record_type"],
                              record_id=record.id, template=TASK))


register(TASK, run, on_failed=_failed)


# --- what pages show ------------------------------------------------------------------------------

@dataclass(frozen=True)
class IssuanceState:
    pending: bool = False  # queued or running: "证书签发中"
    failure: str | None = None  # the last task failed and no version came after it: in words
    current: IssuedDocument | None = None  # the version in force, if any


def issuance_state(record_type: str, record_id: int) -> IssuanceState:
    """The record's certificate as its pages show it: being issued, failed, or the current version."""
    task = db.session.execute(sa.select(BackgroundTask).where(
        BackgroundTask.subject == subject(record_type, record_id), BackgroundTask.kind == TASK)
        .order_by(BackgroundTask.id.desc()).limit(1)).scalar_one_or_none()
    current = db.session.execute(sa.select(IssuedDocument).where(
        IssuedDocument.record_type == record_type, IssuedDocument.record_id == record_id,
        IssuedDocument.status == "current").order_by(IssuedDocument.version.desc()).limit(1)).scalar_one_or_none()
    if task is None:
        return IssuanceState(current=current)
    if task.status in ("queued", "running"):
        return IssuanceState(pending=True, current=current)
    if task.status == "failed":  # the latest issuance failed (an older version may still stand)
        return IssuanceState(failure=failure_text(task.error), current=current)
    return IssuanceState(current=current)


def failure_text(error: str | None) -> str:
    """The failed issuance in the reader's words."""
    if error and "PkiUnavailable" in error:
        return _("The certificate could not be signed: the key service was not available in any attempt. "
                 "Re-issue it when the key service is back.")
    if error == WORKER_LOST:
        return _("The certificate was not issued: the server issuing it went away in every attempt.")
    return _("The certificate was not issued: %(error)s", error=error or "")
