"""Scoring of the 11 Tech-SME indicators.

:func:`evaluate` applies a :class:`~rules.sme.tables.Ruleset` to an
:class:`~rules.sme.model.EvaluationInput`:

1. Indicators 1–4 are entry conditions.  If any fails the enterprise is not
   qualified (path ``"entry_failed"``) and 5–11 are not judged.
2. Indicators 5–8 qualify directly, any one of them (path ``"direct"``);
   9–11 are then not judged.
3. Otherwise 9–11 are scored (path ``"scored"``): qualified when the total is
   at least the pass mark and indicator 9 is not 0.

All arithmetic is :class:`~decimal.Decimal` (never float), run with the
60-digit :data:`DECIMAL_CONTEXT` made current for the call, so the outcome
does not depend on the caller's decimal context.  A percentage is taken by an
exact integer division in units of 0.0001% (i.e. truncated to 4 decimals);
band thresholds have at most 4 decimals, so every band is decided exactly
(0.7 + 0.1 over 40 is exactly 2%).  A zero denominator gives no ratio and 0
points.

Per-ruleset lookups (factor maps, band labels, constant indicator results)
are compiled once and cached, so an evaluation does little more than the
arithmetic itself.
"""

from __future__ import annotations

from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    getcontext,
    setcontext,
)
from typing import Iterable

from rules.sme.model import (
    PATH_DIRECT,
    PATH_ENTRY_FAILED,
    PATH_SCORED,
    EvaluationInput,
    EvaluationResult,
    IndicatorResult,
    IpItem,
    RatioScore,
    RdProject,
)
from rules.sme.tables import INDICATOR_NAMES, Band, Ruleset, ruleset_for

#: Context current during an evaluation.  60 significant digits is far beyond
#: what the interchange accepts (at most 10^15 万元 with 4 decimals, so at most
#: about 26 digits in any sum, product or scaled quotient), so nothing rounds;
#: absurd inputs built by hand raise :class:`~decimal.InvalidOperation` rather
#: than score wrongly.
DECIMAL_CONTEXT = Context(prec=60, traps=[InvalidOperation, DivisionByZero, Overflow])
_CTX = DECIMAL_CONTEXT
_ZERO = Decimal(0)
_Q4 = Decimal("0.0001")
#: numerator × _SCALE // denominator is the percentage in units of 0.0001%.
_SCALE = Decimal(1_000_000)
#: Most decimal places a percentage threshold may have (it is compared in 0.0001% units).
_THRESHOLD_PLACES = 4

#: How an R&D project's amount enters the total (see :class:`_Compiled`).
_FULL, _NONE, _SCALED = 0, 1, 2

#: A compiled percentage band: (threshold in 0.0001% units, points, label).
_CBand = tuple[Decimal, int, str]


def format_decimal(value: Decimal) -> str:
    """Plain notation without trailing zeros: ``Decimal("2.50")`` → ``"2.5"``.

    :param value: Any finite Decimal.
    :returns: The value without exponent or trailing fractional zeros.
    """
    return format(value.normalize(_CTX), "f")


def format_ratio(ratio: Decimal | None) -> str | None:
    """Render a percentage with at most 4 decimals.

    Extra digits are truncated, not rounded, so a displayed ratio never seems
    to reach a band it missed (29.99999% shows as ``"29.9999"``).

    :param ratio: A percentage, or ``None``.
    :returns: E.g. ``"2"``, ``"33.3333"``; ``None`` for ``None``.
    """
    if ratio is None:
        return None
    return format_decimal(ratio.quantize(_Q4, rounding=ROUND_DOWN, context=_CTX))


