"""Unit tests for rules.sme: the Tech-SME (科技型中小企业) evaluation, 2017 rules."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from decimal import ROUND_DOWN, Decimal, localcontext
from typing import Any

import pytest

from rules.sme import (
    IP_KINDS,
    PATH_DIRECT,
    PATH_ENTRY_FAILED,
    PATH_SCORED,
    RULES_2017,
    RULESETS,
    EvaluationInput,
    EvaluationResult,
    InterchangeError,
    IpItem,
    NationalAward,
    RdInstitution,
    RdProject,
    Ruleset,
    StaffCounts,
    Standard,
    evaluate,
    ip_counts,
    parse_interchange,
    rd_total,
    result_to_json,
    ruleset_for,
)

D = Decimal
Y = 2024
CLASS_I = ("invention_patent", "new_drug", "plant_variety", "tcm_protected_variety", "crop_variety", "ic_layout")
CLASS_II = ("utility_model", "design_patent", "software_copyright")


def make(**overrides: Any) -> EvaluationInput:
    """An input that passes 1–4, qualifies for none of 5–8 and scores 0 on 9–11
    (100 employees, no tech staff, sales 1000, cost 0, no R&D, no IP)."""
    fields: dict[str, Any] = dict(
        year=Y,
        registered_in_mainland=True,
        products_not_prohibited=True,
        credit_ok=True,
        employees=StaffCounts(100, 0, 0),
        tech_staff=StaffCounts(0, 0, 0),
        sales_revenue=D("1000"),
        total_assets=D("1000"),
        cost_expenses=D("0"),
    )
    fields.update(overrides)
    return EvaluationInput(**fields)


def projects(*amounts: str, form: str = "independent") -> tuple[RdProject, ...]:
    return tuple(RdProject(f"项目{i}", form, D(amount)) for i, amount in enumerate(amounts))


def ip_items(kind: str, count: int) -> tuple[IpItem, ...]:
    return tuple(IpItem(f"{kind}-{i}", kind) for i in range(count))


def scored(**overrides: Any) -> EvaluationResult:
    result = evaluate(make(**overrides))
    assert result.path == PATH_SCORED
    return result


def doc(**overrides: Any) -> dict[str, Any]:
    """A valid interchange document."""
    data: dict[str, Any] = {
        "year": Y,
        "registered_in_mainland": True,
        "products_not_prohibited": True,
        "credit_ok": True,
        "employees": {"fulltime": 80, "parttime": 10, "temporary": 10},
        "tech_staff": {"fulltime": 25, "parttime": 3, "temporary": 2},
        "sales_revenue": "5000",
        "total_assets": 8000,
        "cost_expenses": "4500.25",
        "rd_projects": [
            {"name": "A", "form": "independent", "amount": "200"},
            {"name": "B", "form": "cooperative", "amount": 50},
            {"name": "C", "form": "commissioned_domestic", "amount": "12.5"},
        ],
        "high_tech_certificate_valid": False,
        "national_awards": [{"name": "国家科技进步奖", "year": 2015, "rank": 1}],
        "rd_institutions": [],
        "standards": [{"name": "GB/T 1", "level": "national", "year": 2023, "rank": 2}],
        "ip": [{"name": "ZL1", "kind": "utility_model"}, {"name": "SR1", "kind": "software_copyright"}],
    }
    data.update(overrides)
    return data


# --------------------------------------------------------------------------
# Indicator 9: tech staff / employees (all three kinds)
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tech", "points", "band"),
    [
        (150, 20, "≥30%"),
        (149, 16, "≥25%"),
        (125, 16, "≥25%"),
        (124, 12, "≥20%"),
        (100, 12, "≥20%"),
        (99, 8, "≥15%"),
        (75, 8, "≥15%"),
        (74, 4, "≥10%"),
        (50, 4, "≥10%"),
        (49, 0, None),
    ],
)
def test_indicator_9_band_edges(tech: int, points: int, band: str | None) -> None:
    # 500 employees (the most allowed): each step of one person is 0.2%.
    result = scored(employees=StaffCounts(500, 0, 0), tech_staff=StaffCounts(tech, 0, 0))
    i9 = result.indicator(9)
    assert (i9.points, i9.band) == (points, band)
    assert i9.ratio == D(tech) / 5
    assert result_to_json(result)["indicators"]["9"]["ratio"] == format((D(tech) / 5).normalize(), "f")


def test_indicator_9_counts_parttime_and_temporary_in_both_parts() -> None:
    # 30 of 100 with all kinds: 30% → 20.  Full-time only would be 10 / 70 ≈ 14% → 4.
    result = scored(employees=StaffCounts(70, 20, 10), tech_staff=StaffCounts(10, 10, 10))
    assert result.indicator(9).points == 20
    assert result.indicator(9).ratio == D(30)
    # Only part-time and temporary tech staff: 20 of 100 → 20% → 12.
    result = scored(employees=StaffCounts(70, 20, 10), tech_staff=StaffCounts(0, 12, 8))
    assert result.indicator(9).points == 12


def test_indicator_9_ratio_is_truncated_not_rounded() -> None:
    result = scored(employees=StaffCounts(3, 0, 0), tech_staff=StaffCounts(2, 0, 0))
    assert result_to_json(result)["indicators"]["9"]["ratio"] == "66.6666"
    assert result.indicator(9).points == 20


def test_zero_employees_scores_zero_without_crashing() -> None:
    result = scored(employees=StaffCounts(0, 0, 0), tech_staff=StaffCounts(0, 0, 0))
    i9 = result.indicator(9)
    assert (i9.points, i9.ratio, i9.band) == (0, None, None)
    assert i9.reason == "职工总数为 0，无法计算科技人员占比"
    assert result.qualified is False
    assert result_to_json(result)["indicators"]["9"]["ratio"] is None


# --------------------------------------------------------------------------
# Indicator 10: the better of R&D / sales and R&D / cost
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rd", "points"),
    [
        ("60", 50),
        ("59.9999", 40),
        ("50", 40),
        ("49.9999", 30),
        ("40", 30),
        ("39.9999", 20),
        ("30", 20),
        ("29.9999", 10),
        ("20", 10),
        ("19.9999", 0),
    ],
)
def test_indicator_10_sales_band_edges(rd: str, points: int) -> None:
    # Sales 1000, cost 0: only the sales ratio exists.
    result = scored(sales_revenue=D("1000"), cost_expenses=D("0"), rd_projects=projects(rd))
    i10 = result.indicator(10)
    assert i10.points == points
    assert i10.details["sales"].points == points
    assert i10.details["cost_expenses"].ratio is None
    # The percentage is truncated to 4 decimals: 59.9999 / 1000 → 5.99999% → 5.9999.
    assert i10.ratio == (D(rd) / 10).quantize(D("0.0001"), rounding=ROUND_DOWN)


@pytest.mark.parametrize(
    ("rd", "points"),
    [
        ("300", 50),
        ("299.9999", 40),
        ("250", 40),
        ("249.9999", 30),
        ("200", 30),
        ("199.9999", 20),
        ("150", 20),
        ("149.9999", 10),
        ("100", 10),
        ("99.9999", 0),
    ],
)
def test_indicator_10_cost_band_edges(rd: str, points: int) -> None:
    # Sales 0, cost 1000: only the cost ratio exists.
    result = scored(sales_revenue=D("0"), cost_expenses=D("1000"), rd_projects=projects(rd))
    i10 = result.indicator(10)
    assert i10.points == points
    assert i10.details["cost_expenses"].points == points
    assert i10.details["sales"].ratio is None
    assert i10.details["used"] == "cost_expenses"


def test_indicator_10_takes_the_better_ratio() -> None:
    # R&D 30: 3% of sales (20 points), 30% of cost (50 points).
    result = scored(sales_revenue=D("1000"), cost_expenses=D("100"), rd_projects=projects("30"))
    i10 = result.indicator(10)
    assert (i10.points, i10.band, i10.details["used"]) == (50, "≥30%", "cost_expenses")
    assert i10.details["sales"].points == 20
    # R&D 60: 6% of sales (50), 6% of cost (0): sales wins.
    result = scored(sales_revenue=D("1000"), cost_expenses=D("1000"), rd_projects=projects("60"))
    assert (result.indicator(10).points, result.indicator(10).details["used"]) == (50, "sales")
    data = result_to_json(result)["indicators"]["10"]
    assert data["ratios"] == {
        "sales": {"ratio": "6", "band": "≥6%", "points": 50},
        "cost_expenses": {"ratio": "6", "band": None, "points": 0},
    }
    assert data["used"] == "sales"


def test_zero_sales_and_zero_cost_score_zero_without_crashing() -> None:
    result = scored(sales_revenue=D("0"), cost_expenses=D("0"), rd_projects=projects("100"))
    i10 = result.indicator(10)
    assert (i10.points, i10.ratio, i10.band) == (0, None, None)
    assert i10.reason == "销售收入为 0；成本费用总额为 0"


def test_exact_decimal_two_percent() -> None:
    # 0.7 + 0.1 = 0.8 exactly; 0.8 / 40 = 2% → 10 points.  In floats 0.7 + 0.1 is
    # 0.7999999999999999, which is 1.9999…% and would score 0.
    assert 0.7 + 0.1 < 0.8
    result = scored(sales_revenue=D("40"), rd_projects=(RdProject("a", "independent", D("0.7")), RdProject("b", "cooperative", D("0.1"))))
    assert result.rd_total == D("0.8")
    assert result.indicator(10).ratio == D(2)
    assert result.indicator(10).points == 10
    # Same through the interchange with JSON floats.
    data = doc(
        sales_revenue=40,
        cost_expenses=0,
        tech_staff={"fulltime": 0, "parttime": 0, "temporary": 0},
        national_awards=[],
        standards=[],
        ip=[],
        rd_projects=[
            {"name": "a", "form": "independent", "amount": 0.7},
            {"name": "b", "form": "cooperative", "amount": 0.1},
        ],
    )
    out = result_to_json(evaluate(parse_interchange(data)))
    assert out["indicators"]["10"]["ratio"] == "2"
    assert out["indicators"]["10"]["points"] == 10
    assert out["rd_total"] == 0.8


# --------------------------------------------------------------------------
# R&D total: commission factors
# --------------------------------------------------------------------------


def test_commissioned_domestic_counts_80_percent_foreign_0() -> None:
    assert rd_total(projects("100", form="commissioned_domestic"), RULES_2017) == D("80")
    assert rd_total(projects("100", form="commissioned_foreign"), RULES_2017) == D("0")
    for form in ("independent", "cooperative", "centralized"):
        assert rd_total(projects("100", form=form), RULES_2017) == D("100")
    mixed = (
        RdProject("a", "independent", D("10")),
        RdProject("b", "commissioned_domestic", D("12.5")),
        RdProject("c", "commissioned_foreign", D("1000")),
    )
    assert rd_total(mixed, RULES_2017) == D("20")


def test_commission_factor_changes_the_score() -> None:
    # 25 commissioned domestically counts as 20: 2% of 1000 → 10 points (25 in full would be 20 points).
    result = scored(rd_projects=projects("25", form="commissioned_domestic"))
    assert (result.rd_total, result.indicator(10).points) == (D("20"), 10)
    # Commissioned abroad counts for nothing.
    result = scored(rd_projects=projects("1000", form="commissioned_foreign"))
    assert (result.rd_total, result.indicator(10).points) == (D("0"), 0)


# --------------------------------------------------------------------------
# Indicator 11: IP
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("class_ii", "points", "band"),
    [(5, 24, "Ⅱ类≥4项"), (4, 24, "Ⅱ类≥4项"), (3, 18, "Ⅱ类≥3项"), (2, 12, "Ⅱ类≥2项"), (1, 6, "Ⅱ类≥1项"), (0, 0, None)],
)
def test_indicator_11_class_ii_edges(class_ii: int, points: int, band: str | None) -> None:
    result = scored(ip=ip_items("utility_model", class_ii))
    i11 = result.indicator(11)
    assert (i11.points, i11.band) == (points, band)
    assert i11.inputs == {"class_i": 0, "class_ii": class_ii}


@pytest.mark.parametrize("kind", CLASS_I)
def test_indicator_11_one_class_i_scores_30(kind: str) -> None:
    result = scored(ip=ip_items(kind, 1) + ip_items("design_patent", 4))
    assert (result.indicator(11).points, result.indicator(11).band) == (30, "Ⅰ类≥1项")
    data = result_to_json(result)["indicators"]["11"]
    assert (data["class_i"], data["class_ii"]) == (1, 4)


@pytest.mark.parametrize("kind", CLASS_II)
def test_indicator_11_each_class_ii_kind_counts(kind: str) -> None:
    assert scored(ip=ip_items(kind, 1)).indicator(11).points == 6


def test_ip_counts() -> None:
    items = ip_items("invention_patent", 2) + ip_items("software_copyright", 3) + ip_items("design_patent", 1)
    assert ip_counts(items, RULES_2017) == (2, 4)
    assert set(CLASS_I) | set(CLASS_II) == set(IP_KINDS)


# --------------------------------------------------------------------------
# Total score and qualification
# --------------------------------------------------------------------------


def test_total_exactly_60_qualifies() -> None:
    # 9: 30% → 20; 10: 5% of sales → 40; 11: no IP → 0.
    result = scored(tech_staff=StaffCounts(30, 0, 0), rd_projects=projects("50"))
    assert [result.indicator(n).points for n in (9, 10, 11)] == [20, 40, 0]
    assert result.total_score == 60
    assert result.qualified is True
    assert result.reason is None
    # Another way to 60: 12 + 30 + 18.
    result = scored(tech_staff=StaffCounts(20, 0, 0), rd_projects=projects("40"), ip=ip_items("utility_model", 3))
    assert (result.total_score, result.qualified) == (60, True)


def test_total_58_does_not_qualify() -> None:
    # Every 2017 band is worth an even number of points, so 58 is the largest total below 60.
    result = scored(tech_staff=StaffCounts(25, 0, 0), rd_projects=projects("40"), ip=ip_items("utility_model", 2))
    assert [result.indicator(n).points for n in (9, 10, 11)] == [16, 30, 12]
    assert (result.total_score, result.qualified) == (58, False)
    assert result.reason == "总分 58 分，低于 60 分"


def test_total_59_does_not_qualify_60_does(monkeypatch: pytest.MonkeyPatch) -> None:
    # A ruleset whose class II bands are worth odd points makes 59 reachable.
    odd = replace(RULES_2017, year=2030, ip_class_ii_bands=((D(2), 6), (D(1), 5)))
    monkeypatch.setitem(RULESETS, 2030, odd)
    common = dict(year=2030, tech_staff=StaffCounts(10, 0, 0), rd_projects=projects("60"))
    result = scored(ip=ip_items("utility_model", 1), **common)
    assert [result.indicator(n).points for n in (9, 10, 11)] == [4, 50, 5]
    assert (result.total_score, result.qualified) == (59, False)
    result = scored(ip=ip_items("utility_model", 2), **common)
    assert (result.total_score, result.qualified) == (60, True)


def test_indicator_9_zero_disqualifies_despite_total() -> None:
    result = scored(tech_staff=StaffCounts(9, 0, 0), rd_projects=projects("60"), ip=ip_items("invention_patent", 1))
    assert [result.indicator(n).points for n in (9, 10, 11)] == [0, 50, 30]
    assert result.total_score == 80
    assert result.qualified is False
    assert result.reason == "科技人员指标得分为 0"
    assert result.indicator(9).reason == "科技人员占比低于 10%"


# --------------------------------------------------------------------------
# Indicators 1–4: entry conditions
# --------------------------------------------------------------------------

#: Would qualify every way: high-tech certificate, and 20 + 50 + 30 on 9–11.
STRONG = dict(
    tech_staff=StaffCounts(50, 0, 0),
    rd_projects=projects("60"),
    ip=ip_items("invention_patent", 1),
    high_tech_certificate_valid=True,
    rd_institutions=(RdInstitution("省重点实验室", "provincial"),),
)


@pytest.mark.parametrize(
    ("override", "failing", "reason"),
    [
        ({"registered_in_mainland": False}, 1, "非在中国境内（不含港、澳、台地区）注册的居民企业"),
        ({"employees": StaffCounts(400, 100, 1)}, 2, "职工总数 501 人超过 500 人"),
        ({"employees": StaffCounts(500, 20, 0)}, 2, "职工总数 520 人超过 500 人"),
        ({"sales_revenue": D("20000.0001")}, 2, "年销售收入 20000.0001 万元超过 20000 万元"),
        ({"total_assets": D("20000.0001")}, 2, "资产总额 20000.0001 万元超过 20000 万元"),
        ({"products_not_prohibited": False}, 3, "产品和服务属于国家规定的禁止、限制和淘汰类"),
        ({"credit_ok": False}, 4, None),
    ],
)
def test_each_entry_condition_failing_alone(override: dict[str, Any], failing: int, reason: str | None) -> None:
    assert evaluate(make(**STRONG)).qualified is True
    result = evaluate(make(**{**STRONG, **override}))
    assert result.qualified is False
    assert result.path == PATH_ENTRY_FAILED
    assert result.total_score is None
    for number in (1, 2, 3, 4):
        indicator = result.indicator(number)
        assert indicator.judged is True
        assert indicator.passed is (number != failing)
    if reason is not None:
        assert result.indicator(failing).reason == reason
    assert result.indicator(failing).reason
    for number in range(5, 12):
        indicator = result.indicator(number)
        assert indicator.judged is False
        assert indicator.passed is None
        assert indicator.points is None
    data = result_to_json(result)
    assert data["total_score"] is None
    assert all(data["indicators"][str(n)]["judged"] is False for n in range(5, 12))
    assert data["indicators"][str(failing)]["passed"] is False


def test_entry_limits_are_inclusive() -> None:
    result = evaluate(
        make(employees=StaffCounts(400, 50, 50), sales_revenue=D("20000"), total_assets=D("20000"))
    )
    assert result.path == PATH_SCORED
    assert result.indicator(2).passed is True


def test_several_entry_failures_are_all_reported() -> None:
    result = evaluate(make(registered_in_mainland=False, credit_ok=False))
    assert [result.indicator(n).passed for n in (1, 2, 3, 4)] == [False, True, True, False]
    assert result.reason.startswith("不满足基本条件：非在中国境内")


# --------------------------------------------------------------------------
# Indicators 5–8: direct qualification
# --------------------------------------------------------------------------


def assert_direct(result: EvaluationResult, number: int) -> None:
    assert result.qualified is True
    assert result.path == PATH_DIRECT
    assert result.total_score is None
    assert result.indicator(number).passed is True
    for other in {5, 6, 7, 8} - {number}:
        assert result.indicator(other).passed is False
        assert result.indicator(other).judged is True
    for n in (9, 10, 11):
        assert result.indicator(n).judged is False
        assert result.indicator(n).points is None


def assert_not_direct(result: EvaluationResult) -> None:
    assert result.path == PATH_SCORED
    assert result.qualified is False
    assert all(result.indicator(n).passed is False for n in (5, 6, 7, 8))


def test_direct_high_tech_certificate() -> None:
    assert_direct(evaluate(make(high_tech_certificate_valid=True)), 5)
    assert_not_direct(evaluate(make(high_tech_certificate_valid=False)))


@pytest.mark.parametrize("rank", [1, 2, 3])
def test_direct_national_award_rank_1_to_3(rank: int) -> None:
    award = NationalAward("国家科学技术进步奖", Y, rank)
    result = evaluate(make(national_awards=(award,)))
    assert_direct(result, 6)
    assert result.indicator(6).details == {"award": award}


def test_national_award_rank_4_does_not_count() -> None:
    assert_not_direct(evaluate(make(national_awards=(NationalAward("奖", Y, 4),))))


def test_national_award_window_is_last_five_years() -> None:
    assert_direct(evaluate(make(national_awards=(NationalAward("奖", Y - 4, 1),))), 6)
    assert_not_direct(evaluate(make(national_awards=(NationalAward("奖", Y - 5, 1),))))
    assert_not_direct(evaluate(make(national_awards=(NationalAward("奖", Y + 1, 1),))))


@pytest.mark.parametrize("level", ["provincial", "national"])
def test_direct_rd_institution(level: str) -> None:
    assert_direct(evaluate(make(rd_institutions=(RdInstitution("研发中心", level),))), 7)


@pytest.mark.parametrize("level", ["international", "national", "industry"])
def test_direct_led_standard(level: str) -> None:
    assert_direct(evaluate(make(standards=(Standard("标准", level, Y - 4, 1),))), 8)


def test_standard_rank_2_or_older_than_five_years_does_not_count() -> None:
    assert_not_direct(evaluate(make(standards=(Standard("标准", "national", Y, 2),))))
    assert_not_direct(evaluate(make(standards=(Standard("标准", "national", Y - 5, 1),))))


def test_direct_path_skips_scoring_even_with_zero_scores() -> None:
    result = evaluate(make(high_tech_certificate_valid=True, employees=StaffCounts(0, 0, 0)))
    assert_direct(result, 5)
    data = result_to_json(result)
    assert data["path"] == "direct" and data["total_score"] is None
    assert data["indicators"]["9"]["points"] is None


# --------------------------------------------------------------------------
# Rule tables
# --------------------------------------------------------------------------


def test_ruleset_for_picks_newest_not_later() -> None:
    assert ruleset_for(2017) is RULES_2017
    assert ruleset_for(2024) is RULES_2017
    with pytest.raises(ValueError):
        ruleset_for(2016)


def test_registered_2030_ruleset_changes_outcome(monkeypatch: pytest.MonkeyPatch) -> None:
    inp_2029 = make(year=2029, tech_staff=StaffCounts(30, 0, 0), rd_projects=projects("50"))
    inp_2030 = replace(inp_2029, year=2030)
    assert (evaluate(inp_2029).qualified, evaluate(inp_2030).qualified) == (True, True)
    stricter = replace(
        RULES_2017,
        year=2030,
        pass_score=70,
        rd_form_factors=tuple((form, D("0.5") if form == "independent" else f) for form, f in RULES_2017.rd_form_factors),
    )
    monkeypatch.setitem(RULESETS, 2030, stricter)
    assert ruleset_for(2029) is RULES_2017
    assert ruleset_for(2031) is stricter
    assert evaluate(inp_2029).qualified is True
    result = evaluate(inp_2030)
    assert result.ruleset_year == 2030
    assert result.rd_total == D("25")  # independent R&D at 50% under the 2030 table
    # 9: 20; 10: 25 / 1000 = 2.5% → 10 (it was 5% → 40 under 2017).
    assert (result.total_score, result.qualified) == (20 + 10, False)
    assert result.reason == "总分 30 分，低于 70 分"


def test_ruleset_rejects_malformed_tables() -> None:
    with pytest.raises(ValueError):
        replace(RULES_2017, tech_staff_bands=((D(10), 4), (D(30), 20)))
    with pytest.raises(ValueError):
        replace(RULES_2017, rd_form_factors=RULES_2017.rd_form_factors[:-1])
    with pytest.raises(ValueError):
        replace(RULES_2017, ip_class_ii_kinds=RULES_2017.ip_class_ii_kinds | {"invention_patent"})


def test_callers_decimal_context_does_not_matter() -> None:
    inp = make(sales_revenue=D("40"), rd_projects=projects("0.7", "0.1"), tech_staff=StaffCounts(1, 0, 0),
               employees=StaffCounts(3, 0, 0))
    expected = evaluate(inp)
    with localcontext() as ctx:
        ctx.prec = 3
        result = evaluate(inp)
        assert ctx.prec == 3
    assert result == expected
    assert result.indicator(10).points == 10


# --------------------------------------------------------------------------
# Interchange
# --------------------------------------------------------------------------


def test_parse_and_result_json_round_trip() -> None:
    inp = parse_interchange(doc())
    assert inp.employees == StaffCounts(80, 10, 10)
    assert inp.sales_revenue == D("5000") and inp.cost_expenses == D("4500.25")
    assert inp.rd_projects[1].amount == D("50")
    result = evaluate(inp)
    data = result_to_json(result)
    json.dumps(data)  # JSON-ready as is
    assert data["path"] == "scored" and data["year"] == Y
    assert data["rd_total"] == 260  # 200 + 50 + 12.5 × 80%
    # 9: 30/100 → 20; 10: 260/5000 = 5.2% → 40 (cost 5.77% → 0); 11: 2 class II → 12.
    assert data["total_score"] == 72 and data["qualified"] is True
    assert set(data["indicators"]) == {str(n) for n in range(1, 12)}
    i10 = data["indicators"]["10"]
    assert i10["name"] == "研发费用占比"
    assert (i10["ratio"], i10["band"], i10["points"]) == ("5.2", "≥5%", 40)
    assert i10["inputs"] == {"rd_total": 260, "sales_revenue": 5000, "cost_expenses": 4500.25}
    i9 = data["indicators"]["9"]
    assert i9["inputs"]["tech_staff"]["total"] == 30 and i9["inputs"]["employees"]["total"] == 100
    assert data["indicators"]["6"]["passed"] is False


def test_parse_accepts_lenient_but_valid_values() -> None:
    data = doc(
        employees={"fulltime": 10.0, "parttime": 0, "temporary": 0},
        # Tech staff may exceed employees within one kind as long as the total does not.
        tech_staff={"fulltime": 5, "parttime": 3, "temporary": 0},
        sales_revenue="1234.5678",
        total_assets=0,
        cost_expenses=12.5,
    )
    for key in ("rd_projects", "national_awards", "rd_institutions", "standards", "ip", "high_tech_certificate_valid"):
        del data[key]
    inp = parse_interchange(data)
    assert inp.employees.fulltime == 10 and type(inp.employees.fulltime) is int
    assert inp.sales_revenue == D("1234.5678") and inp.cost_expenses == D("12.5")
    assert inp.rd_projects == () and inp.high_tech_certificate_valid is False


def _set(data: dict[str, Any], path: tuple, value: Any) -> None:
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value


_DELETE = object()

INVALID = [
    (("year",), _DELETE, "year"),
    (("year",), "2024", "year"),
    (("year",), True, "year"),
    (("year",), 2016, "year"),
    (("registered_in_mainland",), "yes", "registered_in_mainland"),
    (("products_not_prohibited",), 1, "products_not_prohibited"),
    (("credit_ok",), None, "credit_ok"),
    (("high_tech_certificate_valid",), "false", "high_tech_certificate_valid"),
    (("employees",), [80, 10, 10], "employees"),
    (("employees", "fulltime"), -1, "employees.fulltime"),
    (("employees", "parttime"), 1.5, "employees.parttime"),
    (("employees", "temporary"), True, "employees.temporary"),
    (("employees", "temporary"), "10", "employees.temporary"),
    (("employees", "parttime"), _DELETE, "employees.parttime"),
    (("employees", "part_time"), 3, "employees.part_time"),
    (("tech_staff", "fulltime"), 96, "tech_staff"),  # 96 + 3 + 2 = 101 > 100
    (("tech_staff", "fulltime"), False, "tech_staff.fulltime"),
    (("sales_revenue",), -1, "sales_revenue"),
    (("sales_revenue",), "-5", "sales_revenue"),
    (("sales_revenue",), "1.23456", "sales_revenue"),
    (("sales_revenue",), 1.23456, "sales_revenue"),
    (("sales_revenue",), "1e3", "sales_revenue"),
    (("sales_revenue",), 1e-05, "sales_revenue"),
    (("sales_revenue",), 1e16, "sales_revenue"),
    (("sales_revenue",), -0.0, "sales_revenue"),
    (("sales_revenue",), " 12", "sales_revenue"),
    (("sales_revenue",), True, "sales_revenue"),
    (("total_assets",), "abc", "total_assets"),
    (("total_assets",), None, "total_assets"),
    (("total_assets",), float("nan"), "total_assets"),
    (("cost_expenses",), float("inf"), "cost_expenses"),
    (("cost_expenses",), "1" + "0" * 16, "cost_expenses"),
    (("rd_projects",), {"name": "A"}, "rd_projects"),
    (("rd_projects", 2, "amount"), "12.34567", "rd_projects[2].amount"),
    (("rd_projects", 2, "amount"), -3, "rd_projects[2].amount"),
    (("rd_projects", 0, "form"), "outsourced", "rd_projects[0].form"),
    (("rd_projects", 1, "name"), "  ", "rd_projects[1].name"),
    (("rd_projects", 1, "amount"), _DELETE, "rd_projects[1].amount"),
    (("rd_projects", 1), "B", "rd_projects[1]"),
    (("national_awards", 0, "rank"), 0, "national_awards[0].rank"),
    (("national_awards", 0, "year"), 2020.5, "national_awards[0].year"),
    (("rd_institutions",), [{"name": "中心", "level": "municipal"}], "rd_institutions[0].level"),
    (("standards", 0, "level"), "enterprise", "standards[0].level"),
    (("standards", 0, "rank"), -1, "standards[0].rank"),
    (("ip", 1, "kind"), "trademark", "ip[1].kind"),
    (("ip", 0, "extra"), 1, "ip[0].extra"),
    (("unknown_key",), 1, "unknown_key"),
]


@pytest.mark.parametrize(("path", "value", "field"), INVALID, ids=[case[2] + ":" + repr(case[1])[:20] for case in INVALID])
def test_interchange_errors_name_the_field(path: tuple, value: Any, field: str) -> None:
    data = copy.deepcopy(doc())
    parse_interchange(copy.deepcopy(data))  # the unmodified document is valid
    _set(data, path, value)
    with pytest.raises(InterchangeError) as excinfo:
        parse_interchange(data)
    assert excinfo.value.field == field
    assert excinfo.value.message
    assert str(excinfo.value).startswith(field + ": ")


def test_interchange_rejects_non_object_document() -> None:
    with pytest.raises(InterchangeError) as excinfo:
        parse_interchange([])  # type: ignore[arg-type]
    assert excinfo.value.field == "$"
    assert isinstance(excinfo.value, ValueError)


def test_result_json_for_entry_failure() -> None:
    data = result_to_json(evaluate(parse_interchange(doc(employees={"fulltime": 500, "parttime": 15, "temporary": 5}))))
    assert (data["qualified"], data["path"], data["total_score"]) == (False, "entry_failed", None)
    i2 = data["indicators"]["2"]
    assert i2["passed"] is False and i2["reason"] == "职工总数 520 人超过 500 人"
    assert i2["inputs"] == {"employees": 520, "sales_revenue": 5000, "total_assets": 8000}
    for n in range(5, 12):
        assert data["indicators"][str(n)]["judged"] is False
    assert data["indicators"]["10"]["ratio"] is None and data["indicators"]["10"]["points"] is None
    json.dumps(data)


def test_result_json_for_direct_path_names_the_evidence() -> None:
    data = result_to_json(
        evaluate(parse_interchange(doc(standards=[{"name": "GB/T 2", "level": "industry", "year": Y - 4, "rank": 1}])))
    )
    assert (data["qualified"], data["path"]) == (True, "direct")
    assert data["indicators"]["8"]["evidence"] == {
        "standard": {"name": "GB/T 2", "level": "industry", "year": Y - 4, "rank": 1}
    }
    json.dumps(data)


def test_ruleset_is_data() -> None:
    assert isinstance(RULES_2017, Ruleset)
    assert RULES_2017.pass_score == 60
    assert dict(RULES_2017.rd_form_factors)["commissioned_domestic"] == D("0.8")
    assert RULES_2017.tech_staff_bands[0] == (D("30"), 20)
