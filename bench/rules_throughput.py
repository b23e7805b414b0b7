"""Throughput of the Tech-SME rules (rules.sme): evaluate, and parse + evaluate.

    .venv/bin/python bench/rules_throughput.py                  # 10,000 inputs, 200,000 evaluations
    .venv/bin/python bench/rules_throughput.py --evaluations 50000 --rounds 1     # quick check

Generates ``--inputs`` varied interchange documents from a fixed seed (a mix of entry
failures, direct qualifications and scored cases, with R&D projects of every form, IP of
every kind, awards and standards in and out of the five-year window), parses them once,
then times, in one process:

* ``evaluate``: ``--evaluations`` calls cycling over the parsed inputs (goal ≥ 300,000/s, with
  per-indicator detail: every result carries all 11 indicators, as result_to_json and the app read them);
* ``parse + evaluate``: ``parse_interchange`` then ``evaluate`` over the documents;
* ``parse + evaluate + result_to_json``: the full REST round trip.

Each figure is the best of ``--rounds`` rounds (the median is printed too); the VM is shared,
so only the best round approximates the code's own speed.
"""
from __future__ import annotations

import argparse
import collections
import platform
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from rules.sme import (  # noqa: E402
    IP_KINDS,
    RD_FORMS,
    EvaluationInput,
    evaluate,
    parse_interchange,
    result_to_json,
)

#: The issue's goal: evaluations per second of the pure scorer, with per-indicator detail.
GOAL = 300_000


def _money(rng: random.Random, low: float, high: float) -> Any:
    """A money amount in one of the accepted JSON shapes (int, float, 4-decimal string)."""
    value = rng.uniform(low, high)
    shape = rng.random()
    if shape < 0.3:
        return int(value)
    if shape < 0.6:
        return round(value, 2)
    return f"{value:.4f}"


def _staff(rng: random.Random, total: int) -> dict[str, int]:
    """Split ``total`` people into the three kinds."""
    parttime = rng.randint(0, total // 5)
    temporary = rng.randint(0, (total - parttime) // 5)
    return {"fulltime": total - parttime - temporary, "parttime": parttime, "temporary": temporary}


def make_document(rng: random.Random) -> dict[str, Any]:
    """One random but valid interchange document."""
    year = rng.randint(2017, 2026)
    employees = rng.randint(0, 520) if rng.random() < 0.97 else rng.randint(501, 900)
    tech = rng.randint(0, min(employees, int(employees * rng.uniform(0.02, 0.6)) + 1)) if employees else 0
    sales = rng.uniform(0, 21000)
    direct = rng.random() < 0.12
    return {
        "year": year,
        "registered_in_mainland": rng.random() > 0.01,
        "products_not_prohibited": rng.random() > 0.01,
        "credit_ok": rng.random() > 0.02,
        "employees": _staff(rng, employees),
        "tech_staff": _staff(rng, tech),
        "sales_revenue": _money(rng, 0, sales),
        "total_assets": _money(rng, 0, 20500),
        "cost_expenses": _money(rng, 0, sales * 1.1 + 1),
        "rd_projects": [
            {"name": f"研发项目{i}", "form": rng.choice(RD_FORMS), "amount": _money(rng, 0, sales * 0.03 + 1)}
            for i in range(rng.randint(0, 6))
        ],
        "high_tech_certificate_valid": direct and rng.random() < 0.5,
        "national_awards": [
            {"name": "国家科学技术进步奖", "year": year - rng.randint(0, 8), "rank": rng.randint(1, 6)}
            for _ in range(rng.randint(0, 1) if direct else 0)
        ],
        "rd_institutions": [
            {"name": "工程技术研究中心", "level": rng.choice(("provincial", "national"))}
            for _ in range(1 if direct and rng.random() < 0.3 else 0)
        ],
        "standards": [
            {"name": "GB/T 0000", "level": rng.choice(("international", "national", "industry")),
             "year": year - rng.randint(0, 7), "rank": rng.randint(1, 3)}
            for _ in range(rng.randint(0, 2))
        ],
        "ip": [
            {"name": f"知识产权{i}", "kind": rng.choice(IP_KINDS)}
            for i in range(rng.choice((0, 0, 1, 2, 3, 4, 5, 8)))
        ],
    }


def _rate(label: str, count: int, run: Callable[[], None], rounds: int) -> float:
    """Time ``run`` (which performs ``count`` operations) ``rounds`` times and print the rates.

    :returns: The best rate, operations per second."""
    rates = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        rates.append(count / (time.perf_counter() - start))
    best, median = max(rates), statistics.median(rates)
    print(f"{label:<38} {best:>12,.0f}/s best   {median:>12,.0f}/s median   ({count:,} × {rounds} rounds)")
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", type=int, default=10_000, help="distinct generated inputs")
    parser.add_argument("--evaluations", type=int, default=200_000, help="evaluate calls per round")
    parser.add_argument("--parses", type=int, default=50_000, help="parse + evaluate calls per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2017)
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)
    documents = [make_document(rng) for _ in range(args.inputs)]
    inputs: list[EvaluationInput] = [parse_interchange(doc) for doc in documents]

    results = [evaluate(inp) for inp in inputs]
    paths = collections.Counter(result.path for result in results)
    qualified = sum(result.qualified for result in results)
    print(f"Python {platform.python_version()} on {platform.machine()}; seed {args.seed}")
    print(
        f"{len(inputs):,} inputs: "
        + ", ".join(f"{path} {count:,}" for path, count in sorted(paths.items()))
        + f"; qualified {qualified:,}"
    )

    n = len(inputs)
    passes, rest = divmod(args.evaluations, n)
    tail = inputs[:rest]

    def run_evaluate() -> None:
        for _ in range(passes):
            for inp in inputs:
                evaluate(inp)
        for inp in tail:
            evaluate(inp)

    parse_docs = [documents[i % n] for i in range(args.parses)]

    def run_parse_evaluate() -> None:
        for doc in parse_docs:
            evaluate(parse_interchange(doc))

    def run_round_trip() -> None:
        for doc in parse_docs:
            result_to_json(evaluate(parse_interchange(doc)))

    run_evaluate()  # warm-up (compiles the ruleset lookups)
    best = _rate("evaluate", args.evaluations, run_evaluate, args.rounds)
    _rate("parse_interchange + evaluate", args.parses, run_parse_evaluate, args.rounds)
    _rate("parse + evaluate + result_to_json", args.parses, run_round_trip, args.rounds)
    verdict = "meets" if best >= GOAL else "MISSES"
    print(f"evaluate {verdict} the goal of {GOAL:,}/s (with per-indicator detail) in one process")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
