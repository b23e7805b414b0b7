"""Delivery of the outbox after commit, off the request path: the outbox table is the queue.

``deliver_due`` claims due messages one at a time, each in its own short transaction, and
leases it (``locked_until``) before calling the backend outside any transaction, so a slow
SMTP relay holds no row lock. A worker killed after the claim leaves a lease that runs out
after ``NOTIFY_LEASE_SECONDS``; the message is then due again for any worker. Claiming:

* PostgreSQL: ``SELECT ... FOR UPDATE SKIP LOCKED`` -- parallel workers skip each other's rows
  instead of queueing behind them;
* SQLite: a conditional ``UPDATE ... WHERE id = ? AND <still due>``; a row count of 0 means
  another worker won (SQLite serialises writers, so the condition is checked atomically).

Marking the outcome is conditional on the lease (``locked_until`` as a token): a worker whose
lease ran out and was taken over cannot overwrite the newer worker's result.

Delivery is **at-least-once**: a worker killed between the backend accepting a message and the
row being marked sent delivers it again. Backends pass the idempotency key ``shenbao-<id>``
(SMS: ``Idempotency-Key`` header and ``id`` field; e-mail: the Message-ID) so the receiver can
recognise the repeat.

Who calls ``deliver_due`` is ``NOTIFY_WORKER``: ``inline`` (tests: in the committing thread,
right after the commit), ``thread`` (default: a daemon thread per process, woken after such a
commit and polling every ``NOTIFY_POLL_SECONDS``), ``external`` (``flask --app run worker``,
:func:`run_worker`). Times are naive UTC from this host's clock (``models.base.utcnow``): hosts
running workers need synchronised clocks (NTP), as the lease compares times across processes.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import threading
from typing import Callable

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event

from app.jobs.polling import PollingThreads

from app.extensions import db
from app.notify.backends import BACKENDS, DeliveryError
from models import OutboxMessage
from models.base import utcnow

log = logging.getLogger("shenbao.notify")
MODES = ("thread", "external", "inline")
_T = OutboxMessage.__table__
_PENDING = "shenbao_outbox_pending"  # session.info key: this transaction queued messages


def backoff_seconds(attempts: int, base: float, cap: float) -> float:
    """Wait after the ``attempts``-th failed delivery: base, 2*base, 4*base ... at most cap."""
    return min(base * 2 ** max(attempts - 1, 0), cap)


def _due(now: dt.datetime):
    c = _T.c
    return sa.and_(c.status == "queued", sa.or_(c.next_attempt_at.is_(None), c.next_attempt_at <= now),
                   sa.or_(c.locked_until.is_(None), c.locked_until < now))


def _claim(engine: sa.Engine, now: dt.datetime, lease_until: dt.datetime):
    """Lease one due message to this worker until ``lease_until``: its row, or None."""
    c = _T.c
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            row = conn.execute(sa.select(_T).where(_due(now)).order_by(c.id).limit(1)
                               .with_for_update(skip_locked=True)).first()
            if row is not None:
                conn.execute(sa.update(_T).where(c.id == row.id).values(locked_until=lease_until))
            return row
        for _ in range(10):  # lost races: another worker claimed the candidate first
            row = conn.execute(sa.select(_T).where(_due(now)).order_by(c.id).limit(1)).first()
            if row is None:
                return None
            won = conn.execute(sa.update(_T).where(c.id == row.id, _due(now)).values(locked_until=lease_until))
            if won.rowcount == 1:
                return row
        return None


def _finish(engine: sa.Engine, row, lease_until: dt.datetime, error: str | None, now: dt.datetime, cfg) -> str:
    """Record the outcome of one delivery: "sent", "retry", "failed", or "lost" (lease taken over)."""
    c = _T.c
    if error is None:
        outcome, values = "sent", {"status": "sent", "sent_at": now, "error": None, "next_attempt_at": None}
    else:
        attempts = row.attempts + 1
        values = {"attempts": attempts, "error": error[:2000]}
        if attempts >= int(cfg["NOTIFY_MAX_ATTEMPTS"]):
            outcome = "failed"
            values.update(status="failed", next_attempt_at=None)
        else:
            outcome = "retry"
            delay = backoff_seconds(attempts, float(cfg["NOTIFY_RETRY_BASE_SECONDS"]),
                                    float(cfg["NOTIFY_RETRY_MAX_SECONDS"]))
            values["next_attempt_at"] = now + dt.timedelta(seconds=delay)
    with engine.begin() as conn:
        done = conn.execute(sa.update(_T).where(c.id == row.id, c.status == "queued", c.locked_until == lease_until)
                            .values(locked_until=None, **values))
    if done.rowcount != 1:
        log.warning("outbox message %s: lease ran out before the result was recorded (%s)", row.id, outcome)
        return "lost"
    if error is not None:
        log.warning("delivery of %s %s to %s failed (attempt %s, %s): %s", row.channel, row.id, row.recipient,
                    row.attempts + 1, outcome, error)
    return outcome


def deliver_due(limit: int = 50, *, now: dt.datetime | None = None,
                should_stop: Callable[[], bool] | None = None) -> dict:
    """Deliver up to ``limit`` due messages of the current app's database.

    :param now: the clock (tests); default the real time, read again for every message.
    :param should_stop: asked between messages (a worker told to stop finishes the current one).
    :returns: counts by outcome: sent, retry, failed, lost.
    """
    cfg = current_app.config
    engine = db.engine
    counts = {"sent": 0, "retry": 0, "failed": 0, "lost": 0}
    for _ in range(limit):
        if should_stop is not None and should_stop():
            break
        clock = now or utcnow()
        lease_until = clock + dt.timedelta(seconds=float(cfg["NOTIFY_LEASE_SECONDS"]))
        row = _claim(engine, clock, lease_until)
        if row is None:
            break
        error = None
        try:
            BACKENDS[row.channel][row.backend](cfg, row)
            if row.backend == "outbox":
                log.info("[outbox] %s to %s: %s %s", row.channel, row.recipient, row.subject or "", row.body)
        except DeliveryError as exc:
            error = str(exc)
        except Exception as exc:  # noqa: BLE001 - a broken backend or config: retried, then failed, never lost
            log.exception("outbox message %s: backend %s raised", row.id, row.backend)
            error = f"{type(exc).__name__}: {exc}"
        counts[_finish(engine, row, lease_until, error, now or utcnow(), cfg)] += 1
    return counts


def drain(limit: int = 50, should_stop: Callable[[], bool] | None = None) -> dict:
    """``deliver_due`` until nothing is due now: totals."""
    totals = {"sent": 0, "retry": 0, "failed": 0, "lost": 0}
    while True:
        counts = deliver_due(limit, should_stop=should_stop)
        for key, value in counts.items():
            totals[key] += value
        if sum(counts.values()) < limit or (should_stop is not None and should_stop()):
            return totals


def resend_failed(message_ids) -> int:
    """Put failed messages back in the queue (the admin's 重新发送): attempts start again; the
    last error stays on the row until a delivery succeeds. Commits; the worker is woken."""
    rows = db.session.execute(sa.select(OutboxMessage).where(
        OutboxMessage.id.in_([int(i) for i in message_ids]), OutboxMessage.status == "failed")).scalars().all()
    for row in rows:
        row.status, row.attempts, row.next_attempt_at, row.locked_until = "queued", 0, None, None
    db.session.commit()
    return len(rows)


# --- after commit: who delivers ---------------------------------------------------------------

def _after_flush(session, flush_context) -> None:
    # New rows, and rows put back to queued (the admin's resend), are remembered until the
    # transaction ends: delivered after a commit, forgotten after a rollback.
    if any(isinstance(obj, OutboxMessage) for obj in session.new) or any(
            isinstance(obj, OutboxMessage) and obj.status == "queued" for obj in session.dirty):
        session.info[_PENDING] = True


def _after_commit(session) -> None:
    if session.info.pop(_PENDING, False) and has_app_context():
        messages_committed(current_app._get_current_object())


def _after_soft_rollback(session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the whole transaction (not a savepoint) is gone
        session.info.pop(_PENDING, None)


def messages_committed(app: Flask) -> None:
    """Queued messages were committed: deliver them now (inline) or wake this process's thread."""
    mode = app.config.get("NOTIFY_WORKER", "thread")
    if mode == "inline":
        try:
            drain()
        except Exception:  # noqa: BLE001 - the caller's change is committed; delivery is retried later
            log.exception("inline delivery failed")
    elif mode == "thread":
        thread_worker(app).wake()


_threads = PollingThreads("notify-worker", lambda should_stop: drain(should_stop=should_stop), "NOTIFY_POLL_SECONDS", log)
thread_worker = _threads.get  # this process's delivery thread for an app
stop_thread_worker = _threads.stop


_listening = False


def init_app(app: Flask) -> None:
    """Session events (once per process) and, in thread mode, the thread started by the first
    request, so messages queued by a process that died go out without a new commit."""
    global _listening
    if app.config.get("NOTIFY_WORKER", "thread") not in MODES:
        raise ValueError(f"NOTIFY_WORKER={app.config.get('NOTIFY_WORKER')!r}: one of {', '.join(MODES)}")
    if not _listening:
        # Flask-SQLAlchemy's session class only: deliver_due's own connections are not watched.
        event.listen(FlaskSession, "after_flush", _after_flush)
        event.listen(FlaskSession, "after_commit", _after_commit)
        event.listen(FlaskSession, "after_soft_rollback", _after_soft_rollback)
        _listening = True

    @app.before_request
    def _start_notify_thread() -> None:
        if app.config["NOTIFY_WORKER"] == "thread":
            thread_worker(app)


# --- the external worker: `flask --app run worker` --------------------------------------------

def run_worker(app: Flask, stop: threading.Event | None = None, limit: int = 50) -> dict:
    """Deliver until SIGTERM / SIGINT (or ``stop`` is set); the message in hand is finished.

    :returns: totals by outcome.
    """
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    poll = float(app.config["NOTIFY_POLL_SECONDS"])
    totals = {"sent": 0, "retry": 0, "failed": 0, "lost": 0}
    log.info("notify worker started (pid %s, polling every %s s)", os.getpid(), poll)
    while not stop.is_set():
        try:
            with app.app_context():
                counts = deliver_due(limit, should_stop=stop.is_set)
        except Exception:  # noqa: BLE001 - database away: log, wait, try again
            log.exception("notify worker: delivery failed")
            stop.wait(poll)
            continue
        if any(counts.values()):
            log.info("notify worker: %s", counts)
            for key, value in counts.items():
                totals[key] += value
        if sum(counts.values()) < limit:
            stop.wait(poll)
    log.info("notify worker stopped: %s", totals)
    return totals
