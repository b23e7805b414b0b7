"""The cases of tests/unit/data/sme_golden.json.gz, and the script that (re)writes that file.

The golden file pins what :func:`rules.sme.evaluate` returns, as ``result_to_json`` and as the
exact Decimals (``repr``), for 4,000-odd inputs: documents from bench/rules_throughput's
generator (fixed seed) under the 2017 rules and two made-up rule sets, plus edge cases (zero
denominators, ratios exactly on and just under every band threshold, every IP kind, every R&D
form, each entry failure, each direct path, each evaluation year 2017–2026) and inputs built by
hand past what the interchange accepts (5+ decimals, negative, huge amounts, more tech staff
than employees).  It was written by the scorer as it was before the speed-up, so
tests/unit/test_sme_golden.py proves a faster scorer gives the same results byte for byte.

    .venv/bin/python tests/unit/sme_golden_cases.py     # rewrite the file (only on purpose!)
"""

from __future__ import annotations

import copy
import gzip
import json
import random
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
GOLDEN_PATH = Path(__file__).resolve().parent / "data" / "sme_golden.json.gz"

if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))

from rules.sme import (  # noqa: E402
    IP_KINDS,
    RD_FORMS,
    RULES_2017,
    EvaluationInput,
    EvaluationResult,
    IpItem,
    NationalAward,
    RdInstitution,
    RdProject,
    Ruleset,
    StaffCounts,
    Standard,
    evaluate,
    parse_interchange,
    result_to_json,
    ruleset_from_json,
    ruleset_to_json,
)

#: A rule set unlike 2017's in every number: 4-decimal thresholds and shares, a 3-year window,
#: indicator 9 not required, fewer levels and kinds.
_ODD = {
    **ruleset_to_json(RULES_2017),
    "year": 2017,
    "source": "golden test: odd numbers",
    "max_employees": 300,
    "max_sales_revenue": "15000.5",
    "max_total_assets": "9999.9999",
    "lookback_years": 3,
    "award_max_rank": 2,
    "institution_levels": ["national"],
    "standard_levels": ["international", "national"],
    "standard_max_rank": 2,
    "tech_staff_bands": [["33.3333", 25], ["12.5", 10], ["0.0001", 1]],
    "rd_sales_bands": [["7.7777", 45], ["2.5", 15]],
    "rd_cost_bands": [["20.0001", 35], ["9.9999", 5]],
    "ip_class_i_kinds": ["invention_patent", "new_drug"],
    "ip_class_ii_kinds": ["utility_model", "software_copyright", "ic_layout"],
    "ip_class_i_bands": [["2", 30], ["1", 20]],
    "ip_class_ii_bands": [["6", 15], ["3", 9]],
    "rd_form_factors": [
        ["independent", "1"],
        ["cooperative", "0.9"],
        ["centralized", "0.75"],
        ["commissioned_domestic", "0.8333"],
        ["commissioned_foreign", "0.1234"],
    ],
    "pass_score": 40,
    "tech_staff_required": False,
}
#: Bands starting at 0% and reaching 100%, every factor 0 or 1, pass mark 1.
_EDGES = {
    **ruleset_to_json(RULES_2017),
    "year": 2017,
    "source": "golden test: extreme bands",
    "tech_staff_bands": [["100", 7], ["50", 3], ["0", 1]],
    "rd_sales_bands": [["100", 9], ["0", 2]],
    "rd_cost_bands": [["99.9999", 8], ["0", 0]],
    "ip_class_ii_bands": [["1", 1]],
    "rd_form_factors": [
        ["independent", "0"],
        ["cooperative", "1"],
        ["centralized", "1"],
        ["commissioned_domestic", "0"],
        ["commissioned_foreign", "1"],
    ],
    "pass_score": 1,
}
RULESET_DOCS: dict[str, dict[str, Any]] = {"odd": _ODD, "edges": _EDGES}


def rulesets() -> dict[str | None, Ruleset | None]:
    """:returns: Name → rule set of the cases (``None``: the year's own, i.e. 2017's)."""
    return {None: None, **{name: ruleset_from_json(doc) for name, doc in RULESET_DOCS.items()}}


