"""Certificates an operator issues from a template (any certificate the platform vouches for)."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.extensions import db
from app.services.unit_of_work import use_case
from app.services.eseal import issued_documents
from app.services.errors import NotFound, ServiceError
from app.services.lookup import get_or_none
from models import CertificateTemplate, Enterprise, IssuedDocument
from rules.credit_code import validate_credit_code
from app.timeutil import today_in_china


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def fill(text: str, values: dict[str, str]) -> str:
    """Replace {name} placeholders; unknown ones stay visible. (Not str.format: a template's
    text must not reach attributes of the values.)"""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def parse_fields(text: str) -> list[tuple[str, str]]:
    """One "label: value" per line (full-width colon accepted)."""
    rows = []
    for line in (text or "").splitlines():
        label, sep, value = line.replace("：", ":").partition(":")
        if sep and label.strip():
            rows.append((label.strip()[:32], value.strip()[:200]))
    return rows


def next_number(prefix: str, year: int) -> str:
    stem = f"{prefix}{year}"
    count = db.session.execute(select(func.count(func.distinct(IssuedDocument.number))).where(
        IssuedDocument.number.like(f"{stem}%"), IssuedDocument.kind == "template")).scalar() or 0
    return f"{stem}{count + 1:06d}"


@use_case
def issue_from_template(actor, template_id: int, values: dict[str, Any]) -> IssuedDocument:
    """Issue (or, with the number of an earlier one, re-issue as a new version) a certificate."""
    from app.security.actors import require_operator

    require_operator(actor)
    template = get_or_none(CertificateTemplate, template_id)
    if template is None:
        raise NotFound(_("Record not found."))
    errors: dict[str, str] = {}
    credit_code = (values.get("credit_code") or "").strip().upper()
    holder = (values.get("holder_name") or "").strip()
    enterprise = None
    if credit_code:
        if validate_credit_code(credit_code) is not None:
            errors["credit_code"] = _("The unified social credit code is not valid.")
        else:
            enterprise = db.session.execute(select(Enterprise).filter_by(credit_code=credit_code)).scalar_one_or_none()
            holder = holder or (enterprise.name if enterprise is not None else "")
    if not holder:
        errors["holder_name"] = _("This field is required.")
    elif len(holder) > 128:
        errors["holder_name"] = _("At most %(n)d characters.", n=128)
    number = (values.get("number") or "").strip()
    if number:
        previous = db.session.execute(select(IssuedDocument).where(IssuedDocument.number == number)
                                      .order_by(IssuedDocument.version.desc())).scalars().first()
        if previous is None or previous.kind != "template":
            errors["number"] = _("No certificate issued from a template has this number; leave it empty for a new one.")
        elif previous.holder_name != holder:
            errors["number"] = _("A new version must be issued to the same holder.")
    if errors:
        raise ServiceError(_("Please correct the marked fields."), errors)
    fields = parse_fields(values.get("fields") or "")
    today = today_in_china()
    number = number or next_number(template.number_prefix, today.year)
    placeholders = {**dict(fields), "holder_name": holder, "credit_code": credit_code, "number": number,
                    "date": f"{today.year}年{today.month}月{today.day}日"}
    paragraphs = [fill(line.strip(), placeholders) for line in template.body.splitlines() if line.strip()]
    return issued_documents.issue(kind="template", number=number, title=template.title, holder_name=holder,
                                  credit_code=credit_code, paragraphs=paragraphs, fields=fields,
                                  enterprise_id=enterprise.id if enterprise is not None else None,
                                  record_type="certificate_template", record_id=template.id, actor=actor)