class _Compiled:
    """Lookups derived once from a :class:`Ruleset`."""

    __slots__ = (
        "ruleset",
        "factors",
        "max_employees",
        "max_sales",
        "max_assets",
        "lookback",
        "award_max_rank",
        "institution_levels",
        "standard_levels",
        "standard_max_rank",
        "tech_bands",
        "sales_bands",
        "cost_bands",
        "ip1_kinds",
        "ip2_kinds",
        "ip1_bands",
        "ip2_bands",
        "pass_score",
        "tech_required",
        "pass_1",
        "pass_2",
        "pass_3",
        "pass_4",
        "entry_passed",
        "not_judged_5_11",
        "not_judged_9_11",
        "direct_failed",
        "reason9_none",
        "reason9_low",
        "reasons10",
        "reason11",
        "score_reasons",
    )

    def __init__(self, rs: Ruleset) -> None:
        """:param rs: The ruleset to compile."""
        self.ruleset = rs
        self.factors: dict[str, tuple[int, Decimal]] = {
            form: ((_NONE if factor == 0 else _FULL if factor == 1 else _SCALED), factor)
            for form, factor in rs.rd_form_factors
        }
        self.max_employees = rs.max_employees
        self.max_sales = rs.max_sales_revenue
        self.max_assets = rs.max_total_assets
        self.lookback = rs.lookback_years
        self.award_max_rank = rs.award_max_rank
        self.institution_levels = rs.institution_levels
        self.standard_levels = rs.standard_levels
        self.standard_max_rank = rs.standard_max_rank
        self.tech_bands = _ratio_bands(rs.tech_staff_bands)
        self.sales_bands = _ratio_bands(rs.rd_sales_bands)
        self.cost_bands = _ratio_bands(rs.rd_cost_bands)
        self.ip1_kinds = rs.ip_class_i_kinds
        self.ip2_kinds = rs.ip_class_ii_kinds
        self.ip1_bands = _count_bands(rs.ip_class_i_bands, "Ⅰ类")
        self.ip2_bands = _count_bands(rs.ip_class_ii_bands, "Ⅱ类")
        self.pass_score = rs.pass_score
        self.tech_required = rs.tech_staff_required
        names = INDICATOR_NAMES
        self.pass_1 = IndicatorResult(1, names[0], True, passed=True)
        self.pass_2 = IndicatorResult(2, names[1], True, passed=True)
        self.pass_3 = IndicatorResult(3, names[2], True, passed=True)
        self.pass_4 = IndicatorResult(4, names[3], True, passed=True)
        self.entry_passed = (self.pass_1, self.pass_2, self.pass_3, self.pass_4)
        self.not_judged_9_11 = tuple(IndicatorResult(n, names[n - 1], False) for n in (9, 10, 11))
        self.not_judged_5_11 = (
            tuple(IndicatorResult(n, names[n - 1], False) for n in (5, 6, 7, 8)) + self.not_judged_9_11
        )
        #: Evaluation year → indicators 5–8 all failed (their reasons name the years).
        self.direct_failed: dict[int, tuple[IndicatorResult, ...]] = {}
        # Reasons are fixed texts (the figures themselves are in the result),
        # so an evaluation formats nothing on the hot path.
        low9 = _lowest_band(self.tech_bands)
        self.reason9_none = "职工总数为 0，无法计算科技人员占比"
        self.reason9_low = f"科技人员占比低于 {low9}%" if low9 else "科技人员占比未达到计分档"
        self.reasons10 = _reasons_10(self.sales_bands, self.cost_bands)
        self.reason11 = "无计分的Ⅰ类或Ⅱ类知识产权"
        #: (total, indicator 9 is 0) → why not qualified.
        self.score_reasons: dict[tuple[int, bool], str] = {}

    def score_reason(self, total: int, tech_zero: bool) -> str:
        """:param total: Total score.
        :param tech_zero: Whether indicator 9 scored 0 (and that disqualifies).
        :returns: Why a scored evaluation did not qualify."""
        key = (total, tech_zero)
        text = self.score_reasons.get(key)
        if text is None:
            parts = []
            if total < self.pass_score:
                parts.append(f"总分 {total} 分，低于 {self.pass_score} 分")
            if tech_zero:
                parts.append("科技人员指标得分为 0")
            text = self.score_reasons[key] = "；".join(parts)
        return text

    def direct_failed_for(self, year: int) -> tuple[IndicatorResult, ...]:
        """:param year: Evaluation year.
        :returns: Indicators 5–8, none holding, with reasons naming the look-back window."""
        cached = self.direct_failed.get(year)
        if cached is None:
            lo = year - self.lookback + 1
            names = INDICATOR_NAMES
            cached = (
                IndicatorResult(5, names[4], True, passed=False, reason="无有效期内的高新技术企业资格证书"),
                IndicatorResult(
                    6, names[5], True, passed=False,
                    reason=f"{lo}–{year} 年无排名前 {self.award_max_rank} 的国家级科技奖励",
                ),
                IndicatorResult(7, names[6], True, passed=False, reason="无省部级以上研发机构"),
                IndicatorResult(
                    8, names[7], True, passed=False,
                    reason=f"{lo}–{year} 年未主导制定国际、国家或行业标准",
                ),
            )
            self.direct_failed[year] = cached
        return cached


