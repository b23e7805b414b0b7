"""Scoring of the 11 Tech-SME indicators.

:func:`evaluate` applies a :class:`~rules.sme.tables.Ruleset` to an
:class:`~rules.sme.model.EvaluationInput`:

1. Indicators 1–4 are entry conditions.  If any fails the enterprise is not
   qualified (path ``"entry_failed"``) and 5–11 are not judged.
2. Indicators 5–8 qualify directly, any one of them (path ``"direct"``);
   9–11 are then not judged.
3. Otherwise 9–11 are scored (path ``"scored"``): qualified when the total is
   at least the pass mark and indicator 9 is not 0.

Money is :class:`~decimal.Decimal` (never float), computed with the 60-digit
:data:`~rules.sme.decimals.DECIMAL_CONTEXT` current: the call runs in a
:class:`contextvars.Context` of the thread's own where it is, so the outcome does not depend
on the caller's decimal context (which is never touched).
A percentage is taken by an exact integer division in units of 0.0001% (i.e.
truncated to 4 decimals): head counts as ``int``, amounts as Decimal; band
thresholds have at most 4 decimals, so every band is decided exactly (0.7 +
0.1 over 40 is exactly 2%).  A zero denominator gives
no ratio and 0 points.

Per-ruleset lookups (band tables, factors, constant indicator results) are
compiled once and cached (:mod:`rules.sme.compiled`), and per evaluation year
(:data:`~rules.sme.tables.RULESET_BY_YEAR`), so an evaluation does little more than the
arithmetic itself.
"""

from __future__ import annotations

from bisect import bisect_right
from decimal import Decimal, getcontext, setcontext
from contextvars import Context
from threading import local
from typing import Callable, Iterable

from rules.sme.compiled import COMPILED, FULL, CompiledRuleset, compiled, direct, entry_failed, new_tuple
from rules.sme.decimals import DECIMAL_CONTEXT, format_decimal, format_ratio
from rules.sme.model import PATH_DIRECT, PATH_SCORED, EvaluationInput, EvaluationResult, IndicatorResult, IpItem, RatioScore, RdProject
from rules.sme.tables import INDICATOR_NAMES, RULESET_BY_YEAR, Ruleset, ruleset_for

__all__ = ["DECIMAL_CONTEXT", "evaluate", "format_decimal", "format_ratio", "ip_counts", "rd_total"]

_ZERO = Decimal(0)
#: numerator × _SCALE // denominator is the percentage in units of 0.0001%.
_SCALE = Decimal(1_000_000)
_INT_SCALE = 1_000_000
#: Head counts below this divide as ints exactly as 60-digit Decimals would (larger, or
#: negative ones built by hand, go through Decimal: its division truncates, an int's floors).
_INT_LIMIT = 10**50
#: q × _TICK is q.scaleb(-4) (same digits, exponent −4: the 4-decimal percentage) at half the cost.
_TICK = Decimal("1E-4")
_NAME_9, _NAME_10 = INDICATOR_NAMES[8], INDICATOR_NAMES[9]
#: Indicator 9's percentage in 0.0001 % units → the same as a Decimal (few distinct values).
_PERCENTS: dict[int, Decimal] = {}


def _percent(scaled: int) -> Decimal:
    """:param scaled: A percentage in 0.0001 % units, not negative.
    :returns: It as a Decimal with 4 decimals (``Decimal("2.0000")``), cached."""
    value = DECIMAL_CONTEXT.multiply(Decimal(scaled), _TICK)
    if len(_PERCENTS) < 65536:
        _PERCENTS[scaled] = value
    return value


def _rd_sum(projects: Iterable[RdProject], factors: dict) -> Decimal:
    """Weighted R&D total; call with :data:`DECIMAL_CONTEXT` current.

    :param projects: R&D projects.
    :param factors: Compiled form factors.
    :returns: The weighted R&D total.
    :raises ValueError: For a form the ruleset has no factor for."""
    total = _ZERO
    for project in projects:
        try:
            factor = factors[project.form]
        except KeyError:
            raise ValueError(f"unknown R&D project form: {project.form!r}") from None
        if factor is FULL:
            total += project.amount
        elif factor is not None:
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
    factors = compiled(ruleset).factors
    saved = getcontext()
    setcontext(DECIMAL_CONTEXT)
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


