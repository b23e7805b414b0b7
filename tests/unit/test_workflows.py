"""Every declared workflow table is consistent (the Django-admin-checks idea): states reachable,
every guard, hook and notification a row names is known, reasons land in real columns.

Importing only the definitions must be enough: the registries are complete by themselves."""
from __future__ import annotations

import pytest

from app.programs import BY_RECORD_TYPE
from app.security.roles import ROLES, SYSTEM
from app.workflows.definitions import WORKFLOWS
from app.workflows.model import CHANNELS, NOW
from app.workflows.registry import GUARDS, HOOKS


def _reachable(workflow) -> set[str]:
    reachable = {workflow.initial}
    changed = True
    while changed:
        changed = False
        for t in workflow.transitions:
            if set(t.sources) & reachable and t.target not in reachable:
                reachable.add(t.target)
                changed = True
    return reachable


@pytest.mark.parametrize("workflow", WORKFLOWS.values(), ids=list(WORKFLOWS))
def test_workflow_table_is_valid(workflow):
    states = set(workflow.states)
    assert workflow.initial in states
    assert workflow.final <= states
    assert _reachable(workflow) == states, f"unreachable states: {states - _reachable(workflow)}"
    seen = set()
    for t in workflow.transitions:
        assert set(t.sources) <= states and t.target in states, t
        assert t.roles and t.roles <= set(ROLES) | {SYSTEM}, t
        assert t.channels and t.channels <= CHANNELS, t
        assert t.guard is None or t.guard in GUARDS, f"guard {t.guard} is not registered"
        unknown_hooks = [h for h in t.hooks if h not in HOOKS]
        assert not unknown_hooks, f"{workflow.name}.{t.action}: hooks not registered: {unknown_hooks}"
        assert t.reason in (None, "optional", "required"), t
        for source in t.sources:
            assert (t.action, source) not in seen, f"two transitions for {t.action} from {source}"
            seen.add((t.action, source))
    for state in workflow.final:
        assert not any(state in t.sources for t in workflow.transitions), f"final state {state} has exits"


@pytest.mark.parametrize("workflow", WORKFLOWS.values(), ids=list(WORKFLOWS))
def test_rows_write_only_columns_of_their_record(workflow):
    model = BY_RECORD_TYPE[workflow.record_type].model
    columns = set(model.__table__.columns.keys())
    for t in workflow.transitions:
        fields = [name for name, _value in t.sets] + ([t.reason_field] if t.reason_field else [])
        assert set(fields) <= columns, f"{workflow.name}.{t.action} sets {set(fields) - columns}, not columns"
        stamps = [name for name, value in t.sets if value is NOW]
        assert all(model.__table__.columns[s].type.python_type.__name__ == "datetime" for s in stamps), t
        if t.reason_field:
            assert t.reason is not None, f"{workflow.name}.{t.action} has a reason field but asks no reason"


def test_every_notification_a_row_names_has_a_template_in_both_languages():
    from app.notify.templates import DEFAULT_TEMPLATES

    for workflow in WORKFLOWS.values():
        for t in workflow.transitions:
            for code in t.notify:
                assert code in DEFAULT_TEMPLATES, f"{workflow.name}.{t.action}: no template {code!r}"
                assert set(DEFAULT_TEMPLATES[code]) >= {"zh", "en"}, code


def test_returns_rejections_and_objections_require_a_reason_the_applicant_sees():
    for workflow in WORKFLOWS.values():
        for t in workflow.transitions:
            if t.action.startswith("return") or t.action in ("reject", "check_fail", "object"):
                assert t.comment_required and t.reason_field, f"{workflow.name}.{t.action}"
                assert t.notify, f"{workflow.name}.{t.action} tells the applicant nothing"


def test_every_workflow_is_in_the_program_registry():
    assert {w.record_type for w in WORKFLOWS.values()} == set(BY_RECORD_TYPE)
