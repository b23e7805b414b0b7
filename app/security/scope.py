"""Row-level scope, in one place: which records a user may see.

Every list, show, edit, REST call, export and download asks ``scope_criterion`` (or
``in_scope``) for its model. A model with no rule here is visible to Admin only.
"""
from __future__ import annotations

from typing import Any, Callable

from flask import g
from flask_appbuilder.models.filters import BaseFilter
from sqlalchemy import false, select, true
from sqlalchemy.sql.elements import False_, True_

from app.security import roles as R
from models import (
    Activity,
    Attachment,
    CoreInfoChange,
    EmailChangeRequest,
    Enterprise,
    Declaration,
    EnterpriseIp,
    OrganizationFiling,
    Project,
    PublicityBatch,
    PublicityObjection,
    RulesetTestRun,
    SmeEvaluation,
    SmeRuleset,
    WorkflowLog,
)
from models.eseal import IssuedDocument, KeyCertificate, SealApplication, SealKey
from models.messages import InboxMessage


def role_names(user: Any) -> set[str]:
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    return {r.name for r in user.roles}


def _province_of(user: Any) -> str | None:
    agency = getattr(user, "agency", None)
    return agency.province_code if agency is not None else None


def _enterprise_rule(user: Any, roles: set[str]):
    if R.ADMIN in roles or R.MANAGER in roles:
        return true()
    clauses = []
    if R.APPLICANT in roles and user.enterprise_id:
        clauses.append(Enterprise.id == user.enterprise_id)
    if R.AGENCY_REVIEWER in roles and user.agency_id:
        # A draft is the applicant's own business until it is submitted.
        clauses.append((Enterprise.agency_id == user.agency_id) & (Enterprise.status != "draft"))
    if R.PROVINCE_REVIEWER in roles and _province_of(user):
        clauses.append(
            (Enterprise.province_code == _province_of(user)) & (Enterprise.status != "draft")
        )
    return _any(clauses)


def _core_change_rule(user: Any, roles: set[str]):
    if R.ADMIN in roles or R.MANAGER in roles:
        return true()
    clauses = []
    if R.APPLICANT in roles and user.enterprise_id:
        clauses.append(CoreInfoChange.enterprise_id == user.enterprise_id)
    if R.AGENCY_REVIEWER in roles and user.agency_id:
        clauses.append((CoreInfoChange.agency_id == user.agency_id) & (CoreInfoChange.status != "draft"))
    if R.PROVINCE_REVIEWER in roles and _province_of(user):
        ids = select(Enterprise.id).where(Enterprise.province_code == _province_of(user))
        clauses.append(CoreInfoChange.enterprise_id.in_(ids) & (CoreInfoChange.status != "draft"))
    return _any(clauses)


def _email_change_rule(user: Any, roles: set[str]):
    if R.ADMIN in roles:
        return true()
    clauses = []
    if R.AGENCY_REVIEWER in roles and user.agency_id:
        clauses.append(EmailChangeRequest.agency_id == user.agency_id)
    if R.PROVINCE_REVIEWER in roles and _province_of(user):
        from models import Agency

        ids = select(Agency.id).where(Agency.province_code == _province_of(user))
        clauses.append(EmailChangeRequest.agency_id.in_(ids))
    return _any(clauses)


def _workflow_log_rule(user: Any, roles: set[str]):
    """An applicant: its enterprise's entries. A reviewing role: the entries of the records it may
    see, in the programs it reviews (R.REVIEWED_PROGRAMS) only; a seal application of an enterprise
    in an agency's area is not the agency's business."""
    from app.programs import RECORD_TYPES

    if roles & {R.ADMIN, R.SYSTEM}:
        return true()
    clauses = []
    if R.APPLICANT in roles and user.enterprise_id:
        clauses.append(WorkflowLog.enterprise_id == user.enterprise_id)
    programs = set().union(*(R.REVIEWED_PROGRAMS.get(role, ()) for role in roles))
    for entry in RECORD_TYPES:
        if entry.program not in programs:
            continue
        records = scope_criterion(entry.model, user)
        if isinstance(records, False_):
            continue
        clause = WorkflowLog.record_type == entry.record_type
        if not isinstance(records, True_):
            clause = clause & WorkflowLog.record_id.in_(select(entry.model.id).where(records))
        clauses.append(clause)
    return _any(clauses)


