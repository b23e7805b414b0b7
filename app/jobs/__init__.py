"""Scheduled jobs: thin wrappers that run a service. Exactly one scheduler process per deployment:
APScheduler's job store must not be shared by several schedulers, so ``run_scheduler`` first
takes the scheduler lock (app/jobs/leader.py); a second scheduler waits for it.

Every job is idempotent (safe to run twice on one day): the services only move what is due and
record what they did (window status, reminders_sent, expired export rows; the upload sweep
only removes files no row names)."""
from __future__ import annotations

import logging
import os
import threading
import time

from flask import Flask

from app.timeutil import CHINA, today_in_china

log = logging.getLogger("shenbao.jobs")
def publicity_job(app: Flask, clock=None) -> dict:
    """Open / close due publicity windows. ``clock`` returns the current date (tests pass one)."""
    from app.services.sme import publicity_tick

    with app.app_context():
        moved = publicity_tick((clock or today_in_china)())
        log.info("publicity tick: %s", moved)
        return moved


def activity_job(app: Flask, clock=None) -> dict:
    """Open / close quality-benchmark activity windows."""
    from app.services.filing import activity_tick

    with app.app_context():
        moved = activity_tick((clock or today_in_china)())
        log.info("activity tick: %s", moved)
        return moved


def eseal_fee_job(app: Flask, clock=None) -> dict:
    """E-seal annual fees: reminders 30, 7 and 1 days before expiry; overdue keys marked."""
    from app.services.eseal.seal_keys import fee_tick

    with app.app_context():
        counts = fee_tick((clock or today_in_china)())
        log.info("e-seal fee tick: %s", counts)
        return counts


def document_timestamp_job(app: Flask, clock=None) -> dict:
    """Issued certificates get a new document timestamp before their last one's TSA certificate
    expires (TSA_RENEW_DAYS ahead), so they stay verifiable (PAdES B-LTA)."""
    from app.services.eseal.ltv import renew_document_timestamps

    with app.app_context():
        counts = renew_document_timestamps(clock() if clock else None)
        log.info("document timestamps: %s", counts)
        return counts


def reviewer_digest_job(app: Flask, clock=None) -> dict:
    """Each reviewer's and operator's queue, counted by kind of record, as a daily message."""
    from app.notify.digest import send_digests

    with app.app_context():
        counts = send_digests(clock() if clock else None)
        log.info("reviewer digests: %s", counts)
        return counts


def report_files_job(app: Flask, clock=None) -> int:
    """Old export files and unconfirmed import uploads are removed."""
    from app.reports.export import remove_old_files
    from models.base import utcnow

    with app.app_context():
        removed = remove_old_files(clock() if clock else utcnow())
        log.info("report files removed: %s", removed)
        return removed


def upload_files_job(app: Flask) -> dict:
    """Upload files no attachment row names and left-over .part files, past the grace period."""
    from dataclasses import asdict

    from app.storage.sweep import sweep_orphans

    with app.app_context():
        counts = asdict(sweep_orphans())
        log.info("upload files swept: %s", counts)
        return counts


# --- the scheduler ---------------------------------------------------------------------------
# Jobs live in a database job store, which pickles them: a Flask app cannot be pickled, so the
# store holds textual references to these argument-less wrappers, which find the app here.
JOBSTORE_TABLE = "apscheduler_jobs"
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}
#: id -> (textual reference, cron hour, cron minute), Asia/Shanghai.
JOBS = {
    "activities": ("app.jobs:tick_activities", 0, 1),
    "publicity": ("app.jobs:tick_publicity", 0, 5),
    "report_files": ("app.jobs:tick_report_files", 3, 0),
    "upload_files": ("app.jobs:tick_upload_files", 3, 30),
    "eseal_fees": ("app.jobs:tick_eseal_fees", 8, 0),
    "document_timestamps": ("app.jobs:tick_document_timestamps", 2, 30),
    "reviewer_digest": ("app.jobs:tick_reviewer_digest", 8, 30),
}
LOCK_CHECK_SECONDS = 60
_APP: Flask | None = None


def _current_app() -> Flask:
    global _APP
    if _APP is None:  # a job run without run_scheduler (e.g. by hand): build one from config
        from app import create_app

        _APP = create_app()
    return _APP


def tick_publicity() -> dict:
    return publicity_job(_current_app())


def tick_activities() -> dict:
    return activity_job(_current_app())


def tick_eseal_fees() -> dict:
    return eseal_fee_job(_current_app())


