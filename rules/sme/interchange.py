"""The JSON interchange format of the Tech-SME evaluation.

Input (a JSON object; also the REST payload)::

    {"year": 2024,
     "registered_in_mainland": true, "products_not_prohibited": true, "credit_ok": true,
     "employees":  {"fulltime": 80, "parttime": 10, "temporary": 10},
     "tech_staff": {"fulltime": 25, "parttime": 3, "temporary": 2},
     "sales_revenue": "5000", "total_assets": 8000, "cost_expenses": "4500.25",
     "rd_projects": [{"name": "...", "form": "independent", "amount": "300"}],
     "high_tech_certificate_valid": false,
     "national_awards": [{"name": "...", "year": 2022, "rank": 2}],
     "rd_institutions": [{"name": "...", "level": "provincial"}],
     "standards": [{"name": "...", "level": "industry", "year": 2021, "rank": 1}],
     "ip": [{"name": "...", "kind": "invention_patent"}]}

Rules enforced by :func:`parse_interchange`:

* The keys above are the only ones accepted; the five lists and
  ``high_tech_certificate_valid`` may be omitted (empty / ``false``), every
  other key is required.
* Money (万元) is a JSON number or a string of plain digits, converted with
  ``Decimal(str(x))``: non-negative, at most 4 decimal places, at most
  :data:`MAX_MONEY`.
* Counts are non-negative integers (a float such as ``3.0`` is accepted;
  ``true``, ``3.5``, ``-1`` and strings are not).  Ranks start at 1.
* Flags are real JSON booleans.
* Codes must be known (:data:`~rules.sme.model.RD_FORMS`,
  :data:`~rules.sme.model.IP_KINDS`, ...).
* Tech staff may exceed employees within one kind, but not in total.

Every problem raises :class:`InterchangeError` naming the field path, e.g.
``employees.fulltime`` or ``rd_projects[2].amount`` (``$`` is the document).
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict
from decimal import Decimal
from typing import Any, Callable, TypeVar

from rules.sme.model import (
    INSTITUTION_LEVELS,
    IP_KINDS,
    RD_FORMS,
    STANDARD_LEVELS,
    EvaluationInput,
    EvaluationResult,
    IndicatorResult,
    IpItem,
    NationalAward,
    RatioScore,
    RdInstitution,
    RdProject,
    StaffCounts,
    Standard,
)
from rules.sme.scoring import format_ratio
from rules.sme.tables import RULESETS

#: Largest accepted money amount, 万元 (10^15 万元; far beyond any enterprise).
MAX_MONEY = Decimal(10) ** 15
#: Most decimal places a money amount may have.
MONEY_PLACES = 4
#: Largest accepted head count or rank.
MAX_COUNT = 10**9
#: Latest accepted year.
MAX_YEAR = 9999
#: Earliest accepted award or standard year.
MIN_ITEM_YEAR = 1000

_MONEY_TEXT = re.compile(r"[0-9]+(?:\.[0-9]{1,%d})?" % MONEY_PLACES)
_DECIMAL_TEXT = re.compile(r"[0-9]+\.[0-9]+")
_STAFF_KEYS = ("fulltime", "parttime", "temporary")

T = TypeVar("T")


class InterchangeError(ValueError):
    """A malformed interchange document.

    :param field: Path of the offending field, e.g. ``rd_projects[2].amount``
        (``$`` for the document itself).
    :param message: Chinese description of the problem.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


# Validators raise InterchangeError with the field's own name only; the parsers
# of enclosing objects and lists catch it and prefix their part of the path, so
# no path string is built unless something is wrong.


def _nested(error: InterchangeError, prefix: str) -> InterchangeError:
    """:param error: An error raised inside an object or list element.
    :param prefix: Path of that object or element, e.g. ``rd_projects[2]``.
    :returns: The same error with the full path."""
    field = f"{prefix}.{error.field}" if error.field else prefix
    return InterchangeError(field, error.message)


def _object(value: Any, required: tuple[str, ...], allowed: frozenset[str] = frozenset()) -> dict:
    """:param value: Candidate JSON object.
    :param required: Keys that must be present.
    :param allowed: Every key that may be present, when there are optional ones.
    :returns: ``value``.
    :raises InterchangeError: If not an object (field ``""``), a required key is
        missing or a key is unknown (field: that key)."""
    if not isinstance(value, dict):
        raise InterchangeError("", "应为 JSON 对象")
    for key in required:
        if key not in value:
            raise InterchangeError(key, "缺少必填字段")
    if len(value) > len(required):
        for key in value:
            if key not in allowed and key not in required:
                raise InterchangeError(str(key), "未知字段")
    return value


