"""The rule-set draft form: what the rules administrator typed ↔ a ``rules.sme.ruleset_json``
document, and the service's field paths (``tech_staff_bands[1][0]``) back to the cells typed in.

The document is built from the typed strings as they are (the codec takes digit strings for
integers and decimal strings for amounts), so the service names the bad field in its own words.
Only what the document cannot carry is checked here: a half-filled band row, and the R&D shares,
typed as percentages (0–100) and stored as 0–1.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.services.sme_form import INSTITUTION_LEVELS, IP_KINDS, RD_FORMS, STANDARD_LEVELS

#: Rows shown for each band table; empty rows are ignored.
BAND_ROWS = 8
#: (field, label, percentage thresholds?) in the regulation's order.
BAND_TABLES: tuple[tuple[str, Any, bool], ...] = (
    ("tech_staff_bands", _l("Tech staff as a share of all employees"), True),
    ("rd_sales_bands", _l("R&D expenses as a share of sales revenue"), True),
    ("rd_cost_bands", _l("R&D expenses as a share of costs and expenses"), True),
    ("ip_class_i_bands", _l("Class I intellectual property"), False),
    ("ip_class_ii_bands", _l("Class II intellectual property"), False),
)
BAND_LABELS = {name: label for name, label, _percent in BAND_TABLES}
#: The class a kind of intellectual property is counted in, as the form's radio values.
IP_CLASSES = (("i", _l("In class I")), ("ii", _l("In class II")), ("none", _l("Not counted for points")))
IP_KIND_PREFIX = "ip_kind-"
SCALARS = ("year", "source", "document_number", "max_employees", "max_sales_revenue", "max_total_assets",
           "lookback_years", "award_max_rank", "standard_max_rank", "pass_score")
FIELD_LABELS: dict[str, Any] = {
    "year": _l("First evaluation year"), "source": _l("Title of the regulation"),
    "document_number": _l("Document number"), "regulation_text": _l("Text of the regulation"),
    "notes": _l("Notes"), "max_employees": _l("Most employees"),
    "max_sales_revenue": _l("Most annual sales revenue (10,000 yuan)"),
    "max_total_assets": _l("Most total assets (10,000 yuan)"), "lookback_years": _l("Years looked back"),
    "award_max_rank": _l("Lowest award rank that counts"), "institution_levels": _l("Institution levels that count"),
    "standard_levels": _l("Standard levels that count"), "standard_max_rank": _l("Lowest drafting rank that counts"),
    "ip_class_i_kinds": _l("Class I kinds"), "ip_class_ii_kinds": _l("Class II kinds"),
    "rd_form_factors": _l("Share of R&D expenses counted"), "pass_score": _l("Pass mark"),
    "tech_staff_required": _l("A tech staff score of 0 does not qualify"), **BAND_LABELS,
}
TEXT_LIMITS = {"source": 200, "document_number": 64, "regulation_text": 100_000}
_PATH = re.compile(r"^(\w+)\[(\d+)\](?:\[([01])\])?$")
_PERCENT_PLACES = Decimal("0.01")


def band_cell(name: str, row: int, column: str) -> str:
    """Form name of a band cell; ``column`` is "threshold" or "points"."""
    return f"{name}-{row}-{column}"


def rd_share_name(form: str) -> str:
    return f"rd_share-{form}"


def _number_text(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def values_from_rules(row) -> dict[str, Any]:
    """The form's values for a stored set: its document, as the rules administrator types it."""
    doc = row.rules or {}
    values: dict[str, Any] = {name: str(doc.get(name, "")) for name in SCALARS}
    values.update(source=row.source or "", document_number=row.document_number or "",
                  regulation_text=row.regulation_text or "", notes="\n".join(doc.get("notes") or []),
                  institution_levels=list(doc.get("institution_levels") or []),
                  standard_levels=list(doc.get("standard_levels") or []),
                  tech_staff_required="1" if doc.get("tech_staff_required", True) else "")
    for name, _label, _percent in BAND_TABLES:
        for i, (threshold, points) in enumerate((doc.get(name) or [])[:BAND_ROWS]):
            values[band_cell(name, i, "threshold")] = str(threshold)
            values[band_cell(name, i, "points")] = str(points)
    class_i, class_ii = set(doc.get("ip_class_i_kinds") or ()), set(doc.get("ip_class_ii_kinds") or ())
    for kind, _label in IP_KINDS:
        values[IP_KIND_PREFIX + kind] = "i" if kind in class_i else "ii" if kind in class_ii else "none"
    for form, share in doc.get("rd_form_factors") or ():
        try:
            values[rd_share_name(form)] = _number_text(Decimal(str(share)) * 100)
        except InvalidOperation:
            values[rd_share_name(form)] = str(share)
    return values


def values_from_form(form) -> dict[str, Any]:
    """The posted form as typed (stripped), to build the document and to show it again."""
    values: dict[str, Any] = {key: (form.get(key) or "").strip() for key in form if key != "csrf_token"}
    values["regulation_text"] = (form.get("regulation_text") or "").strip()
    values["institution_levels"] = form.getlist("institution_levels")
    values["standard_levels"] = form.getlist("standard_levels")
    values["tech_staff_required"] = "1" if form.get("tech_staff_required") else ""
    return values


