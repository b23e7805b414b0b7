"""Export of any list: the records a list screen or REST list shows (its filters, sort and the
user's scope), as an .xlsx workbook.

The ids are chosen in the request (so the scope is the requester's, as of the click); the rows
are then read in chunks through a session of their own and written as they come, so memory is
flat in the number of rows. Small exports answer at once; large ones run in a thread with a
progress record (models.reports.ExportJob) and a download link when ready: a background task
(app.tasks) that any worker process runs, and runs again if its worker dies.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import Boolean, Date, DateTime, Integer, Numeric, inspect, select, update
from sqlalchemy.orm import Session

from app.extensions import db
from app.reports.workbook import Column, write_workbook
from app.tasks.queue import PermanentError, enqueue
from app.tasks.registry import ClaimedTask, register
from app.tasks.results import delete_result, open_result, save_result
from app.tasks.worker import scratch_path
from models.base import utcnow
from app.timeutil import beijing_naive, today_in_china

log = logging.getLogger(__name__)
CHUNK = 1000


@dataclass(frozen=True)
class ExportSpec:
    """What to export: the model, its ids in list order, the columns, and the title row.

    ``load`` reads one chunk of ids (any order) as row objects the column getters understand;
    by default the ORM records (a view with many rows may give a lighter Core query instead).
    """

    model: type
    ids: list[Any]  # primary-key values (a code for reference tables, not always an integer id)
    columns: list[Column]
    title: str
    sheet_name: str
    load: Callable[[Session, list[Any]], Iterable[Any]] | None = None
    row: Callable[[Any], list[Any]] | None = None  # all values of a record at once (else per column)


# --- columns from a FAB view -----------------------------------------------------------------

def _kind_of(model: type, key: str) -> str:
    column = model.__table__.columns.get(key)
    if column is None:
        return "text"
    kind = column.type
    if isinstance(kind, DateTime):
        return "datetime"
    if isinstance(kind, Date):
        return "date"
    if isinstance(kind, Boolean):
        return "text"
    if isinstance(kind, Integer):
        return "int"
    if isinstance(kind, Numeric):
        return "number"
    return "text"


def _plain(value: Any) -> Any:
    """A formatter's output as cell text: links (Markup) lose their tags."""
    if isinstance(value, Markup):
        return value.striptags()
    return value


def _getter(view, key: str, kind: str) -> Callable[[Any], Any]:
    formatter = (view.formatters_columns or {}).get(key)

    def value(row):
        raw = row
        for part in key.split("."):
            raw = getattr(raw, part, None) if raw is not None else None
        if kind == "datetime" and isinstance(raw, dt.datetime):
            return beijing_naive(raw)  # stored UTC; the sheet's title says 北京时间
        if kind in ("date", "datetime", "int", "number") and not isinstance(raw, bool):
            return raw  # typed cells, not the screen's text
        if formatter is not None:
            return _plain(formatter(raw))
        if raw is None:
            return None
        if isinstance(raw, bool):
            return _("Yes") if raw else _("No")
        if isinstance(raw, (str, int, float, dt.date)):
            return raw
        return str(raw)  # a related record: as the screen shows it

    return value


def layout_for(view) -> tuple[list[Column], Callable[[Any], list[Any]] | None]:
    """The view's ``export_layout()`` (columns and a row function), else its list columns."""
    layout = getattr(view, "export_layout", None)
    if layout is not None:
        return layout()
    return columns_for(view), None


def columns_for(view) -> list[Column]:
    """The view's list columns with their labels, kinds and formatters."""
    model = view.datamodel.obj
    columns = []
    for key in view.list_columns:
        kind = (getattr(view, "export_kinds", None) or {}).get(key) or _kind_of(model, key)
        header = str((view.label_columns or {}).get(key) or key)
        columns.append(Column(key, header, kind, _getter(view, key, kind)))
    return columns


# --- the records: the list's filters, order and scope ---------------------------------------------

def primary_key_name(model: type) -> str:
    """The attribute holding ``model``'s (single-column) primary key: reference tables are keyed
    by their code (Region.code, BusinessRegistryEntry.credit_code), not by an ``id``."""
    mapper = inspect(model)
    return mapper.get_property_by_column(mapper.primary_key[0]).key


