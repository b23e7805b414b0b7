"""What the SME documents show (information table, cover, details page): one context
built here, rendered by app.documents."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.services import sme_form as form
from app.services.sme import rulesets
from app.services.enterprise_form import parse_money
from app.timeutil import beijing
from models import SmeEvaluation
from models.base import utcnow


def _label(choices, code) -> str:
    return str(dict(choices).get(code, code or ""))


def rd_summary(rows: list[dict], ruleset) -> dict[str, Any]:
    """Each project's counted amount under the evaluation's rules (2017: 80% / 0% for commissioned)."""
    factors = dict(ruleset.rd_form_factors)
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


def industry_name(main: dict) -> str:
    """Table 1's industry as its names ("制造业 / 计算机、通信和其他电子设备制造业"), not its codes;
    a code no longer in the reference data is shown as it is."""
    from app.services.industries import all_rows

    names = {row.code: row.name for row in all_rows()}
    section, division = (main.get("industry_section") or ""), (main.get("industry_code") or "")
    parts = [names.get(code, code) for code in (section, division) if code]
    return " / ".join(parts)


def _fmt(value: Decimal) -> str:
    text = f"{value.quantize(Decimal('0.0001')):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def summary(evaluation: SmeEvaluation) -> dict[str, Any]:
    """The figures of the applicant's details page, in ``context``'s shape: the enterprise's name
    and code only, so the page loads neither its regions nor its agency."""
    data = evaluation.data or {}
    enterprise = evaluation.enterprise
    rd_total = rd_summary(data.get("rd_projects") or [], rulesets.scored_with(evaluation))["total"]
    return {"enterprise": {"name": enterprise.name or "", "credit_code": enterprise.credit_code or ""},
            "tables": {"finance": {"sales_revenue": (data.get("finance") or {}).get("sales_revenue", ""),
                                   "rd_total": rd_total},
                       "hr": form.hr_totals(data.get("hr") or {})}}


def context(evaluation: SmeEvaluation) -> dict[str, Any]:
    from app.services.progress_labels import sme_status_label

    data = evaluation.data or {}
    enterprise = evaluation.enterprise
    hr = data.get("hr") or {}
    totals = form.hr_totals(hr)
    finance = data.get("finance") or {}
    ruleset = rulesets.scored_with(evaluation)
    summary = rd_summary(data.get("rd_projects") or [], ruleset)
    stats = form.ip_stats(data.get("ip") or [], ruleset)
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
            "main": {"industry": industry_name(main), "industry_code": main.get("industry_code") or ""},
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
        "result": document_result(evaluation.result),
        # The official table names the rules in Chinese whatever the reader's language.
        "ruleset": {"label": ruleset_label_zh(evaluation.ruleset), "pass_score": ruleset.pass_score},
        "generated_at": beijing(utcnow()),
    }


def ruleset_label_zh(row) -> str:
    """:returns: "2017 年起适用 · 国科发政〔2017〕115号" for a stored set, "" without one."""
    from flask_babel import force_locale

    with force_locale("zh"):
        return rulesets.label(row)


def document_result(result: dict | None) -> dict:
    """The stored self-evaluation (rules.sme result JSON) in the shape the information table
    reads: percentages as text with their sign ("30%", "6.6666%"), indicator 10's two ratios as
    ``ratio_sales`` / ``ratio_cost`` and indicator 11's counts as ``class1`` / ``class2``."""
    if not result:
        return {}

    def pct(value):
        return None if value in (None, "") else f"{value}%"

    indicators = {}
    for number, ind in (result.get("indicators") or {}).items():
        ind = dict(ind)
        if "ratio" in ind:
            ind["ratio"] = pct(ind["ratio"])
        ratios = ind.get("ratios") or {}
        ind["ratio_sales"] = pct((ratios.get("sales") or {}).get("ratio"))
        ind["ratio_cost"] = pct((ratios.get("cost_expenses") or {}).get("ratio"))
        ind["class1"], ind["class2"] = ind.get("class_i"), ind.get("class_ii")
        indicators[number] = ind
    return {**result, "indicators": indicators}


def information_pdf(evaluation: SmeEvaluation) -> bytes:
    from app.documents import render_pdf

    return render_pdf("documents/sme_information_table.html", context(evaluation))


def cover_pdf(evaluation: SmeEvaluation) -> bytes:
    from app.documents import render_pdf

    return render_pdf("documents/sme_cover.html", context(evaluation))
