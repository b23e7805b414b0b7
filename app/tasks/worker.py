"""Who runs background tasks: ``TASK_WORKER``

* ``inline`` (default, ``make run``): a daemon thread in each app process polls the table every
  TASK_POLL_SECONDS and is woken right after a commit that queued a task;
* ``external`` (production): nothing in the web processes; ``flask --app run worker`` (tasks and
  notifications) or ``flask --app run task-worker`` (tasks only) claim them;
* ``sync`` (tests): right after the commit, in the committing thread, through the same
  claim / finish code as the workers (``drain``).

A worker is killed at any moment without loss: its lease runs out and another claims the task.
"""
from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from pathlib import Path
from typing import Callable

from flask import Flask, current_app, has_app_context
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event

from app.jobs.polling import PollingThreads

from app.tasks import queue, registry
from app.tasks.queue import PENDING, LeaseLost, PermanentError

log = logging.getLogger("shenbao.tasks")
MODES = ("inline", "external", "sync")


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 100000}"


def run_one(worker: str | None = None, kinds=None) -> str | None:
    """Claim one due task of the current app and run it: its outcome ("done", "retry",
    "failed", "lost"), or None when nothing was due."""
    claimed = queue.claim(worker or worker_name(), kinds=kinds)
    if claimed is None:
        return None
    try:
        kind = registry.kind(claimed.kind)
    except KeyError:
        return queue.fail(claimed, f"unknown task kind {claimed.kind!r}", permanent=True)

    def progress(done: int, total: int | None = None) -> None:
        queue.report_progress(claimed, done, total)

    try:
        # A request context: url_for and translations work as in the request that queued it.
        with current_app.test_request_context("/"):
            result = kind.run(claimed, progress)
    except LeaseLost:
        log.warning("task %s (%s): lease taken over; this attempt stops", claimed.id, claimed.kind)
        return "lost"
    except PermanentError as exc:
        return queue.fail(claimed, str(exc) or type(exc).__name__, permanent=True)
    except Exception as exc:  # noqa: BLE001 - retried, then failed with the error shown; never lost
        log.exception("task %s (%s) attempt %s failed", claimed.id, claimed.kind, claimed.attempts)
        return queue.fail(claimed, f"{type(exc).__name__}: {exc}")
    return "done" if queue.finish(claimed, result) else "lost"


def drain(should_stop: Callable[[], bool] | None = None, kinds=None) -> dict:
    """Run due tasks until none is due now: counts by outcome."""
    counts = {"done": 0, "retry": 0, "failed": 0, "lost": 0}
    worker = worker_name()
    while not (should_stop is not None and should_stop()):
        outcome = run_one(worker, kinds)
        if outcome is None:
            break
        counts[outcome] += 1
    return counts


def scratch_path(task: registry.ClaimedTask, suffix: str = "") -> Path:
    """A local file for this attempt to write before saving it as the result; files of earlier
    attempts of the task (a killed worker's half-written file) are removed."""
    folder = Path(current_app.config.get("TASK_SCRATCH_DIR") or Path(current_app.config["EXPORT_DIR"]) / ".scratch")
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob(f"task-{task.id}-*"):
        old.unlink(missing_ok=True)
    return folder / f"task-{task.id}-{task.attempts}{suffix}"


# --- after commit --------------------------------------------------------------------------------

_local = threading.local()


def _after_commit(session) -> None:
    if not session.info.pop(PENDING, False) or not has_app_context():
        return
    app = current_app._get_current_object()
    mode = app.config.get("TASK_WORKER", "inline")
    if mode == "sync" and not getattr(_local, "draining", False):
        _local.draining = True  # a task's own commits must not start a nested drain
        try:
            drain()
        except Exception:  # noqa: BLE001 - the caller's change is committed; the task stays queued
            log.exception("sync task run failed")
        finally:
            _local.draining = False
    elif mode == "inline":
        thread_worker(app).wake()


def _after_soft_rollback(session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(PENDING, None)


_threads = PollingThreads("task-worker", lambda should_stop: drain(should_stop=should_stop), "TASK_POLL_SECONDS", log)
thread_worker = _threads.get  # this process's task thread for an app
stop_thread_worker = _threads.stop


_listening = False


def init_app(app: Flask) -> None:
    global _listening
    if app.config.get("TASK_WORKER", "inline") not in MODES:
        raise ValueError(f"TASK_WORKER={app.config.get('TASK_WORKER')!r}: one of {', '.join(MODES)}")
    if not _listening:
        event.listen(FlaskSession, "after_commit", _after_commit)
        event.listen(FlaskSession, "after_soft_rollback", _after_soft_rollback)
        _listening = True

    @app.before_request
    def _start_task_thread() -> None:
        if app.config["TASK_WORKER"] == "inline":
            thread_worker(app)


# --- the external worker ----------------------------------------------------------------------------

def run_task_worker(app: Flask, stop: threading.Event | None = None, kinds=None) -> dict:
    """Run tasks until SIGTERM / SIGINT (or ``stop`` is set); the task in hand is finished first.

    :returns: totals by outcome.
    """
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    poll = float(app.config["TASK_POLL_SECONDS"])
    totals = {"done": 0, "retry": 0, "failed": 0, "lost": 0}
    log.info("task worker started (pid %s, polling every %s s)", os.getpid(), poll)
    while not stop.is_set():
        try:
            with app.app_context():
                counts = drain(should_stop=stop.is_set, kinds=kinds)
        except Exception:  # noqa: BLE001 - database away: log, wait, try again
            log.exception("task worker: run failed")
            counts = {}
        for key, value in counts.items():
            totals[key] += value
        if any(counts.values()):
            log.info("task worker: %s", counts)
        stop.wait(poll)
    log.info("task worker stopped: %s", totals)
    return totals


def run_workers(app: Flask, stop: threading.Event | None = None) -> dict:
    """``flask --app run worker``: notifications in this thread, tasks in a second one; both stop
    on SIGTERM / SIGINT after the message or task in hand."""
    from app.notify.delivery import run_worker

    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    totals: dict = {}
    tasks = threading.Thread(target=lambda: totals.update(tasks=run_task_worker(app, stop)), name="task-worker")
    tasks.start()
    totals["notifications"] = run_worker(app, stop)
    tasks.join()
    return totals
