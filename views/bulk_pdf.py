"""下载 PDF（批量）: the list action that queues the zip of the ticked records' PDFs
(app.reports.bulk_pdf) and sends the reviewer to the job's progress page."""
from __future__ import annotations

from flask import flash, g, redirect, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from app.reports import bulk_pdf


def start_download(view, kind: bulk_pdf.BulkKind, items):
    """The records FAB handed to the action (each read through the view's base filters) as one job."""
    if not isinstance(items, list):
        items = [items]
    ids = [item.id for item in items if item is not None]
    if not ids:
        flash(_("Select at least one record."), "warning")
        return redirect(url_for(f"{type(view).__name__}.list"))
    job = bulk_pdf.start(kind, ids, g.user, str(get_locale() or "zh"))
    return redirect(url_for("ExportJobView.show", job_id=job.id))
