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
from rules.violations import RuleViolation

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


#: The first evaluation year the regulation allows, and the latest a rule set may name.
FIRST_YEAR, LAST_YEAR = 2017, 2100
#: Percentage thresholds are compared in 0.0001 % units (rules.sme.scoring).
_PERCENT_PLACES = Decimal("0.0001")


class RulesetError(ValueError):
    """A rule set that cannot be used, naming the field.

    :param field: Path of the field, e.g. ``tech_staff_bands[1][0]`` (the second band's
        threshold) or ``ip_class_i_kinds``; the admin form shows the message beside it.
    :param violation: What is wrong (:mod:`rules.violations` code and params).
    """

    def __init__(self, field: str, code: str, **params) -> None:
        self.field = field
        self.violation = RuleViolation(code, params)
        super().__init__(f"{field}: {self.violation.default_message}")


def _check_bands(name: str, bands: tuple[Band, ...], percent: bool) -> None:
    """Reject a malformed band table.

    :param name: Field name, for the error.
    :param bands: ``(threshold, points)`` pairs.
    :param percent: Percentage thresholds (0–100, 4 decimals) rather than item counts.
    :raises RulesetError: Unless there is a band, thresholds are non-negative Decimals in
        strictly descending order and points non-negative ``int``.
    """
    if not bands:
        raise RulesetError(name, "ruleset.bands_empty")
    previous: Decimal | None = None
    for index, (threshold, points) in enumerate(bands):
        where = f"{name}[{index}]"
        if not isinstance(threshold, Decimal) or not threshold.is_finite() or threshold < 0:
            raise RulesetError(f"{where}[0]", "ruleset.non_negative")
        if percent and (threshold > 100 or threshold != threshold.quantize(_PERCENT_PLACES)):
            raise RulesetError(f"{where}[0]", "ruleset.percent_range")
        if not percent and (threshold < 1 or threshold != threshold.to_integral_value()):
            raise RulesetError(f"{where}[0]", "ruleset.count_whole")
        if type(points) is not int or points < 0:
            raise RulesetError(f"{where}[1]", "ruleset.non_negative")
        if previous is not None and threshold >= previous:
            raise RulesetError(f"{where}[0]", "ruleset.bands_descending")
        previous = threshold


def _best(bands: tuple[Band, ...]) -> int:
    """:param bands: A band table.
    :returns: The most points any band gives."""
    return max((points for _, points in bands), default=0)


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

    #: The regulation's document number (文号), e.g. 国科发政〔2017〕115号.
    document_number: str = ""

    def __post_init__(self) -> None:
        """Check the table is well-formed, so a typo fails when the set is built.

        :raises RulesetError: Naming the first field that is wrong.
        """
        if type(self.year) is not int or not FIRST_YEAR <= self.year <= LAST_YEAR:
            raise RulesetError("year", "ruleset.year_range", min=FIRST_YEAR, max=LAST_YEAR)
        if not str(self.source or "").strip():
            raise RulesetError("source", "ruleset.required")
        if type(self.max_employees) is not int or self.max_employees < 1:
            raise RulesetError("max_employees", "ruleset.at_least_one")
        for name in ("max_sales_revenue", "max_total_assets"):
            value = getattr(self, name)
            if not isinstance(value, Decimal) or not value.is_finite() or value <= 0:
                raise RulesetError(name, "ruleset.positive")
        for name in ("lookback_years", "award_max_rank", "standard_max_rank"):
            if type(getattr(self, name)) is not int or getattr(self, name) < 1:
                raise RulesetError(name, "ruleset.at_least_one")
        for name, known in (("institution_levels", INSTITUTION_LEVELS), ("standard_levels", STANDARD_LEVELS)):
            levels = getattr(self, name)
            if not levels:
                raise RulesetError(name, "ruleset.levels_empty")
            for level in sorted(levels - frozenset(known)):
                raise RulesetError(name, "ruleset.unknown_level", value=level)
        for name in ("tech_staff_bands", "rd_sales_bands", "rd_cost_bands"):
            _check_bands(name, getattr(self, name), percent=True)
        for name in ("ip_class_i_bands", "ip_class_ii_bands"):
            _check_bands(name, getattr(self, name), percent=False)
        forms = [form for form, _ in self.rd_form_factors]
        for index, (form, factor) in enumerate(self.rd_form_factors):
            if form not in RD_FORMS:
                raise RulesetError(f"rd_form_factors[{index}][0]", "ruleset.unknown_form", value=form)
            if not isinstance(factor, Decimal) or not factor.is_finite() or not 0 <= factor <= 1:
                raise RulesetError(f"rd_form_factors[{index}][1]", "ruleset.factor_range")
        if sorted(forms) != sorted(RD_FORMS):
            raise RulesetError("rd_form_factors", "ruleset.forms")
        for name in ("ip_class_i_kinds", "ip_class_ii_kinds"):
            for kind in sorted(getattr(self, name) - frozenset(IP_KINDS)):
                raise RulesetError(name, "ruleset.unknown_kind", value=kind)
        both = self.ip_class_i_kinds & self.ip_class_ii_kinds
        if both:
            raise RulesetError("ip_class_ii_kinds", "ruleset.kind_in_both", value="、".join(sorted(both)))
        best = self.max_total()
        if type(self.pass_score) is not int or not 1 <= self.pass_score <= best:
            raise RulesetError("pass_score", "ruleset.pass_score_range", max=best)
        if type(self.tech_staff_required) is not bool:
            raise RulesetError("tech_staff_required", "ruleset.boolean")

    def max_total(self) -> int:
        """:returns: The highest total indicators 9–11 can score under these bands."""
        return (
            _best(self.tech_staff_bands)
            + max(_best(self.rd_sales_bands), _best(self.rd_cost_bands))
            + max(_best(self.ip_class_i_bands), _best(self.ip_class_ii_bands))
        )