def evaluate(inp: EvaluationInput, ruleset: Ruleset | None = None) -> EvaluationResult:
    """Evaluate an enterprise against the Tech-SME rules.

    The caller's decimal context is left untouched: the Decimal arithmetic runs with
    :data:`DECIMAL_CONTEXT` current, inside a :class:`contextvars.Context` of the calling
    thread's own (see :func:`_runner`).

    :param inp: The (validated) input.
    :param ruleset: The rules to apply; by default
        :func:`~rules.sme.tables.ruleset_for` ``(inp.year)``.
    :returns: The outcome with all 11 indicators.
    :raises ValueError: If no ruleset covers ``inp.year`` or an R&D form is unknown.
    """
    # Subscripts in try blocks rather than dict.get here and below: a method call costs more.
    if ruleset is None:
        try:
            c = RULESET_BY_YEAR[inp.year]
        except KeyError:
            c = _compiled_for_year(inp.year)
    else:
        c = COMPILED.get(id(ruleset))
        if c is None or c.ruleset is not ruleset:
            c = compiled(ruleset)
    try:
        run = _THREAD.run
    except AttributeError:
        run = _runner()
    try:
        return run(_evaluate, inp, c)
    except RuntimeError:
        # That Context is already entered (evaluate called again from a signal handler inside
        # evaluate), or _evaluate raised it: switching the context instead gives the same outcome.
        saved = getcontext()
        setcontext(DECIMAL_CONTEXT)
        try:
            return _evaluate(inp, c)
        finally:
            setcontext(saved)


def _compiled_for_year(year: int) -> CompiledRuleset:
    """:param year: Evaluation year.
    :returns: The compiled form of :func:`ruleset_for` ``(year)``, remembered in
        :data:`~rules.sme.tables.RULESET_BY_YEAR` (emptied when the table changes).
    :raises ValueError: If no ruleset covers ``year``."""
    c = compiled(ruleset_for(year))
    if len(RULESET_BY_YEAR) < 1024:  # years come from outside
        RULESET_BY_YEAR[year] = c
    return c


#: ``run``: the ``run`` of a :class:`contextvars.Context` of this thread's own whose decimal
#: context is :data:`DECIMAL_CONTEXT`.  Entering a Context costs far less than ``setcontext``
#: twice (each builds a new context-variable mapping); one per thread, as a Context cannot be
#: entered twice at once.
_THREAD = local()


def _runner() -> Callable[..., EvaluationResult]:
    """:returns: The calling thread's ``_THREAD.run`` (made now)."""
    context = Context()
    context.run(setcontext, DECIMAL_CONTEXT)
    run = _THREAD.run = context.run
    return run