def _ratio_bands(bands: tuple[Band, ...]) -> tuple[_CBand, ...]:
    """:param bands: Percentage bands from a ruleset.
    :returns: The bands as ``(threshold in 0.0001% units, points, label such as "≥30%")``.
    :raises ValueError: For a threshold with more than 4 decimal places."""
    result = []
    for threshold, points in bands:
        scaled = threshold.scaleb(_THRESHOLD_PLACES)
        if scaled != scaled.to_integral_value():
            raise ValueError(f"percentage threshold {threshold} has more than 4 decimal places")
        result.append((scaled, points, f"≥{format_decimal(threshold)}%"))
    return tuple(result)


def _count_bands(bands: tuple[Band, ...], prefix: str) -> tuple[tuple[int, int, str], ...]:
    """:param bands: Count bands from a ruleset.
    :param prefix: Label prefix, e.g. ``"Ⅱ类"``.
    :returns: Bands with integer thresholds (a fractional threshold is rounded
        up, which is what a count must reach) and labels such as ``"Ⅱ类≥4项"``."""
    result = []
    for threshold, points in bands:
        whole = int(threshold.to_integral_value(rounding=ROUND_CEILING))
        result.append((whole, points, f"{prefix}≥{whole}项"))
    return tuple(result)


#: id(ruleset) → compiled form (which holds the ruleset, so the id stays valid).
_COMPILED: dict[int, _Compiled] = {}


def _compiled(rs: Ruleset) -> _Compiled:
    """:param rs: A ruleset.
    :returns: Its cached compiled form."""
    compiled = _COMPILED.get(id(rs))
    if compiled is None or compiled.ruleset is not rs:
        compiled = _COMPILED[id(rs)] = _Compiled(rs)
    return compiled


def _rd_sum(projects: Iterable[RdProject], factors: dict[str, tuple[int, Decimal]]) -> Decimal:
    """Weighted R&D total; call with :data:`DECIMAL_CONTEXT` current.

    :param projects: R&D projects.
    :param factors: Compiled form factors.
    :returns: The weighted R&D total.
    :raises ValueError: For a form the ruleset has no factor for."""
    total = _ZERO
    for project in projects:
        entry = factors.get(project.form)
        if entry is None:
            raise ValueError(f"unknown R&D project form: {project.form!r}")
        how, factor = entry
        if how == _FULL:
            total += project.amount
        elif how == _SCALED:
            total += project.amount * factor
    return total


def rd_total(projects: Iterable[RdProject], ruleset: Ruleset) -> Decimal:
    """Total R&D expense that counts under ``ruleset``.

    Under the 2017 rules commissioned-domestic projects count at 80%,
    commissioned-foreign at 0 and every other form in full.

    :param projects: The enterprise's R&D projects.
    :param ruleset: The rules to apply.
    :returns: The weighted total, 万元.
    :raises ValueError: For a project form missing from the ruleset's factors.
    """
    factors = _compiled(ruleset).factors
    saved = getcontext()
    setcontext(_CTX)
    try:
        return _rd_sum(projects, factors)
    finally:
        setcontext(saved)