@dataclass
class Posted:
    """A document built from the form, what could not be put in it, and where each band came from."""

    doc: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)  # form name -> message
    kept_rows: dict[str, list[int]] = field(default_factory=dict)  # band table -> displayed row of each band


def document(values: dict[str, Any]) -> Posted:
    """:param values: ``values_from_form``.
    :returns: The rule-set document (typed strings kept as typed) and the form's own errors."""
    doc: dict[str, Any] = {name: values.get(name, "") for name in SCALARS}
    posted = Posted(doc=doc)
    for name, most in TEXT_LIMITS.items():  # the columns' sizes (models/rulesets.py)
        if len(values.get(name) or "") > most:
            posted.errors[name] = _("At most %(n)d characters.", n=most)
    doc["notes"] = [line.strip() for line in (values.get("notes") or "").splitlines() if line.strip()]
    doc["institution_levels"] = list(values.get("institution_levels") or [])
    doc["standard_levels"] = list(values.get("standard_levels") or [])
    doc["tech_staff_required"] = bool(values.get("tech_staff_required"))
    for name, _label, _percent in BAND_TABLES:
        bands, kept = [], []
        for row in range(BAND_ROWS):
            threshold = values.get(band_cell(name, row, "threshold"), "")
            points = values.get(band_cell(name, row, "points"), "")
            if not threshold and not points:
                continue
            if not threshold or not points:  # the empty cell is the one to fill
                empty = band_cell(name, row, "points" if threshold else "threshold")
                posted.errors[empty] = _("This value is required.")
                continue
            bands.append([threshold, points])
            kept.append(row)
        doc[name] = bands
        posted.kept_rows[name] = kept
    doc["ip_class_i_kinds"], doc["ip_class_ii_kinds"] = _ip_classes(values)
    doc["rd_form_factors"] = []
    for form, _label in RD_FORMS:
        name = rd_share_name(form)
        share = _share(values.get(name, ""))
        if share is None:
            posted.errors[name] = _("Enter a percentage between 0 and 100 (at most 2 decimal places).")
        doc["rd_form_factors"].append([form, share if share is not None else ""])
    return posted


def _ip_classes(values: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Every kind posted (a crafted unknown one too: the service names it)."""
    known = [IP_KIND_PREFIX + kind for kind, _label in IP_KINDS]
    posted = known + sorted(k for k in values if k.startswith(IP_KIND_PREFIX) and k not in known)
    class_i = [key[len(IP_KIND_PREFIX):] for key in posted if values.get(key) == "i"]
    class_ii = [key[len(IP_KIND_PREFIX):] for key in posted if values.get(key) == "ii"]
    return class_i, class_ii


def _share(typed: str) -> str | None:
    """A percentage as typed (``"80"``) → the document's share (``"0.8"``); None when it is not one."""
    try:
        percent = Decimal(typed)
    except InvalidOperation:
        return None
    if not percent.is_finite() or not 0 <= percent <= 100 or percent != percent.quantize(_PERCENT_PLACES):
        return None
    return _number_text(percent / 100)


def displayed_errors(field_errors: dict[str, str], kept_rows: dict[str, list[int]]) -> dict[str, str]:
    """The service's ``{JSON path: message}`` keyed by the form's names: a band path names the
    displayed row it came from (empty rows were dropped), a share its form's percentage box."""
    shown: dict[str, str] = {}
    for path, message in field_errors.items():
        match = _PATH.match(path)
        if match and match.group(1) in kept_rows:
            name, index, column = match.group(1), int(match.group(2)), match.group(3)
            rows = kept_rows[name]
            row = rows[index] if index < len(rows) else index
            if column is None:
                shown[f"{name}-{row}"] = message
            else:
                shown[band_cell(name, row, "threshold" if column == "0" else "points")] = message
        elif match and match.group(1) == "rd_form_factors" and int(match.group(2)) < len(RD_FORMS):
            name = rd_share_name(RD_FORMS[int(match.group(2))][0])
            # The service speaks of a 0–1 share; the form was typed as a percentage.
            shown[name] = _("Enter a percentage between 0 and 100 (at most 2 decimal places).")
        else:
            shown[path] = message
    return shown


def error_label(name: str) -> str:
    """Which field a form error is about, for the summary at the top of the form."""
    band = re.match(r"^(\w+)-(\d+)(?:-(threshold|points))?$", name)
    if band and band.group(1) in BAND_LABELS:
        row = int(band.group(2)) + 1
        if band.group(3) == "threshold":
            return _("%(table)s, row %(row)d, threshold", table=BAND_LABELS[band.group(1)], row=row)
        if band.group(3) == "points":
            return _("%(table)s, row %(row)d, points", table=BAND_LABELS[band.group(1)], row=row)
        return _("%(table)s, row %(row)d", table=BAND_LABELS[band.group(1)], row=row)
    if name.startswith("rd_share-"):
        form = dict(RD_FORMS).get(name[len("rd_share-"):], "")
        return f"{FIELD_LABELS['rd_form_factors']}: {form}"
    return str(FIELD_LABELS.get(name, _("Rule set")))


LEVEL_CHOICES = {"institution_levels": INSTITUTION_LEVELS, "standard_levels": STANDARD_LEVELS}