def build_input(case: dict[str, Any]) -> EvaluationInput:
    """:param case: A golden case.
    :returns: Its input: parsed (and so validated) from ``doc``, or for a ``raw`` case built
        as is (amounts ``Decimal(text)``), the way a caller of ``evaluate`` may."""
    doc = case["doc"]
    if not case.get("raw"):
        return parse_interchange(doc)
    return EvaluationInput(
        doc["year"],
        doc["registered_in_mainland"],
        doc["products_not_prohibited"],
        doc["credit_ok"],
        StaffCounts(**doc["employees"]),
        StaffCounts(**doc["tech_staff"]),
        Decimal(doc["sales_revenue"]),
        Decimal(doc["total_assets"]),
        Decimal(doc["cost_expenses"]),
        tuple(RdProject(p["name"], p["form"], Decimal(p["amount"])) for p in doc.get("rd_projects", ())),
        doc.get("high_tech_certificate_valid", False),
        tuple(NationalAward(**a) for a in doc.get("national_awards", ())),
        tuple(RdInstitution(**i) for i in doc.get("rd_institutions", ())),
        tuple(Standard(**s) for s in doc.get("standards", ())),
        tuple(IpItem(**i) for i in doc.get("ip", ())),
    )


def outcome(result: EvaluationResult) -> dict[str, Any]:
    """:param result: An evaluation result.
    :returns: What the golden file stores: ``result_to_json`` and the exact ``repr``."""
    return {"json": json.dumps(result_to_json(result), ensure_ascii=False, sort_keys=True), "repr": repr(result)}


def _base(year: int = 2024) -> dict[str, Any]:
    """A scored document: entry passes, nothing direct, no R&D, no IP."""
    return {
        "year": year,
        "registered_in_mainland": True,
        "products_not_prohibited": True,
        "credit_ok": True,
        "employees": {"fulltime": 100, "parttime": 0, "temporary": 0},
        "tech_staff": {"fulltime": 0, "parttime": 0, "temporary": 0},
        "sales_revenue": "1000",
        "total_assets": "1000",
        "cost_expenses": "0",
    }


def _with(**changes: Any) -> dict[str, Any]:
    return {**_base(), **changes}


def _rd(*amounts: str, form: str = "independent") -> list[dict[str, Any]]:
    return [{"name": f"项目{i}", "form": form, "amount": a} for i, a in enumerate(amounts)]


def _staff(fulltime: int, parttime: int = 0, temporary: int = 0) -> dict[str, int]:
    return {"fulltime": fulltime, "parttime": parttime, "temporary": temporary}


def _text(value: Decimal) -> str:
    return format(value, "f")


