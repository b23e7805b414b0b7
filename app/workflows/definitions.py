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


# 科技型中小企业评价: the 15 statuses of the manual §4.4.6 (plus the draft).
_AGENCY = frozenset({R.AGENCY_REVIEWER, R.ADMIN})
_PROVINCE = frozenset({R.PROVINCE_REVIEWER, R.ADMIN})
_PROVINCE_OR_SYSTEM = _PROVINCE | {R.SYSTEM}

SME_EVALUATION = Workflow(
    name="sme_evaluation",
    record_type="sme_evaluation",
    initial="draft",
    states={
        "draft": "Filling in",
        "pending_agency": "Waiting for agency confirmation",
        "agency_confirmed": "Confirmed by agency",
        "pending_province": "Waiting for provincial agency confirmation",
        "recommended": "Recommended for publicity",
        "spot_check": "Waiting for spot check",
        "publicity_queued": "Queued for publicity",
        "in_publicity": "In publicity",
        "publicity_done": "Publicity completed",
        "stored": "Stored",
        "numbered": "Certificate number generated",
        "returned_by_agency": "Returned by evaluation agency",
        "returned_by_province": "Returned by provincial agency",
        "rejected": "Not passed",
        "objection": "Publicity objection",
    },
    transitions=(
        Transition("submit", ("draft", "returned_by_agency"), "pending_agency", _APPLICANT, guard="sme_submittable"),
        Transition("withdraw", ("pending_agency",), "draft", _APPLICANT),
        Transition("confirm", ("pending_agency",), "agency_confirmed", _AGENCY),
        Transition("return", ("pending_agency", "agency_confirmed", "returned_by_province"), "returned_by_agency",
                   _AGENCY, comment_required=True),
        Transition("send", ("agency_confirmed", "returned_by_province"), "pending_province", _AGENCY),
        Transition("approve", ("pending_province",), "recommended", _PROVINCE),
        Transition("return_to_agency", ("pending_province",), "returned_by_province", _PROVINCE, comment_required=True),
        Transition("reject", ("pending_province", "objection"), "rejected", _PROVINCE, comment_required=True),
        Transition("sample", ("recommended",), "spot_check", _PROVINCE),
        Transition("queue", ("recommended",), "publicity_queued", _PROVINCE),
        Transition("check_pass", ("spot_check",), "publicity_queued", _PROVINCE),
        Transition("check_fail", ("spot_check",), "rejected", _PROVINCE, comment_required=True),
        Transition("open_publicity", ("publicity_queued",), "in_publicity", _PROVINCE_OR_SYSTEM, guard="publicity_started"),
        Transition("close_publicity", ("in_publicity",), "publicity_done", _PROVINCE_OR_SYSTEM, guard="publicity_ended"),
        Transition("object", ("in_publicity",), "objection", _PROVINCE, comment_required=True),
        Transition("resolve", ("objection",), "in_publicity", _PROVINCE, comment_required=True),
        Transition("store", ("publicity_done",), "stored", _PROVINCE),
        Transition("number", ("stored",), "numbered", _PROVINCE),
    ),
    final=frozenset({"numbered", "rejected"}),
)

WORKFLOWS[SME_EVALUATION.name] = SME_EVALUATION


# 全国质量标杆: organization filing (备案), reviewed by the association.
_ASSOCIATION = frozenset({R.ASSOCIATION_REVIEWER, R.ADMIN})

ORGANIZATION_FILING = Workflow(
    name="organization_filing",
    record_type="organization_filing",
    initial="draft",
    states={
        "draft": "Draft",
        "filed": "Filed, pending association review",
        "approved": "Filing approved",
        "returned": "Returned by the association",
        "cancelled": "Cancelled",
    },
    transitions=(
        Transition("file", ("draft", "returned"), "filed", _APPLICANT, guard="filing_complete"),
        Transition("cancel", ("draft", "returned"), "cancelled", _APPLICANT),
        Transition("approve", ("filed",), "approved", _ASSOCIATION),
        Transition("return", ("filed",), "returned", _ASSOCIATION, comment_required=True),
    ),
    final=frozenset({"approved", "cancelled"}),
)

