"""Role policy as data: role name -> list of (view-name regex, permission regex).

FAB evaluates these "builtin roles" in memory, so a page's menu and button checks cost
no SQL. Row scope (which records a role sees) is separate: app.security.scope.
"""
from __future__ import annotations

APPLICANT = "Applicant"
AGENCY_REVIEWER = "AgencyReviewer"
PROVINCE_REVIEWER = "ProvinceReviewer"
ASSOCIATION_REVIEWER = "AssociationReviewer"
RECOMMENDER = "Recommender"
CA_OPERATOR = "CAOperator"
MANAGER = "Manager"
ADMIN = "Admin"
# 规则管理员: drafts, tests and publishes the Tech-SME rule sets (not every admin may).
RULES_ADMIN = "RulesAdministrator"
# Not a login role: the identity of scheduled jobs acting through the workflow engine.
SYSTEM = "System"


def role_label(name: str) -> str:
    """A role as the screens name it (the name itself stays the identifier)."""
    from flask_babel import lazy_gettext as _l

    labels = {
        ADMIN: _l("Platform administrator"), APPLICANT: _l("Enterprise applicant"),
        AGENCY_REVIEWER: _l("Evaluation agency reviewer"), PROVINCE_REVIEWER: _l("Provincial agency reviewer"),
        ASSOCIATION_REVIEWER: _l("Association reviewer"), RECOMMENDER: _l("Recommending unit reviewer"),
        CA_OPERATOR: _l("CA operator"), MANAGER: _l("Statistics manager"), RULES_ADMIN: _l("Rules administrator"), "Public": _l("Visitor"),
    }
    return str(labels.get(name, name))

REVIEWER_ROLES = frozenset({AGENCY_REVIEWER, PROVINCE_REVIEWER})

# The programs (app.programs) whose records each role reviews or oversees, by the screens it has
# below: its workflow log shows those workflows only (app.security.scope). Admin sees all.
REVIEWED_PROGRAMS: dict[str, frozenset[str]] = {
    AGENCY_REVIEWER: frozenset({"platform", "sme"}),
    PROVINCE_REVIEWER: frozenset({"platform", "sme"}),
    MANAGER: frozenset({"platform", "sme", "eseal", "benchmark"}),
}

_READ = "can_list|can_show|can_get|can_info|can_download|menu_access"

