"""The task queue is the ``background_task`` table (docs/tasks.md says why), claimed as the
outbox is (app/notify/delivery.py):

* ``enqueue`` adds a task to the caller's session: it exists if and only if the caller's change
  commits. A ``dedupe_key`` makes a double click return the task already queued or running.
* ``claim`` leases one due task to a worker: ``SELECT ... FOR UPDATE SKIP LOCKED`` on
  PostgreSQL, a conditional ``UPDATE`` on SQLite. Due: queued and past its back-off, or running
  under a lease that ran out (its worker died: the task starts again, as a new attempt).
* ``report_progress`` records progress and extends the lease (the heartbeat); ``finish`` and
  ``fail`` record the outcome. All three are conditional on the claim's token (``leased_by``):
  a worker whose lease was taken over changes nothing, so a task is marked done once and its
  kind's ``on_done`` runs once, in that same transaction.

Times are naive UTC from this host's clock: hosts running workers need synchronised clocks.
"""
from __future__ import annotations

import datetime as dt
import logging
import uuid

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.extensions import db
from app.tasks import registry
from app.tasks.registry import ClaimedTask
from models.base import utcnow
from models.tasks import BackgroundTask

log = logging.getLogger("shenbao.tasks")
_T = BackgroundTask.__table__
PENDING = "shenbao_tasks_pending"  # session.info key: this transaction queued tasks
# When a worker died during every attempt there is no exception to show: this is the error.
WORKER_LOST = "worker_lost"


class LeaseLost(Exception):
    """This worker's lease ran out and another worker took the task over: stop working on it."""


class PermanentError(Exception):
    """A failure that a retry cannot mend (the input changed): the task fails at once."""


def backoff_seconds(attempts: int, base: float, cap: float) -> float:
    """Wait after the ``attempts``-th failed attempt: base, 2*base, 4*base ... at most cap."""
    return min(base * 2 ** max(attempts - 1, 0), cap)


# --- enqueue (the request) -------------------------------------------------------------------------

def enqueue(kind: str, args: dict, *, requested_by: int | None = None, total: int = 0,
            dedupe_key: str | None = None, max_attempts: int | None = None,
            subject: str | None = None) -> BackgroundTask:
    """Queue a task in the current transaction (the caller commits; workers see it after that).

    :param args: JSON values only: the worker rebuilds everything else from them.
    :param total: the progress total known now (rows to export...), else 0.
    :param dedupe_key: while a task with this key is queued or running, it is returned instead.
    :param subject: the record the task works on ("sme_evaluation:12"), for its pages to find it.
    :returns: the new task, or the one already holding ``dedupe_key``.
    """
    session = db.session
    if dedupe_key is not None:
        existing = _holding(dedupe_key)
        if existing is not None:
            return existing
    task = BackgroundTask(kind=kind, args=args, requested_by=requested_by, status="queued", progress_total=total,
                          max_attempts=max_attempts or int(current_app.config["TASK_MAX_ATTEMPTS"]),
                          dedupe_key=dedupe_key, subject=subject)
    try:
        with session.begin_nested():  # a concurrent double click: the loser's insert alone is undone
            session.add(task)
    except IntegrityError:
        existing = _holding(dedupe_key) if dedupe_key is not None else None
        if existing is None:
            raise
        return existing
    session.info[PENDING] = True
    return task


def _holding(dedupe_key: str) -> BackgroundTask | None:
    return db.session.execute(sa.select(BackgroundTask).where(BackgroundTask.dedupe_key == dedupe_key)).scalar_one_or_none()


# --- claim (a worker) ------------------------------------------------------------------------------

def _due(now: dt.datetime, kinds):
    c = _T.c
    due = sa.or_(sa.and_(c.status == "queued", sa.or_(c.run_after.is_(None), c.run_after <= now)),
                 sa.and_(c.status == "running", c.lease_until < now))
    return sa.and_(due, c.kind.in_(kinds)) if kinds else due


def claim(worker: str, *, kinds=None, now: dt.datetime | None = None) -> ClaimedTask | None:
    """Lease one due task to ``worker``: the attempt to run, or None when nothing is due.

    A task whose worker died in every one of its attempts is marked failed here instead.
    """
    engine = db.engine
    while True:
        clock = now or utcnow()
        lease_until = clock + dt.timedelta(seconds=float(current_app.config["TASK_LEASE_SECONDS"]))
        token = f"{worker[:40]}:{uuid.uuid4().hex[:16]}"
        with Session(engine) as session, session.begin():
            row = _lease(session, clock, kinds, lease_until, token)
            if row is None:
                return None
            claimed = ClaimedTask(row.id, row.kind, dict(row.args or {}), row.requested_by, row.attempts + 1,
                                  row.max_attempts, token)
            if row.status == "running" and row.attempts >= row.max_attempts:
                _end(session, claimed, "failed", error=WORKER_LOST, now=clock)
                log.warning("task %s (%s): its worker stopped in all %s attempts", row.id, row.kind, row.attempts)
                continue
        if row.status == "running":
            log.warning("task %s (%s): the lease of %s ran out; attempt %s", row.id, row.kind, row.leased_by,
                        claimed.attempts)
        return claimed