def _bool(value: Any, field: str) -> bool:
    """:param value: Candidate flag.
    :param field: Its name.
    :returns: ``value``.
    :raises InterchangeError: Unless a real JSON boolean."""
    if type(value) is not bool:
        raise InterchangeError(field, "应为布尔值 true 或 false")
    return value


def _int(value: Any, field: str, minimum: int = 0, maximum: int = MAX_COUNT) -> int:
    """:param value: Candidate integer (a JSON number without a fraction).
    :param field: Its name.
    :param minimum: Least allowed value.
    :param maximum: Greatest allowed value.
    :returns: The integer.
    :raises InterchangeError: For booleans, strings, fractions, or values out of range."""
    if type(value) is int:
        number = value
    elif type(value) is float and math.isfinite(value) and value.is_integer():
        number = int(value)
    else:
        raise InterchangeError(field, "应为整数")
    if number < minimum:
        raise InterchangeError(field, "不能为负数" if minimum == 0 else f"不能小于 {minimum}")
    if number > maximum:
        raise InterchangeError(field, f"不能大于 {maximum}")
    return number


def _money(value: Any, field: str) -> Decimal:
    """:param value: Candidate amount in 万元: a JSON number, or a string of plain
        digits with an optional decimal point.
    :param field: Its name.
    :returns: ``Decimal(str(value))``.
    :raises InterchangeError: For other types, negative or non-finite amounts, more than
        4 decimal places, or amounts above :data:`MAX_MONEY`."""
    kind = type(value)
    if kind is str:
        if not _MONEY_TEXT.fullmatch(value):
            if _DECIMAL_TEXT.fullmatch(value):
                raise InterchangeError(field, f"金额最多 {MONEY_PLACES} 位小数（单位：万元）")
            if value.strip().startswith("-"):
                raise InterchangeError(field, "金额不能为负数")
            raise InterchangeError(field, "金额应为数字，例如 \"1234.5\"")
        amount = Decimal(value)
    elif kind is int:
        if value < 0:
            raise InterchangeError(field, "金额不能为负数")
        amount = Decimal(value)
    elif kind is float:
        if not math.isfinite(value):
            raise InterchangeError(field, "金额应为有限数值")
        if math.copysign(1.0, value) < 0:
            raise InterchangeError(field, "金额不能为负数")
        text = str(value)
        amount = Decimal(text)
        if "e" in text:  # 1e-05 or 1e+16: the exponent tells the decimal places
            exponent = amount.as_tuple().exponent
            if isinstance(exponent, int) and exponent < -MONEY_PLACES:
                raise InterchangeError(field, f"金额最多 {MONEY_PLACES} 位小数（单位：万元）")
        elif len(text) - text.index(".") - 1 > MONEY_PLACES:
            raise InterchangeError(field, f"金额最多 {MONEY_PLACES} 位小数（单位：万元）")
    else:
        raise InterchangeError(field, "金额应为数字或数字字符串")
    if amount > MAX_MONEY:
        raise InterchangeError(field, "金额过大")
    return amount


def _name(value: Any, field: str) -> str:
    """:param value: Candidate name.
    :param field: Its name.
    :returns: The name without surrounding whitespace.
    :raises InterchangeError: Unless a non-blank string."""
    if type(value) is not str or not (value := value.strip()):
        raise InterchangeError(field, "应为非空字符串")
    return value


def _code(value: Any, field: str, allowed: frozenset[str], known: tuple[str, ...], what: str) -> str:
    """:param value: Candidate code.
    :param field: Its name.
    :param allowed: Known codes, as a set.
    :param known: Known codes, in order, for the message.
    :param what: Chinese name of the code, for the message.
    :returns: ``value``.
    :raises InterchangeError: Unless one of ``allowed``."""
    if type(value) is not str or value not in allowed:
        raise InterchangeError(field, f"未知的{what} {value!r}，应为 {'、'.join(known)} 之一")
    return value


_RD_FORMS = frozenset(RD_FORMS)
_IP_KINDS = frozenset(IP_KINDS)
_INSTITUTION_LEVELS = frozenset(INSTITUTION_LEVELS)
_STANDARD_LEVELS = frozenset(STANDARD_LEVELS)