def _evaluate(inp: EvaluationInput, c: CompiledRuleset) -> EvaluationResult:
    """:func:`evaluate` with :data:`DECIMAL_CONTEXT` current.

    :param inp: The input.
    :param c: The compiled rules.
    :returns: The outcome."""
    # The weighted R&D total, as _rd_sum (inline: the call costs more than the loop).
    rd = _ZERO
    if inp.rd_projects:
        factors = c.factors
        for project in inp.rd_projects:
            try:
                factor = factors[project.form]
            except KeyError:
                raise ValueError(f"unknown R&D project form: {project.form!r}") from None
            if factor is FULL:
                rd += project.amount
            elif factor is not None:
                rd += project.amount * factor
    emp = inp.employees
    employees_total = emp.fulltime + emp.parttime + emp.temporary
    sales = inp.sales_revenue

    # Indicators 1–4: entry conditions.
    if not (
        inp.registered_in_mainland
        and inp.products_not_prohibited
        and inp.credit_ok
        and employees_total <= c.max_employees
        and sales <= c.max_sales
        and inp.total_assets <= c.max_assets
    ):
        return entry_failed(inp, c, rd, employees_total)

    # Indicators 5–8: direct qualification (skip the scan when there is no evidence).
    year = inp.year
    if inp.high_tech_certificate_valid or inp.national_awards or inp.rd_institutions:
        indicators = direct(inp, c)
        if indicators is not None:
            return new_tuple(EvaluationResult, (year, c.year, True, PATH_DIRECT, None, rd, indicators, None))
    elif inp.standards:
        # Only standards as evidence (common, and mostly not qualifying): the scan of
        # compiled.direct for indicator 8 here, so direct is called only when one qualifies.
        lo = year - c.lookback + 1
        for item in inp.standards:
            if 1 <= item.rank <= c.standard_max_rank and lo <= item.year <= year and item.level in c.standard_levels:
                return new_tuple(EvaluationResult, (year, c.year, True, PATH_DIRECT, None, rd, direct(inp, c), None))

    # Indicator 9: tech staff / employees, all three kinds in both.
    tech = inp.tech_staff
    tech_total = tech.fulltime + tech.parttime + tech.temporary
    if employees_total > 0:
        if 0 <= tech_total < _INT_LIMIT:
            scaled9 = tech_total * _INT_SCALE // employees_total
            try:
                ratio9 = _PERCENTS[scaled9]
            except KeyError:
                ratio9 = _percent(scaled9)
        else:
            scaled9 = Decimal(tech_total) * _SCALE // employees_total
            ratio9 = scaled9 * _TICK
        # As c.tech_table[bisect_right(c.tech_thresholds, scaled9)], which the ends save (compiled.py).
        if scaled9 < c.tech_low:
            points9, band9 = 0, None
        elif scaled9 >= c.tech_high:
            points9, band9 = c.tech_top
        else:
            points9, band9 = c.tech_table[bisect_right(c.tech_thresholds, scaled9)]
        reason9 = None if points9 else c.reason9_low
    else:
        ratio9 = band9 = None
        points9 = 0
        reason9 = c.reason9_none
    i9 = new_tuple(IndicatorResult, (
        9, _NAME_9, True, None, points9, ratio9, band9, {"tech_staff": tech, "employees": emp}, None, reason9,
    ))

    # Indicator 10: the better of R&D / sales and R&D / cost and expenses.
    cost = inp.cost_expenses
    scaled_rd = rd * _SCALE
    if sales > _ZERO:  # a Decimal: comparing with the int 0 converts it each time
        scaled = scaled_rd // sales
        if scaled < c.sales_low:
            points_s, band_s = 0, None
        elif scaled >= c.sales_high:
            points_s, band_s = c.sales_top
        else:
            points_s, band_s = c.sales_table[bisect_right(c.sales_thresholds, scaled)]
        ratio_s = scaled * _TICK
    else:
        ratio_s = band_s = None
        points_s = 0
    if cost > _ZERO:
        scaled = scaled_rd // cost
        if scaled < c.cost_low:
            points_c, band_c = 0, None
        elif scaled >= c.cost_high:
            points_c, band_c = c.cost_top
        else:
            points_c, band_c = c.cost_table[bisect_right(c.cost_thresholds, scaled)]
        ratio_c = scaled * _TICK
    else:
        ratio_c = band_c = None
        points_c = 0
    if points_c > points_s or (points_c == points_s and ratio_s is None and ratio_c is not None):
        used, ratio10, band10, points10 = "cost_expenses", ratio_c, band_c, points_c
    else:
        used, ratio10, band10, points10 = "sales", ratio_s, band_s, points_s
    i10 = new_tuple(IndicatorResult, (
        10,
        _NAME_10,
        True,
        None,
        points10,
        ratio10,
        band10,
        {"rd_total": rd, "sales_revenue": sales, "cost_expenses": cost},
        {
            "sales": new_tuple(RatioScore, ("sales", ratio_s, band_s, points_s)),
            "cost_expenses": new_tuple(RatioScore, ("cost_expenses", ratio_c, band_c, points_c)),
            "used": used,
        },
        None if points10 else c.reasons10[(ratio_s is None, ratio_c is None)],
    ))

    # Indicator 11: IP, class I bands first, then class II.
    class_i = class_ii = 0
    kinds_i, kinds_ii = c.ip1_kinds, c.ip2_kinds
    for item in inp.ip:
        kind = item.kind
        if kind in kinds_i:
            class_i += 1
        elif kind in kinds_ii:
            class_ii += 1
    try:
        i11 = c.ip_results[class_i, class_ii]
    except KeyError:
        i11 = c.ip_result(class_i, class_ii)

    total = points9 + points10 + i11.points
    tech_zero = c.tech_required and not points9
    qualified = total >= c.pass_score and not tech_zero
    try:
        prefix = c.scored_prefix[year]
    except KeyError:
        c.direct_failed_for(year)
        prefix = c.scored_prefix[year]
    return new_tuple(EvaluationResult, (
        year,
        c.year,
        qualified,
        PATH_SCORED,
        total,
        rd,
        prefix + (i9, i10, i11),
        None if qualified else c.score_reasons.get((total, tech_zero)) or c.score_reason(total, tech_zero),
    ))