def filtered_ids(datamodel, filters, order_column: str, order_direction: str) -> list[Any]:
    """Primary keys of every record the list would show, in its order (no paging)."""
    pk = datamodel.get_pk()
    query = datamodel.session.query(pk)
    if filters is not None and any("." in (f.column_name or "") for f in filters.filters):
        # Filters on a related model need FAB's joins: take its query and keep the ids.
        _count, items = datamodel.query(filters, order_column, order_direction)
        key = primary_key_name(datamodel.obj)
        return [getattr(item, key) for item in items]
    query = datamodel.apply_filters(query, datamodel.get_inner_filters(filters) if filters is not None else None)
    if order_column and "." not in order_column:
        query = datamodel.apply_order_by(query, order_column, order_direction, add_pk=True)
    else:
        query = query.order_by(pk.desc())
    return [row[0] for row in query.all()]


def describe_filters(view, filters) -> str:
    parts = []
    for column_name, operation, value in filters.get_filters_values_tojson():
        label = str((view.label_columns or {}).get(column_name) or column_name)
        value = ", ".join(map(str, value)) if isinstance(value, list) else value
        parts.append(f"{label} {operation} {value}")
    return "；".join(parts)


def title_row(list_title: str, filter_text: str, count: int, user_name: str) -> str:
    now = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M")
    return _("%(title)s — filter: %(filters)s — %(count)d records — exported by %(user)s at %(time)s (Beijing time)",
             title=list_title, filters=filter_text or _("none"), count=count, user=user_name, time=now)


# --- rows and files -----------------------------------------------------------------------------

def load_records(model: type) -> Callable[[Session, list[Any]], Iterable[Any]]:
    column = getattr(model, primary_key_name(model))
    return lambda session, part: session.execute(select(model).where(column.in_(part))).unique().scalars()


def iter_records(model: type, ids: list[Any], session: Session,
                 load: Callable[[Session, list[Any]], Iterable[Any]] | None = None) -> Iterator[Any]:
    """Records in the given order, read a chunk at a time; each chunk is released after use.
    A custom ``load`` gives rows carrying the primary key under the model's attribute name."""
    load = load or load_records(model)
    key = primary_key_name(model)
    for start in range(0, len(ids), CHUNK):
        part = ids[start:start + CHUNK]
        found = {getattr(r, key): r for r in load(session, part)}
        for record_id in part:
            record = found.get(record_id)
            if record is not None:
                yield record
        session.expunge_all()


def iter_values(spec: ExportSpec, session: Session) -> Iterator[list[Any]]:
    records = iter_records(spec.model, spec.ids, session, spec.load)
    if spec.row is not None:
        yield from map(spec.row, records)
        return
    getters = [c.value or (lambda row, key=c.key: getattr(row, key, None)) for c in spec.columns]
    for record in records:
        yield [get(record) for get in getters]


def write_spec(spec: ExportSpec, target, progress: Callable[[int], None] | None = None) -> int:
    with Session(db.engine) as session:
        return write_workbook(target, sheet_name=spec.sheet_name, title=spec.title, columns=spec.columns,
                              rows=iter_values(spec, session), progress=progress,
                              engine=current_app.config.get("EXPORT_XLSX_ENGINE", "auto"))


