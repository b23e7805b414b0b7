"""What the benchmark declaration PDFs show, built from the submitted snapshot."""
from __future__ import annotations

from typing import Any

from app.extensions import db
from app.services.filing import ORG_SIZES
from app.timeutil import beijing
from models import Attachment, Declaration, EconomicType, Industry, Region
from models.base import utcnow


def _name(model, code) -> str:
    row = db.session.get(model, code) if code else None
    return row.name if row is not None else ""


def context(declaration: Declaration) -> dict[str, Any]:
    from app.services.progress_labels import declaration_status_label

    snap = declaration.snapshot or {}
    org = snap.get("organization") or {}
    industry = db.session.get(Industry, org.get("industry_code")) if org.get("industry_code") else None
    summary = db.session.get(Attachment, declaration.summary_attachment_id) if declaration.summary_attachment_id else None
    return {
        "activity": {"name": declaration.activity.name, "year": declaration.activity.year},
        "organization": {
            "org_name": org.get("org_name") or "", "economic_type": _name(EconomicType, org.get("economic_type_code")),
            "region": " ".join(filter(None, (_name(Region, org.get("province_code")), _name(Region, org.get("city_code"))))),
            "address": org.get("address") or "", "industry": f"{industry.code} {industry.name}" if industry else "",
            "quality_head": org.get("quality_head") or "", "quality_head_phone": org.get("quality_head_phone") or "",
            "org_size_label": str(dict(ORG_SIZES).get(org.get("org_size"), "")),
        },
        "economic_years": snap.get("economic_years") or [],
        "project": snap.get("project") or {},
        "contact": snap.get("contact") or {},
        "summary_name": summary.original_name if summary else "",
        "recommending_unit": declaration.recommending_unit.name if declaration.recommending_unit else "",
        "recommendation_opinion": declaration.recommendation_opinion or "",
        "declaration": {"number": f"BM{declaration.activity.year}-{declaration.id:06d}",
                        "submitted_at": beijing(declaration.submitted_at),
                        "status_label": declaration_status_label(declaration.status)},
        "generated_at": beijing(utcnow()),
        "mail_to": mail_to(),
    }


def mail_to() -> dict[str, str]:
    """Where the printed declaration and recommendation form are posted: the benchmark service
    desk's address (Portal content), in Chinese as the printed forms are."""
    from app.services.portal import service_desk

    desk = service_desk("benchmark")
    if desk is None or not desk.mail_address_zh:
        return {}
    return {"address": desk.mail_address_zh, "recipient": desk.mail_recipient or ""}


PRINTABLE = ("qualified", "selected", "not_selected")
TEMPLATES = {"declaration": "documents/benchmark_declaration.html",
             "recommendation": "documents/benchmark_recommendation.html"}


def render(declaration: Declaration, kind: str) -> bytes:
    from app.documents import render_pdf

    return render_pdf(TEMPLATES[kind], context(declaration))
