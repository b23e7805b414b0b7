"""Tech-SME evaluation in the rules' interchange format (REST import / export, ``flask score``)."""
from __future__ import annotations

from flask_babel import gettext as _

from app.extensions import db
from app.services.unit_of_work import use_case
from app.services import sme_form as form
from app.services.errors import ServiceError
from app.services.sme.filling import EDITABLE, own, registered_in_mainland, self_evaluate
from models import SmeEvaluation
from rules.sme import parse_interchange
from rules.sme.interchange import InterchangeError

def export_interchange(evaluation: SmeEvaluation) -> dict:
    """The evaluation in the rules' interchange format (what ``flask score`` reads)."""
    return form.to_interchange(evaluation.data or {}, year=evaluation.year,
                               registered_in_mainland=registered_in_mainland(evaluation.enterprise))


@use_case
def import_interchange(user, evaluation_id: int, payload: dict) -> SmeEvaluation:
    """Fill the tables from an interchange document (validated by the rules first).

    :raises ServiceError: with ``field_errors`` naming the interchange field.
    """
    evaluation = own(user, evaluation_id)
    if evaluation.status not in EDITABLE:
        raise ServiceError(_("The materials are under review and cannot be changed now."))
    if not isinstance(payload, dict):
        raise ServiceError(_("The document must be a JSON object."), {"$": _("The document must be a JSON object.")})
    try:
        parsed = parse_interchange(payload)
    except InterchangeError as exc:
        raise ServiceError(exc.message, {exc.field: exc.message})
    if parsed.year != evaluation.year:
        raise ServiceError(_("The document is for another year."), {"year": _("The document is for another year.")})
    # The tables take the values as the rules read them, not as sent: 80.0 people or 1e-4 万元
    # are valid JSON for the rules, but "80.0" in a table is not a count (the score was lost).
    def money(amount) -> str:
        return format(amount, "f")

    data = dict(evaluation.data or {})
    data["entry"] = {"products_ok": "yes" if parsed.products_not_prohibited else "no",
                     "credit_ok": "yes" if parsed.credit_ok else "no"}
    data["finance"] = {**(data.get("finance") or {}), "sales_revenue": money(parsed.sales_revenue),
                       "total_assets": money(parsed.total_assets), "cost_expenses": money(parsed.cost_expenses)}
    staff_keys = ("fulltime", "parttime", "temporary")
    data["hr"] = {**(data.get("hr") or {}), **{k: str(getattr(parsed.employees, k)) for k in staff_keys},
                  **{f"tech_{k}": str(getattr(parsed.tech_staff, k)) for k in staff_keys}}
    data["rd_projects"] = [{"name": p.name, "number": "", "form": p.form, "status": "", "amount": money(p.amount)}
                           for p in parsed.rd_projects]
    data["awards"] = [{"name": a.name, "level": "", "year": str(a.year), "rank": str(a.rank), "proof": ""}
                      for a in parsed.national_awards]
    data["institutions"] = [{"name": i.name, "level": i.level, "proof": ""} for i in parsed.rd_institutions]
    data["standards"] = [{"name": s.name, "number": "", "level": s.level, "year": str(s.year), "rank": str(s.rank),
                          "proof": ""} for s in parsed.standards]
    data["ip"] = [{"name": i.name, "kind": i.kind, "grant_date": "", "number": "", "acquisition": "", "proof": ""}
                  for i in parsed.ip]
    data["other"] = {**(data.get("other") or {}), "high_tech_cert": "yes" if parsed.high_tech_certificate_valid else "no"}
    evaluation.data = data
    errors = self_evaluate(evaluation)
    if errors:  # the tables must hold what the rules accepted; never store a document they cannot
        db.session.rollback()
        raise ServiceError(next(iter(errors.values())), errors)
    db.session.commit()
    return evaluation