def _bands(*pairs: tuple[str, int]) -> tuple[Band, ...]:
    """:param pairs: ``(threshold text, points)``, highest threshold first.
    :returns: The bands with Decimal thresholds."""
    return tuple((Decimal(threshold), points) for threshold, points in pairs)


#: 《科技型中小企业评价办法》国科发政〔2017〕115号.
RULES_2017 = Ruleset(
    year=2017,
    source="《科技型中小企业评价办法》国科发政〔2017〕115号",
    document_number="国科发政〔2017〕115号",
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

class RulesetTable(dict):
    """A ``dict`` of rule sets by year that empties :data:`RULESET_BY_YEAR` whenever it changes.

    So the scorer can look up an evaluation year's rules in one ``dict.get`` and still see
    a rule set added or replaced later (tests patch the table in place).
    """

    __slots__ = ()

    def _changed(self) -> None:
        RULESET_BY_YEAR.clear()

    def __setitem__(self, key, value) -> None:  # type: ignore[no-untyped-def]
        super().__setitem__(key, value)
        self._changed()

    def __delitem__(self, key) -> None:  # type: ignore[no-untyped-def]
        super().__delitem__(key)
        self._changed()

    def __ior__(self, other):  # type: ignore[no-untyped-def]
        super().__ior__(other)
        self._changed()
        return self

    def clear(self) -> None:
        super().clear()
        self._changed()

    def pop(self, *args):  # type: ignore[no-untyped-def]
        try:
            return super().pop(*args)
        finally:
            self._changed()

    def popitem(self):  # type: ignore[no-untyped-def]
        try:
            return super().popitem()
        finally:
            self._changed()

    def setdefault(self, key, default=None):  # type: ignore[no-untyped-def]
        try:
            return super().setdefault(key, default)
        finally:
            self._changed()

    def update(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        try:
            super().update(*args, **kwargs)
        finally:
            self._changed()


#: Evaluation year → what the scorer derived from :data:`RULESETS` for it (the rule set and its
#: compiled form); emptied by every change to :data:`RULESETS`.
RULESET_BY_YEAR: dict[int, object] = {}

#: Rule tables by the first evaluation year they apply to.  Add a year here
#: (or, in tests, ``monkeypatch.setitem``) to change the rules from that year on.
RULESETS: dict[int, Ruleset] = RulesetTable({2017: RULES_2017})


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
