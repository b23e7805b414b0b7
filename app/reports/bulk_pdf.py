"""Bulk PDFs: the documents of the records a reviewer ticks in a list, as one .zip made by a
background task (app.tasks) and followed on the export-job page (models.reports.ExportJob).

The ids are the records FAB handed to the list action, each read through the view's base
filters (app.fab_patches: one out of scope and the action is a 404), so the task renders those
ids and nothing else. A PDF that cannot be made does not sink the others: it is named in
``未能生成.txt`` inside the zip. A retry after a dead worker starts again from the first record;
a zip an earlier attempt already saved is handed back as it is.
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets
import zipfile
from dataclasses import dataclass
from typing import Any, Callable

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.extensions import db
from app.tasks.queue import PermanentError, enqueue
from app.tasks.registry import ClaimedTask, register
from app.tasks.results import open_result, save_result
from app.tasks.worker import scratch_path
from app.timeutil import today_in_china
from models.base import utcnow

log = logging.getLogger(__name__)
FAILURES_NAME = "未能生成.txt"  # the zip's list of records whose PDF could not be made
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
_STEM_MAX = 120  # characters of an entry's name before ".pdf": room for every file system


class NothingToPrint(Exception):
    """This record has no document to print (a declaration never submitted): said in words."""


@dataclass(frozen=True)
class BulkKind:
    """One program's bulk PDF: which records, how each is rendered and named."""

    task: str  # the background task kind
    model_name: str  # in models
    label: Any  # lazy text: "信息表", "申报书" (entry and zip names)
    render: Callable[[Any], bytes]
    name_parts: Callable[[Any], list[str]]  # e.g. [enterprise name, year]

    @property
    def model(self):
        import models

        return getattr(models, self.model_name)


def _sme_render(evaluation) -> bytes:
    from app.services.sme_documents import information_pdf

    return information_pdf(evaluation)


def _sme_parts(evaluation) -> list[str]:
    name = evaluation.enterprise.name if evaluation.enterprise is not None else ""
    return [name or evaluation.system_number or f"#{evaluation.id}", str(evaluation.year)]


def _declaration_render(declaration) -> bytes:
    from app.services import declaration_documents

    if not declaration.snapshot:  # nothing was submitted: the PDF would be an empty form
        raise NothingToPrint(_("not submitted yet: there is no declaration to print"))
    return declaration_documents.render(declaration, "declaration")


def _declaration_parts(declaration) -> list[str]:
    snapshot = declaration.snapshot or {}
    org = (snapshot.get("organization") or {}).get("org_name") or (
        declaration.enterprise.name if declaration.enterprise is not None else "")
    project = (snapshot.get("project") or {}).get("name") or ""
    year = str(declaration.activity.year) if declaration.activity is not None else ""
    return [org or f"#{declaration.id}", year, project]


SME_INFORMATION = BulkKind("bulk_pdf_sme", "SmeEvaluation", _l("Information table"), _sme_render, _sme_parts)
DECLARATION = BulkKind("bulk_pdf_declaration", "Declaration", _l("Declaration form"), _declaration_render,
                       _declaration_parts)
KINDS = {k.task: k for k in (SME_INFORMATION, DECLARATION)}


# --- names ------------------------------------------------------------------------------------

def safe_part(text: str) -> str:
    """A piece of a file name: no path separators or characters Windows refuses, no dots at the ends."""
    return re.sub(r"\s+", " ", _UNSAFE.sub("_", text or "")).strip(" ._")


def entry_name(parts: list[str], label: str, taken: set[str]) -> str:
    """``<企业名称>-<年度>-信息表.pdf``, made safe and unique in the zip (``-2``, ``-3`` ...)."""
    stem = "-".join(p for p in (safe_part(x) for x in [*parts, label]) if p)[:_STEM_MAX] or "document"
    name, n = f"{stem}.pdf", 1
    while name.casefold() in taken:
        n += 1
        name = f"{stem}-{n}.pdf"
    taken.add(name.casefold())
    return name


def zip_title(kind: BulkKind) -> str:
    return f"{safe_part(str(kind.label))}-{today_in_china():%Y%m%d}.zip"


# --- the request: a job and its task -----------------------------------------------------------------

