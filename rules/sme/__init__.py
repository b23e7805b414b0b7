"""Tech-SME (科技型中小企业) evaluation rules: pure stdlib, Decimal arithmetic.

* :mod:`rules.sme.model` — input and result dataclasses.
* :mod:`rules.sme.tables` — the rule tables, as data keyed by evaluation year.
* :mod:`rules.sme.ruleset_json` — a rule set as JSON and back (checked).
* :mod:`rules.sme.scoring` — :func:`evaluate` and its helpers.
* :mod:`rules.sme.compiled` — a rule set compiled for the scorer (cached lookups, cold paths).
* :mod:`rules.sme.decimals` — the scorer's Decimal context and number formatting.
* :mod:`rules.sme.interchange` — the JSON interchange format in and out.
"""

from rules.sme.interchange import InterchangeError, parse_interchange, result_to_json
from rules.sme.model import (
    INSTITUTION_LEVELS,
    IP_KINDS,
    PATH_DIRECT,
    PATH_ENTRY_FAILED,
    PATH_SCORED,
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
from rules.sme.scoring import evaluate, format_ratio, ip_counts, rd_total
from rules.sme.ruleset_json import ruleset_from_json, ruleset_to_json
from rules.sme.tables import INDICATOR_NAMES, RULES_2017, RULESETS, Ruleset, RulesetError, ruleset_for

__all__ = [
    "INDICATOR_NAMES",
    "INSTITUTION_LEVELS",
    "IP_KINDS",
    "PATH_DIRECT",
    "PATH_ENTRY_FAILED",
    "PATH_SCORED",
    "RD_FORMS",
    "RULES_2017",
    "RULESETS",
    "STANDARD_LEVELS",
    "EvaluationInput",
    "EvaluationResult",
    "IndicatorResult",
    "InterchangeError",
    "IpItem",
    "NationalAward",
    "RatioScore",
    "RdInstitution",
    "RdProject",
    "Ruleset",
    "RulesetError",
    "StaffCounts",
    "Standard",
    "evaluate",
    "format_ratio",
    "ip_counts",
    "parse_interchange",
    "rd_total",
    "result_to_json",
    "ruleset_for",
    "ruleset_from_json",
    "ruleset_to_json",
]
