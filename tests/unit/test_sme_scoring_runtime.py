"""The Tech-SME scorer leaves its caller's decimal state alone and reports a bad form cleanly."""

from __future__ import annotations

from decimal import Decimal, getcontext, localcontext

import pytest

from rules.sme import RdProject, StaffCounts, evaluate, rd_total, result_to_json, RULES_2017
from tests.unit.test_sme_rules import make, projects


def test_evaluate_leaves_the_callers_context_and_flags_as_they_were() -> None:
    inp = make(sales_revenue=Decimal("40"), rd_projects=projects("0.7", "0.1"), employees=StaffCounts(3, 0, 0),
               tech_staff=StaffCounts(2, 0, 0))
    with localcontext() as ctx:
        ctx.prec = 3
        ctx.clear_flags()
        result = evaluate(inp)
        assert getcontext() is ctx
        assert ctx.prec == 3
        assert not any(ctx.flags.values())
    data = result_to_json(result)
    assert data["indicators"]["9"]["ratio"] == "66.6666"
    assert data["indicators"]["10"]["ratio"] == "2"


def test_unknown_rd_form_is_named_and_the_context_restored() -> None:
    inp = make(rd_projects=(RdProject("x", "bartered", Decimal("1")),))
    with localcontext() as ctx:
        ctx.prec = 7
        with pytest.raises(ValueError, match="bartered"):
            evaluate(inp)
        with pytest.raises(ValueError, match="bartered"):
            rd_total(inp.rd_projects, RULES_2017)
        assert getcontext() is ctx and ctx.prec == 7


def test_two_evaluations_give_equal_but_separate_scored_detail() -> None:
    first, second = evaluate(make(rd_projects=projects("30"))), evaluate(make(rd_projects=projects("30")))
    assert first == second
    assert first.indicator(10).inputs is not second.indicator(10).inputs


def test_a_rule_set_added_replaced_or_removed_applies_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # evaluate remembers each year's rules; any change to RULESETS must still be seen.
    from dataclasses import replace
    from rules.sme import RULESETS

    inp = make(year=2030)
    assert evaluate(inp).ruleset_year == 2017
    monkeypatch.setitem(RULESETS, 2030, replace(RULES_2017, year=2030))
    assert evaluate(inp).ruleset_year == 2030
    monkeypatch.setitem(RULESETS, 2030, replace(RULES_2017, year=2030, pass_score=99))
    assert evaluate(inp).reason == "总分 0 分，低于 99 分；科技人员指标得分为 0"
    monkeypatch.undo()
    assert evaluate(inp).ruleset_year == 2017
    RULESETS.update({2030: replace(RULES_2017, year=2030)})
    try:
        assert evaluate(inp).ruleset_year == 2030
    finally:
        RULESETS.pop(2030)
    assert evaluate(inp).ruleset_year == 2017


def test_evaluations_from_many_threads_agree() -> None:
    # Each thread has its own decimal Context for the scorer.
    from concurrent.futures import ThreadPoolExecutor

    inputs = [make(sales_revenue=Decimal(40 + n), rd_projects=projects("0.7", str(n))) for n in range(200)]
    expected = [evaluate(inp) for inp in inputs]
    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(evaluate, inputs)) == expected


def test_evaluate_called_while_its_own_context_is_entered_still_works() -> None:
    # As from a signal handler that runs during an evaluation: the thread's Context is in use.
    from rules.sme import scoring

    inp = make(sales_revenue=Decimal("40"), rd_projects=projects("0.7", "0.1"))
    run = getattr(scoring._THREAD, "run", None) or scoring._runner()
    with localcontext() as ctx:
        ctx.prec = 3
        ctx.clear_flags()
        assert run(evaluate, inp) == evaluate(inp)
        assert getcontext() is ctx and not any(ctx.flags.values())
