"""Exactly one scheduler: the lock a second scheduler waits for (real processes, PostgreSQL
advisory lock and SQLite file lock), the scheduler's configuration, and idempotent jobs.

Idempotence already covered elsewhere (not repeated here):
- publicity job twice on one day -> zero the second time: tests/services/test_sme_concurrency_jobs.py
  (test_publicity_job_follows_the_clock);
- fee_tick marks an overdue key once: tests/services/test_eseal.py
  (test_fee_job_reminds_30_7_1_days_before_and_marks_overdue).
Added below: activity tick, fee reminder, report-file clean-up and publicity closing, each run
twice for the same day.
"""
from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.jobs import leader
from tests.conftest import PG_OK, PG_URL
from tests.services.test_eseal import applicant, operator, produced_key  # noqa: F401 - fixtures

ROOT = Path(__file__).resolve().parents[2]
POLL = 0.1
HOLD = 1.5

pg_only = pytest.mark.skipif(not PG_OK, reason="no PostgreSQL")

# A child process: import, say "ready", wait for the "go" file, take the lock (log "waiting"
# once if it is taken), hold it HOLD seconds, release. Lines: "<word> <pid> <time.time()>".
HOLDER = textwrap.dedent("""
    import os, sys, time
    import sqlalchemy as sa
    from app.jobs.leader import hold_scheduler_lock

    url, key, out, go, hold, poll = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], float(sys.argv[5]), float(sys.argv[6])

    def say(word):
        with open(out, "a") as f:
            f.write(f"{word} {os.getpid()} {time.time()}\\n")

    engine = sa.create_engine(url)
    say("ready")
    while not os.path.exists(go):
        time.sleep(0.01)
    with hold_scheduler_lock(engine, key, poll, on_wait=lambda: say("waiting")):
        say("acquired")
        time.sleep(hold)
        say("released")
""")


def _spawn(url: str, key: int, out: Path, go: Path, hold: float) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", HOLDER, url, str(key), str(out), str(go), str(hold), str(POLL)],
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})


def _events(out: Path) -> list[tuple[str, int, float]]:
    if not out.exists():
        return []
    return [(w, int(p), float(t)) for w, p, t in (line.split() for line in out.read_text().splitlines())]


def _wait_for(out: Path, predicate, timeout: float = 60) -> list:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        events = _events(out)
        if predicate(events):
            return events
        time.sleep(0.05)
    raise AssertionError(f"timed out; events: {_events(out)}")


def _stop(*procs: subprocess.Popen) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)


