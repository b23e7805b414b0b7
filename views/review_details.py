"""What a reviewer's page shows beside FAB's fields: the files the applicant uploaded with the
record and the record's tables, values named as the applicant's form names them.

The review views (views/review.py, views/benchmark.py, views/declaration.py) add these to the
page context; the templates in templates/shenbao/review/ render them, amounts with the ``wan``
filter and files with the macros of review/_files.html (app/display.py).
"""
from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy import select

from app.extensions import db
from models import Attachment


def attachments_of(record_type: str, record_id: int, purpose: str | None = None) -> list[Attachment]:
    """The files stored for one record (in upload order)."""
    stmt = select(Attachment).where(Attachment.record_type == record_type, Attachment.record_id == record_id)
    if purpose is not None:
        stmt = stmt.where(Attachment.purpose == purpose)
    return list(db.session.execute(stmt.order_by(Attachment.id)).scalars())


def attachments_by_id(ids: Iterable[Any]) -> dict[int, Attachment]:
    """id -> Attachment for the ids given (strings from JSON rows included; blanks skipped)."""
    wanted = {int(i) for i in ids if str(i or "").strip().isdigit()}
    if not wanted:
        return {}
    rows = db.session.execute(select(Attachment).where(Attachment.id.in_(wanted))).scalars()
    return {a.id: a for a in rows}
