"""A :class:`~rules.sme.tables.Ruleset` compiled for :func:`rules.sme.scoring.evaluate`.

Everything that depends only on the rule set is worked out once per rule-set object and
cached: band thresholds in the units the scorer compares in (0.0001 %), ascending for
:func:`bisect.bisect_right`, with the points and label each position gives; the form
factors; the indicator results that never vary (entry conditions passed, indicators not
judged, indicators 5–8 failed for a given year); the reasons.  So an evaluation does little
more than its own arithmetic.  The cold paths (an entry condition failed, direct
qualification by indicators 5–8) are here too.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal
from typing import Any

from rules.sme.decimals import DECIMAL_CONTEXT, format_decimal
from rules.sme.model import PATH_ENTRY_FAILED, EvaluationInput, EvaluationResult, IndicatorResult
from rules.sme.tables import INDICATOR_NAMES, Band, Ruleset

#: Builds a named tuple from a plain one without the generated ``__new__`` (3× faster).
new_tuple = tuple.__new__
#: Marks a form whose expense counts in full (added as is, not multiplied by 1).
FULL = object()
_NAME_6, _NAME_7, _NAME_8 = INDICATOR_NAMES[5:8]
#: Most decimal places a percentage threshold may have (it is compared in 0.0001 % units).
THRESHOLD_PLACES = 4
#: Band table: position ``bisect_right(thresholds, value)`` → ``(points, label or None)``.
BandTable = tuple[tuple[int, "str | None"], ...]


def _ratio_bands(bands: tuple[Band, ...]) -> tuple[tuple[Decimal, ...], BandTable]:
    """:param bands: Percentage bands from a ruleset, highest first.
    :returns: Thresholds in 0.0001 % units, ascending, and the band table.
    :raises ValueError: For a threshold with more than 4 decimal places."""
    thresholds, table = [], [(0, None)]
    for threshold, points in reversed(bands):
        scaled = threshold.scaleb(THRESHOLD_PLACES, DECIMAL_CONTEXT)  # the caller's context may round
        if scaled != scaled.to_integral_value(context=DECIMAL_CONTEXT):
            raise ValueError(f"percentage threshold {threshold} has more than 4 decimal places")
        thresholds.append(scaled)
        table.append((points, f"≥{format_decimal(threshold)}%"))
    return tuple(thresholds), tuple(table)


def _ends(thresholds: tuple[Any, ...], table: BandTable) -> tuple[Any, Any, tuple[int, str | None]]:
    """:param thresholds: Ascending thresholds.
    :param table: Their band table.
    :returns: The lowest threshold, the highest, and the band reached at or above the highest:
        below the lowest a value reaches ``table[0]`` (no band), at or above the highest
        ``table[-1]``, just as bisect would give.  Without bands both are infinite, so every
        finite value is below the lowest (and an infinite one gets ``table[-1]``, the same)."""
    if not thresholds:
        return _INFINITY, _INFINITY, table[-1]
    return thresholds[0], thresholds[-1], table[-1]


_INFINITY = Decimal("Infinity")


def _count_bands(bands: tuple[Band, ...], prefix: str) -> tuple[tuple[int, int, str], ...]:
    """:param bands: Count bands from a ruleset.
    :param prefix: Label prefix, e.g. ``"Ⅱ类"``.
    :returns: Bands with integer thresholds (a fractional threshold is rounded
        up, which is what a count must reach) and labels such as ``"Ⅱ类≥4项"``."""
    result = []
    for threshold, points in bands:
        whole = int(threshold.to_integral_value(rounding=ROUND_CEILING, context=DECIMAL_CONTEXT))
        result.append((whole, points, f"{prefix}≥{whole}项"))
    return tuple(result)


def _lowest(bands: tuple[Band, ...]) -> str | None:
    """:param bands: Percentage bands, highest first.
    :returns: The lowest threshold as text, e.g. ``"10"``, or ``None`` without bands."""
    return format_decimal(bands[-1][0]) if bands else None


class CompiledRuleset:
    """Lookups derived once from a :class:`Ruleset` (see the module docstring).

    The result records it hands out are shared between evaluations (indicator 11's counts
    mapping too): they are immutable, and their mappings must not be changed.
    """

    __slots__ = (
        "ruleset", "year", "factors", "max_employees", "max_sales", "max_assets", "lookback",
        "award_max_rank", "institution_levels", "standard_levels", "standard_max_rank",
        "tech_thresholds", "tech_table", "sales_thresholds", "sales_table", "cost_thresholds",
        "cost_table", "tech_low", "tech_high", "tech_top", "sales_low", "sales_high", "sales_top",
        "cost_low", "cost_high", "cost_top", "ip1_kinds", "ip2_kinds", "ip1_bands", "ip2_bands", "ip_results", "pass_score",
        "tech_required", "max_sales_text", "max_assets_text", "fail_1", "fail_3", "fail_4", "pass_1", "pass_2", "pass_3", "pass_4", "pass_5", "entry_passed",
        "not_judged_5_11", "not_judged_9_11", "direct_failed", "scored_prefix", "reason9_none",
        "reason9_low", "reasons10", "reason11", "score_reasons",
    )

    def __init__(self, rs: Ruleset) -> None:
        """:param rs: The ruleset to compile."""
        self.ruleset = rs
        self.year = rs.year
        #: Form → FULL, None (counts nothing) or the Decimal factor.
        self.factors: dict[str, Any] = {
            form: (None if factor == 0 else FULL if factor == 1 else factor) for form, factor in rs.rd_form_factors
        }
        self.max_employees = rs.max_employees
        self.max_sales = rs.max_sales_revenue
        self.max_assets = rs.max_total_assets
        self.max_sales_text = format_decimal(rs.max_sales_revenue)
        self.max_assets_text = format_decimal(rs.max_total_assets)
        self.lookback = rs.lookback_years
        self.award_max_rank = rs.award_max_rank
        self.institution_levels = rs.institution_levels
        self.standard_levels = rs.standard_levels
        self.standard_max_rank = rs.standard_max_rank
        tech_thresholds, self.tech_table = _ratio_bands(rs.tech_staff_bands)
        # Indicator 9 is a ratio of head counts: compared as integers.
        self.tech_thresholds = tuple(int(t) for t in tech_thresholds)
        self.sales_thresholds, self.sales_table = _ratio_bands(rs.rd_sales_bands)
        self.cost_thresholds, self.cost_table = _ratio_bands(rs.rd_cost_bands)
        # Most ratios fall below the lowest band or reach the highest: one or two comparisons
        # then, and bisect only between (a bisect over Decimals costs several comparisons).
        self.tech_low, self.tech_high, self.tech_top = _ends(self.tech_thresholds, self.tech_table)
        self.sales_low, self.sales_high, self.sales_top = _ends(self.sales_thresholds, self.sales_table)
        self.cost_low, self.cost_high, self.cost_top = _ends(self.cost_thresholds, self.cost_table)
        self.ip1_kinds = rs.ip_class_i_kinds
        self.ip2_kinds = rs.ip_class_ii_kinds
        self.ip1_bands = _count_bands(rs.ip_class_i_bands, "Ⅰ类")
        self.ip2_bands = _count_bands(rs.ip_class_ii_bands, "Ⅱ类")
        #: (class I count, class II count) → indicator 11's result.
        self.ip_results: dict[tuple[int, int], IndicatorResult] = {}
        self.pass_score = rs.pass_score
        self.tech_required = rs.tech_staff_required
        names = INDICATOR_NAMES
        self.pass_1, self.pass_2, self.pass_3, self.pass_4, self.pass_5 = (
            IndicatorResult(n, names[n - 1], True, passed=True) for n in (1, 2, 3, 4, 5)
        )
        self.fail_1 = IndicatorResult(1, names[0], True, False, reason="非在中国境内（不含港、澳、台地区）注册的居民企业")
        self.fail_3 = IndicatorResult(3, names[2], True, False, reason="产品和服务属于国家规定的禁止、限制和淘汰类")
        self.fail_4 = IndicatorResult(
            4, names[3], True, False,
            reason="存在重大安全、质量事故，严重环境违法、科研严重失信行为，或被列入经营异常名录、严重违法失信名单",
        )
        self.entry_passed = (self.pass_1, self.pass_2, self.pass_3, self.pass_4)
        self.not_judged_9_11 = tuple(IndicatorResult(n, names[n - 1], False) for n in (9, 10, 11))
        self.not_judged_5_11 = (
            tuple(IndicatorResult(n, names[n - 1], False) for n in (5, 6, 7, 8)) + self.not_judged_9_11
        )
        #: Evaluation year → indicators 5–8 all failed (their reasons name the years).
        self.direct_failed: dict[int, tuple[IndicatorResult, ...]] = {}
        #: Evaluation year → indicators 1–8 of a scored evaluation.
        self.scored_prefix: dict[int, tuple[IndicatorResult, ...]] = {}
        # Reasons are fixed texts (the figures themselves are in the result),
        # so an evaluation formats nothing on the hot path.
        low9 = _lowest(rs.tech_staff_bands)
        self.reason9_none = "职工总数为 0，无法计算科技人员占比"
        self.reason9_low = f"科技人员占比低于 {low9}%" if low9 else "科技人员占比未达到计分档"
        self.reasons10 = _reasons_10(_lowest(rs.rd_sales_bands), _lowest(rs.rd_cost_bands))
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
            self.scored_prefix[year] = self.entry_passed + cached
        return cached

    def ip_result(self, class_i: int, class_ii: int) -> IndicatorResult:
        """:param class_i: Class I items counted.
        :param class_ii: Class II items counted.
        :returns: Indicator 11: class I bands first, then class II (cached per pair of counts)."""
        key = (class_i, class_ii)
        result = self.ip_results.get(key)
        if result is not None:
            return result
        points11, band11 = 0, None
        for threshold, points, label in self.ip1_bands:
            if class_i >= threshold:
                points11, band11 = points, label
                break
        else:
            for threshold, points, label in self.ip2_bands:
                if class_ii >= threshold:
                    points11, band11 = points, label
                    break
        counts = {"class_i": class_i, "class_ii": class_ii}
        result = IndicatorResult(
            11, INDICATOR_NAMES[10], True, None, points11, None, band11, counts, counts,
            None if points11 else self.reason11,
        )
        if len(self.ip_results) < 4096:  # bounded: counts come from outside
            self.ip_results[key] = result
        return result


def _reasons_10(low_s: str | None, low_c: str | None) -> dict[tuple[bool, bool], str]:
    """:param low_s: Lowest R&D / sales threshold as text, or ``None``.
    :param low_c: Lowest R&D / cost threshold as text, or ``None``.
    :returns: Why indicator 10 scored 0, keyed by ``(no sales ratio, no cost ratio)``."""
    text_s = f"研发费用占销售收入低于 {low_s}%" if low_s else "研发费用占销售收入未达到计分档"
    text_c = f"研发费用占成本费用总额低于 {low_c}%" if low_c else "研发费用占成本费用总额未达到计分档"
    result = {}
    for no_s in (False, True):
        for no_c in (False, True):
            parts = ["销售收入为 0" if no_s else text_s, "成本费用总额为 0" if no_c else text_c]
            result[(no_s, no_c)] = "；".join(parts)
    return result


#: id(ruleset) → compiled form (which holds the ruleset, so the id stays valid).
COMPILED: dict[int, CompiledRuleset] = {}


def compiled(rs: Ruleset) -> CompiledRuleset:
    """:param rs: A ruleset.
    :returns: Its cached compiled form."""
    result = COMPILED.get(id(rs))
    if result is None or result.ruleset is not rs:
        if len(COMPILED) >= 256:  # rule sets parsed again and again must not pile up
            COMPILED.clear()
        result = COMPILED[id(rs)] = CompiledRuleset(rs)
    return result


def entry_failed(inp: EvaluationInput, c: CompiledRuleset, rd: Decimal, employees_total: int) -> EvaluationResult:
    """Build the result when an entry condition fails (the cold path).

    :param inp: The input.
    :param c: Compiled ruleset.
    :param rd: Weighted R&D total.
    :param employees_total: All employees.
    :returns: A not-qualified result with all of 1–4 judged and 5–11 not judged."""
    reasons: list[str] = []
    if inp.registered_in_mainland:
        i1 = c.pass_1
    else:
        i1 = c.fail_1
        reasons.append(i1.reason)
    sales, assets = inp.sales_revenue, inp.total_assets
    problems = []
    if employees_total > c.max_employees:
        problems.append(f"职工总数 {employees_total} 人超过 {c.max_employees} 人")
    if sales > c.max_sales:
        problems.append(f"年销售收入 {format_decimal(sales)} 万元超过 {c.max_sales_text} 万元")
    if assets > c.max_assets:
        problems.append(f"资产总额 {format_decimal(assets)} 万元超过 {c.max_assets_text} 万元")
    if problems:
        i2 = new_tuple(IndicatorResult, (
            2, INDICATOR_NAMES[1], True, False, None, None, None,
            {"employees": employees_total, "sales_revenue": sales, "total_assets": assets}, None, "；".join(problems),
        ))
        reasons.extend(problems)
    else:
        i2 = c.pass_2
    if inp.products_not_prohibited:
        i3 = c.pass_3
    else:
        i3 = c.fail_3
        reasons.append(i3.reason)
    if inp.credit_ok:
        i4 = c.pass_4
    else:
        i4 = c.fail_4
        reasons.append(i4.reason)
    return new_tuple(EvaluationResult, (
        inp.year, c.year, False, PATH_ENTRY_FAILED, None, rd, (i1, i2, i3, i4) + c.not_judged_5_11,
        "不满足基本条件：" + "；".join(reasons),
    ))


def direct(inp: EvaluationInput, c: CompiledRuleset) -> tuple[IndicatorResult, ...] | None:
    """Judge indicators 5–8.

    :param inp: The input (entry conditions already hold).
    :param c: Compiled ruleset.
    :returns: All 11 indicators when at least one of 5–8 holds, else ``None``."""
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
        # Rank first: it rules out most items soonest.  (scoring._evaluate repeats this test.)
        if 1 <= item.rank <= c.standard_max_rank and lo <= item.year <= year and item.level in c.standard_levels:
            standard = item
            break
    if not (inp.high_tech_certificate_valid or award or institution or standard):
        return None
    failed = c.direct_failed.get(year) or c.direct_failed_for(year)
    return c.entry_passed + (
        c.pass_5 if inp.high_tech_certificate_valid else failed[0],
        new_tuple(IndicatorResult, (6, _NAME_6, True, True, None, None, None, None, {"award": award}, None))
        if award else failed[1],
        new_tuple(IndicatorResult, (7, _NAME_7, True, True, None, None, None, None, {"institution": institution}, None))
        if institution else failed[2],
        new_tuple(IndicatorResult, (8, _NAME_8, True, True, None, None, None, None, {"standard": standard}, None))
        if standard else failed[3],
    ) + c.not_judged_9_11
