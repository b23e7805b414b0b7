"""The background task queue (app/tasks): a task goes queued -> running -> done under one
worker's lease; a failing one is retried, then failed with its error shown to its owner; a
double click returns the same task; a worker whose lease was taken over records nothing."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.extensions import db
from app.security import roles as R
from app.tasks import queue, registry
from app.tasks.worker import drain
from models import BackgroundTask, BusinessRegistryEntry, ExportJob
from models.base import utcnow
from tests import factories as f

CALLS: list = []


def _count_to_three(task, progress):
    for n in range(1, 4):
        progress(n, 3)
    return f"counted-{task.args['label']}"


def _announce(session, task, result):
    CALLS.append(("done", task.id, result))


@pytest.fixture(autouse=True)
def counting_kind():
    CALLS.clear()
    registry.register("test_count", _count_to_three, on_done=_announce)
    yield
    registry.KINDS.pop("test_count", None)


def _row(task_id: int) -> BackgroundTask:
    db.session.expire_all()
    return db.session.get(BackgroundTask, task_id)


def test_a_task_is_claimed_reports_progress_and_is_done_once(app):
    app.config["TASK_WORKER"] = "external"
    user = f.gen_user(R.MANAGER)
    task = queue.enqueue("test_count", {"label": "a"}, requested_by=user.id)
    db.session.commit()
    assert _row(task.id).status == "queued"

    claimed = queue.claim("w1")
    assert (claimed.id, claimed.attempts, claimed.args) == (task.id, 1, {"label": "a"})
    row = _row(task.id)
    assert (row.status, row.leased_by, row.attempts) == ("running", claimed.token, 1)
    assert queue.claim("w2") is None  # leased: nobody else gets it

    queue.report_progress(claimed, 2, 3)
    assert (_row(task.id).progress_done, _row(task.id).progress_total) == (2, 3)
    assert queue.finish(claimed, "counted-a") is True
    assert queue.finish(claimed, "counted-a") is False  # a repeated finish changes nothing
    row = _row(task.id)
    assert (row.status, row.result, row.progress_done, row.lease_until) == ("done", "counted-a", 3, None)
    assert CALLS == [("done", task.id, "counted-a")]


def test_a_worker_whose_lease_was_taken_over_records_nothing(app):
    app.config.update(TASK_WORKER="external", TASK_LEASE_SECONDS=30)
    task = queue.enqueue("test_count", {"label": "b"})
    db.session.commit()
    slow = queue.claim("slow")
    # The slow worker reports nothing for longer than its lease: another worker takes over.
    later = utcnow() + dt.timedelta(seconds=31)
    fast = queue.claim("fast", now=later)
    assert fast is not None and fast.id == task.id and fast.attempts == 2
    with pytest.raises(queue.LeaseLost):
        queue.report_progress(slow, 1)
    assert queue.finish(fast, "counted-b") is True
    assert queue.finish(slow, "counted-b") is False
    assert queue.fail(slow, "late error") == "lost"
    row = _row(task.id)
    assert (row.status, row.result, row.error) == ("done", "counted-b", None)
    assert CALLS == [("done", task.id, "counted-b")]


def test_the_same_dedupe_key_returns_the_running_task_and_a_new_one_after_it_ends(app):
    app.config["TASK_WORKER"] = "external"
    first = queue.enqueue("test_count", {"label": "c"}, dedupe_key="count:c")
    db.session.commit()
    again = queue.enqueue("test_count", {"label": "c"}, dedupe_key="count:c")
    db.session.commit()
    assert again.id == first.id
    assert drain() == {"done": 1, "retry": 0, "failed": 0, "lost": 0}
    later = queue.enqueue("test_count", {"label": "c"}, dedupe_key="count:c")
    db.session.commit()
    assert later.id != first.id


# --- through the export screens -------------------------------------------------------------------

@pytest.fixture
def registry_rows(app):
    db.session.add_all(BusinessRegistryEntry(credit_code=f"91330100MA{n:08d}", name=f"杭州测试企业{n}")
                       for n in range(30))
    db.session.commit()


def _export(web):
    started = web.get("/businessregistryview/export/")
    assert started.status_code == 302 and "/exports/" in started.headers["Location"], started.status_code
    return started.headers["Location"]


def test_a_failing_export_is_retried_then_fails_with_its_error_shown_to_its_owner(app, registry_rows, monkeypatch):
    from app.reports import export as ex

    app.config.update(EXPORT_SYNC_MAX_ROWS=10, TASK_MAX_ATTEMPTS=3, TASK_RETRY_BASE_SECONDS=0)
    tries = []

    def disk_full(spec, target, progress=None):
        tries.append(target)
        raise OSError("No space left on device")

    monkeypatch.setattr(ex, "write_spec", disk_full)
    admin = f.gen_user(R.ADMIN)
    web = f.WebClient(app)
    web.login(admin.username)
    job_url = _export(web)
    assert len(tries) == 3
    status = web.get(job_url + "/status").get_json()
    assert status["status"] == "failed" and "No space left on device" in status["error"]
    page = web.get(job_url).data.decode()
    assert "No space left on device" in page and 'id="export-failed"' in page
    task = db.session.execute(select(BackgroundTask)).scalar_one()
    assert (task.status, task.attempts, task.dedupe_key) == ("failed", 3, None)
    other = f.WebClient(app)
    other.login(f.gen_user(R.ADMIN).username)
    assert other.get(job_url + "/status").status_code == 404


def test_a_double_click_on_a_large_export_returns_the_same_job(app, registry_rows):
    app.config.update(EXPORT_SYNC_MAX_ROWS=10, TASK_WORKER="external")
    web = f.WebClient(app)
    web.login(f.gen_user(R.ADMIN).username)
    first, second = _export(web), _export(web)
    assert first == second
    assert len(db.session.execute(select(BackgroundTask.id)).all()) == 1
    assert len(db.session.execute(select(ExportJob.id)).all()) == 1
    assert web.get(first + "/status").get_json()["status"] == "queued"
    assert drain()["done"] == 1
    status = web.get(first + "/status").get_json()
    assert status["status"] == "done" and status["rows_done"] == status["rows_total"] == 30
    download = web.get(status["download_url"])
    assert download.status_code == 200 and download.data[:2] == b"PK"
    assert _export(web) != first  # finished: a new click is a new export


def test_the_embedded_thread_worker_runs_a_large_export_after_the_click(app, registry_rows):
    import time

    from app.tasks.worker import stop_thread_worker

    app.config.update(EXPORT_SYNC_MAX_ROWS=10, TASK_WORKER="inline", TASK_POLL_SECONDS=0.2)
    web = f.WebClient(app)
    web.login(f.gen_user(R.ADMIN).username)
    job_url = _export(web)
    try:
        for _ in range(200):  # the thread of this process, woken by the commit
            status = web.get(job_url + "/status").get_json()
            if status["status"] in ("done", "failed"):
                break
            time.sleep(0.05)
    finally:
        stop_thread_worker(app)
    assert status["status"] == "done" and status["rows_done"] == 30
    assert web.get(status["download_url"]).status_code == 200


def test_an_export_whose_worker_died_in_every_attempt_says_so_in_words(app, registry_rows):
    app.config.update(EXPORT_SYNC_MAX_ROWS=10, TASK_WORKER="external", TASK_LEASE_SECONDS=60)
    web = f.WebClient(app)
    web.login(f.gen_user(R.ADMIN).username)
    job_url = _export(web)
    clock = utcnow()
    max_attempts = app.config["TASK_MAX_ATTEMPTS"]
    for attempt in range(max_attempts):  # each worker takes the lease, then dies without a word
        clock += dt.timedelta(seconds=61)
        assert queue.claim(f"doomed-{attempt}", now=clock) is not None
    assert queue.claim("last", now=clock + dt.timedelta(seconds=61)) is None  # nothing left to run
    status = web.get(job_url + "/status").get_json()
    message = "导出已中止：执行导出的服务器在每次尝试中都已停止。请重新导出。"
    assert status["status"] == "failed" and status["error"] == message
    page = web.get(job_url).get_data(as_text=True)
    assert message in page and "worker_lost" not in page
