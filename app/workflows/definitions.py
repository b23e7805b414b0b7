"""Every workflow of the platform, declared as tables: one row per transition says everything
the transition does. tests/unit/test_workflows.py validates them."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

# The registries the rows name: imported here so they are complete whatever else was imported.
from app.workflows import guards as _guards  # noqa: F401
from app.workflows import hooks as _hooks  # noqa: F401
from app.security import roles as R
from app.workflows.model import (APPLICANT, BULK, DRAW, FOLLOW, NOW, OPERATOR, REVIEW, SCHEDULER, Transition,
                                 Workflow)

_REVIEW = frozenset({R.AGENCY_REVIEWER, R.ADMIN})
_APPLICANT = frozenset({R.APPLICANT})
_BY_APPLICANT = frozenset({APPLICANT})
_BY_REVIEW = frozenset({REVIEW})
_REVIEW_OR_BULK = frozenset({REVIEW, BULK})
_REVIEW_OR_FOLLOW = frozenset({REVIEW, FOLLOW})
_REQUIRED = "required"
_OPTIONAL = "optional"

ENTERPRISE_REGISTRATION = Workflow(
    name="enterprise_registration",
    record_type="enterprise",
    initial="draft",
    states={
        "draft": _l("Draft"),
        "submitted": _l("Pending agency review"),
        "returned": _l("Returned by agency"),
        "approved": _l("Approved"),
    },
    transitions=(
        Transition("submit", ("draft", "returned"), "submitted", _APPLICANT, _l("Submit"), _BY_APPLICANT,
                   guard="registration_complete", sets=(("submitted_at", NOW), ("return_reason", None)),
                   hooks=("enterprise_apply_draft",)),
        Transition("approve", ("submitted",), "approved", _REVIEW, _l("Approve"), reason=_OPTIONAL,
                   sets=(("approved_at", NOW), ("return_reason", None)), notify=("registration_approved",)),
        Transition("return", ("submitted",), "returned", _REVIEW, _l("Return"), reason=_REQUIRED,
                   reason_field="return_reason", notify=("registration_returned",)),
    ),
    events={"edit": _l("Details changed")},
)

CORE_INFO_CHANGE = Workflow(
    name="core_info_change",
    record_type="core_info_change",
    initial="draft",
    states={
        "draft": _l("Draft"),
        "submitted": _l("Pending agency review"),
        "returned": _l("Returned by agency"),
        "approved": _l("Approved"),
        "cancelled": _l("Cancelled"),
    },
    transitions=(
        Transition("submit", ("draft", "returned"), "submitted", _APPLICANT, _l("Submit"), _BY_APPLICANT,
                   guard="core_change_complete", sets=(("submitted_at", NOW),), hooks=("core_change_snapshot",)),
        Transition("cancel", ("draft", "returned"), "cancelled", _APPLICANT, _l("Cancel"), _BY_APPLICANT),
        Transition("approve", ("submitted",), "approved", _REVIEW, _l("Approve"), reason=_OPTIONAL,
                   sets=(("decided_at", NOW),), hooks=("core_change_apply",), notify=("core_change_approved",)),
        Transition("return", ("submitted",), "returned", _REVIEW, _l("Return"), reason=_REQUIRED,
                   reason_field="return_reason", sets=(("decided_at", NOW),), notify=("core_change_returned",)),
    ),
    final=frozenset({"approved", "cancelled"}),
)

EMAIL_CHANGE = Workflow(
    name="email_change",
    record_type="email_change",
    initial="submitted",
    states={"submitted": _l("Pending agency review"), "approved": _l("Approved"), "returned": _l("Returned by agency")},
    transitions=(
        Transition("approve", ("submitted",), "approved", _REVIEW, _l("Approve"), guard="email_change_applicable",
                   reason=_OPTIONAL, reason_field="decision_comment", hooks=("email_change_apply",),
                   notify=("email_change_approved",)),
        Transition("return", ("submitted",), "returned", _REVIEW, _l("Return"), reason=_REQUIRED,
                   reason_field="decision_comment", notify=("email_change_returned",)),
    ),
    final=frozenset({"approved", "returned"}),
    events={"submit": _l("Submit")},
)


# 科技型中小企业评价: the 15 statuses of the manual §4.4.6 (plus the draft).
_AGENCY = frozenset({R.AGENCY_REVIEWER, R.ADMIN})
_PROVINCE = frozenset({R.PROVINCE_REVIEWER, R.ADMIN})
_SYSTEM = frozenset({R.SYSTEM})
_RETURNED = "return_reason"

SME_EVALUATION = Workflow(
    name="sme_evaluation",
    record_type="sme_evaluation",
    initial="draft",
    states={
        "draft": _l("Filling in"),
        "pending_agency": _l("Waiting for agency confirmation"),
        "agency_confirmed": _l("Confirmed by agency"),
        "pending_province": _l("Waiting for provincial agency confirmation"),
        "recommended": _l("Recommended for publicity"),
        "spot_check": _l("Waiting for spot check"),
        "publicity_queued": _l("Queued for publicity"),
        "in_publicity": _l("In publicity"),
        "publicity_done": _l("Publicity completed"),
        "stored": _l("Stored"),
        "numbered": _l("Certificate number generated"),
        "returned_by_agency": _l("Returned by evaluation agency"),
        "returned_by_province": _l("Returned by provincial agency"),
        "rejected": _l("Not passed"),
        "objection": _l("Publicity objection"),
        "revoked": _l("Registration revoked"),
    },
    transitions=(
        Transition("submit", ("draft", "returned_by_agency"), "pending_agency", _APPLICANT, _l("Submit"), _BY_APPLICANT,
                   guard="sme_submittable", sets=(("submitted_at", NOW), (_RETURNED, None)),
                   hooks=("sme_snapshot_enterprise",)),
        Transition("withdraw", ("pending_agency",), "draft", _APPLICANT, _l("Withdraw"), _BY_APPLICANT),
        Transition("confirm", ("pending_agency",), "agency_confirmed", _AGENCY, _l("Confirm"), _REVIEW_OR_BULK,
                   reason=_OPTIONAL, notify=("sme_confirmed",)),
        Transition("return", ("pending_agency", "agency_confirmed", "returned_by_province"), "returned_by_agency",
                   _AGENCY, _l("Return"), reason=_REQUIRED, reason_field=_RETURNED, notify=("sme_returned",)),
        Transition("send", ("agency_confirmed", "returned_by_province"), "pending_province", _AGENCY,
                   _l("Send to the provincial agency"), _REVIEW_OR_BULK, reason=_OPTIONAL, notify=("sme_forwarded",)),
        Transition("approve", ("pending_province",), "recommended", _PROVINCE, _l("Approve"), _REVIEW_OR_BULK,
                   reason=_OPTIONAL, notify=("sme_recommended",)),
        Transition("return_to_agency", ("pending_province",), "returned_by_province", _PROVINCE,
                   _l("Return to the evaluation agency"), reason=_REQUIRED, reason_field=_RETURNED,
                   notify=("sme_returned_by_province",)),
        # Also followed from an objection the province upholds (PUBLICITY_OBJECTION "uphold").
        Transition("reject", ("pending_province", "objection"), "rejected", _PROVINCE, _l("Not passed"),
                   _REVIEW_OR_FOLLOW, reason=_REQUIRED, reason_field=_RETURNED, notify=("sme_rejected",)),
        Transition("sample", ("recommended",), "spot_check", _PROVINCE, _l("Drawn for spot check"), frozenset({DRAW}),
                   sets=(("sampled", True),), notify=("sme_spot_check",)),
        Transition("queue", ("recommended",), "publicity_queued", _PROVINCE, _l("Queued for publicity"),
                   frozenset({DRAW, BULK}), sets=(("sampled", False),)),
        Transition("check_pass", ("spot_check",), "publicity_queued", _PROVINCE, _l("Spot check passed"),
                   reason=_OPTIONAL, notify=("sme_spot_check_passed",)),
        Transition("check_fail", ("spot_check",), "rejected", _PROVINCE, _l("Spot check failed"), reason=_REQUIRED,
                   reason_field=_RETURNED, notify=("sme_rejected",)),
        # Opened and closed with their batch (PUBLICITY_BATCH); a record whose objection is resolved
        # after its batch closed is closed by the scheduler.
        Transition("open_publicity", ("publicity_queued",), "in_publicity", _SYSTEM, _l("Publicity opened"),
                   frozenset({FOLLOW}), notify=("sme_publicity_started",)),
        Transition("close_publicity", ("in_publicity",), "publicity_done", _SYSTEM, _l("Publicity completed"),
                   frozenset({SCHEDULER, FOLLOW}), guard="publicity_ended", notify=("sme_publicity_ended",)),
        # Raised by the province, or followed from an objection the public files on the publicity
        # list (PUBLICITY_OBJECTION's creation: the actor is the objector, "公众 <name>").
        Transition("object", ("in_publicity",), "objection", _PROVINCE, _l("Objection raised"), _REVIEW_OR_FOLLOW,
                   reason=_REQUIRED, reason_field="objection_reason", notify=("sme_objection_raised",)),
        # Also followed when the province dismisses the last open public objection.
        Transition("resolve", ("objection",), "in_publicity", _PROVINCE, _l("Objection resolved"), _REVIEW_OR_FOLLOW,
                   reason=_REQUIRED, notify=("sme_objection_resolved",)),
        Transition("store", ("publicity_done",), "stored", _PROVINCE, _l("Store"), _REVIEW_OR_BULK,
                   sets=(("stored_at", NOW),), notify=("sme_stored",)),
        Transition("number", ("stored",), "numbered", _PROVINCE, _l("Generate certificate number"), _REVIEW_OR_BULK,
                   hooks=("sme_number", "sme_issue_certificate"), notify=("sme_numbered",)),
        # 撤销: the registration is withdrawn; its signed certificate is revoked with it.
        Transition("revoke", ("stored", "numbered"), "revoked", _PROVINCE, _l("Revoke the registration"),
                   reason=_REQUIRED, reason_field="revoke_reason", sets=(("revoked_at", NOW),),
                   hooks=("sme_revoke_certificates",)),
    ),
    final=frozenset({"rejected", "revoked"}),
)

# A publicity window (公示) of a province: the scheduler opens and closes it on its dates, and
# its records with it, in one transaction.
PUBLICITY_BATCH = Workflow(
    name="publicity_batch",
    record_type="publicity_batch",
    initial="planned",
    states={"planned": _l("Planned"), "open": _l("In publicity"), "closed": _l("Publicity completed")},
    transitions=(
        Transition("open", ("planned",), "open", _SYSTEM, _l("Publicity opened"), frozenset({SCHEDULER}),
                   sets=(("opened_at", NOW),), hooks=("publicity_batch_open_records",)),
        Transition("close", ("open",), "closed", _SYSTEM, _l("Publicity completed"), frozenset({SCHEDULER}),
                   sets=(("closed_at", NOW),), hooks=("publicity_batch_close_records",)),
    ),
    final=frozenset({"closed"}),
)


# 全国质量标杆: organization filing (备案), reviewed by the association.
_ASSOCIATION = frozenset({R.ASSOCIATION_REVIEWER, R.ADMIN})

ORGANIZATION_FILING = Workflow(
    name="organization_filing",
    record_type="organization_filing",
    initial="draft",
    states={
        "draft": _l("Draft"),
        "filed": _l("Filed, pending association review"),
        "approved": _l("Filing approved"),
        "returned": _l("Returned by the association"),
        "updating": _l("Updating the economic data"),
        "cancelled": _l("Cancelled"),
    },
    transitions=(
        Transition("file", ("draft", "returned", "updating"), "filed", _APPLICANT, _l("File"), _BY_APPLICANT,
                   guard="filing_complete", sets=(("filed_at", NOW), ("return_reason", None)),
                   hooks=("filing_apply_draft",)),
        # An approved filing stays valid for later activities (manual §3 ②: 无需重新备案); a
        # later activity needs the three years before its own year: they are added here and
        # reviewed again, without a new filing.
        Transition("update", ("approved",), "updating", _APPLICANT, _l("Update the economic data"), _BY_APPLICANT,
                   hooks=("filing_open_update",)),
        Transition("cancel", ("draft", "returned"), "cancelled", _APPLICANT, _l("Cancel"), _BY_APPLICANT,
                   guard="filing_cancellable"),
        Transition("approve", ("filed",), "approved", _ASSOCIATION, _l("Approve"), reason=_OPTIONAL,
                   sets=(("approved_at", NOW),), notify=("filing_approved",)),
        Transition("return", ("filed",), "returned", _ASSOCIATION, _l("Return"), reason=_REQUIRED,
                   reason_field="return_reason", notify=("filing_returned",)),
    ),
    final=frozenset({"cancelled"}),
)


# 全国质量标杆: a declaration, recommended by the unit it chose, then qualified by the association.
_RECOMMENDER = frozenset({R.RECOMMENDER, R.ADMIN})
_EDITABLE_DECLARATION = ("draft", "returned_by_recommender", "returned_by_association")

DECLARATION = Workflow(
    name="declaration",
    record_type="declaration",
    initial="draft",
    states={
        "draft": _l("Draft"),
        "submitted": _l("Submitted, choose the recommending unit"),
        "pending_recommendation": _l("Waiting for the recommending unit"),
        "returned_by_recommender": _l("Returned by the recommending unit"),
        "recommended": _l("Recommended, waiting for qualification review"),
        "returned_by_association": _l("Returned by the association"),
        "qualified": _l("Qualification passed"),
        "rejected": _l("Qualification not passed"),
        "selected": _l("Selected as a quality benchmark"),
        "not_selected": _l("Not selected"),
    },
    transitions=(
        Transition("submit", _EDITABLE_DECLARATION, "submitted", _APPLICANT, _l("Submit"), _BY_APPLICANT,
                   guard="declaration_submittable", sets=(("submitted_at", NOW), ("return_reason", None)),
                   hooks=("declaration_snapshot",)),
        Transition("choose_recommender", ("submitted",), "pending_recommendation", _APPLICANT,
                   _l("Send to the recommending unit"), _BY_APPLICANT, hooks=("declaration_recommender",)),
        Transition("recommend", ("pending_recommendation",), "recommended", _RECOMMENDER, _l("Recommend"),
                   reason=_OPTIONAL, reason_field="recommendation_opinion", notify=("declaration_recommended",)),
        Transition("return", ("pending_recommendation",), "returned_by_recommender", _RECOMMENDER, _l("Return"),
                   reason=_REQUIRED, reason_field="return_reason", notify=("declaration_returned",)),
        Transition("qualify", ("recommended",), "qualified", _ASSOCIATION, _l("Pass the qualification review"),
                   reason=_OPTIONAL, notify=("declaration_qualified",)),
        Transition("return_to_applicant", ("recommended",), "returned_by_association", _ASSOCIATION,
                   _l("Return to the applicant"), reason=_REQUIRED, reason_field="return_reason",
                   notify=("declaration_returned",)),
        Transition("reject", ("recommended",), "rejected", _ASSOCIATION, _l("Not passed"), reason=_REQUIRED,
                   reason_field="return_reason", notify=("declaration_rejected",)),
        Transition("select", ("qualified",), "selected", _ASSOCIATION, _l("Select as a benchmark"),
                   hooks=("declaration_result_certificate",), notify=("declaration_selected",)),
        Transition("not_select", ("qualified",), "not_selected", _ASSOCIATION, _l("Not selected"),
                   notify=("declaration_not_selected",)),
    ),
    final=frozenset({"rejected", "selected", "not_selected"}),
)


# 企业电子签章服务: the guide's steps (apply, post the papers, remit) and the CA's production.
_CA = frozenset({R.CA_OPERATOR, R.ADMIN})
_BY_OPERATOR = frozenset({OPERATOR})

SEAL_APPLICATION = Workflow(
    name="seal_application",
    record_type="seal_application",
    initial="submitted",
    states={
        "submitted": _l("Submitted, waiting for the papers and the remittance"),
        "papers_returned": _l("Papers returned"),
        "papers_received": _l("Papers received, waiting for payment confirmation"),
        "paid": _l("Payment confirmed, waiting for key production"),
        "provisioned": _l("Key produced, waiting for shipment"),
        "shipped": _l("Shipped"),
        "renewed": _l("Renewed"),
        "cancelled": _l("Cancelled"),
    },
    transitions=(
        Transition("resubmit", ("papers_returned",), "submitted", _APPLICANT, _l("Send again"), _BY_APPLICANT),
        Transition("cancel", ("submitted", "papers_returned"), "cancelled", _APPLICANT, _l("Cancel"), _BY_APPLICANT),
        Transition("receive_papers", ("submitted",), "papers_received", _CA, _l("Papers received"), _BY_OPERATOR,
                   guard="seal_papers_complete", sets=(("papers_received_at", NOW), ("return_reason", None)),
                   hooks=("seal_papers_ticked",), notify=("seal_papers_received",)),
        Transition("return_papers", ("submitted",), "papers_returned", _CA, _l("Return the papers"),
                   reason=_REQUIRED, reason_field="return_reason", notify=("seal_papers_returned",)),
        # A renewal needs no papers: its payment is confirmed straight from "submitted".
        Transition("confirm_payment", ("submitted", "papers_received"), "paid", _CA, _l("Confirm the payment"),
                   guard="seal_payment_confirmable", reason=_OPTIONAL, sets=(("payment_confirmed_at", NOW),),
                   notify=("seal_payment_confirmed",)),
        Transition("provision", ("paid",), "provisioned", _CA, _l("Produce the key"), _BY_OPERATOR,
                   guard="seal_new_key", sets=(("provisioned_at", NOW),), hooks=("seal_provision_key",),
                   notify=("seal_key_produced",)),
        Transition("renew", ("paid",), "renewed", _CA, _l("Renew"), frozenset({REVIEW, OPERATOR}),
                   guard="seal_renewal", sets=(("provisioned_at", NOW),), hooks=("seal_renew_key",),
                   notify=("seal_renewed",)),
        Transition("ship", ("provisioned",), "shipped", _CA, _l("Ship"), _BY_OPERATOR, guard="seal_shippable",
                   sets=(("shipped_at", NOW),), hooks=("seal_ship_key",), notify=("seal_key_shipped",)),
    ),
    final=frozenset({"shipped", "renewed", "cancelled"}),
    events={"apply": _l("Apply"), "edit": _l("Corrected"), "reject_payment": _l("Remittance not received"),
            "issue_invoice": _l("Invoice issued"), "invoice_separately": _l("Invoice to be mailed separately")},
)

# A declaration activity (申报活动) of the year: open between its dates (the scheduler).
BENCHMARK_ACTIVITY = Workflow(
    name="benchmark_activity",
    record_type="activity",
    initial="planned",
    states={"planned": _l("Planned"), "open": _l("Open for declarations"), "closed": _l("Closed"),
            "published": _l("Selection results published")},
    transitions=(
        Transition("open", ("planned",), "open", _SYSTEM, _l("Opened"), frozenset({SCHEDULER})),
        Transition("close", ("planned", "open"), "closed", _SYSTEM, _l("Closed"), frozenset({SCHEDULER})),
        # 选拔结果公示: the selected declarations are listed publicly until the end date (a hook
        # sets it from the association's form); objections are taken until then.
        Transition("publish_results", ("closed",), "published", _ASSOCIATION, _l("Publish the selection results"),
                   frozenset({OPERATOR}), sets=(("results_published_at", NOW),),
                   hooks=("activity_results_publicity_end",)),
    ),
    final=frozenset({"published"}),
)

# A USB-Key: made (issued), shipped, received (active); the annual fee can fall overdue, the key
# is suspended when it stays unpaid and reinstated by a renewal; revoked at any time.
_KEY_HOLDER_OR_CA = _APPLICANT | _CA
_LIVE_KEY = ("issued", "shipped", "active", "overdue", "suspended")

SEAL_KEY = Workflow(
    name="seal_key",
    record_type="seal_key",
    initial="issued",
    states={
        "issued": _l("Key produced"),
        "shipped": _l("Shipped"),
        "active": _l("Active"),
        "overdue": _l("Annual fee overdue"),
        "suspended": _l("Suspended for the unpaid annual fee"),
        "revoked": _l("Revoked"),
    },
    transitions=(
        Transition("ship", ("issued",), "shipped", _CA, _l("Ship"), frozenset({FOLLOW})),
        Transition("confirm_receipt", ("issued", "shipped"), "active", _KEY_HOLDER_OR_CA, _l("Receipt confirmed"),
                   frozenset({APPLICANT, OPERATOR})),
        Transition("overdue", ("issued", "shipped", "active"), "overdue", _SYSTEM, _l("Annual fee overdue"),
                   frozenset({SCHEDULER}), notify=("seal_key_overdue",)),
        Transition("suspend", ("overdue",), "suspended", _SYSTEM, _l("Suspended for the unpaid annual fee"),
                   frozenset({SCHEDULER}), hooks=("seal_key_hold",),
                   notify=("seal_key_suspended",)),
        Transition("reinstate", ("overdue", "suspended"), "active", _CA, _l("Reinstated after payment"),
                   frozenset({FOLLOW}), hooks=("seal_key_release",), notify=("seal_key_reinstated",)),
        Transition("revoke", _LIVE_KEY, "revoked", _KEY_HOLDER_OR_CA, _l("Revoke"), frozenset({APPLICANT, OPERATOR}),
                   sets=(("revoked_at", NOW),), hooks=("seal_key_revoke",), notify=("seal_key_revoked",)),
        Transition("supersede", _LIVE_KEY, "revoked", _CA, _l("Replaced by a new key"), frozenset({FOLLOW}),
                   sets=(("revoked_at", NOW),), hooks=("seal_key_revoke",)),
    ),
    final=frozenset({"revoked"}),
    events={"produce": _l("Produce the key"), "fee_reminder": _l("Annual fee reminder"),
            "renew": _l("Renew"), "seal_image": _l("Seal image replaced"),
            "seal_design": _l("Seal design for the next key")},
)

# A certificate Shenbao issued (电子版证书): a newer version supersedes it, the CA may revoke it.
ISSUED_DOCUMENT = Workflow(
    name="issued_document",
    record_type="issued_document",
    initial="current",
    states={"current": _l("Current"), "superseded": _l("Superseded"), "revoked": _l("Revoked")},
    transitions=(
        Transition("supersede", ("current",), "superseded", _CA | _PROVINCE | _ASSOCIATION | _SYSTEM,
                   _l("Superseded by a new version"), frozenset({FOLLOW}), sets=(("superseded_at", NOW),)),
        Transition("revoke", ("current", "superseded"), "revoked", _CA, _l("Revoke"), _BY_OPERATOR,
                   reason=_REQUIRED, reason_field="revoke_reason", sets=(("revoked_at", NOW),),
                   notify=("document_revoked",)),
        # The record it certifies was revoked (a Tech-SME registration the province revokes).
        Transition("revoke_with_record", ("current", "superseded"), "revoked", _PROVINCE,
                   _l("Revoked with its registration"), frozenset({FOLLOW}), reason=_REQUIRED,
                   reason_field="revoke_reason", sets=(("revoked_at", NOW),), notify=("document_revoked",)),
    ),
    final=frozenset({"revoked"}),
    events={"issue": _l("Issued")},
)

# 公示异议: an objection from the public, decided by the province (Tech-SME) or the association
# (benchmark selection) with a reply the objector looks up. Filing it (the "file" event) puts
# the evaluation under objection through SME_EVALUATION "object"; deciding it follows "resolve"
# or "reject" on the evaluation (hooks in app.services.sme.objections).
_OBJECTION_DECIDERS = _PROVINCE | _ASSOCIATION

PUBLICITY_OBJECTION = Workflow(
    name="publicity_objection",
    record_type="publicity_objection",
    initial="received",
    states={"received": _l("Received, under review"), "upheld": _l("Objection upheld"),
            "dismissed": _l("Objection dismissed")},
    transitions=(
        Transition("dismiss", ("received",), "dismissed", _OBJECTION_DECIDERS, _l("Objection not upheld"),
                   reason=_REQUIRED, reason_field="reply", sets=(("decided_at", NOW),),
                   hooks=("objection_dismissed",)),
        Transition("uphold", ("received",), "upheld", _OBJECTION_DECIDERS, _l("Objection upheld"),
                   reason=_REQUIRED, reason_field="reply", sets=(("decided_at", NOW),),
                   hooks=("objection_upheld",)),
    ),
    final=frozenset({"upheld", "dismissed"}),
    events={"file": _l("Objection filed")},
)

# 评价规则集: a Tech-SME rule set, drafted (edited only as a draft), tested against past
# evaluations on the bench, then published; a published set never changes.
_RULES = frozenset({R.RULES_ADMIN})

SME_RULESET = Workflow(
    name="sme_ruleset",
    record_type="sme_ruleset",
    initial="draft",
    states={"draft": _l("Being drafted"), "tested": _l("Tested"), "published": _l("Published")},
    transitions=(
        Transition("mark_tested", ("draft",), "tested", _RULES, _l("Mark as tested"), guard="ruleset_tested",
                   reason=_OPTIONAL, sets=(("tested_at", NOW),), hooks=("ruleset_record_run",)),
        Transition("reopen", ("tested",), "draft", _RULES, _l("Reopen for editing"), reason=_OPTIONAL,
                   sets=(("tested_at", None), ("tested_run_id", None))),
        Transition("publish", ("tested",), "published", _RULES, _l("Publish"), guard="ruleset_publishable",
                   reason=_OPTIONAL, sets=(("published_at", NOW),)),
    ),
    final=frozenset({"published"}),
    events={"create": _l("Draft created"), "import": _l("Imported from a file"), "edit": _l("Draft saved")},
)

WORKFLOWS: dict[str, Workflow] = {
    w.name: w for w in (ENTERPRISE_REGISTRATION, CORE_INFO_CHANGE, EMAIL_CHANGE, SME_EVALUATION, PUBLICITY_BATCH,
                        ORGANIZATION_FILING, BENCHMARK_ACTIVITY, DECLARATION, SEAL_APPLICATION, SEAL_KEY, ISSUED_DOCUMENT,
                        PUBLICITY_OBJECTION, SME_RULESET)
}
WORKFLOW_BY_RECORD_TYPE: dict[str, Workflow] = {w.record_type: w for w in WORKFLOWS.values()}