def ip_counts(items: Iterable[IpItem], ruleset: Ruleset) -> tuple[int, int]:
    """Count IP items by class.

    :param items: The enterprise's IP.
    :param ruleset: The rules defining the classes.
    :returns: ``(class_i, class_ii)``; kinds in neither class are not counted.
    """
    class_i = class_ii = 0
    kinds_i, kinds_ii = ruleset.ip_class_i_kinds, ruleset.ip_class_ii_kinds
    for item in items:
        kind = item.kind
        if kind in kinds_i:
            class_i += 1
        elif kind in kinds_ii:
            class_ii += 1
    return class_i, class_ii


def _score_ratio(
    numerator: Decimal, denominator: Decimal, bands: tuple[_CBand, ...]
) -> tuple[Decimal | None, str | None, int]:
    """Score a ratio; call with :data:`DECIMAL_CONTEXT` current.

    The percentage is truncated to 4 decimals with an exact integer division.
    Thresholds have at most 4 decimals, so comparing the truncated value
    decides every band exactly as the exact ratio would.

    :param numerator: Ratio numerator.
    :param denominator: Ratio denominator; zero (or less) gives no ratio.
    :param bands: Compiled bands ``(threshold × 10^4, points, label)``, highest first.
    :returns: ``(percentage truncated to 4 decimals or None, band label or None, points)``."""
    if not denominator > 0:
        return None, None, 0
    scaled = numerator * _SCALE // denominator
    for threshold, points, label in bands:
        if scaled >= threshold:
            return scaled.scaleb(-4), label, points
    return scaled.scaleb(-4), None, 0


def _entry_failed(inp: EvaluationInput, c: _Compiled, rd: Decimal, employees_total: int) -> EvaluationResult:
    """Build the result when an entry condition fails (the cold path).

    :param inp: The input.
    :param c: Compiled ruleset.
    :param rd: Weighted R&D total.
    :param employees_total: All employees.
    :returns: A not-qualified result with all of 1–4 judged and 5–11 not judged."""
    names = INDICATOR_NAMES
    reasons: list[str] = []
    if inp.registered_in_mainland:
        i1 = c.pass_1
    else:
        text = "非在中国境内（不含港、澳、台地区）注册的居民企业"
        i1 = IndicatorResult(1, names[0], True, False, reason=text)
        reasons.append(text)
    sales, assets = inp.sales_revenue, inp.total_assets
    problems = []
    if employees_total > c.max_employees:
        problems.append(f"职工总数 {employees_total} 人超过 {c.max_employees} 人")
    if sales > c.max_sales:
        problems.append(f"年销售收入 {format_decimal(sales)} 万元超过 {format_decimal(c.max_sales)} 万元")
    if assets > c.max_assets:
        problems.append(f"资产总额 {format_decimal(assets)} 万元超过 {format_decimal(c.max_assets)} 万元")
    if problems:
        i2 = IndicatorResult(
            2,
            names[1],
            True,
            False,
            inputs={"employees": employees_total, "sales_revenue": sales, "total_assets": assets},
            reason="；".join(problems),
        )
        reasons.extend(problems)
    else:
        i2 = c.pass_2
    if inp.products_not_prohibited:
        i3 = c.pass_3
    else:
        text = "产品和服务属于国家规定的禁止、限制和淘汰类"
        i3 = IndicatorResult(3, names[2], True, False, reason=text)
        reasons.append(text)
    if inp.credit_ok:
        i4 = c.pass_4
    else:
        text = "存在重大安全、质量事故，严重环境违法、科研严重失信行为，或被列入经营异常名录、严重违法失信名单"
        i4 = IndicatorResult(4, names[3], True, False, reason=text)
        reasons.append(text)
    return EvaluationResult(
        inp.year,
        c.ruleset.year,
        False,
        PATH_ENTRY_FAILED,
        None,
        rd,
        (i1, i2, i3, i4) + c.not_judged_5_11,
        "不满足基本条件：" + "；".join(reasons),
    )


