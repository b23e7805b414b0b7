"""Rule tables of the Tech-SME evaluation, as data keyed by evaluation year.

Every limit, band, factor and class the scorer uses lives in a
:class:`Ruleset`.  When the rules change, add a new entry to
:data:`RULESETS` for the first evaluation year they apply to;
:func:`ruleset_for` picks the newest table not later than the evaluation
year, so no scoring code changes.

The 2017 table follows 《科技型中小企业评价办法》(国科发政〔2017〕115号).
Its pass mark is "不低于 60 分" (at least 60, inclusive); the filling manual's
"超过 60 分" is not followed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from rules.sme.model import INSTITUTION_LEVELS, IP_KINDS, RD_FORMS, STANDARD_LEVELS

#: A band: (threshold, points).  Ratio thresholds are percentages
#: (``Decimal("30")`` is 30%); count thresholds are item counts.
Band = tuple[Decimal, int]

#: Chinese names of the 11 indicators, indicator 1 first.
INDICATOR_NAMES: tuple[str, ...] = (
    "在中国境内注册的居民企业",
    "企业规模（职工总数、年销售收入、资产总额）",
    "产品和服务不属于禁止、限制和淘汰类",
    "信用状况（无重大事故、严重违法失信等情形）",
    "有效期内的高新技术企业资格",
    "近五年内获得国家级科技奖励并排名前三",
    "拥有经认定的省部级以上研发机构",
    "近五年内主导制定国际、国家或行业标准",
    "科技人员占比",
    "研发费用占比",
    "科技成果（知识产权）",
)


def _check_bands(name: str, bands: tuple[Band, ...]) -> None:
    """Reject a malformed band table.

    :param name: Field name, for the error message.
    :param bands: ``(threshold, points)`` pairs.
    :raises ValueError: Unless thresholds are non-negative Decimals in strictly
        descending order with non-negative ``int`` points.
    """
    previous: Decimal | None = None
    for threshold, points in bands:
        if not isinstance(threshold, Decimal) or threshold < 0:
            raise ValueError(f"{name}: threshold {threshold!r} must be a non-negative Decimal")
        if type(points) is not int or points < 0:
            raise ValueError(f"{name}: points {points!r} must be a non-negative int")
        if previous is not None and threshold >= previous:
            raise ValueError(f"{name}: thresholds must be strictly descending")
        previous = threshold


@dataclass(frozen=True)
class Ruleset:
    """The rules of one evaluation year.

    :param year: First evaluation year the rules apply to.
    :param source: The regulation the table follows.
    :param max_employees: Indicator 2: most employees (all kinds) allowed.
    :param max_sales_revenue: Indicator 2: most annual sales revenue allowed, 万元.
    :param max_total_assets: Indicator 2: most total assets allowed, 万元.
    :param lookback_years: Indicators 6 and 8: "the last N years" for evaluation
        year ``Y`` means years ``Y - N + 1`` to ``Y``.
    :param award_max_rank: Indicator 6: worst rank among award winners that counts.
    :param institution_levels: Indicator 7: institution levels that count.
    :param standard_levels: Indicator 8: standard levels that count.
    :param standard_max_rank: Indicator 8: worst drafting rank that counts (1 = led).
    :param tech_staff_bands: Indicator 9: tech staff / employees, percent.
    :param rd_sales_bands: Indicator 10: R&D / sales revenue, percent.
    :param rd_cost_bands: Indicator 10: R&D / cost and expenses, percent.
    :param ip_class_i_kinds: Indicator 11: class I IP kinds.
    :param ip_class_ii_kinds: Indicator 11: class II IP kinds.
    :param ip_class_i_bands: Indicator 11: class I count bands; checked first.
    :param ip_class_ii_bands: Indicator 11: class II count bands, used when no
        class I band is reached.
    :param rd_form_factors: Share of each R&D project form's expense that counts,
        as ``(form, factor)`` pairs covering every form.
    :param pass_score: Least total score of indicators 9–11 that qualifies (inclusive).
    :param tech_staff_required: Whether indicator 9 scoring 0 disqualifies
        regardless of the total.
    """

    year: int
    source: str
    max_employees: int
    max_sales_revenue: Decimal
    max_total_assets: Decimal
    lookback_years: int
    award_max_rank: int
    institution_levels: frozenset[str]
    standard_levels: frozenset[str]
    standard_max_rank: int
    tech_staff_bands: tuple[Band, ...]
    rd_sales_bands: tuple[Band, ...]
    rd_cost_bands: tuple[Band, ...]
    ip_class_i_kinds: frozenset[str]
    ip_class_ii_kinds: frozenset[str]
    ip_class_i_bands: tuple[Band, ...]
    ip_class_ii_bands: tuple[Band, ...]
    rd_form_factors: tuple[tuple[str, Decimal], ...]
    pass_score: int
    tech_staff_required: bool = True
    #: Free-form notes (not used by the scorer).
    notes: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        """Check the table is well-formed, so a typo fails at import time.

        :raises ValueError: On an unsorted band table, an unknown code, a form
            without a factor, or overlapping IP classes.
        """
        for name in (
            "tech_staff_bands",
            "rd_sales_bands",
            "rd_cost_bands",
            "ip_class_i_bands",
            "ip_class_ii_bands",
        ):
            _check_bands(name, getattr(self, name))
        forms = [form for form, _ in self.rd_form_factors]
        if sorted(forms) != sorted(RD_FORMS):
            raise ValueError("rd_form_factors must give exactly one factor for every R&D form")
        for form, factor in self.rd_form_factors:
            if not isinstance(factor, Decimal) or not 0 <= factor <= 1:
                raise ValueError(f"rd_form_factors: factor for {form} must be a Decimal in [0, 1]")
        if self.ip_class_i_kinds & self.ip_class_ii_kinds:
            raise ValueError("an IP kind cannot be both class I and class II")
        if not (self.ip_class_i_kinds | self.ip_class_ii_kinds) <= frozenset(IP_KINDS):
            raise ValueError("unknown IP kind in the IP classes")
        if not self.institution_levels <= frozenset(INSTITUTION_LEVELS):
            raise ValueError("unknown institution level")
        if not self.standard_levels <= frozenset(STANDARD_LEVELS):
            raise ValueError("unknown standard level")
        if self.lookback_years < 1:
            raise ValueError("lookback_years must be at least 1")


def _bands(*pairs: tuple[str, int]) -> tuple[Band, ...]:
    """:param pairs: ``(threshold text, points)``, highest threshold first.
    :returns: The bands with Decimal thresholds."""
    return tuple((Decimal(threshold), points) for threshold, points in pairs)


#: 《科技型中小企业评价办法》国科发政〔2017〕115号.
RULES_2017 = Ruleset(
    year=2017,
    source="《科技型中小企业评价办法》国科发政〔2017〕115号",
    max_employees=500,
    max_sales_revenue=Decimal("20000"),
    max_total_assets=Decimal("20000"),
    lookback_years=5,
    award_max_rank=3,
    institution_levels=frozenset({"provincial", "national"}),
    standard_levels=frozenset({"international", "national", "industry"}),
    standard_max_rank=1,
    tech_staff_bands=_bands(("30", 20), ("25", 16), ("20", 12), ("15", 8), ("10", 4)),
    rd_sales_bands=_bands(("6", 50), ("5", 40), ("4", 30), ("3", 20), ("2", 10)),
    rd_cost_bands=_bands(("30", 50), ("25", 40), ("20", 30), ("15", 20), ("10", 10)),
    ip_class_i_kinds=frozenset(
        {
            "invention_patent",
            "new_drug",
            "plant_variety",
            "tcm_protected_variety",
            "crop_variety",
            "ic_layout",
        }
    ),
    ip_class_ii_kinds=frozenset({"utility_model", "design_patent", "software_copyright"}),
    ip_class_i_bands=_bands(("1", 30)),
    ip_class_ii_bands=_bands(("4", 24), ("3", 18), ("2", 12), ("1", 6)),
    rd_form_factors=(
        ("independent", Decimal("1")),
        ("cooperative", Decimal("1")),
        ("centralized", Decimal("1")),
        ("commissioned_domestic", Decimal("0.8")),
        ("commissioned_foreign", Decimal("0")),
    ),
    pass_score=60,
    tech_staff_required=True,
    notes=(
        "职工总数包括在职、兼职和临时聘用人员；科技人员同样按三类合计。",
        "总分不低于 60 分且科技人员指标得分不为 0 即符合条件（按《评价办法》，不按填报手册的“超过 60 分”）。",
    ),
)

#: Rule tables by the first evaluation year they apply to.  Add a year here
#: (or, in tests, ``monkeypatch.setitem``) to change the rules from that year on.
RULESETS: dict[int, Ruleset] = {2017: RULES_2017}


def ruleset_for(year: int) -> Ruleset:
    """Select the rules for an evaluation year.

    :param year: The evaluation year.
    :returns: The newest ruleset in :data:`RULESETS` whose year is at most ``year``.
    :raises ValueError: If ``year`` is before every ruleset (before 2017).
    """
    best: Ruleset | None = None
    best_year = 0
    for ruleset_year, ruleset in RULESETS.items():
        if ruleset_year <= year and (best is None or ruleset_year > best_year):
            best, best_year = ruleset, ruleset_year
    if best is None:
        earliest = min(RULESETS) if RULESETS else None
        raise ValueError(f"no Tech-SME rules for evaluation year {year} (earliest is {earliest})")
    return best