def export_dir() -> Path:
    path = Path(current_app.config["EXPORT_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def sync_limit() -> int:
    return int(current_app.config["EXPORT_SYNC_MAX_ROWS"])


def spec_for(view, ids: list[Any], title: str, sheet_name: str) -> ExportSpec:
    """What exporting ``ids`` from ``view`` writes: its layout, loader and model."""
    columns, row = layout_for(view)
    return ExportSpec(model=view.datamodel.obj, ids=ids, columns=columns, row=row, title=title,
                      sheet_name=sheet_name, load=getattr(view, "export_loader", None))


def _view_named(name: str):
    for view in current_app.appbuilder.baseviews:
        if type(view).__name__ == name:
            return view
    raise PermanentError(f"no view {name!r} to export from")


def start_job(view, spec: ExportSpec, user, locale: str, filename: str):
    """Queue a large export: a record the user can watch and a background task (app.tasks) that
    writes the file. The task's arguments are the view's name, the ids chosen now (the user's
    scope as of the click), the title and the locale: a worker rebuilds the rest. The same
    export asked again while it runs (a double click) returns the same job. Commits."""
    from models import BackgroundTask, ExportJob

    view_name = type(view).__name__
    digest = hashlib.sha256(json.dumps([view_name, spec.sheet_name, spec.ids], default=str).encode()).hexdigest()
    key = f"export:{user.id}:{digest[:40]}"
    running = db.session.execute(select(ExportJob).join(BackgroundTask, ExportJob.task_id == BackgroundTask.id)
                                 .where(BackgroundTask.dedupe_key == key)).scalar_one_or_none()
    if running is not None:
        return running
    job = ExportJob(user_id=user.id, title=filename, rows_total=len(spec.ids), status="queued",
                    stored_name=secrets.token_hex(16) + ".xlsx", locale=locale)
    db.session.add(job)
    db.session.flush()
    task = enqueue(EXPORT_TASK, {"job_id": job.id, "view": view_name, "ids": list(spec.ids), "title": spec.title,
                                 "sheet_name": spec.sheet_name, "locale": locale},
                   requested_by=user.id, total=len(spec.ids), dedupe_key=key)
    if task.args.get("job_id") != job.id:  # a concurrent double click queued it first
        db.session.delete(job)
        job = db.session.execute(select(ExportJob).where(ExportJob.task_id == task.id)).scalar_one()
    else:
        job.task_id = task.id
    db.session.commit()
    return job


def _run_export(task: ClaimedTask, progress) -> str:
    """The export task: write the workbook to a scratch file, then keep it as the job's result.
    A retry after a worker died starts again; a result an earlier attempt already saved is kept."""
    from models import ExportJob

    args = task.args
    with Session(db.engine) as jobs:
        job = jobs.get(ExportJob, args["job_id"])
        if job is None:
            raise PermanentError(f"export job {args['job_id']} is gone")
        name = job.stored_name
        job.status, job.started_at, job.rows_done, job.error = "running", utcnow(), 0, None
        jobs.commit()
    saved = open_result(name)
    if saved is not None:
        saved.close()
        return name
    view = _view_named(args["view"])

    def rows_written(done: int) -> None:
        progress(done)
        with db.engine.begin() as conn:
            conn.execute(update(ExportJob).where(ExportJob.id == args["job_id"]).values(rows_done=done))

    scratch = scratch_path(task, ".xlsx")
    with force_locale(args["locale"]):
        spec = spec_for(view, args["ids"], args["title"], args["sheet_name"])
        written = write_spec(spec, str(scratch), rows_written)
    save_result(name, scratch)
    rows_written(written)
    return name


def export_job_done(session: Session, task: ClaimedTask, result: str | None) -> None:
    """The task's ExportJob (``job_id``) is done: its download link shows (statistics too)."""
    from models import ExportJob

    session.execute(update(ExportJob).where(ExportJob.id == task.args["job_id"]).values(
        status="done", finished_at=utcnow()))


def export_job_failed(session: Session, task: ClaimedTask, error: str) -> None:
    from models import ExportJob

    session.execute(update(ExportJob).where(ExportJob.id == task.args["job_id"]).values(
        status="failed", error=error[:500], finished_at=utcnow()))


EXPORT_TASK = "export"
register(EXPORT_TASK, _run_export, on_done=export_job_done, on_failed=export_job_failed)


def remove_old_files(now: dt.datetime) -> int:
    """Export files past EXPORT_KEEP_HOURS and import uploads left unconfirmed for a day go away
    (the scheduler runs this daily; the job rows stay as a record)."""
    from models import ExportJob

    removed = 0
    cutoff = now - dt.timedelta(hours=int(current_app.config["EXPORT_KEEP_HOURS"]))
    for job in db.session.execute(select(ExportJob).where(ExportJob.created_at < cutoff,
                                                          ExportJob.status.in_(("done", "failed")))).scalars():
        if delete_result(job.stored_name):
            removed += 1
        job.status = "expired"
    imports = Path(current_app.config["IMPORT_DIR"])
    if imports.is_dir():
        for path in imports.iterdir():
            if dt.datetime.fromtimestamp(path.stat().st_mtime, dt.timezone.utc).replace(tzinfo=None) < now - dt.timedelta(days=1):
                path.unlink()
                removed += 1
    db.session.commit()
    return removed


def safe_filename(text: str) -> str:
    stem = re.sub(r"[^\w\u4e00-\u9fff-]+", "_", text).strip("_") or "export"
    return f"{stem}-{today_in_china():%Y%m%d}.xlsx"


