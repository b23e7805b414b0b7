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