def _attachment_rule(user: Any, roles: set[str]):
    if R.ADMIN in roles:
        return true()
    # Activity templates are published to every signed-in user.
    clauses = [Attachment.record_type == "activity"] if roles else []
    if R.APPLICANT in roles and user.enterprise_id:
        clauses.append(Attachment.enterprise_id == user.enterprise_id)
    if roles & (R.REVIEWER_ROLES | {R.MANAGER, R.ASSOCIATION_REVIEWER, R.RECOMMENDER}):
        sme_ids = select(SmeEvaluation.id).where(_sme_rule(user, roles))
        clauses.append((Attachment.record_type == "sme_evaluation") & Attachment.record_id.in_(sme_ids))
        ent_ids = select(Enterprise.id).where(_enterprise_rule(user, roles))
        clauses.append((Attachment.record_type == "enterprise") & Attachment.enterprise_id.in_(ent_ids))
        declaration_ids = select(Declaration.id).where(_declaration_rule(user, roles))
        clauses.append((Attachment.record_type == "declaration") & Attachment.record_id.in_(declaration_ids))
        project_ids = select(Declaration.project_id).where(_declaration_rule(user, roles))
        clauses.append((Attachment.record_type == "benchmark_project") & Attachment.record_id.in_(project_ids))
        filing_ids = select(OrganizationFiling.id).where(_filing_rule(user, roles))
        clauses.append((Attachment.record_type == "organization_filing") & Attachment.record_id.in_(filing_ids))
        req_ids = select(EmailChangeRequest.id).where(_email_change_rule(user, roles))
        clauses.append((Attachment.record_type == "email_change") & Attachment.record_id.in_(req_ids))
        objection_ids = select(PublicityObjection.id).where(_objection_rule(user, roles))
        clauses.append((Attachment.record_type == "publicity_objection") & Attachment.record_id.in_(objection_ids))
    if roles & {R.CA_OPERATOR, R.MANAGER}:
        clauses.append(Attachment.record_type.in_(("seal_application", "seal_key", "issued_document")))
    return _any(clauses)


def _sme_rule(user: Any, roles: set[str]):
    if roles & {R.ADMIN, R.MANAGER, R.SYSTEM}:
        return true()
    clauses = []
    if R.APPLICANT in roles and user.enterprise_id:
        clauses.append(SmeEvaluation.enterprise_id == user.enterprise_id)
    if R.AGENCY_REVIEWER in roles and user.agency_id:
        clauses.append((SmeEvaluation.agency_id == user.agency_id) & (SmeEvaluation.status != "draft"))
    if R.PROVINCE_REVIEWER in roles and _province_of(user):
        clauses.append((SmeEvaluation.province_code == _province_of(user)) & (SmeEvaluation.status != "draft"))
    return _any(clauses)


def _publicity_batch_rule(user: Any, roles: set[str]):
    if roles & {R.ADMIN, R.MANAGER, R.SYSTEM}:
        return true()
    if R.PROVINCE_REVIEWER in roles and _province_of(user):
        return PublicityBatch.province_code == _province_of(user)
    return false()


def _objection_rule(user: Any, roles: set[str]):
    """公示异议: the province decides its Tech-SME records' objections, the association those on
    the benchmark selection lists. The objector's contact is theirs only."""
    if roles & {R.ADMIN, R.SYSTEM}:
        return true()
    clauses = []
    if R.PROVINCE_REVIEWER in roles and _province_of(user):
        clauses.append((PublicityObjection.subject_type == "sme_evaluation")
                       & (PublicityObjection.province_code == _province_of(user)))
    if R.ASSOCIATION_REVIEWER in roles:
        clauses.append(PublicityObjection.subject_type == "declaration")
    return _any(clauses)


def _activity_rule(user: Any, roles: set[str]):
    """Activities: moved by the scheduler; the association publishes their selection results."""
    return true() if roles & {R.ADMIN, R.SYSTEM, R.ASSOCIATION_REVIEWER} else false()


def _enterprise_ip_rule(user: Any, roles: set[str]):
    if R.ADMIN in roles:
        return true()
    if R.APPLICANT in roles and user.enterprise_id:
        return EnterpriseIp.enterprise_id == user.enterprise_id
    return false()


def _filing_rule(user: Any, roles: set[str]):
    if roles & {R.ADMIN, R.MANAGER, R.ASSOCIATION_REVIEWER, R.SYSTEM}:
        # The association reviews every filing, but a draft is the applicant's own business.
        return true() if roles & {R.ADMIN, R.SYSTEM} else OrganizationFiling.status != "draft"
    if R.APPLICANT in roles and user.enterprise_id:
        return OrganizationFiling.enterprise_id == user.enterprise_id
    return false()


