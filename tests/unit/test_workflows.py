"""Every declared workflow table is consistent (the Django-admin-checks idea)."""
from __future__ import annotations

import pytest

from app.security.roles import ROLES, SYSTEM
from app.workflows.definitions import WORKFLOWS
from app.workflows.engine import GUARDS

# Importing the services registers their guards.
import app.services.email_change  # noqa: F401,E402
import app.services.enterprise  # noqa: F401,E402
import app.services.declaration  # noqa: F401,E402
import app.services.filing  # noqa: F401,E402
import app.services.sme  # noqa: F401,E402


@pytest.mark.parametrize("workflow", WORKFLOWS.values(), ids=list(WORKFLOWS))
def test_workflow_table_is_valid(workflow):
    states = set(workflow.states)
    assert workflow.initial in states
    assert workflow.final <= states
    reachable = {workflow.initial}
    changed = True
    while changed:
        changed = False
        for t in workflow.transitions:
            if set(t.sources) & reachable and t.target not in reachable:
                reachable.add(t.target)
                changed = True
    assert reachable == states, f"unreachable states: {states - reachable}"
    seen = set()
    for t in workflow.transitions:
        assert set(t.sources) <= states and t.target in states, t
        assert t.roles and t.roles <= set(ROLES) | {SYSTEM}, t
        assert t.guard is None or t.guard in GUARDS, f"guard {t.guard} is not registered"
        for source in t.sources:
            assert (t.action, source) not in seen, f"two transitions for {t.action} from {source}"
            seen.add((t.action, source))
    for state in workflow.final:
        assert not any(state in t.sources for t in workflow.transitions), f"final state {state} has exits"


def test_returns_always_require_a_reason():
    for workflow in WORKFLOWS.values():
        for t in workflow.transitions:
            if t.action == "return":
                assert t.comment_required, workflow.name