def _staff(value: Any, field: str) -> StaffCounts:
    """:param value: Candidate ``{"fulltime", "parttime", "temporary"}`` object.
    :param field: Its name.
    :returns: The counts."""
    try:
        obj = _object(value, _STAFF_KEYS)
        return StaffCounts(
            _int(obj["fulltime"], "fulltime"),
            _int(obj["parttime"], "parttime"),
            _int(obj["temporary"], "temporary"),
        )
    except InterchangeError as error:
        raise _nested(error, field) from None


def _list(data: dict, key: str, item: Callable[[Any], T]) -> tuple[T, ...]:
    """:param data: The document.
    :param key: Key of an optional list.
    :param item: Parser of one element; its errors name fields within the element.
    :returns: The parsed elements (empty when the key is absent)."""
    value = data.get(key, ())
    if value == ():
        return ()
    if type(value) is not list:
        raise InterchangeError(key, "应为数组")
    result = []
    for element in value:
        try:
            result.append(item(element))
        except InterchangeError as error:
            raise _nested(error, f"{key}[{len(result)}]") from None
    return tuple(result)


def _rd_project(value: Any) -> RdProject:
    """:param value: Candidate ``{"name", "form", "amount"}``.
    :returns: The project."""
    obj = _object(value, ("name", "form", "amount"))
    return RdProject(
        _name(obj["name"], "name"),
        _code(obj["form"], "form", _RD_FORMS, RD_FORMS, "研发形式"),
        _money(obj["amount"], "amount"),
    )


def _award(value: Any) -> NationalAward:
    """:param value: Candidate ``{"name", "year", "rank"}``.
    :returns: The award."""
    obj = _object(value, ("name", "year", "rank"))
    return NationalAward(
        _name(obj["name"], "name"),
        _int(obj["year"], "year", MIN_ITEM_YEAR, MAX_YEAR),
        _int(obj["rank"], "rank", 1),
    )


def _institution(value: Any) -> RdInstitution:
    """:param value: Candidate ``{"name", "level"}``.
    :returns: The institution."""
    obj = _object(value, ("name", "level"))
    return RdInstitution(
        _name(obj["name"], "name"),
        _code(obj["level"], "level", _INSTITUTION_LEVELS, INSTITUTION_LEVELS, "研发机构级别"),
    )


def _standard(value: Any) -> Standard:
    """:param value: Candidate ``{"name", "level", "year", "rank"}``.
    :returns: The standard."""
    obj = _object(value, ("name", "level", "year", "rank"))
    return Standard(
        _name(obj["name"], "name"),
        _code(obj["level"], "level", _STANDARD_LEVELS, STANDARD_LEVELS, "标准级别"),
        _int(obj["year"], "year", MIN_ITEM_YEAR, MAX_YEAR),
        _int(obj["rank"], "rank", 1),
    )


def _ip_item(value: Any) -> IpItem:
    """:param value: Candidate ``{"name", "kind"}``.
    :returns: The IP item."""
    obj = _object(value, ("name", "kind"))
    return IpItem(_name(obj["name"], "name"), _code(obj["kind"], "kind", _IP_KINDS, IP_KINDS, "知识产权类别"))


_REQUIRED = (
    "year",
    "registered_in_mainland",
    "products_not_prohibited",
    "credit_ok",
    "employees",
    "tech_staff",
    "sales_revenue",
    "total_assets",
    "cost_expenses",
)
_OPTIONAL = (
    "rd_projects",
    "high_tech_certificate_valid",
    "national_awards",
    "rd_institutions",
    "standards",
    "ip",
)
_ALLOWED = frozenset(_REQUIRED + _OPTIONAL)


def parse_interchange(data: dict) -> EvaluationInput:
    """Validate an interchange document and build the evaluation input.

    :param data: The decoded JSON object (see the module docstring).
    :returns: The input for :func:`rules.sme.scoring.evaluate`.
    :raises InterchangeError: On the first problem found, naming its field path.
    """
    try:
        _object(data, _REQUIRED, _ALLOWED)
    except InterchangeError as error:
        raise InterchangeError(error.field or "$", error.message) from None
    earliest = min(RULESETS) if RULESETS else 0
    year = _int(data["year"], "year", 0, MAX_YEAR)
    if year < earliest:
        raise InterchangeError("year", f"没有适用于 {year} 年的评价规则（最早为 {earliest} 年）")
    registered = _bool(data["registered_in_mainland"], "registered_in_mainland")
    products_ok = _bool(data["products_not_prohibited"], "products_not_prohibited")
    credit_ok = _bool(data["credit_ok"], "credit_ok")
    employees = _staff(data["employees"], "employees")
    tech_staff = _staff(data["tech_staff"], "tech_staff")
    if tech_staff.total > employees.total:
        raise InterchangeError(
            "tech_staff", f"科技人员合计 {tech_staff.total} 人超过职工总数 {employees.total} 人"
        )
    return EvaluationInput(
        year,
        registered,
        products_ok,
        credit_ok,
        employees,
        tech_staff,
        _money(data["sales_revenue"], "sales_revenue"),
        _money(data["total_assets"], "total_assets"),
        _money(data["cost_expenses"], "cost_expenses"),
        _list(data, "rd_projects", _rd_project),
        _bool(data.get("high_tech_certificate_valid", False), "high_tech_certificate_valid"),
        _list(data, "national_awards", _award),
        _list(data, "rd_institutions", _institution),
        _list(data, "standards", _standard),
        _list(data, "ip", _ip_item),
    )


