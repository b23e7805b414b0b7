"""Every workflow of the platform, declared as tables. tests/unit/test_workflows.py checks them."""
from __future__ import annotations

from app.security import roles as R
from app.workflows.model import Transition, Workflow

_REVIEW = frozenset({R.AGENCY_REVIEWER, R.ADMIN})
_APPLICANT = frozenset({R.APPLICANT})

ENTERPRISE_REGISTRATION = Workflow(
    name="enterprise_registration",
    record_type="enterprise",
    initial="draft",
    states={
        "draft": "Draft",
        "submitted": "Pending agency review",
        "returned": "Returned by agency",
        "approved": "Approved",
    },
    transitions=(
        Transition("submit", ("draft", "returned"), "submitted", _APPLICANT, guard="registration_complete"),
        Transition("approve", ("submitted",), "approved", _REVIEW),
        Transition("return", ("submitted",), "returned", _REVIEW, comment_required=True),
    ),
)

CORE_INFO_CHANGE = Workflow(
    name="core_info_change",
    record_type="core_info_change",
    initial="draft",
    states={
        "draft": "Draft",
        "submitted": "Pending agency review",
        "returned": "Returned by agency",
        "approved": "Approved",
        "cancelled": "Cancelled",
    },
    transitions=(
        Transition("submit", ("draft", "returned"), "submitted", _APPLICANT, guard="core_change_complete"),
        Transition("cancel", ("draft", "returned"), "cancelled", _APPLICANT),
        Transition("approve", ("submitted",), "approved", _REVIEW),
        Transition("return", ("submitted",), "returned", _REVIEW, comment_required=True),
    ),
    final=frozenset({"approved", "cancelled"}),
)

EMAIL_CHANGE = Workflow(
    name="email_change",
    record_type="email_change",
    initial="submitted",
    states={"submitted": "Pending agency review", "approved": "Approved", "returned": "Returned by agency"},
    transitions=(
        Transition("approve", ("submitted",), "approved", _REVIEW, guard="email_change_applicable"),
        Transition("return", ("submitted",), "returned", _REVIEW, comment_required=True),
    ),
    final=frozenset({"approved", "returned"}),
)

WORKFLOWS: dict[str, Workflow] = {
    w.name: w for w in (ENTERPRISE_REGISTRATION, CORE_INFO_CHANGE, EMAIL_CHANGE)
}
