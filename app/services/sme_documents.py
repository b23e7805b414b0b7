"""What the SME documents show (information table, cover, details page): one context
built here, rendered by app.documents."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.services import sme_form as form
from app.services.enterprise_form import parse_money
from app.timeutil import beijing
from models import SmeEvaluation
from models.base import utcnow


def _label(choices, code) -> str:
    return str(dict(choices).get(code, code or ""))


def rd_summary(rows: list[dict], year: int) -> dict[str, Any]:
    """Each project's counted amount under the year's rules (80% / 0% for commissioned)."""
    from rules.sme.tables import ruleset_for

    factors = dict(ruleset_for(year).rd_form_factors)
    out, total = [], Decimal(0)
    for row in rows:
        amount = parse_money(row.get("amount"))
        factor = factors.get(row.get("form"))
        counted = amount * factor if amount is not None and factor is not None else None
        if counted is not None:
            total += counted
        out.append({**row, "form_label": _label(form.RD_FORMS, row.get("form")),
                    "status_label": _label(form.RD_STATUS, row.get("status")),
                    "counted_amount": "" if counted is None else _fmt(counted)})
    return {"rows": out, "total": _fmt(total)}


def _fmt(value: Decimal) -> str:
    text = f"{value.quantize(Decimal('0.0001')):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _industry(code: str | None) -> str:
    """The second-level industry as the form lists it: code and name (the code alone if unknown)."""
    from app.extensions import db
    from models import Industry

    industry = db.session.get(Industry, code) if code else None
    return f"{industry.code} {industry.name}" if industry is not None else (code or "")


def context(evaluation: SmeEvaluation) -> dict[str, Any]:
    from app.services.progress_labels import sme_status_label

    data = evaluation.data or {}
    enterprise = evaluation.enterprise
    hr = data.get("hr") or {}
    totals = form.hr_totals(hr)
    finance = data.get("finance") or {}
    summary = rd_summary(data.get("rd_projects") or [], evaluation.year)
    stats = form.ip_stats(data.get("ip") or [], evaluation.year)
    main = data.get("main") or {}
    return {
        "enterprise": {"name": enterprise.name or "", "credit_code": enterprise.credit_code or "",
                       "legal_rep_name": enterprise.legal_rep_name or "", "region": enterprise.region_label,
                       "agency": str(enterprise.agency or ""), "registration_authority": enterprise.registration_authority or ""},
        "evaluation": {"system_number": evaluation.system_number, "year": evaluation.year,
                       "status_label": sme_status_label(evaluation.status),
                       "submitted_at": beijing(evaluation.submitted_at),
                       "certificate_number": evaluation.certificate_number or ""},
        "tables": {
            "main": {"industry": _industry(main.get("industry_code"))},
            "finance": {**{k: finance.get(k, "") for k in ("sales_revenue", "main_business_revenue", "total_assets",
                                                             "cost_expenses", "net_profit", "taxes_paid")},
                        "employees_total": totals["employees_total"], "rd_total": summary["total"]},
            "hr": {**{k: hr.get(k, "") for k in ("fulltime", "parttime", "temporary", "tech_fulltime", "tech_parttime",
                                                  "tech_temporary", "new_hires", "fresh_graduates")}, **totals},
            "rd_projects": summary["rows"],
            "ip": [{**r, "kind_label": _label(form.IP_KINDS, r.get("kind")),
                    "acquisition_label": _label(form.IP_ACQUISITION, r.get("acquisition"))} for r in data.get("ip") or []],
            "ip_stats": {"class1": stats["class1"], "class2": stats["class2"],
                         "by_kind": [{"label": str(label), "count": stats["by_kind"][code]} for code, label in form.IP_KINDS]},
            "standards": [{**r, "level_label": _label(form.STANDARD_LEVELS, r.get("level"))} for r in data.get("standards") or []],
            "institutions": [{**r, "level_label": _label(form.INSTITUTION_LEVELS, r.get("level"))} for r in data.get("institutions") or []],
            "awards": [{**r, "level_label": _label(form.AWARD_LEVELS, r.get("level"))} for r in data.get("awards") or []],
            "other": (data.get("other") or {}).get("notes", ""),
        },
        "result": evaluation.result or {},
        "generated_at": beijing(utcnow()),
    }


def information_pdf(evaluation: SmeEvaluation) -> bytes:
    from app.documents import render_pdf

    return render_pdf("documents/sme_information_table.html", context(evaluation))


def cover_pdf(evaluation: SmeEvaluation) -> bytes:
    from app.documents import render_pdf

    return render_pdf("documents/sme_cover.html", context(evaluation))
