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


def declaration_context(declaration, doc: dict | None) -> dict[str, Any]:
    """The files of a submitted declaration (rows' proofs, other evidence, summary, signed form)
    and the row columns, for review/declaration_show.html; ``doc`` is
    app.services.declaration_documents.context of its snapshot."""
    from app.services.declaration import HONOUR_COLUMNS, IP_COLUMNS
    from app.timeutil import beijing

    project = (doc or {}).get("project") or {}
    ids = [r.get("proof") for table in ("ip", "honours") for r in project.get(table) or []]
    ids += [project.get("other_evidence_attachment_id"), declaration.summary_attachment_id,
            declaration.signed_form_attachment_id]
    files = attachments_by_id(ids)
    return {"files": files, "ip_columns": IP_COLUMNS, "honour_columns": HONOUR_COLUMNS,
            "summary_file": files.get(declaration.summary_attachment_id),
            "signed_file": files.get(declaration.signed_form_attachment_id),
            "commitment_at": beijing(declaration.commitment_accepted_at)}