def start(kind: BulkKind, ids: list[int], user, locale: str):
    """Queue the zip of ``ids`` (the records of the action, in the list's order) for ``user``: the
    job to watch. The same selection asked again while it runs (a double click) returns the same
    job. Commits."""
    from models import BackgroundTask, ExportJob

    ids = list(dict.fromkeys(ids))
    digest = hashlib.sha256(json.dumps(sorted(ids)).encode()).hexdigest()
    key = f"{kind.task}:{user.id}:{digest[:40]}"
    running = db.session.execute(select(ExportJob).join(BackgroundTask, ExportJob.task_id == BackgroundTask.id)
                                 .where(BackgroundTask.dedupe_key == key)).scalar_one_or_none()
    if running is not None:
        return running
    job = ExportJob(user_id=user.id, title=zip_title(kind), rows_total=len(ids), status="queued",
                    stored_name=secrets.token_hex(16) + ".zip", locale=locale)
    db.session.add(job)
    db.session.flush()
    task = enqueue(kind.task, {"job_id": job.id, "ids": ids, "locale": locale},
                   requested_by=user.id, total=len(ids), dedupe_key=key)
    if task.args.get("job_id") != job.id:  # a concurrent double click queued it first
        db.session.delete(job)
        job = db.session.execute(select(ExportJob).where(ExportJob.task_id == task.id)).scalar_one()
    else:
        job.task_id = task.id
    db.session.commit()
    return job


# --- the task ---------------------------------------------------------------------------------------

def _reason(exc: Exception) -> str:
    from app.documents.pdf import DocumentError

    if isinstance(exc, (NothingToPrint, DocumentError)):
        return str(exc)
    return _("an internal error (logged for the administrator)")


def _write_zip(kind: BulkKind, ids: list[int], target, pdf_done: Callable[[int], None]) -> None:
    """Each record's PDF into ``target``, in order; the ones that failed listed in 未能生成.txt."""
    model = kind.model
    label = str(kind.label)
    taken: set[str] = {FAILURES_NAME.casefold()}
    failures: list[str] = []
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for done, record_id in enumerate(ids, start=1):
            record = db.session.get(model, record_id)
            if record is None:
                failures.append(_("Record #%(id)s: it no longer exists.", id=record_id))
            else:
                name = entry_name(kind.name_parts(record), label, taken)
                try:
                    archive.writestr(name, kind.render(record))
                except Exception as exc:  # noqa: BLE001 - one record's PDF; the others still come
                    log.exception("%s: the PDF of %s #%s failed", kind.task, kind.model_name, record_id)
                    taken.discard(name.casefold())
                    failures.append(_("%(name)s: the PDF could not be generated (%(reason)s).",
                                      name=name, reason=_reason(exc)))
            db.session.expunge_all()  # memory stays flat in the number of records
            pdf_done(done)
        if failures:
            text = _("These PDFs could not be generated:") + "\r\n" + "\r\n".join(failures) + "\r\n"
            archive.writestr(FAILURES_NAME, text.encode("utf-8-sig"))  # BOM: Notepad reads it as UTF-8
        if len(failures) == len(ids):
            raise PermanentError(_("None of the %(n)d PDFs could be generated. %(first)s",
                                   n=len(ids), first=failures[0]))


def _run(task: ClaimedTask, progress) -> str:
    from models import ExportJob

    kind = KINDS[task.kind]
    args = task.args
    with Session(db.engine) as jobs:
        job = jobs.get(ExportJob, args["job_id"])
        if job is None:
            raise PermanentError(f"bulk PDF job {args['job_id']} is gone")
        name = job.stored_name
        job.status, job.started_at, job.rows_done, job.error = "running", utcnow(), 0, None
        jobs.commit()
    saved = open_result(name)
    if saved is not None:  # an earlier attempt saved the zip, then its worker died
        saved.close()
        return name

    def pdf_done(done: int) -> None:
        progress(done)
        with db.engine.begin() as conn:
            conn.execute(update(ExportJob).where(ExportJob.id == args["job_id"]).values(rows_done=done))

    scratch = scratch_path(task, ".zip")
    # A fresh app context: its own db.session (the document renderers read through it), not the
    # committing request's in TASK_WORKER=sync, and closed when the task ends.
    with current_app.app_context(), force_locale(args["locale"]):
        _write_zip(kind, list(args["ids"]), str(scratch), pdf_done)
    save_result(name, scratch)
    return name


def _done(session: Session, task: ClaimedTask, result: str | None) -> None:
    from models import ExportJob

    session.execute(update(ExportJob).where(ExportJob.id == task.args["job_id"]).values(
        status="done", rows_done=ExportJob.rows_total, finished_at=utcnow()))


def _failed(session: Session, task: ClaimedTask, error: str) -> None:
    from models import ExportJob

    session.execute(update(ExportJob).where(ExportJob.id == task.args["job_id"]).values(
        status="failed", error=error[:500], finished_at=utcnow()))


for _kind in KINDS.values():
    register(_kind.task, _run, on_done=_done, on_failed=_failed)
