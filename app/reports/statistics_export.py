"""The statistics workbook as a background task (app.tasks, kind ``statistics``): the dashboard's
download button queues an ExportJob and its task, and the user follows it on the export-job page
(progress bar, then the download link) as for a large list export.

The task's arguments are the user's id, the report key ("all" or one report) and the locale; the
worker rebuilds the user from the id, so the scope is the user's scope when the workbook is
written, and a user who lost the role or the account in between gets no workbook.
"""
from __future__ import annotations


from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import update

from app.extensions import db
from app.reports import statistics
from app.reports.export import begin_job_attempt, export_job_done, export_job_failed, queue_job, safe_filename
from app.reports.statistics_workbook import write_statistics
from app.tasks.queue import PermanentError
from app.tasks.registry import ClaimedTask, register
from app.tasks.results import save_result
from app.tasks.worker import scratch_path

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
    reports = reports_named(user, key)
    if not reports:
        raise LookupError(key)
    dedupe = f"statistics:{user.id}:{key}:{locale}"
    with force_locale(locale):
        filename = safe_filename(_("Statistics") if key == "all" else f"{_('Statistics')}-{reports[0].title}")
    return queue_job(user, STATISTICS_TASK, {"user_id": user.id, "key": key, "locale": locale}, dedupe_key=dedupe,
                     title=filename, total=len(reports), suffix=".xlsx", locale=locale)


def _run(task: ClaimedTask, progress) -> str:
    """Compute each report (progress after each), write the workbook to a scratch file and keep
    it as the job's result. A retry starts again; a result already saved is kept."""
    from models import ExportJob

    args = task.args
    name, saved = begin_job_attempt(args["job_id"], "statistics")
    if saved:
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
