"""A large export survives its worker's kill -9: `flask --app run worker` processes (the same
``run_workers``) run against PostgreSQL; the first is SIGKILLed in the middle of writing the
workbook, its lease runs out, a second worker claims the task again and the export finishes
exactly once: one result file, one task marked done, the job done with every row."""
from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.security import roles as R
from models import BackgroundTask, BusinessRegistryEntry, ExportJob
from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]
ROWS = 3000

# The worker's own process: the app as `flask --app run worker` builds it, a short lease, and
# rows slowed to 1 ms each so that the kill lands in the middle of the workbook.
WORKER = textwrap.dedent("""
    import sys, time
    from app import create_app
    from app.reports import export
    from app.tasks.worker import run_workers
    url, export_dir = sys.argv[1], sys.argv[2]
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "EXPORT_DIR": export_dir,
                      "TASK_WORKER": "external", "TASK_POLL_SECONDS": 0.1, "TASK_LEASE_SECONDS": 3.0,
                      "NOTIFY_WORKER": "external", "NOTIFY_POLL_SECONDS": 0.5})
    rows = export.iter_values

    def slowly(spec, session):
        for row in rows(spec, session):
            time.sleep(0.001)
            yield row

    export.iter_values = slowly
    run_workers(app)
""")


def _start_worker(url: str, export_dir: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WORKER, url, export_dir], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _task() -> BackgroundTask:
    db.session.expire_all()
    return db.session.execute(select(BackgroundTask)).scalar_one()


def _wait(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}: {_task().__dict__}")


@pytest.mark.parametrize("app", ["postgresql"], indirect=True)
def test_a_worker_killed_mid_export_leaves_it_to_another_that_finishes_it_once(app):
    app.config.update(EXPORT_SYNC_MAX_ROWS=100, TASK_WORKER="external")
    db.session.execute(BusinessRegistryEntry.__table__.insert(),
                       [{"credit_code": f"91330100MA{n:08d}", "name": f"杭州测试企业{n}"} for n in range(ROWS)])
    db.session.commit()
    admin = f.gen_user(R.ADMIN)
    web = f.WebClient(app)
    web.login(admin.username)
    job_url = web.get("/businessregistryview/export/").headers["Location"]
    export_dir = Path(app.config["EXPORT_DIR"])
    url = app.config["SQLALCHEMY_DATABASE_URI"]

    first = _start_worker(url, str(export_dir))
    try:
        _wait(lambda: _task().status == "running" and 0 < _task().progress_done < ROWS, 60, "rows written")
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        first.kill()
    killed = _task()
    assert killed.status == "running" and killed.attempts == 1 and killed.progress_done < ROWS
    assert not list(export_dir.glob("*.xlsx"))  # no result yet
    assert web.get(job_url + "/status").get_json()["status"] == "running"

    second = _start_worker(url, str(export_dir))
    try:
        _wait(lambda: _task().status == "done", 90, "the retried export")
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(30)

    task = _task()
    job = db.session.execute(select(ExportJob)).scalar_one()
    assert (task.status, task.attempts, task.result, task.error) == ("done", 2, job.stored_name, None)
    assert (job.status, job.rows_done, job.rows_total) == ("done", ROWS, ROWS)
    assert [p.name for p in export_dir.glob("*.xlsx")] == [job.stored_name]  # one result
    assert not list((export_dir / ".scratch").glob("task-*"))  # no attempt's scratch file is left
    status = web.get(job_url + "/status").get_json()
    assert status["status"] == "done" and status["rows_done"] == ROWS
    sheet = load_workbook(io.BytesIO(web.get(status["download_url"]).data), read_only=True).active
    assert sheet.max_row == ROWS + 2  # the title row, the headers, every record once