def _direct(inp: EvaluationInput, c: _Compiled) -> tuple[IndicatorResult, ...] | None:
    """Judge indicators 5–8.

    :param inp: The input (entry conditions already hold).
    :param c: Compiled ruleset.
    :returns: Indicators 5–8 when at least one holds, else ``None``."""
    year = inp.year
    lo = year - c.lookback + 1
    award = institution = standard = None
    for item in inp.national_awards:
        if lo <= item.year <= year and 1 <= item.rank <= c.award_max_rank:
            award = item
            break
    for item in inp.rd_institutions:
        if item.level in c.institution_levels:
            institution = item
            break
    for item in inp.standards:
        if item.level in c.standard_levels and lo <= item.year <= year and 1 <= item.rank <= c.standard_max_rank:
            standard = item
            break
    if not (inp.high_tech_certificate_valid or award or institution or standard):
        return None
    failed = c.direct_failed_for(year)
    names = INDICATOR_NAMES
    return (
        IndicatorResult(5, names[4], True, True) if inp.high_tech_certificate_valid else failed[0],
        IndicatorResult(6, names[5], True, True, details={"award": award}) if award else failed[1],
        IndicatorResult(7, names[6], True, True, details={"institution": institution}) if institution else failed[2],
        IndicatorResult(8, names[7], True, True, details={"standard": standard}) if standard else failed[3],
    )


def evaluate(inp: EvaluationInput, ruleset: Ruleset | None = None) -> EvaluationResult:
    """Evaluate an enterprise against the Tech-SME rules.

    The caller's decimal context is left untouched: the arithmetic runs with
    :data:`DECIMAL_CONTEXT` made current for the duration of the call.

    :param inp: The (validated) input.
    :param ruleset: The rules to apply; by default
        :func:`~rules.sme.tables.ruleset_for` ``(inp.year)``.
    :returns: The outcome with all 11 indicators.
    :raises ValueError: If no ruleset covers ``inp.year`` or an R&D form is unknown.
    """
    saved = getcontext()
    if saved is _CTX:
        return _evaluate(inp, ruleset)
    setcontext(_CTX)
    try:
        return _evaluate(inp, ruleset)
    finally:
        setcontext(saved)