ROLES: dict[str, list[list[str]]] = {
    ADMIN: [[".*", ".*"]],
    APPLICANT: [
        ["^(MyEnterpriseView|ProgressView|AccountView|AttachmentView|CoreChangeSelfView|SmeSelfView|EnterpriseIpView)$", ".*"],
        ["^(MyEnterpriseApi|ProgressApi)$", "can_get|can_info"],
        ["^SmeEvaluationApi$", "can_get|can_info|can_put"],
        ["^(OrganizationFilingApi|BenchmarkProjectApi|DeclarationApi|SealApplicationApi|SealKeyApi"
         "|IssuedDocumentApi)$", "can_get|can_info"],
        ["^(FilingSelfView|DeclarationSelfView|SealSelfView)$", ".*"],
        ["^(E-seal|My E-seals|Verify a Certificate)$", "menu_access"],
        ["^(Quality Benchmark|Organization Filing|My Declarations)$", "menu_access"],
        ["^(Enterprise|My Enterprise|Progress|Change Password|Core Information Change|Tech SME|SME Evaluations|IP Registry)$", "menu_access"],
    ],
    AGENCY_REVIEWER: [
        ["^(EnterpriseReviewView|CoreChangeReviewView|EmailChangeReviewView)$", ".*"],
        # Spot checks and publicity batches are the provincial agency's.
        ["^SmeReviewView$", "^(?!can_draw$|can_batch$|bulk_approve$|bulk_store$|bulk_number$).*"],
        ["^(EnterpriseApi|CoreChangeApi|EmailChangeApi|SmeEvaluationApi)$", "can_get|can_info"],
        ["^(Tech SME|SME Review)$", "menu_access"],
        ["^(AttachmentView|AccountView|WorkflowLogView)$", ".*"],
        [
            "^(Review|Enterprise Registrations|Core Information Changes|Email Changes|Workflow Log|Change Password)$",
            "menu_access",
        ],
    ],
    PROVINCE_REVIEWER: [
        ["^(EnterpriseReviewView|CoreChangeReviewView|EmailChangeReviewView|WorkflowLogView)$", _READ],
        ["^(SmeReviewView|PublicityBatchView|ObjectionReviewView)$", ".*"],
        ["^CertificateIssuanceView$", ".*"],  # 重新签发证书 of a numbered evaluation
        ["^SmeEvaluationApi$", "can_get|can_info"],
        ["^(Tech SME|SME Review|Publicity Batches|Publicity Objections)$", "menu_access"],
        ["^(EnterpriseApi|CoreChangeApi|EmailChangeApi)$", "can_get|can_info"],
        ["^(AttachmentView|AccountView)$", ".*"],
        [
            "^(Review|Enterprise Registrations|Core Information Changes|Email Changes|Workflow Log|Change Password)$",
            "menu_access",
        ],
    ],
    MANAGER: [
        ["^(EnterpriseReviewView|CoreChangeReviewView|WorkflowLogView|SmeReviewView|PublicityBatchView)$", _READ],
        ["^(SealApplicationView|SealKeyView|IssuedDocumentView)$", _READ],
        ["^(E-seal|Seal Applications|USB-Keys|Issued Certificates)$", "menu_access"],
        ["^SmeEvaluationApi$", "can_get|can_info"],
        ["^(Tech SME|SME Review|Publicity Batches)$", "menu_access"],
        ["^(EnterpriseApi|CoreChangeApi)$", "can_get|can_info"],
        ["^(AttachmentView|AccountView)$", ".*"],
        ["^(Review|Enterprise Registrations|Core Information Changes|Workflow Log|Change Password)$", "menu_access"],
        # The statistics manager lists every program read-only: the quality benchmark too.
        ["^(FilingReviewView|DeclarationReviewView|ActivityView|RecommendingUnitView)$", _READ],
        # Reading the records includes their PDFs, in bulk (app.reports.bulk_pdf).
        ["^(SmeReviewView|DeclarationReviewView)$", "^bulk_pdf$"],
        ["^(OrganizationFilingApi|DeclarationApi|ActivityApi|RecommendingUnitApi|SealApplicationApi|SealKeyApi"
         "|IssuedDocumentApi)$", "can_get|can_info"],
        ["^(Quality Benchmark|Filing Review|Declaration Review|Activities|Recommending Units)$", "menu_access"],
    ],
    # The programs that use these roles arrive with their issues; until then they can
    # log in and change their password.
    ASSOCIATION_REVIEWER: [
        ["^(AccountView|AttachmentView|FilingReviewView|ActivityView|RecommendingUnitView|DeclarationReviewView)$", ".*"],
        ["^(Change Password|Quality Benchmark|Filing Review|Activities|Recommending Units|Declaration Review)$",
         "menu_access"],
        # 选拔结果公示 and the objections to the selection lists (the queue's scope: app.security.scope).
        ["^(ObjectionReviewView|SelectionResultsView)$", ".*"],
        ["^CertificateIssuanceView$", ".*"],  # 重新签发证书 of a selected declaration
        ["^(Selection Results|Benchmark Objections)$", "menu_access"],
        ["^(OrganizationFilingApi|DeclarationApi|ActivityApi|RecommendingUnitApi)$", "can_get|can_info"],
    ],
    RECOMMENDER: [
        ["^(AccountView|AttachmentView|DeclarationReviewView)$", ".*"],
        ["^(Change Password|Quality Benchmark|Declaration Review)$", "menu_access"],
        ["^DeclarationApi$", "can_get|can_info"],
    ],
    CA_OPERATOR: [
        ["^(AccountView|AttachmentView|SealApplicationView|SealKeyView|IssuedDocumentView|CertificateTemplateView"
         "|FeeItemView)$", ".*"],
        ["^(Change Password|E-seal|Seal Applications|USB-Keys|Issued Certificates|Certificate Templates|Fee Schedule"
         "|Verify a Certificate)$", "menu_access"],
        ["^(SealApplicationApi|SealKeyApi|IssuedDocumentApi)$", "can_get|can_info"],
    ],
    RULES_ADMIN: [
        ["^(AccountView|RulesetView|RulesetTestView)$", ".*"],
        ["^(Change Password|Tech SME|Rule Sets)$", "menu_access"],
    ],
}


# Every signed-in role follows and downloads its own large exports, reads its own in-app
# messages (the views check the owner) and its own profile (FAB's userinfo shows g.user only).
for _policy in ROLES.values():
    for _own in (["^ExportJobView$", ".*"], ["^MessagesView$", ".*"], ["^InboxMessageApi$", "can_get|can_info"],
                 ["^ShenbaoUserDBModelView$", "^can_userinfo$"]):
        if _own not in _policy:
            _policy.append(_own)
# Statistics: the reviewing and managing roles (each sees the reports and scope of its role).
for _role in (AGENCY_REVIEWER, PROVINCE_REVIEWER, ASSOCIATION_REVIEWER, RECOMMENDER, CA_OPERATOR, MANAGER):
    ROLES[_role] += [["^DashboardView$", ".*"], ["^(Reports|Statistics)$", "menu_access"]]
# Imports: the roles that keep some data (each importer names its roles; the view filters).
for _role in (ASSOCIATION_REVIEWER, CA_OPERATOR, APPLICANT):
    ROLES[_role] += [["^ImportView$", ".*"], ["^(Reports|Data Import)$", "menu_access"]]
# Portal content (通知公告, 政策法规, 文件下载, 常见问题, service desks): each program's staff edit
# their program's (app.services.portal.EDITORS filters the rows and checks every save).
for _role in (PROVINCE_REVIEWER, ASSOCIATION_REVIEWER, CA_OPERATOR):
    ROLES[_role] += [["^(PortalArticleView|ServiceDeskView)$", ".*"],
                     ["^(Portal Content|Portal Articles|Service Desks)$", "menu_access"]]