@pytest.fixture(params=[pytest.param("sqlite", id="sqlite"), pytest.param("postgresql", id="pg", marks=pg_only)])
def lock_target(request, tmp_path):
    """(database URL, advisory key): a fresh SQLite file, or the test PostgreSQL with a random
    key (so that concurrent test runs on the same server do not contend)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'lock.db'}", leader.SCHEDULER_LOCK_KEY
    return PG_URL, random.randint(1, 2**62)


def test_a_second_scheduler_waits_until_the_first_releases(lock_target, tmp_path):
    url, key = lock_target
    out, go = tmp_path / "events.txt", tmp_path / "go"
    procs = [_spawn(url, key, out, go, HOLD) for _ in range(2)]
    try:
        _wait_for(out, lambda ev: sum(w == "ready" for w, _, _ in ev) == 2)
        go.touch()  # both try at once: one gets it, the other must wait
        for proc in procs:
            assert proc.wait(60) == 0
    finally:
        _stop(*procs)
    events = _events(out)
    acquired = sorted((t, p) for w, p, t in events if w == "acquired")
    released = {p: t for w, p, t in events if w == "released"}
    waiting = [p for w, p, _ in events if w == "waiting"]
    assert len(acquired) == 2 and len(released) == 2, events
    (t1, first), (t2, second) = acquired
    assert released[first] <= t2, "the holding intervals overlap"
    assert released[first] - t1 >= HOLD - 0.01
    assert waiting == [second], "the second scheduler waited, and said so once"
    assert t2 - released[first] < 20 * POLL + 2, "the waiter took over within a few polls"


def test_the_waiter_takes_over_when_the_holder_is_killed(lock_target, tmp_path):
    url, key = lock_target
    out, go = tmp_path / "events.txt", tmp_path / "go"
    go.touch()
    holder = _spawn(url, key, out, go, 600)
    waiter = None
    try:
        _wait_for(out, lambda ev: any(w == "acquired" for w, _, _ in ev))
        waiter = _spawn(url, key, out, go, 0.2)
        _wait_for(out, lambda ev: any(w == "waiting" and p == waiter.pid for w, p, _ in ev))
        killed_at = time.time()
        os.kill(holder.pid, signal.SIGKILL)  # no unlock, no clean-up: the session / fd dies
        holder.wait(10)
        events = _wait_for(out, lambda ev: any(w == "acquired" and p == waiter.pid for w, p, _ in ev), timeout=30)
        assert waiter.wait(30) == 0
    finally:
        _stop(holder, *([waiter] if waiter else []))
    taken_at = next(t for w, p, t in events if w == "acquired" and p == waiter.pid)
    assert taken_at - killed_at < 30 * POLL + 2
    assert not any(w == "released" and p == holder.pid for w, p, _ in events)


def test_the_lock_key_is_the_documented_constant():
    assert leader.lock_key("shenbao.scheduler") == leader.SCHEDULER_LOCK_KEY
    assert -(2**63) <= leader.SCHEDULER_LOCK_KEY < 2**63


@pg_only
def test_pg_lock_is_a_session_lock_that_dies_with_its_connection():
    """Inside the process: a second holder cannot get it; when the server ends the holder's
    session, verify() says so (the scheduler then stops) and the lock is free again."""
    key = random.randint(1, 2**62)
    engine = sa.create_engine(PG_URL)
    try:
        with leader.hold_scheduler_lock(engine, key, POLL) as lock:
            assert lock.verify() and not lock.waited
            with engine.connect() as other:
                assert other.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar() is False
                pid = lock._conn.execute(sa.text("SELECT pg_backend_pid()")).scalar()
                other.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": pid})
                time.sleep(0.2)
                assert lock.verify() is False
                assert other.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar() is True
                other.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                other.commit()
        # leaving the block with a dead connection does not raise
    finally:
        engine.dispose()


def test_other_databases_are_refused():
    engine = sa.create_engine("sqlite://")
    with pytest.raises(ValueError):
        with leader.hold_scheduler_lock(engine, 1, POLL):
            pass


# --- the scheduler itself -------------------------------------------------------------------

def test_the_scheduler_has_a_database_store_the_daily_jobs_and_safe_defaults(app):
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.triggers.cron import CronTrigger

    from app.jobs import build_scheduler

    scheduler = build_scheduler(app)
    store = scheduler._jobstores["default"]
    assert isinstance(store, SQLAlchemyJobStore)
    assert store.jobs_t.name == "apscheduler_jobs"
    assert str(store.engine.url) == str(sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"]))
    defaults = scheduler._job_defaults
    assert defaults["coalesce"] is True and defaults["max_instances"] == 1 and defaults["misfire_grace_time"] == 3600
    jobs = {job.id: job for job in scheduler.get_jobs()}  # pending: not started
    assert set(jobs) == {"publicity", "activities", "eseal_fees", "reviewer_digest", "report_files", "upload_files",
                         "document_timestamps"}
    expected = {"activities": ("tick_activities", "0", "1"), "publicity": ("tick_publicity", "0", "5"),
                "report_files": ("tick_report_files", "3", "0"), "upload_files": ("tick_upload_files", "3", "30"),
                "eseal_fees": ("tick_eseal_fees", "8", "0"), "reviewer_digest": ("tick_reviewer_digest", "8", "30"),
                "document_timestamps": ("tick_document_timestamps", "2", "30")}
    for job_id, (func, hour, minute) in expected.items():
        job = jobs[job_id]
        assert job.func_ref == f"app.jobs:{func}"  # a textual reference: nothing unpicklable stored
        assert job.args == () and job.kwargs == {}
        assert isinstance(job.trigger, CronTrigger) and str(job.trigger.timezone) == "Asia/Shanghai"
        fields = {f.name: str(f) for f in job.trigger.fields}
        assert (fields["hour"], fields["minute"]) == (hour, minute), job_id


def test_alembic_autogenerate_ignores_the_job_store_table(app):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from flask_appbuilder import Model

    from app.jobs import build_scheduler, include_object

    store = build_scheduler(app)._jobstores["default"]
    store.jobs_t.create(store.engine, checkfirst=True)
    store.engine.dispose()
    with db.engine.connect() as conn:
        plain = compare_metadata(MigrationContext.configure(conn), Model.metadata)
        filtered = compare_metadata(MigrationContext.configure(conn, opts={"include_object": include_object}),
                                    Model.metadata)
    # (create_all's schema differs from the migrations' in unrelated details, e.g. a use_alter
    # foreign key: compare with and without the filter instead of expecting no diff at all.)
    scheduler_table = [d for d in plain if d[0] == "remove_table" and d[1].name == "apscheduler_jobs"]
    assert len(scheduler_table) == 1
    assert "apscheduler_jobs" not in repr(filtered)
    assert len(filtered) == len([d for d in plain if "apscheduler_jobs" not in repr(d)])
    assert "include_object" in (ROOT / "migrations" / "env.py").read_text()


RUNNER = textwrap.dedent("""
    import logging, sys
    import os, time
    url, key, out, go = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    logging.basicConfig(filename=out, level=logging.INFO, format="%(created)f %(process)d %(message)s")
    from app import create_app
    from app.jobs import run_scheduler
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True,
                      "SCHEDULER_LOCK_POLL_SECONDS": 0.1, "SCHEDULER_LOCK_KEY": key})
    logging.getLogger("test").info("ready")
    while not os.path.exists(go):
        time.sleep(0.01)
    run_scheduler(app, stop_after=1.5)
