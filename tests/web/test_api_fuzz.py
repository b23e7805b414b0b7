"""Schemathesis against the OpenAPI spec of every REST API (/api/v1/_openapi), in process, as
each role: no 5xx, and every answer as the spec says (status code, content type, JSON schema).

A bounded, derandomized run (the same cases every time); bench/api_fuzz.py runs many more.
The world, the operations and the checks: tests/api_fuzz_support.py.
"""
from __future__ import annotations

import warnings

import pytest

from tests import api_fuzz_support as fuzz

pytestmark = [
    pytest.mark.parametrize("app", ["sqlite"], indirect=True),
    # The development SECRET_KEY is short: PyJWT warns on each of the ~1,500 tokens it reads.
    pytest.mark.filterwarnings("ignore:The HMAC key is"),
]

# Examples per operation and role (3 where the role is refused, 1 without input), fewer for the
# benchmark, e-seal and message resources (their rows and filters are of the same kinds as the
# others'). Measured here: 69 s for the 8 roles and 60 operations, 41 s before these resources
# (5 roles, 24 operations); 15 examples for them too took 80 s.
EXAMPLES = 15
EXAMPLES_BY_RESOURCE = dict.fromkeys(
    ("organization_filing", "benchmark_project", "declaration", "activity", "recommending_unit", "seal_application",
     "seal_key", "issued_document", "message"), 6)


def test_every_operation_as_every_role_answers_as_documented(app):
    with warnings.catch_warnings():
        # apispec: FAB names nested schemas by model (Region, Region1, ...); harmless here.
        warnings.filterwarnings("ignore", message="Multiple schemas resolved to the name")
        runs = fuzz.fuzz_all(app, examples=EXAMPLES, examples_by_resource=EXAMPLES_BY_RESOURCE)
    table = "\n".join(f"{run.role}: {run.operations} operations ({run.refused} refused), {run.examples} examples, "
                      f"{run.failures} failures" for run in runs)
    assert all(run.operations >= 20 and len(run.by_operation) == run.operations for run in runs), table
    # Each token works: every role has operations it may call and is answered 2xx on.
    answered = {run.role: sum(any(200 <= code < 300 for code in codes) for codes in run.by_operation.values())
                for run in runs}
    assert all(count >= 5 for count in answered.values()), (answered, table)
    assert not any(run.failures for run in runs), f"{table}\n\n{fuzz.report(runs)}"