WORKFLOWS[ORGANIZATION_FILING.name] = ORGANIZATION_FILING


# 全国质量标杆: a declaration, recommended by the unit it chose, then qualified by the association.
_RECOMMENDER = frozenset({R.RECOMMENDER, R.ADMIN})
_EDITABLE_DECLARATION = ("draft", "returned_by_recommender", "returned_by_association")

DECLARATION = Workflow(
    name="declaration",
    record_type="declaration",
    initial="draft",
    states={
        "draft": "Draft",
        "submitted": "Submitted, choose the recommending unit",
        "pending_recommendation": "Waiting for the recommending unit",
        "returned_by_recommender": "Returned by the recommending unit",
        "recommended": "Recommended, waiting for qualification review",
        "returned_by_association": "Returned by the association",
        "qualified": "Qualification passed",
        "rejected": "Qualification not passed",
        "selected": "Selected as a quality benchmark",
        "not_selected": "Not selected",
    },
    transitions=(
        Transition("submit", _EDITABLE_DECLARATION, "submitted", _APPLICANT, guard="declaration_submittable"),
        Transition("choose_recommender", ("submitted",), "pending_recommendation", _APPLICANT),
        Transition("recommend", ("pending_recommendation",), "recommended", _RECOMMENDER),
        Transition("return", ("pending_recommendation",), "returned_by_recommender", _RECOMMENDER, comment_required=True),
        Transition("qualify", ("recommended",), "qualified", _ASSOCIATION),
        Transition("return_to_applicant", ("recommended",), "returned_by_association", _ASSOCIATION, comment_required=True),
        Transition("reject", ("recommended",), "rejected", _ASSOCIATION, comment_required=True),
        Transition("select", ("qualified",), "selected", _ASSOCIATION),
        Transition("not_select", ("qualified",), "not_selected", _ASSOCIATION),
    ),
    final=frozenset({"rejected", "selected", "not_selected"}),
)

WORKFLOWS[DECLARATION.name] = DECLARATION


# 企业电子签章服务: the guide's steps (apply, post the papers, remit) and the CA's production.
_CA = frozenset({R.CA_OPERATOR, R.ADMIN})

SEAL_APPLICATION = Workflow(
    name="seal_application",
    record_type="seal_application",
    initial="submitted",
    states={
        "submitted": "Submitted, waiting for the papers and the remittance",
        "papers_returned": "Papers returned",
        "papers_received": "Papers received, waiting for payment confirmation",
        "paid": "Payment confirmed, waiting for key production",
        "provisioned": "Key produced, waiting for shipment",
        "shipped": "Shipped",
        "renewed": "Renewed",
        "cancelled": "Cancelled",
    },
    transitions=(
        Transition("resubmit", ("papers_returned",), "submitted", _APPLICANT),
        Transition("cancel", ("submitted", "papers_returned"), "cancelled", _APPLICANT),
        Transition("receive_papers", ("submitted",), "papers_received", _CA, guard="seal_papers_complete"),
        Transition("return_papers", ("submitted",), "papers_returned", _CA, comment_required=True),
        # A renewal needs no papers: its payment is confirmed straight from "submitted".
        Transition("confirm_payment", ("submitted", "papers_received"), "paid", _CA, guard="seal_payment_confirmable"),
        Transition("provision", ("paid",), "provisioned", _CA, guard="seal_new_key"),
        Transition("renew", ("paid",), "renewed", _CA, guard="seal_renewal"),
        Transition("ship", ("provisioned",), "shipped", _CA, guard="seal_tracking_number"),
    ),
    final=frozenset({"shipped", "renewed", "cancelled"}),
)

WORKFLOWS[SEAL_APPLICATION.name] = SEAL_APPLICATION