def _lease(session: Session, now, kinds, lease_until, token):
    """The due row (as it was before the claim) now leased under ``token``, or None."""
    c = _T.c
    claimed = dict(status="running", attempts=c.attempts + 1, lease_until=lease_until, leased_by=token,
                   started_at=now, run_after=None)
    if session.bind.dialect.name == "postgresql":
        row = session.execute(sa.select(_T).where(_due(now, kinds)).order_by(c.id).limit(1)
                              .with_for_update(skip_locked=True)).first()
        if row is not None:
            session.execute(sa.update(_T).where(c.id == row.id).values(**claimed))
        return row
    for _ in range(10):  # lost races: another worker claimed the candidate first
        row = session.execute(sa.select(_T).where(_due(now, kinds)).order_by(c.id).limit(1)).first()
        if row is None:
            return None
        won = session.execute(sa.update(_T).where(c.id == row.id, _due(now, kinds)).values(**claimed))
        if won.rowcount == 1:
            return row
    return None


# --- while running, and the outcome -------------------------------------------------------------------

def _mine(claimed: ClaimedTask):
    c = _T.c
    return sa.and_(c.id == claimed.id, c.status == "running", c.leased_by == claimed.token)


def report_progress(claimed: ClaimedTask, done: int, total: int | None = None) -> None:
    """Record progress and extend the lease (call at least every TASK_LEASE_SECONDS / 2).

    :raises LeaseLost: When another worker has taken the task over.
    """
    values = {"progress_done": done, "lease_until": utcnow() + dt.timedelta(
        seconds=float(current_app.config["TASK_LEASE_SECONDS"]))}
    if total is not None:
        values["progress_total"] = total
    with db.engine.begin() as conn:
        if conn.execute(sa.update(_T).where(_mine(claimed)).values(**values)).rowcount != 1:
            raise LeaseLost(claimed.id)


def finish(claimed: ClaimedTask, result: str | None) -> bool:
    """Mark the task done with its result; the kind's ``on_done`` runs in the same transaction.

    :returns: False when the lease was taken over (nothing recorded: the other worker finishes).
    """
    with Session(db.engine) as session, session.begin():
        return _end(session, claimed, "done", result=result, now=utcnow())


def fail(claimed: ClaimedTask, error: str, *, permanent: bool = False) -> str:
    """Record a failed attempt: "retry" (queued again after a back-off), "failed" (attempts used
    up, or ``permanent``; the kind's ``on_failed`` runs), or "lost" (lease taken over)."""
    cfg = current_app.config
    now = utcnow()
    with Session(db.engine) as session, session.begin():
        if permanent or claimed.attempts >= claimed.max_attempts:
            return "failed" if _end(session, claimed, "failed", error=error, now=now) else "lost"
        delay = backoff_seconds(claimed.attempts, float(cfg["TASK_RETRY_BASE_SECONDS"]),
                                float(cfg["TASK_RETRY_MAX_SECONDS"]))
        retried = session.execute(sa.update(_T).where(_mine(claimed)).values(
            status="queued", error=error[:4000], lease_until=None, leased_by=None,
            run_after=now + dt.timedelta(seconds=delay)))
        return "retry" if retried.rowcount == 1 else "lost"


def _end(session: Session, claimed: ClaimedTask, status: str, *, now, result=None, error=None) -> bool:
    c = _T.c
    values = dict(status=status, finished_at=now, lease_until=None, dedupe_key=None)
    if status == "done":
        values.update(result=result, error=None, progress_done=sa.func.greatest(c.progress_done, c.progress_total)
                      if session.bind.dialect.name == "postgresql" else sa.func.max(c.progress_done, c.progress_total))
    else:
        values["error"] = error[:4000]
    ended = session.execute(sa.update(_T).where(_mine(claimed)).values(**values))
    if ended.rowcount != 1:
        log.warning("task %s (%s): lease taken over before it was marked %s", claimed.id, claimed.kind, status)
        return False
    try:
        kind = registry.kind(claimed.kind)
    except KeyError:
        return True
    if status == "done" and kind.on_done is not None:
        kind.on_done(session, claimed, result)
    elif status == "failed" and kind.on_failed is not None:
        kind.on_failed(session, claimed, error)
    return True
