"""A rule-set document as a clerk reads the regulation: 一、基本条件, 二、直接认定条件,
三、评价指标 (the band tables), 四、评价结论, each value in words with its unit.

Works on the stored JSON document (strings, lists), so even a draft that no longer checks reads.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _

from app.services.sme_form import INSTITUTION_LEVELS, IP_KINDS, RD_FORMS, STANDARD_LEVELS


def _number(value: Any) -> str:
    """``"20000"`` → ``"20,000"``; ``"0.8"`` stays; anything unreadable as typed."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not number.is_finite():
        return str(value)
    text = f"{number:,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _names(codes, choices) -> str:
    """Codes by their names, in the table's order, joined as the reader's language joins them."""
    names = dict(choices)
    chosen = [str(label) for code, label in choices if code in set(codes or ())]
    chosen += [str(code) for code in codes or () if code not in names]
    locale = get_locale()
    return ("、" if locale is None or locale.language == "zh" else ", ").join(chosen) or "—"


def _best(bands) -> int:
    points = [p for _t, p in bands or () if isinstance(p, int)]
    return max(points, default=0)


def _percent_rows(bands) -> list[tuple[str, str]]:
    rows = [(f"≥ {_number(threshold)}%", _("%(points)s points", points=points)) for threshold, points in bands or ()]
    if bands:
        rows.append((f"< {_number(bands[-1][0])}%", _("%(points)s points", points=0)))
    return rows


def _count_rows(bands) -> list[tuple[str, str]]:
    return [(_("≥ %(count)s items", count=_number(threshold)), _("%(points)s points", points=points))
            for threshold, points in bands or ()]


def _share(value) -> str:
    try:
        share = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    text = f"{_number(share * 100)}%"
    return _("%(share)s (not counted)", share=text) if share == 0 else text


def regulation(doc: dict) -> dict[str, Any]:
    """:param doc: A ``rules.sme.ruleset_json`` document.
    :returns: The show page's sections, every value a readable string."""
    years, award_rank = doc.get("lookback_years"), doc.get("award_max_rank")
    standard_rank = doc.get("standard_max_rank")
    standards = _names(doc.get("standard_levels"), STANDARD_LEVELS)
    if standard_rank == 1:
        standard_text = _("Within the last %(years)s years, led (rank 1) the drafting of: %(levels)s",
                          years=years, levels=standards)
    else:
        standard_text = _("Within the last %(years)s years, ranked in the top %(rank)s drafters of: %(levels)s",
                          years=years, rank=standard_rank, levels=standards)
    class_i, class_ii = set(doc.get("ip_class_i_kinds") or ()), set(doc.get("ip_class_ii_kinds") or ())
    not_scored = [code for code, _label in IP_KINDS if code not in class_i | class_ii]
    tech = doc.get("tech_staff_bands") or []
    rd_sales, rd_cost = doc.get("rd_sales_bands") or [], doc.get("rd_cost_bands") or []
    ip_i, ip_ii = doc.get("ip_class_i_bands") or [], doc.get("ip_class_ii_bands") or []
    tech_best, rd_best, ip_best = _best(tech), max(_best(rd_sales), _best(rd_cost)), max(_best(ip_i), _best(ip_ii))
    return {
        "basic": [
            (_("Employees (full-time, part-time and temporary)"),
             _("At most %(count)s people", count=_number(doc.get("max_employees")))),
            (_("Annual sales revenue"), _("At most %(amount)s × 10,000 yuan", amount=_number(doc.get("max_sales_revenue")))),
            (_("Total assets"), _("At most %(amount)s × 10,000 yuan", amount=_number(doc.get("max_total_assets")))),
        ],
        "direct": [
            (_("National S&T award"),
             _("Won within the last %(years)s years, ranked in the top %(rank)s among the winners",
               years=years, rank=award_rank)),
            (_("R&D institution"), _("Recognized at level: %(levels)s",
                                     levels=_names(doc.get("institution_levels"), INSTITUTION_LEVELS))),
            (_("Standards drafted"), standard_text),
        ],
        "tech": {"title": _("Tech staff (at most %(points)s points)", points=tech_best), "rows": _percent_rows(tech)},
        "rd": {"title": _("R&D investment (at most %(points)s points)", points=rd_best),
               "sales": _percent_rows(rd_sales), "cost": _percent_rows(rd_cost),
               "shares": [(label, _share(share)) for code, label in RD_FORMS
                          for form, share in doc.get("rd_form_factors") or () if form == code]},
        "ip": {"title": _("S&T achievements (at most %(points)s points)", points=ip_best),
               "classes": [(_("Class I kinds"), _names(class_i, IP_KINDS)),
                           (_("Class II kinds"), _names(class_ii, IP_KINDS)),
                           (_("Not counted for points"), _names(not_scored, IP_KINDS))],
               "class_i": _count_rows(ip_i), "class_ii": _count_rows(ip_ii)},
        "conclusion": [
            (_("Pass mark"), _("At least %(points)s points", points=doc.get("pass_score"))),
            (_("Highest total the bands give"), _("%(points)s points", points=tech_best + rd_best + ip_best)),
            (_("A tech staff score of 0 does not qualify"),
             _("Yes") if doc.get("tech_staff_required", True) else _("No")),
        ],
        "notes": [note for note in doc.get("notes") or [] if str(note).strip()],
    }
