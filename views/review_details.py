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


def _region_text(codes: tuple) -> str:
    from views.reference_choices import region_name

    # Municipalities repeat their name as the city level (北京市 / 北京市 / 东城区), as Enterprise.region_label.
    return " / ".join(dict.fromkeys(region_name(c) for c in codes if c)) or "—"


def core_change_rows(change) -> list[dict[str, Any]]:
    """The core fields of a change side by side: label, value in force at submission, value
    asked for, changed or not; values as the form names them, the region as one line of names."""
    from flask_babel import gettext as _

    from app.services.enterprise_form import FIELDS
    from views.progress import _change_fields

    texts = _change_fields("enterprise")
    enterprise = change.enterprise
    before = change.before or {f.name: getattr(enterprise, f.name) for f in FIELDS if f.core}
    after = change.data or {}
    rows = []
    for field in FIELDS:
        if not field.core or field.kind == "region":
            continue
        label, text = texts[field.name]
        old, new = (text(str(v)) if v not in (None, "") else "—" for v in (before.get(field.name), after.get(field.name)))
        rows.append({"label": str(label), "before": old, "after": new, "changed": old != new})
    region = ("province_code", "city_code", "county_code")
    old, new = (_region_text(tuple(values.get(k) for k in region)) for values in (before, after))
    rows.append({"label": _("Registration region"), "before": old, "after": new, "changed": old != new})
    return rows


def holdings_shown(values: dict | None) -> dict[str, Any]:
    """Shareholders and venture capital rows (app.services.enterprise.holdings) with the kind by
    its label and amounts in 万元 as typed."""
    from app.display import wan
    from app.services.enterprise_form import SHAREHOLDER_KINDS

    kinds = dict(SHAREHOLDER_KINDS)
    values = values or {}
    return {
        "shareholders": [{"name": r.get("name", ""), "kind": str(kinds.get(r.get("kind"), r.get("kind") or "")),
                          "amount": wan(r.get("amount")), "ratio": f"{wan(r.get('ratio'))}%" if r.get("ratio") else ""}
                         for r in values.get("shareholders") or []],
        "venture_capital": values.get("venture_capital"),
        "venture_investments": [{"investor": r.get("investor", ""), "amount": wan(r.get("amount")), "date": r.get("date", "")}
                                for r in values.get("venture_investments") or []],
    }


def core_change_context(change) -> dict[str, Any]:
    """review/core_change_show.html: the fields before and after, the shareholders and venture
    capital kept at submission beside those in force now, the business licence on file."""
    from app.services.enterprise import holdings

    enterprise = change.enterprise
    in_force = holdings_shown(holdings(enterprise))
    # A change submitted before the tables were kept: the rows in force are all there is.
    kept = change.before or {}
    at_submission = holdings_shown(kept) if "shareholders" in kept else in_force
    licence = attachments_by_id([enterprise.licence_attachment_id]).get(enterprise.licence_attachment_id)
    return {"core_rows": core_change_rows(change), "holdings_before": at_submission, "holdings_after": in_force,
            "licence": licence}
