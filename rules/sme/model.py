"""Input and result dataclasses for the Tech-SME (科技型中小企业) evaluation.

Everything here is plain immutable data: money is :class:`~decimal.Decimal`
in 万元 (10,000 yuan), head counts are ``int``.  Inputs normally come from
:func:`rules.sme.interchange.parse_interchange`, which validates them; the
scorer (:func:`rules.sme.scoring.evaluate`) trusts its input.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Mapping, NamedTuple

#: Forms of an R&D project (研发项目形式).
RD_FORMS: tuple[str, ...] = (
    "independent",  # 自主研发
    "cooperative",  # 合作研发
    "centralized",  # 集中研发
    "commissioned_domestic",  # 委托境内研发
    "commissioned_foreign",  # 委托境外研发
)

#: Kinds of intellectual property (知识产权类别).
IP_KINDS: tuple[str, ...] = (
    "invention_patent",  # 发明专利
    "new_drug",  # 新药
    "plant_variety",  # 植物新品种
    "tcm_protected_variety",  # 国家级中药保护品种
    "crop_variety",  # 国家级农作物品种
    "ic_layout",  # 集成电路布图设计专有权
    "utility_model",  # 实用新型专利
    "design_patent",  # 外观设计专利
    "software_copyright",  # 软件著作权
)

#: Levels of an R&D institution (研发机构级别).
INSTITUTION_LEVELS: tuple[str, ...] = ("provincial", "national")

#: Levels of a standard (标准级别).
STANDARD_LEVELS: tuple[str, ...] = ("international", "national", "industry")

#: Evaluation paths reported in :attr:`EvaluationResult.path`.
PATH_ENTRY_FAILED = "entry_failed"
PATH_DIRECT = "direct"
PATH_SCORED = "scored"


@dataclass(frozen=True, slots=True)
class StaffCounts:
    """Head counts by kind of employment.

    :param fulltime: 在职人员.
    :param parttime: 兼职人员.
    :param temporary: 临时聘用人员.
    """

    fulltime: int = 0
    parttime: int = 0
    temporary: int = 0

    @property
    def total(self) -> int:
        """:returns: The sum of all three kinds (the regulation counts all of them)."""
        return self.fulltime + self.parttime + self.temporary


@dataclass(frozen=True, slots=True)
class RdProject:
    """One R&D project and the expense booked for it in the evaluation year.

    :param name: Project name.
    :param form: One of :data:`RD_FORMS`.
    :param amount: Expense in 万元.
    """

    name: str
    form: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class NationalAward:
    """A national science and technology award (国家级科技奖励).

    :param name: Award name.
    :param year: Year the award was granted.
    :param rank: The enterprise's rank among the award-winning organisations (1 = first).
    """

    name: str
    year: int
    rank: int


@dataclass(frozen=True, slots=True)
class RdInstitution:
    """A recognised R&D institution (研发机构).

    :param name: Institution name.
    :param level: One of :data:`INSTITUTION_LEVELS`.
    """

    name: str
    level: str


@dataclass(frozen=True, slots=True)
class Standard:
    """A standard the enterprise took part in drafting.

    :param name: Standard name or number.
    :param level: One of :data:`STANDARD_LEVELS`.
    :param year: Year the standard was issued.
    :param rank: The enterprise's rank among the drafting organisations (1 = led, 主导).
    """

    name: str
    level: str
    year: int
    rank: int


@dataclass(frozen=True, slots=True)
class IpItem:
    """An item of intellectual property owned by the enterprise.

    :param name: Title or registration number.
    :param kind: One of :data:`IP_KINDS`.
    """

    name: str
    kind: str


@dataclass(frozen=True, slots=True)
class EvaluationInput:
    """Everything the 11 indicators are judged on.

    :param year: Evaluation year; selects the rule table
        (:func:`rules.sme.tables.ruleset_for`).
    :param registered_in_mainland: Indicator 1, a resident enterprise registered in
        mainland China (excluding Hong Kong, Macao and Taiwan).
    :param products_not_prohibited: Indicator 3, products and services are not of a
        prohibited, restricted or obsolete category.
    :param credit_ok: Indicator 4, no major accident, serious violation or
        abnormal-operation listing.
    :param employees: All employees by kind (职工总数).
    :param tech_staff: Science and technology staff by kind (科技人员数).
    :param sales_revenue: Annual sales revenue, 万元.
    :param total_assets: Total assets, 万元.
    :param cost_expenses: Cost and expenses (成本费用总额), 万元.
    :param rd_projects: R&D projects with their expense.
    :param high_tech_certificate_valid: Indicator 5, a valid high-tech enterprise certificate.
    :param national_awards: Indicator 6 evidence.
    :param rd_institutions: Indicator 7 evidence.
    :param standards: Indicator 8 evidence.
    :param ip: Indicator 11 evidence.
    """

    year: int
    registered_in_mainland: bool
    products_not_prohibited: bool
    credit_ok: bool
    employees: StaffCounts
    tech_staff: StaffCounts
    sales_revenue: Decimal
    total_assets: Decimal
    cost_expenses: Decimal
    rd_projects: tuple[RdProject, ...] = ()
    high_tech_certificate_valid: bool = False
    national_awards: tuple[NationalAward, ...] = ()
    rd_institutions: tuple[RdInstitution, ...] = ()
    standards: tuple[Standard, ...] = ()
    ip: tuple[IpItem, ...] = ()


# The result records below are typed ``NamedTuple`` rather than frozen dataclasses:
# :func:`rules.sme.scoring.evaluate` builds several per call, and the scorer builds them with
# ``tuple.__new__`` (0.1 µs; a frozen dataclass takes 1 µs here), which was most of an
# evaluation's cost.  They are just as immutable; compare them by field, not against plain tuples.
# The scorer shares the results that never vary (an entry condition passed, an indicator not
# judged, indicator 11 for given counts) between evaluations: never change their mappings.


class RatioScore(NamedTuple):
    """One ratio scored against a band table.

    :param basis: What the ratio is taken against, e.g. ``"sales"``.
    :param ratio: The ratio as a percentage (``Decimal("2")`` is 2%), or ``None``
        when the denominator is zero.
    :param band: Label of the band reached, e.g. ``"≥30%"``, or ``None``.
    :param points: Points earned (0 when no band is reached).
    """

    basis: str
    ratio: Decimal | None
    band: str | None
    points: int


class IndicatorResult(NamedTuple):
    """The outcome of one of the 11 indicators.

    :param number: 1 to 11.
    :param name: Chinese name of the indicator.
    :param judged: ``False`` when the evaluation stopped before this indicator.
    :param passed: Indicators 1–8: whether the condition holds (``None`` when not
        judged, and always ``None`` for 9–11).
    :param points: Indicators 9–11: points earned (``None`` when not judged or for 1–8).
    :param ratio: Indicators 9–10: the ratio as a percentage, ``None`` for a zero
        denominator.
    :param band: Indicators 9–11: label of the band reached, or ``None``.
    :param inputs: The figures the indicator was judged on (indicator 2 only
        when it fails; 9–11 always).
    :param details: Indicator-specific extras: indicator 10 both
        :class:`RatioScore` (``"sales"``, ``"cost_expenses"``) and ``"used"``;
        11 ``"class_i"``/``"class_ii"``; 6–8 the qualifying item.
    :param reason: Short Chinese explanation when the indicator fails or scores 0.
    """

    number: int
    name: str
    judged: bool
    passed: bool | None = None
    points: int | None = None
    ratio: Decimal | None = None
    band: str | None = None
    inputs: Mapping[str, Any] | None = None
    details: Mapping[str, Any] | None = None
    reason: str | None = None


class EvaluationResult(NamedTuple):
    """The outcome of a Tech-SME evaluation.

    :param year: Evaluation year of the input.
    :param ruleset_year: Year of the rule table applied.
    :param qualified: Whether the enterprise qualifies as a Tech-SME.
    :param path: :data:`PATH_ENTRY_FAILED`, :data:`PATH_DIRECT` or :data:`PATH_SCORED`.
    :param total_score: Sum of indicators 9–11 on the scored path, else ``None``.
    :param rd_total: R&D expense after the commission factors, 万元.
    :param indicators: The 11 indicator results, in order (``indicators[0]`` is indicator 1).
    :param reason: Short Chinese explanation when not qualified, else ``None``.
    """

    year: int
    ruleset_year: int
    qualified: bool
    path: str
    total_score: int | None
    rd_total: Decimal
    indicators: tuple[IndicatorResult, ...]
    reason: str | None = None

    def indicator(self, number: int) -> IndicatorResult:
        """:param number: Indicator number, 1 to 11.
        :returns: That indicator's result."""
        return self.indicators[number - 1]