""")


def test_two_run_scheduler_processes_take_turns(app, tmp_path):
    """End to end: two `run_scheduler` processes started together on one database (the app
    fixture's, SQLite or PostgreSQL): one runs while the other logs that it waits, never both;
    the daily jobs end up persisted once each in apscheduler_jobs, a stale one is gone."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with db.engine.begin() as conn:  # a job left behind by an older version is removed
        from app.jobs import build_scheduler

        store = build_scheduler(app)._jobstores["default"]
        store.jobs_t.create(conn, checkfirst=True)
        conn.execute(store.jobs_t.insert().values(id="old_job", next_run_time=0.0, job_state=b"x"))
        store.engine.dispose()
    out, go = tmp_path / "log.txt", tmp_path / "go"
    key = random.randint(1, 2**62)
    procs = [subprocess.Popen([sys.executable, "-c", RUNNER, url, str(key), str(out), str(go)], cwd=ROOT,
                              env={**os.environ, "PYTHONPATH": str(ROOT)}) for _ in range(2)]
    try:
        deadline = time.monotonic() + 120
        while not (out.exists() and out.read_text().count(" ready\n") == 2):
            assert time.monotonic() < deadline and all(p.poll() is None for p in procs), "runners did not start"
            time.sleep(0.05)
        go.touch()  # both start run_scheduler together
        for proc in procs:
            assert proc.wait(120) == 0
    finally:
        _stop(*procs)
    lines = [line.split(" ", 2) for line in out.read_text().splitlines()]
    spans = {}
    for t, pid, message in lines:
        if message.startswith("scheduler lock acquired"):
            spans.setdefault(pid, [None, None])[0] = float(t)
        elif message == "scheduler stopped":
            spans.setdefault(pid, [None, None])[1] = float(t)
    assert len(spans) == 2 and all(a and b for a, b in spans.values()), lines
    (a1, b1), (a2, b2) = sorted(spans.values())
    assert b1 <= a2, "two schedulers ran at the same time"
    second = next(pid for pid, (a, _) in spans.items() if a == a2)
    assert [pid for _, pid, message in lines if message == leader.WAITING_MESSAGE] == [second]
    assert sum(message == "scheduler started" for _, _, message in lines) == 2
    with db.engine.connect() as conn:
        ids = set(conn.execute(sa.text("SELECT id FROM apscheduler_jobs")).scalars())
    assert ids == {"publicity", "activities", "eseal_fees", "reviewer_digest", "report_files", "upload_files",
                   "document_timestamps"}


# --- idempotence: each job twice for the same day, the second run changes nothing ------------

def test_activity_tick_twice_on_one_day(app):
    from app.services import filing
    from models import Activity

    db.session.add(Activity(name="2019 质量标杆活动", year=2019, opens_on=dt.date(2019, 3, 1),
                            closes_on=dt.date(2019, 4, 30), commitment_text="本组织承诺所填信息真实有效。"))
    db.session.commit()
    assert filing.activity_tick(dt.date(2019, 3, 1)) == {"opened": 1, "closed": 0}
    assert filing.activity_tick(dt.date(2019, 3, 1)) == {"opened": 0, "closed": 0}
    assert filing.activity_tick(dt.date(2019, 5, 1)) == {"opened": 0, "closed": 1}
    assert filing.activity_tick(dt.date(2019, 5, 1)) == {"opened": 0, "closed": 0}


def test_publicity_closing_twice_on_one_day(app):
    from app.security import roles as R
    from app.services import sme as svc
    from models import SmeEvaluation
    from tests import factories as f

    province = f.gen_user(R.PROVINCE_REVIEWER, agency_region="330000")
    evaluation = f.gen_sme(status="recommended")
    svc.draw_spot_check(province, 0, seed="c", year=2026)
    svc.create_batch(province, "批次", dt.date(2026, 6, 1), dt.date(2026, 6, 7), [evaluation.id])
    svc.publicity_tick(dt.date(2026, 6, 1))
    assert svc.publicity_tick(dt.date(2026, 6, 8)) == {"opened": 0, "closed": 1}
    assert svc.publicity_tick(dt.date(2026, 6, 8)) == {"opened": 0, "closed": 0}
    assert db.session.get(SmeEvaluation, evaluation.id).status == "publicity_done"


def test_report_files_job_twice_at_one_time(app):
    from app.jobs import report_files_job
    from app.reports.export import export_dir
    from models import ExportJob
    from app.security import roles as R
    from models.base import utcnow
    from tests import factories as f

    user = f.gen_user(R.AGENCY_REVIEWER, agency_region="330100")
    job = ExportJob(user_id=user.id, title="enterprises.xlsx", status="done", stored_name=f"{uuid.uuid4().hex}.xlsx",
                    created_at=utcnow() - dt.timedelta(days=2))
    db.session.add(job)
    db.session.commit()
    path = export_dir() / job.stored_name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    now = utcnow()
    assert report_files_job(app, clock=lambda: now) == 1
    assert report_files_job(app, clock=lambda: now) == 0
    db.session.refresh(job)
    assert job.status == "expired" and not path.exists()


def test_fee_reminder_twice_on_one_day(applicant, operator):
    from sqlalchemy import select

    from app.services.eseal import seal_keys
    from models import OutboxMessage

    key, _pin = produced_key(applicant, operator)
    day = key.paid_until - dt.timedelta(days=7)
    assert seal_keys.fee_tick(day)["reminded"] == 1
    assert seal_keys.fee_tick(day) == {"reminded": 0, "overdue": 0, "suspended": 0}
    assert len(db.session.execute(select(OutboxMessage).where(
        OutboxMessage.channel == "sms", OutboxMessage.template == "seal_fee_due")).scalars().all()) == 1