def _evaluate(inp: EvaluationInput, ruleset: Ruleset | None) -> EvaluationResult:
    """:func:`evaluate` with :data:`DECIMAL_CONTEXT` current.

    :param inp: The input.
    :param ruleset: The rules, or ``None`` for the input year's.
    :returns: The outcome."""
    rs = ruleset if ruleset is not None else ruleset_for(inp.year)
    c = _COMPILED.get(id(rs))
    if c is None or c.ruleset is not rs:
        c = _compiled(rs)
    rd = _rd_sum(inp.rd_projects, c.factors)
    emp = inp.employees
    employees_total = emp.fulltime + emp.parttime + emp.temporary

    # Indicators 1–4: entry conditions.
    if not (
        inp.registered_in_mainland
        and inp.products_not_prohibited
        and inp.credit_ok
        and employees_total <= c.max_employees
        and inp.sales_revenue <= c.max_sales
        and inp.total_assets <= c.max_assets
    ):
        return _entry_failed(inp, c, rd, employees_total)

    # Indicators 5–8: direct qualification (skip the scan when there is no evidence).
    if (
        inp.high_tech_certificate_valid
        or inp.national_awards
        or inp.rd_institutions
        or inp.standards
    ):
        direct = _direct(inp, c)
        if direct is not None:
            return EvaluationResult(
                inp.year, rs.year, True, PATH_DIRECT, None, rd, c.entry_passed + direct + c.not_judged_9_11
            )

    names = INDICATOR_NAMES
    # Indicator 9: tech staff / employees, all three kinds in both.
    tech = inp.tech_staff
    ratio9, band9, points9 = _score_ratio(
        Decimal(tech.fulltime + tech.parttime + tech.temporary), employees_total, c.tech_bands
    )
    reason9 = None if points9 else c.reason9_none if ratio9 is None else c.reason9_low
    i9 = IndicatorResult(
        9, names[8], True, None, points9, ratio9, band9, {"tech_staff": tech, "employees": emp}, None, reason9
    )

    # Indicator 10: the better of R&D / sales and R&D / cost and expenses.
    sales, cost = inp.sales_revenue, inp.cost_expenses
    ratio_s, band_s, points_s = _score_ratio(rd, sales, c.sales_bands)
    ratio_c, band_c, points_c = _score_ratio(rd, cost, c.cost_bands)
    if points_c > points_s or (points_c == points_s and ratio_s is None and ratio_c is not None):
        used, ratio10, band10, points10 = "cost_expenses", ratio_c, band_c, points_c
    else:
        used, ratio10, band10, points10 = "sales", ratio_s, band_s, points_s
    i10 = IndicatorResult(
        10,
        names[9],
        True,
        None,
        points10,
        ratio10,
        band10,
        {"rd_total": rd, "sales_revenue": sales, "cost_expenses": cost},
        {
            "sales": RatioScore("sales", ratio_s, band_s, points_s),
            "cost_expenses": RatioScore("cost_expenses", ratio_c, band_c, points_c),
            "used": used,
        },
        None if points10 else c.reasons10[(ratio_s is None, ratio_c is None)],
    )

    # Indicator 11: IP, class I bands first, then class II.
    class_i = class_ii = 0
    kinds_i, kinds_ii = c.ip1_kinds, c.ip2_kinds
    for item in inp.ip:
        kind = item.kind
        if kind in kinds_i:
            class_i += 1
        elif kind in kinds_ii:
            class_ii += 1
    points11, band11 = 0, None
    for threshold, points, label in c.ip1_bands:
        if class_i >= threshold:
            points11, band11 = points, label
            break
    else:
        for threshold, points, label in c.ip2_bands:
            if class_ii >= threshold:
                points11, band11 = points, label
                break
    counts = {"class_i": class_i, "class_ii": class_ii}
    i11 = IndicatorResult(
        11, names[10], True, None, points11, None, band11, counts, counts,
        None if points11 else c.reason11,
    )

    total = points9 + points10 + points11
    tech_zero = c.tech_required and not points9
    qualified = total >= c.pass_score and not tech_zero
    reason = None if qualified else c.score_reason(total, tech_zero)
    direct_failed = c.direct_failed.get(inp.year) or c.direct_failed_for(inp.year)
    return EvaluationResult(
        inp.year,
        rs.year,
        qualified,
        PATH_SCORED,
        total,
        rd,
        c.entry_passed + direct_failed + (i9, i10, i11),
        reason,
    )


def _lowest_band(bands: tuple[_CBand, ...]) -> str | None:
    """:param bands: Compiled percentage bands.
    :returns: The lowest threshold as text, e.g. ``"10"``, or ``None`` without bands."""
    return format_decimal(bands[-1][0].scaleb(-_THRESHOLD_PLACES)) if bands else None


def _reasons_10(sales_bands: tuple[_CBand, ...], cost_bands: tuple[_CBand, ...]) -> dict[tuple[bool, bool], str]:
    """:param sales_bands: Compiled R&D / sales bands.
    :param cost_bands: Compiled R&D / cost bands.
    :returns: Why indicator 10 scored 0, keyed by
        ``(no sales ratio, no cost ratio)``."""
    low_s, low_c = _lowest_band(sales_bands), _lowest_band(cost_bands)
    text_s = f"研发费用占销售收入低于 {low_s}%" if low_s else "研发费用占销售收入未达到计分档"
    text_c = f"研发费用占成本费用总额低于 {low_c}%" if low_c else "研发费用占成本费用总额未达到计分档"
    result = {}
    for no_s in (False, True):
        for no_c in (False, True):
            parts = ["销售收入为 0" if no_s else text_s, "成本费用总额为 0" if no_c else text_c]
            result[(no_s, no_c)] = "；".join(parts)
    return result
