"""A :class:`~rules.sme.tables.Ruleset` as a JSON object, and back.

The keys are the ``Ruleset`` field names.  Amounts, percentages and shares are strings
(``"20000"``, ``"0.8"``) so no float ever rounds them; bands are ``[[threshold, points], …]``
highest first; sets of codes are sorted lists; ``rd_form_factors`` is ``[[form, share], …]``.
This is what ``flask ruleset-export`` prints, what ``ruleset-import`` and
``score --ruleset`` read, and what the database stores for a rule set.

:func:`ruleset_from_json` raises :class:`~rules.sme.tables.RulesetError` naming the field
(``tech_staff_bands[1][0]``): for a malformed value here, for a broken rule in
``Ruleset`` itself.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal, InvalidOperation
from typing import Any

from rules.sme.tables import Ruleset, RulesetError

_FIELDS = {f.name: f for f in dataclasses.fields(Ruleset)}
#: Keys a document may leave out (their defaults apply).
_OPTIONAL = frozenset({"tech_staff_required", "notes", "document_number"})
_INTS = ("year", "max_employees", "lookback_years", "award_max_rank", "standard_max_rank", "pass_score")
_AMOUNTS = ("max_sales_revenue", "max_total_assets")
_CODE_SETS = ("institution_levels", "standard_levels", "ip_class_i_kinds", "ip_class_ii_kinds")
_LARGEST, _PLACES = Decimal(10) ** 16, Decimal("0.0001")
_BANDS = ("tech_staff_bands", "rd_sales_bands", "rd_cost_bands", "ip_class_i_bands", "ip_class_ii_bands")


def _text(value: Decimal) -> str:
    """:param value: A Decimal.
    :returns: Plain notation without trailing zeros (``"0.8"``, ``"20000"``)."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def ruleset_to_json(ruleset: Ruleset) -> dict[str, Any]:
    """:param ruleset: A rule set.
    :returns: Its JSON object (plain dicts, lists, strings, ints, bools)."""
    doc: dict[str, Any] = {}
    for name in _FIELDS:
        value = getattr(ruleset, name)
        if name in _AMOUNTS:
            value = _text(value)
        elif name in _CODE_SETS:
            value = sorted(value)
        elif name in _BANDS:
            value = [[_text(threshold), points] for threshold, points in value]
        elif name == "rd_form_factors":
            value = [[form, _text(share)] for form, share in value]
        elif name == "notes":
            value = list(value)
        doc[name] = value
    return doc


def _int(field: str, value: Any) -> int:
    if type(value) is int:
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise RulesetError(field, "ruleset.integer")


def _decimal(field: str, value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise RulesetError(field, "ruleset.number")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise RulesetError(field, "ruleset.number") from None
    # At most 4 decimals and 20 digits: what the scorer compares exactly (rules.sme.scoring).
    if not number.is_finite() or abs(number) >= _LARGEST or number != number.quantize(_PLACES):
        raise RulesetError(field, "ruleset.number")
    return number


def _list(field: str, value: Any) -> list:
    if not isinstance(value, list):
        raise RulesetError(field, "ruleset.list")
    return value


def _pairs(field: str, value: Any) -> list[tuple[Any, Any]]:
    pairs = []
    for index, item in enumerate(_list(field, value)):
        if not isinstance(item, list) or len(item) != 2:
            raise RulesetError(f"{field}[{index}]", "ruleset.pair")
        pairs.append((item[0], item[1]))
    return pairs


def ruleset_from_json(doc: Any) -> Ruleset:
    """Build and check a rule set from its JSON object.

    :param doc: The parsed JSON.
    :returns: The rule set.
    :raises RulesetError: Naming the first field that is missing, unknown, malformed or
        breaks a rule (descending bands, known codes, a reachable pass mark...).
    """
    if not isinstance(doc, dict):
        raise RulesetError("$", "ruleset.list")
    for key in doc:
        if key not in _FIELDS:
            raise RulesetError(str(key), "ruleset.unknown_key", key=str(key))
    for name in _FIELDS:
        if name not in doc and name not in _OPTIONAL:
            raise RulesetError(name, "ruleset.required")
    values: dict[str, Any] = {}
    for name in _INTS:
        values[name] = _int(name, doc[name])
    for name in _AMOUNTS:
        values[name] = _decimal(name, doc[name])
    for name in ("source", "document_number"):
        if name in doc:
            if not isinstance(doc[name], str):
                raise RulesetError(name, "ruleset.text")
            values[name] = doc[name].strip()
    for name in _CODE_SETS:
        codes = _list(name, doc[name])
        for index, code in enumerate(codes):
            if not isinstance(code, str):
                raise RulesetError(f"{name}[{index}]", "ruleset.text")
        values[name] = frozenset(codes)
    for name in _BANDS:
        values[name] = tuple(
            (_decimal(f"{name}[{i}][0]", threshold), _int(f"{name}[{i}][1]", points))
            for i, (threshold, points) in enumerate(_pairs(name, doc[name]))
        )
    factors = []
    for index, (form, share) in enumerate(_pairs("rd_form_factors", doc["rd_form_factors"])):
        if not isinstance(form, str):
            raise RulesetError(f"rd_form_factors[{index}][0]", "ruleset.text")
        factors.append((form, _decimal(f"rd_form_factors[{index}][1]", share)))
    values["rd_form_factors"] = tuple(factors)
    if "tech_staff_required" in doc:
        if not isinstance(doc["tech_staff_required"], bool):
            raise RulesetError("tech_staff_required", "ruleset.boolean")
        values["tech_staff_required"] = doc["tech_staff_required"]
    if "notes" in doc:
        notes = _list("notes", doc["notes"])
        if not all(isinstance(note, str) for note in notes):
            raise RulesetError("notes", "ruleset.text")
        values["notes"] = tuple(notes)
    return Ruleset(**values)