def _band_edges(ruleset_doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Ratios exactly on, just under and just over every percentage threshold."""
    docs = []
    tick = Decimal("0.0001")
    for threshold, _ in ruleset_doc["tech_staff_bands"]:
        t = Decimal(threshold)
        # employees 10^6 people make every 0.0001% step a whole person.
        for people in (t * 10000, t * 10000 - 1, t * 10000 + 1):
            if 0 <= people <= 1_000_000:
                docs.append(_with(employees=_staff(1_000_000), tech_staff=_staff(int(people))))
        for employees in (3, 7, 40, 100, 499):  # shares that truncate
            docs.append(_with(employees=_staff(employees), tech_staff=_staff(int(t * employees / 100) + 1)))
    for key, field in (("rd_sales_bands", "sales_revenue"), ("rd_cost_bands", "cost_expenses")):
        for threshold, _ in ruleset_doc[key]:
            t = Decimal(threshold)
            for rd in (t * 10, t * 10 - tick, t * 10 + tick, t * 10 - tick / 10):
                if rd >= 0:
                    other = "cost_expenses" if field == "sales_revenue" else "sales_revenue"
                    docs.append(_with(**{field: "1000", other: "0"}, rd_projects=_rd(_text(rd))))
                    docs.append(_with(**{field: "1000", other: "1000"}, rd_projects=_rd(_text(rd))))
            # 0.7 + 0.1 over 40 is exactly 2% (floats would say 1.9999…).
            docs.append(_with(**{field: _text(Decimal(40) * 100 / (t or 1))},
                              rd_projects=[{"name": "a", "form": "independent", "amount": 0.7},
                                           {"name": "b", "form": "cooperative", "amount": 0.1}]))
    return docs


def _edge_docs() -> list[dict[str, Any]]:
    """Hand-made valid documents for the edges the generator may miss."""
    docs: list[dict[str, Any]] = []
    # Zero denominators, alone and together, with and without R&D.
    for employees in (0, 1):
        for sales in ("0", "0.0001", "1000"):
            for cost in ("0", "0.0001", "1000"):
                for rd in ([], _rd("0"), _rd("10.5")):
                    docs.append(_with(employees=_staff(employees), tech_staff=_staff(employees),
                                      sales_revenue=sales, cost_expenses=cost, rd_projects=rd))
    # Every R&D form, alone and mixed, in every JSON shape of an amount.
    for form in RD_FORMS:
        for amount in ("0", "0.0001", "0.0003", "12.5", "12.50", "100", 100, 0.7, 33.33, "9999.9999"):
            docs.append(_with(rd_projects=_rd(amount, form=form), cost_expenses="500"))
    docs.append(_with(rd_projects=[{"name": f"p{i}", "form": f, "amount": a}
                                   for i, (f, a) in enumerate(zip(RD_FORMS, ("1.1", "2.22", "3.333", "4.4444", "5")))]))
    # Every IP kind, 0 to 5 items, and mixes of both classes.
    for kind in IP_KINDS:
        for count in range(6):
            docs.append(_with(ip=[{"name": f"{kind}{i}", "kind": kind} for i in range(count)]))
    for mix in range(12):
        docs.append(_with(ip=[{"name": f"ip{i}", "kind": IP_KINDS[(mix + 3 * i) % len(IP_KINDS)]} for i in range(mix)]))
    # Entry failures: each alone, all together, limits on and just over.
    for field in ("registered_in_mainland", "products_not_prohibited", "credit_ok"):
        docs.append(_with(**{field: False}))
    docs.append(_with(registered_in_mainland=False, products_not_prohibited=False, credit_ok=False,
                      employees=_staff(600, 10, 10), sales_revenue="20000.0001", total_assets="99999"))
    for employees in (_staff(500), _staff(400, 50, 50), _staff(400, 50, 51), _staff(501), _staff(300), _staff(301)):
        docs.append(_with(employees=employees))
    for value in ("20000", "20000.0001", "15000.5", "15000.5001", "9999.9999", "10000", 20000, 20001):
        docs.append(_with(sales_revenue=value))
        docs.append(_with(total_assets=value))
        docs.append(_with(sales_revenue=value, total_assets=value, employees=_staff(501)))
    # Direct paths: each of 5–8, windows and ranks on their edges, several at once.
    docs.append(_with(high_tech_certificate_valid=True))
    for back in range(0, 7):
        for rank in (1, 2, 3, 4):
            docs.append(_with(national_awards=[{"name": "奖", "year": 2024 - back, "rank": rank}]))
    docs.append(_with(national_awards=[{"name": "未来", "year": 2025, "rank": 1}]))
    for level in ("provincial", "national"):
        docs.append(_with(rd_institutions=[{"name": "中心", "level": level}]))
    for level in ("international", "national", "industry"):
        for back in (0, 2, 3, 4, 5):
            for rank in (1, 2, 3):
                docs.append(_with(standards=[{"name": "GB", "level": level, "year": 2024 - back, "rank": rank}]))
    docs.append(_with(high_tech_certificate_valid=True,
                      national_awards=[{"name": "奖", "year": 2023, "rank": 2}],
                      rd_institutions=[{"name": "中心", "level": "national"}],
                      standards=[{"name": "GB", "level": "national", "year": 2022, "rank": 1}]))
    docs.append(_with(national_awards=[{"name": "旧", "year": 2010, "rank": 1}, {"name": "新", "year": 2024, "rank": 3}],
                      standards=[{"name": "x", "level": "industry", "year": 2024, "rank": 2},
                                 {"name": "y", "level": "industry", "year": 2024, "rank": 1}]))
    # A strong scored case and a qualifying total exactly on the pass mark, in every year.
    strong = _with(employees=_staff(80, 10, 10), tech_staff=_staff(25, 3, 2), sales_revenue="5000",
                   cost_expenses="4500.25", rd_projects=_rd("200", "50", "12.5"),
                   ip=[{"name": "ZL", "kind": "invention_patent"}])
    on_mark = _with(tech_staff=_staff(10), sales_revenue="1000", rd_projects=_rd("40"),
                    ip=[{"name": f"s{i}", "kind": "software_copyright"} for i in range(4)])
    for year in range(2017, 2027):
        for doc in (strong, on_mark, _with(), _with(credit_ok=False),
                    _with(national_awards=[{"name": "奖", "year": year - 4, "rank": 1}]),
                    _with(standards=[{"name": "GB", "level": "national", "year": year - 5, "rank": 1}])):
            docs.append({**copy.deepcopy(doc), "year": year})
    docs.append({**copy.deepcopy(strong), "year": 9999})
    return docs


def _raw_docs() -> list[dict[str, Any]]:
    """Inputs the interchange would refuse but a Python caller may build."""
    docs = []
    for amount in ("0.00001", "0.00008", "1.23456789", "0.1E-10", "-5", "-0.0001", "1E+20", "123456789012345.6789"):
        docs.append(_with(rd_projects=_rd(amount, form="commissioned_domestic"), cost_expenses="0.7"))
        docs.append(_with(rd_projects=_rd(amount), sales_revenue="333.33333"))
    for sales in ("-1", "0.00000", "1E-8", "1E+18"):
        docs.append(_with(sales_revenue=sales, total_assets="1", rd_projects=_rd("1")))
    docs.append(_with(employees=_staff(3), tech_staff=_staff(7)))  # more tech staff than employees
    docs.append(_with(employees=_staff(3), tech_staff=_staff(3, 2, 1)))
    docs.append(_with(employees=_staff(10**9), tech_staff=_staff(10**9 - 1)))
    return [{"raw": True, "doc": doc} for doc in docs]


def golden_cases() -> list[dict[str, Any]]:
    """:returns: Every case as ``{"ruleset": name or None, "doc": ..., "raw"?: True}``."""
    # The bench's generator, as the brief of the speed-up asked (bench/rules_throughput.py).
    sys.path.insert(0, str(ROOT / "bench"))
    from rules_throughput import make_document  # noqa: PLC0415

    rng = random.Random(20261204)
    cases: list[dict[str, Any]] = []
    for _ in range(2600):
        cases.append({"ruleset": None, "doc": make_document(rng)})
    cases += [{"ruleset": None, "doc": doc} for doc in _edge_docs() + _band_edges(ruleset_to_json(RULES_2017))]
    cases += [{"ruleset": None, **case} for case in _raw_docs()]
    for name, ruleset_doc in RULESET_DOCS.items():
        for _ in range(300):
            cases.append({"ruleset": name, "doc": make_document(rng)})
        cases += [{"ruleset": name, "doc": doc} for doc in _edge_docs() + _band_edges(ruleset_doc)]
        cases += [{"ruleset": name, **case} for case in _raw_docs()]
    return cases


def write_golden() -> int:
    """Evaluate every case with the scorer as it is and write the golden file.

    :returns: The number of cases."""
    sets = rulesets()
    out = []
    for number, case in enumerate(golden_cases()):
        try:
            inp = build_input(case)
        except ValueError:
            continue  # a generated document the interchange refuses (e.g. an edge past a limit)
        try:
            expected = outcome(evaluate(inp, sets[case["ruleset"]]))
        except ArithmeticError as error:
            expected = {"error": f"{type(error).__name__}"}
        out.append({"id": number, **case, "expected": expected})
    GOLDEN_PATH.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"rulesets": RULESET_DOCS, "cases": out}, ensure_ascii=False, sort_keys=True, indent=0)
    with gzip.GzipFile(GOLDEN_PATH, "wb", mtime=0) as f:
        f.write(text.encode("utf-8"))
    return len(out)


if __name__ == "__main__":
    print(f"{write_golden():,} cases → {GOLDEN_PATH.relative_to(ROOT)}")
