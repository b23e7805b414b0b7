"""The Tech-SME scorer gives, byte for byte, the results recorded in tests/unit/data/sme_golden.json.gz.

That file was written by the scorer before its speed-up (see tests/unit/sme_golden_cases.py):
4,000-odd inputs under the 2017 rules and two made-up rule sets, with edge cases.  Each result
must match both as the JSON the app stores and shows (``result_to_json``) and as the exact
values (``repr``: every Decimal with its exponent, every indicator's fields).
"""

from __future__ import annotations

import gzip
import json
from decimal import localcontext
from functools import cache
from typing import Any

import pytest

from rules.sme import evaluate, ruleset_from_json
from tests.unit.sme_golden_cases import GOLDEN_PATH, build_input, outcome


@cache
def golden() -> dict[str, Any]:
    with gzip.open(GOLDEN_PATH, "rb") as f:
        return json.loads(f.read().decode("utf-8"))


def _mismatches(prec: int | None = None) -> list[str]:
    data = golden()
    sets = {None: None, **{name: ruleset_from_json(doc) for name, doc in data["rulesets"].items()}}
    wrong = []
    for case in data["cases"]:
        inp = build_input(case)
        try:
            if prec is None:
                got = outcome(evaluate(inp, sets[case["ruleset"]]))
            else:
                with localcontext() as ctx:
                    ctx.prec = prec
                    got = outcome(evaluate(inp, sets[case["ruleset"]]))
        except ArithmeticError as error:
            got = {"error": type(error).__name__}
        if got != case["expected"]:
            wrong.append(f"case {case['id']} ({case['ruleset']}): expected {case['expected']}, got {got}"[:4000])
    return wrong


def test_golden_file_covers_every_path_and_ruleset() -> None:
    seen = set()
    for case in golden()["cases"]:
        result = json.loads(case["expected"]["json"])
        seen.add((case["ruleset"], result["path"], result["qualified"]))
    assert len(golden()["cases"]) >= 4000
    for ruleset in (None, "odd", "edges"):
        assert {(ruleset, "entry_failed", False), (ruleset, "direct", True), (ruleset, "scored", True),
                (ruleset, "scored", False)} <= seen


def test_every_result_matches_the_golden_file() -> None:
    wrong = _mismatches()
    assert not wrong, f"{len(wrong)} results differ; first: " + wrong[0]


@pytest.mark.parametrize("prec", [2, 28])
def test_results_do_not_depend_on_the_callers_decimal_context(prec: int) -> None:
    wrong = _mismatches(prec)
    assert not wrong, f"{len(wrong)} results differ under prec={prec}; first: " + wrong[0]