def _declaration_rule(user: Any, roles: set[str]):
    if roles & {R.ADMIN, R.MANAGER, R.SYSTEM}:
        return true()
    clauses = []
    if R.APPLICANT in roles and user.enterprise_id:
        clauses.append(Declaration.enterprise_id == user.enterprise_id)
    if R.RECOMMENDER in roles and getattr(user, "recommending_unit_id", None):
        # Only declarations that chose this unit, once they reached it.
        clauses.append((Declaration.recommending_unit_id == user.recommending_unit_id)
                       & Declaration.status.notin_(("draft", "submitted")))
    if R.ASSOCIATION_REVIEWER in roles:
        clauses.append(Declaration.status.notin_(("draft", "submitted", "pending_recommendation",
                                                  "returned_by_recommender")))
    return _any(clauses)


def _project_rule(user: Any, roles: set[str]):
    if R.ADMIN in roles:
        return true()
    if R.APPLICANT in roles and user.enterprise_id:
        return Project.enterprise_id == user.enterprise_id
    return false()


def _eseal_rule(column_of: Callable[[], Any]):
    """E-seal records: the CA operator, managers, admin and the scheduler see all; an applicant its own."""
    def rule(user: Any, roles: set[str]):
        if roles & {R.ADMIN, R.CA_OPERATOR, R.SYSTEM, R.MANAGER}:
            return true()
        if R.APPLICANT in roles and user.enterprise_id:
            return column_of() == user.enterprise_id
        return false()

    return rule


def _key_certificate_rule(user: Any, roles: set[str]):
    if roles & {R.ADMIN, R.CA_OPERATOR, R.SYSTEM, R.MANAGER}:
        return true()
    if R.APPLICANT in roles and user.enterprise_id:
        return KeyCertificate.key_id.in_(select(SealKey.id).where(SealKey.enterprise_id == user.enterprise_id))
    return false()


def _inbox_message_rule(user: Any, roles: set[str]):
    # A message is its recipient's alone, whatever the role (the admin's too).
    return InboxMessage.user_id == user.id if roles else false()


def _ruleset_rule(user: Any, roles: set[str]):
    # Rule sets and their test runs: the rules administrator's (Admin reads them).
    return true() if roles & {R.ADMIN, R.RULES_ADMIN, R.SYSTEM} else false()


def _any(clauses: list):
    if not clauses:
        return false()
    criterion = clauses[0]
    for clause in clauses[1:]:
        criterion = criterion | clause
    return criterion


RULES: dict[type, Callable[[Any, set[str]], Any]] = {
    Enterprise: _enterprise_rule,
    CoreInfoChange: _core_change_rule,
    EmailChangeRequest: _email_change_rule,
    WorkflowLog: _workflow_log_rule,
    Attachment: _attachment_rule,
    SmeEvaluation: _sme_rule,
    PublicityBatch: _publicity_batch_rule,
    Activity: _activity_rule,
    PublicityObjection: _objection_rule,
    EnterpriseIp: _enterprise_ip_rule,
    OrganizationFiling: _filing_rule,
    Declaration: _declaration_rule,
    Project: _project_rule,
    SealApplication: _eseal_rule(lambda: SealApplication.enterprise_id),
    SealKey: _eseal_rule(lambda: SealKey.enterprise_id),
    KeyCertificate: _key_certificate_rule,
    IssuedDocument: _eseal_rule(lambda: IssuedDocument.enterprise_id),
    SmeRuleset: _ruleset_rule,
    InboxMessage: _inbox_message_rule,
    RulesetTestRun: _ruleset_rule,
}


def scope_criterion(model: type, user: Any = None):
    """SQL criterion selecting the rows of ``model`` that ``user`` (default: g.user) may see."""
    user = g.user if user is None else user
    roles = role_names(user)
    rule = RULES.get(model)
    if rule is None:
        return true() if R.ADMIN in roles else false()
    return rule(user, roles)


def in_scope(session, model: type, pk: Any, user: Any = None) -> Any | None:
    """The record ``pk`` of ``model`` if ``user`` may see it, else None (callers answer 404)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    if not 0 < pk < 2**31:  # beyond any id; also keeps drivers from overflowing
        return None
    stmt = select(model).where(model.id == pk).where(scope_criterion(model, user))
    return session.execute(stmt).scalar_one_or_none()


class ScopeFilter(BaseFilter):
    """FAB base filter applying the scope rule of the view's model."""

    name = "scope"
    arg_name = "scope"

    def apply(self, query, value):
        return query.filter(scope_criterion(self.model))


def scoped_base_filters() -> list:
    """``base_filters`` for a ModelView / ModelRestApi: always the scope rule."""
    return [["id", ScopeFilter, lambda: None]]
