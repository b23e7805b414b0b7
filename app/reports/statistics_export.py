"""The statistics workbook as a background task (app.tasks, kind ``statistics``): the dashboard's
download button queues an ExportJob and its task, and the user follows it on the export-job page
(progress bar, then the download link) as for a large list export.

The task's arguments are the user's id, the report key ("all" or one report) and the locale; the
worker rebuilds the user from the id, so the scope is the user's scope when the workbook is
written, and a user who lost the role or the account in between gets no workbook.
"""
from __future__ import annotations

import secrets

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.extensions import db
from app.reports import statistics
from app.reports.export import export_job_done, export_job_failed, safe_filename
from app.reports.statistics_workbook import write_statistics
from app.tasks.queue import PermanentError, enqueue
from app.tasks.registry import ClaimedTask, register
from app.tasks.results import open_result, save_result
from app.tasks.worker import scratch_path
from models.base import utcnow

STATISTICS_TASK = "statistics"


def scope_text(user) -> str:
    """Whose statistics these are, as the page and the workbook's summary say it."""
    agency = getattr(user, "agency", None)
    name = " ".join(p for p in (user.first_name, user.last_name) if p) or user.username
    return f"{name}（{agency.name}）" if agency is not None else name


def reports_named(user, key: str) -> list[statistics.Report]:
    """The reports ``key`` stands for ("all": every report of the user's roles), or [] when the
    user may not see it."""
    allowed = {r.key: r for r in statistics.reports_for(user)}
    if key == "all":
        return list(allowed.values())
    return [allowed[key]] if key in allowed else []


def start_job(user, key: str, locale: str):
    """Queue the workbook of ``key`` for ``user``: an ExportJob to follow and its task. Asked
    again while it is queued or running (a double click), the same job is returned. Commits.

    :raises LookupError: For a key the user has no report for.
    """
    from models import BackgroundTask, ExportJob

    reports = reports_named(user, key)
    if not reports:
        raise LookupError(key)
    dedupe = f"statistics:{user.id}:{key}:{locale}"
    running = db.session.execute(select(ExportJob).join(BackgroundTask, ExportJob.task_id == BackgroundTask.id)
                                 .where(BackgroundTask.dedupe_key == dedupe)).scalar_one_or_none()
    if running is not None:
        return running
    with force_locale(locale):
        filename = safe_filename(_("Statistics") if key == "all" else f"{_('Statistics')}-{reports[0].title}")
    job = ExportJob(user_id=user.id, title=filename, rows_total=len(reports), status="queued",
                    stored_name=secrets.token_hex(16) + ".xlsx", locale=locale)
    db.session.add(job)
    db.session.flush()
    task = enqueue(STATISTICS_TASK, {"job_id": job.id, "user_id": user.id, "key": key, "locale": locale},
                   requested_by=user.id, total=len(reports), dedupe_key=dedupe)
    if task.args.get("job_id") != job.id:  # a concurrent double click queued it first
        db.session.delete(job)
        job = db.session.execute(select(ExportJob).where(ExportJob.task_id == task.id)).scalar_one()
    else:
        job.task_id = task.id
    db.session.commit()
    return job


def _run(task: ClaimedTask, progress) -> str:
    """Compute each report (progress after each), write the workbook to a scratch file and keep
    it as the job's result. A retry starts again; a result already saved is kept."""
    from models import ExportJob

    args = task.args
    with Session(db.engine) as jobs:
        job = jobs.get(ExportJob, args["job_id"])
        if job is None:
            raise PermanentError(f"statistics job {args['job_id']} is gone")
        name = job.stored_name
        job.status, job.started_at, job.rows_done, job.error = "running", utcnow(), 0, None
        jobs.commit()
    saved = open_result(name)
    if saved is not None:
        saved.close()
        return name

    def reports_done(done: int, total: int) -> None:
        progress(done, total)
        with db.engine.begin() as conn:
            conn.execute(update(ExportJob).where(ExportJob.id == args["job_id"]).values(rows_done=done,
                                                                                      rows_total=total))

    scratch = scratch_path(task, ".xlsx")
    # An app context of its own, hence a session of its own: with TASK_WORKER=sync the task runs
    # inside the after-commit hook of the request's session, which may not query any more.
    with current_app.app_context(), force_locale(args["locale"]):
        user = current_app.appbuilder.sm.get_user_by_id(args["user_id"])
        if user is None or not user.active:
            raise PermanentError(_("The account that asked for these statistics is no longer active."))
        reports = reports_named(user, args["key"])
        if not reports:
            raise PermanentError(_("Your role no longer has these statistics."))
        computed = []
        for report in reports:
            computed.append(statistics.compute(report, user))
            reports_done(len(computed), len(reports))
        write_statistics(str(scratch), computed, scope_text=scope_text(user))
    save_result(name, scratch)
    return name


register(STATISTICS_TASK, _run, on_done=export_job_done, on_failed=export_job_failed)
