"""Context help: which manual section each page links to with its "?" (one place for all pages).

Keys are endpoints ("View.method") or a view's name for all of its pages; the value is
(manual slug, anchor), or a function of the view arguments giving one. The base template renders
the link next to the page title through the ``help_link`` Jinja global.
"""
from __future__ import annotations

from typing import Callable, Union

Target = Union[tuple[str, str], Callable[[dict], tuple[str, str]]]

SME_TABLE_KEYS = ("main", "entry", "finance", "hr", "ip", "standards", "institutions", "awards", "other")


def _sme_table(args: dict) -> tuple[str, str]:
    key = args.get("key")
    return ("sme", f"sme-table-{key}") if key in SME_TABLE_KEYS else ("sme", "sme-tables")


HELP_LINKS: dict[str, Target] = {
    # Account and enterprise (before and after approval)
    "ShenbaoAuthDBView.login": ("account", "account-login"),
    "AccountView.register": ("account", "account-register"),
    "AccountView.recover": ("account", "account-recover"),
    "AccountView.reset_password": ("account", "account-recover"),
    "AccountView.recover_mobile": ("account", "account-recover-mobile"),
    "AccountView.forgot_email": ("account", "account-forgot-email"),
    "AccountView.change_password": ("account", "account-password"),
    "MyEnterpriseView.registration": ("account", "enterprise-registration"),
    "MyEnterpriseView.info": ("account", "enterprise-info"),
    "MyEnterpriseView.core_change": ("account", "enterprise-core-change"),
    "ProgressView": ("account", "progress"),
    "MessagesView": ("account", "messages"),
    # Tech-based SME evaluation
    "SmeSelfView.index": ("sme", "sme-list"),
    "SmeSelfView.new": ("sme", "sme-new"),
    "SmeSelfView.table": _sme_table,
    "SmeSelfView.self_evaluation": ("sme", "sme-self-evaluation"),
    "SmeSelfView.detail": ("sme", "sme-statuses"),
    "EnterpriseIpView": ("sme", "sme-ip-registry"),
    # National quality benchmark
    "FilingSelfView.index": ("benchmark", "bm-overview"),
    "FilingSelfView.filing": ("benchmark", "bm-filing"),
    "DeclarationSelfView.index": ("benchmark", "bm-my"),
    "DeclarationSelfView.project": ("benchmark", "bm-project"),
    "DeclarationSelfView.declare": ("benchmark", "bm-declare"),
    "DeclarationSelfView.declaration": ("benchmark", "bm-declaration"),
    # E-seal service
    "SealSelfView.index": ("eseal", "eseal-overview"),
    "SealSelfView.apply": ("eseal", "eseal-apply"),
    "SealSelfView.application": ("eseal", "eseal-tracking"),
    "SealSelfView.key": ("eseal", "eseal-key"),
    "SealSelfView.sign": ("eseal", "eseal-sign"),
    "SignerView.index": ("eseal", "eseal-signer"),
    "VerifyView.index": ("eseal", "eseal-verify"),
    "VerifyView.issued": ("eseal", "eseal-verify"),
    # Reviewers' screens link to their manual
    "EnterpriseReviewView": ("sme-review", "review-enterprise"),
    "CoreChangeReviewView": ("sme-review", "review-core-change"),
    "EmailChangeReviewView": ("sme-review", "review-email-change"),
    "SmeReviewView.list": ("sme-review", "review-sme"),
    "SmeReviewView.show": ("sme-review", "review-sme"),
    "SmeReviewView.draw": ("sme-review", "review-spot-check"),
    "SmeReviewView.batch": ("sme-review", "review-publicity"),
    "PublicityBatchView": ("sme-review", "review-publicity"),
    "ObjectionReviewView": ("sme-review", "review-objection"),
    "SelectionResultsView": ("benchmark-review", "caq-activities"),
    "FilingReviewView": ("benchmark-review", "caq-filing"),
    "DeclarationReviewView": ("benchmark-review", "caq-declarations"),
    "ActivityView": ("benchmark-review", "caq-activities"),
    "RecommendingUnitView": ("benchmark-review", "caq-units"),
    "SealApplicationView": ("ca-operator", "ca-applications"),
    "SealKeyView": ("ca-operator", "ca-keys"),
    "IssuedDocumentView": ("ca-operator", "ca-certificates"),
    "CertificateTemplateView": ("ca-operator", "ca-templates"),
    "FeeItemView": ("ca-operator", "ca-fees"),
    "DashboardView": ("admin", "admin-statistics"),
    "ExportJobView": ("admin", "admin-exports"),
    "ImportView": ("admin", "admin-import"),
    "OutboxView": ("admin", "admin-outbox"),
    "NotificationTemplateView": ("admin", "admin-outbox"),
    "WorkflowLogView": ("admin", "admin-log"),
    "RegionView": ("admin", "admin-reference"),
    "AgencyView": ("admin", "admin-reference"),
    "IndustryView": ("admin", "admin-reference"),
    "TechFieldView": ("admin", "admin-reference"),
    "ZoneView": ("admin", "admin-reference"),
    "BusinessRegistryView": ("admin", "admin-reference"),
    # Tech-SME rule sets (the rules administrator's)
    "RulesetView.index": ("rules-admin", "rules-overview"),
    "RulesetView.show": ("rules-admin", "rules-publish"),
    "RulesetView.edit": ("rules-admin", "rules-form"),
    "RulesetTestView": ("rules-admin", "rules-bench"),
    "ShenbaoUserDBModelView.list": ("admin", "admin-users"),
    "ShenbaoUserDBModelView.show": ("admin", "admin-users"),
    "ShenbaoUserDBModelView.add": ("admin", "admin-users"),
    "ShenbaoUserDBModelView.edit": ("admin", "admin-users"),
}


def target(endpoint: str | None, view_args: dict | None = None) -> tuple[str, str] | None:
    """(manual, anchor) of a page, or None when the page has no help link."""
    if not endpoint:
        return None
    entry = HELP_LINKS.get(endpoint) or HELP_LINKS.get(endpoint.split(".", 1)[0])
    if entry is None:
        return None
    return entry(view_args or {}) if callable(entry) else entry


def help_link() -> dict | None:
    """The current page's help link: url and section title in the reader's language."""
    from flask import request

    from app.services import manuals

    found = target(request.endpoint, request.view_args)
    if found is None:
        return None
    slug, anchor = found
    manual = manuals.get(slug)
    section = manual.section(anchor) if manual else None
    if section is None:
        return None
    return {"url": f"/help/{slug}#{anchor}", "title": section.title}


def all_targets() -> set[tuple[str, str]]:
    """Every (manual, anchor) a help link can name (for the tests)."""
    found = set()
    for entry in HELP_LINKS.values():
        if callable(entry):
            found |= {entry({"key": key}) for key in SME_TABLE_KEYS} | {entry({})}
        else:
            found.add(entry)
    return found