def tick_document_timestamps() -> dict:
    return document_timestamp_job(_current_app())


def tick_reviewer_digest() -> dict:
    return reviewer_digest_job(_current_app())


def tick_report_files() -> int:
    return report_files_job(_current_app())


def tick_upload_files() -> dict:
    return upload_files_job(_current_app())


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic autogenerate filter (migrations/env.py): APScheduler's own table is not ours."""
    table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
    return table != JOBSTORE_TABLE


def build_scheduler(app: Flask):
    """The scheduler with its database job store and the daily jobs (``JOBS``), not started."""
    from apscheduler.jobstores.memory import MemoryJobStore
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.blocking import BlockingScheduler

    store = SQLAlchemyJobStore(url=app.config["SQLALCHEMY_DATABASE_URI"], tablename=JOBSTORE_TABLE)
    # "local" holds jobs of this process only (the lock check), never persisted.
    scheduler = BlockingScheduler(timezone=CHINA, job_defaults=dict(JOB_DEFAULTS),
                                  jobstores={"default": store, "local": MemoryJobStore()})
    for job_id, (ref, hour, minute) in JOBS.items():
        scheduler.add_job(ref, "cron", hour=hour, minute=minute, id=job_id, replace_existing=True)
    return scheduler


def _drop_stale_jobs(scheduler) -> None:
    """Jobs left in the store by an older version (ids no longer in JOBS) are removed."""
    store = scheduler._jobstores["default"]  # noqa: SLF001 - the store we made in build_scheduler
    store.jobs_t.create(store.engine, checkfirst=True)
    with store.engine.begin() as conn:
        stale = conn.execute(store.jobs_t.delete().where(store.jobs_t.c.id.not_in(list(JOBS)))).rowcount
    if stale:
        log.info("removed %s stale job(s) from %s", stale, JOBSTORE_TABLE)


def run_scheduler(app: Flask, stop_after: float | None = None) -> None:
    """Wait for the scheduler lock, catch up once, then run the daily jobs until stopped.

    :param stop_after: seconds after which the scheduler stops by itself (tests).

    The lock: ``SCHEDULER_LOCK_POLL_SECONDS`` between attempts; the advisory key is
    leader.SCHEDULER_LOCK_KEY unless ``SCHEDULER_LOCK_KEY`` is set in the config (tests only: a
    random key so that test runs sharing a PostgreSQL server do not wait for each other).
    :raises RuntimeError: the lock was lost (database connection gone): exit, so that a process
        supervisor restarts the scheduler and it waits for the lock again.
    """
    global _APP
    import sqlalchemy as sa
    from sqlalchemy.pool import NullPool

    from app.jobs.leader import SCHEDULER_LOCK_KEY, hold_scheduler_lock

    _APP = app
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    lock_file = None
    if url.startswith("sqlite") and sa.make_url(url).database in (None, "", ":memory:"):
        lock_file = os.path.join(app.instance_path, "scheduler.lock")
    engine = sa.create_engine(url, poolclass=NullPool)
    lost = threading.Event()
    try:
        with hold_scheduler_lock(engine, int(app.config.get("SCHEDULER_LOCK_KEY", SCHEDULER_LOCK_KEY)),
                                 float(app.config.get("SCHEDULER_LOCK_POLL_SECONDS", 5)),
                                 lock_file=lock_file) as lock:
            scheduler = build_scheduler(app)
            _drop_stale_jobs(scheduler)

            def check_lock() -> None:
                if not lock.verify():
                    log.error("scheduler lock lost; stopping (restart to wait for it again)")
                    lost.set()
                    scheduler.shutdown(wait=False)

            scheduler.add_job(check_lock, "interval", seconds=LOCK_CHECK_SECONDS, id="lock_check", name="lock check",
                              jobstore="local")
            # Catch up after downtime: a restart recomputes next run times from now, so missed
            # days are made up here (the jobs are idempotent).
            publicity_job(app)
            activity_job(app)
            eseal_fee_job(app)
            if stop_after is not None:
                def stop() -> None:
                    while not scheduler.running:  # the timer may fire before start() got going
                        time.sleep(0.01)
                    scheduler.shutdown()  # waits for running jobs

                timer = threading.Timer(stop_after, stop)
                timer.daemon = True
                timer.start()
            log.info("scheduler started")
            scheduler.start()
            log.info("scheduler stopped")
    finally:
        engine.dispose()
    if lost.is_set():
        raise RuntimeError("scheduler lock lost")