# ---------------------------------------------------------------------------
# Result → JSON
# ---------------------------------------------------------------------------


def _number(value: Decimal) -> int | float:
    """JSON number for a Decimal, converted only here at the boundary.

    :param value: A finite Decimal.
    :returns: An ``int`` when integral, else ``float(str(value))``."""
    if value == value.to_integral_value():
        return int(value)
    return float(str(value))


def _plain(value: Any) -> Any:
    """:param value: An input figure or evidence item.
    :returns: Its JSON form (Decimals as numbers, dataclasses as objects)."""
    if isinstance(value, Decimal):
        return _number(value)
    if isinstance(value, StaffCounts):
        return {
            "fulltime": value.fulltime,
            "parttime": value.parttime,
            "temporary": value.temporary,
            "total": value.total,
        }
    if isinstance(value, (NationalAward, Standard, RdInstitution)):
        return asdict(value)
    return value


def _ratio_json(score: RatioScore) -> dict[str, Any]:
    """:param score: One scored ratio.
    :returns: ``{"ratio", "band", "points"}``."""
    return {"ratio": format_ratio(score.ratio), "band": score.band, "points": score.points}


def _indicator_json(ind: IndicatorResult) -> dict[str, Any]:
    """:param ind: One indicator result.
    :returns: Its JSON object."""
    out: dict[str, Any] = {"name": ind.name, "judged": ind.judged}
    scored = ind.number >= 9
    if not scored:
        out["passed"] = ind.passed
        if ind.inputs is not None:
            out["inputs"] = {key: _plain(value) for key, value in ind.inputs.items()}
        if ind.details:
            out["evidence"] = {key: _plain(value) for key, value in ind.details.items()}
    else:
        out["inputs"] = {key: _plain(value) for key, value in (ind.inputs or {}).items()}
        out["ratio"] = format_ratio(ind.ratio)
        out["band"] = ind.band
        out["points"] = ind.points
        if ind.number == 10:
            details = ind.details or {}
            sales, cost = details.get("sales"), details.get("cost_expenses")
            out["ratios"] = {
                "sales": _ratio_json(sales) if sales else None,
                "cost_expenses": _ratio_json(cost) if cost else None,
            }
            out["used"] = details.get("used")
        elif ind.number == 11:
            details = ind.details or {}
            out["class_i"] = details.get("class_i")
            out["class_ii"] = details.get("class_ii")
    out["reason"] = ind.reason
    return out


def result_to_json(result: EvaluationResult) -> dict[str, Any]:
    """Render an evaluation result as a JSON-ready dict.

    Shape: ``{"qualified", "path", "total_score" (null unless scored),
    "rd_total" (number), "year", "ruleset_year", "reason", "indicators":
    {"1": {...}, ..., "11": {...}}}``.  Each indicator has ``name``,
    ``judged`` and ``reason``; 1–8 have ``passed`` (null when not judged);
    9–11 have ``inputs``, ``ratio`` (percentage string with at most 4
    decimals, or null), ``band`` and ``points`` (null when not judged);
    10 adds ``ratios`` (both) and ``used``; 11 adds ``class_i`` and ``class_ii``.

    :param result: The evaluation result.
    :returns: A dict that :func:`json.dumps` accepts as is.
    """
    return {
        "qualified": result.qualified,
        "path": result.path,
        "total_score": result.total_score,
        "rd_total": _number(result.rd_total),
        "year": result.year,
        "ruleset_year": result.ruleset_year,
        "reason": result.reason,
        "indicators": {str(ind.number): _indicator_json(ind) for ind in result.indicators},
    }
