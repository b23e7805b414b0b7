"""Authorization matrix: for every role and every route that serves a record, another
enterprise's or another region's record is never returned.

Routes are enumerated from the app's URL map, so a new route with a record argument fails
this test until it is mapped below.
"""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.security import roles as R
from app.services import email_change
from app.services import enterprise as svc
from models import (
    Attachment,
    CoreInfoChange,
    Enterprise,
    Activity,
    Declaration,
    EnterpriseIp,
    OrganizationFiling,
    Project,
    RecommendingUnit,
    PublicityBatch,
    ShenbaoUser,
    SmeEvaluation,
    WorkflowLog,
)
from tests import factories as f

# endpoint prefix -> which of the victim's records its argument names
RECORD_OF = {
    "EnterpriseReviewView": "enterprise", "EnterpriseApi": "enterprise", "MyEnterpriseApi": "enterprise",
    "CoreChangeReviewView": "change", "CoreChangeApi": "change",
    "EmailChangeReviewView": "email_change", "EmailChangeApi": "email_change",
    "AttachmentView": "attachment", "WorkflowLogView": "log", "ProgressView": "timeline",
    "SmeSelfView": "sme", "SmeReviewView": "sme", "SmeEvaluationApi": "sme",
    "PublicityBatchView": "batch", "EnterpriseIpView": "ip",
    "FilingSelfView": "filing", "FilingReviewView": "filing",
    "DeclarationSelfView": "declaration", "DeclarationReviewView": "declaration",
    "SealSelfView": "by_argument", "SealApplicationView": "seal_application", "SealKeyView": "seal_key",
    "IssuedDocumentView": "issued_document", "ExportJobView": "export_job",
    "MessagesView": "message",
    # 重新签发证书 of a Tech-SME evaluation (record_type "sme_evaluation", below).
    "CertificateIssuanceView": "sme",
    # The e-seal statistics are the CA operator's (and managers'); other roles get a 404.
    "DashboardView": "eseal_report",
    # The business-registry import is the admin's; every other role gets a 404.
    "ImportView": "importer",
    # Portal content is edited by the admin and each program's staff: a benchmark article and
    # desk are outside every outsider's program (the association is not among the outsiders).
    "PortalArticleView": "portal_article", "ServiceDeskView": "service_desk",
    # 公示异议: the province's queue (its own province), the association's (benchmark lists).
    "ObjectionReviewView": "objection", "SelectionResultsView": "activity",
    # Tech-SME rule sets: the rules administrator's (the admin reads); every outsider gets a 403/404.
    "RulesetView": "ruleset",
    # REST of the benchmark, the e-seal service and the in-app messages (views/api_*.py).
    "OrganizationFilingApi": "filing", "BenchmarkProjectApi": "project", "DeclarationApi": "declaration",
    "ActivityApi": "activity", "RecommendingUnitApi": "unit", "SealApplicationApi": "seal_application",
    "SealKeyApi": "seal_key", "IssuedDocumentApi": "issued_document", "InboxMessageApi": "message",
}
# The rules administrator's own pages (it is an outsider to every enterprise's records).
RULES_ADMIN_SCOPE = ("RulesetView", "RulesetTestView")
# E-seal records are the CA operator's daily work (all enterprises); everyone else is an outsider.
CA_OPERATOR_SCOPE = ("DashboardView", "SealApplicationView", "SealKeyView", "IssuedDocumentView", "CertificateTemplateView",
                     "FeeItemView", "SealApplicationApi", "SealKeyApi", "IssuedDocumentApi")
# Certificate templates and the fee schedule: CA reference data (CA operator and admin only).
CA_ONLY = ("CertificateTemplateView", "FeeItemView")
# Public by design: verification by certificate number and version (printed on the certificate),
# CA certificates and CRLs; the OCSP responder (its argument is a request, not a record); the user
# manuals and their screenshots (their arguments name a manual or an image file, not a record).
PUBLIC = ("VerifyView", "OcspView", "HelpView",
          # the public portal: published articles and their files only (tests/web/test_portal_web.py)
          "PortalView",
          # the publicity lists and their objection forms: only records in publicity (tests/web/test_public_lists_web.py)
          "PublicListsView")
# SealSelfView names several kinds of record by its argument names.
RECORD_OF_ARGUMENT = {"application_id": "seal_application", "key_id": "seal_key",
                      "certificate_id": "key_certificate", "document_id": "issued_document"}
# Reference-data and user screens are admin-only; any id works to prove a non-admin is refused.
ADMIN_ONLY = ("RegionView", "AgencyView", "IndustryView", "TechFieldView", "ZoneView", "BusinessRegistryView",
              "OutboxView", "NotificationTemplateView", "UserDBModelView", "RoleModelView", "UserStatsChartView", "PermissionModelView",
              "ViewMenuModelView", "PermissionViewModelView", "UserInfoEditView", "ResetPasswordView",
              "ResetMyPasswordView", "RoleApi", "UserApi", "PermissionApi", "ViewMenuApi", "PermissionViewMenuApi",
              "GroupModelView", "GroupApi", "ApiKeyModelView", "UserGroupModelView", "ShenbaoUserDBModelView",
              # activities and recommending units are the association's reference data
              "ActivityView", "RecommendingUnitView",
              # the rule-set test bench is the rules administrator's (every other role: 403)
              "RulesetTestView")
IGNORED_ARGS = {"filename", "lang", "locale", "token", "version", "pk_type"}


@pytest.fixture
def world(app, pkcs11_lib):
    """Victim: an approved Hangzhou enterprise with a pending core change, an e-mail change
    request and attachments. Outsiders: another applicant, Jinhua agency, Beijing province."""
    from tests.publicity_world import file_objection, sme_in_publicity

    (objected,), _province, _batch = sme_in_publicity()
    objection = file_objection(objected, evidence=True)
    victim_user = f.gen_applicant()
    victim = f.gen_enterprise(victim_user, status="approved")
    change = svc.open_core_change(victim_user)
    svc.save_core_change(victim_user, change.id, {"legal_rep_name": "王小明"})
    svc.submit_core_change(victim_user, change.id)
    request = email_change.submit(
        email_change.EmailChangeForm(victim.credit_code, victim.name, victim_user.first_name, victim_user.mobile,
                                     "x@example.com", str(f.agency("330100").id), _captcha(), f.CAPTCHA),
        [(io.BytesIO(f.PNG_1PX), "stamp.png")])
    sme = f.gen_sme(victim_user, status="pending_agency")
    ip = EnterpriseIp(enterprise_id=victim.id, name="一种传感器", kind="invention_patent", number="ZL1")
    batch = PublicityBatch(province_code="330000", name="浙江第一批", starts_on=dt.date(2026, 5, 1), ends_on=dt.date(2026, 5, 9))
    filing = OrganizationFiling(enterprise_id=victim.id, for_year=2019, status="filed", draft={}, org_name="受害企业")
    project = Project(enterprise_id=victim.id, name="受害项目", keywords=["质量"], data={})
    unit = RecommendingUnit(name="受害推荐单位")
    activity = Activity(name="活动", year=2019, status="open", opens_on=dt.date(2019, 1, 1), closes_on=dt.date(2019, 12, 31),
                        commitment_text="承诺", recommending_units=[unit])
    db.session.add_all([ip, batch, filing, project, unit, activity])
    db.session.flush()
    declaration = Declaration(activity_id=activity.id, enterprise_id=victim.id, filing_id=filing.id, project_id=project.id,
                              status="pending_recommendation", commitment_text="承诺", commitment_accepted_at=dt.datetime(2019, 3, 1),
                              commitment_by_id=victim_user.id, contact={}, recommending_unit_id=unit.id, snapshot={})
    db.session.add(declaration)
    from app.services.portal import service_desk
    from models import PortalArticle

    portal_article = PortalArticle(kind="notice", program="benchmark", status="draft", title_zh="标杆草稿通知",
                                   publish_on=dt.date(2026, 1, 1))
    db.session.add(portal_article)
    db.session.commit()
    attachment = db.session.execute(select(Attachment).where(Attachment.enterprise_id == victim.id)).scalars().first()
    seal_ids = _seal_records(victim_user, victim)
    log = db.session.execute(select(WorkflowLog).where(WorkflowLog.enterprise_id == victim.id)).scalars().first()
    own_user = f.gen_applicant()
    f.gen_enterprise(own_user, status="submitted", province_code="330000", city_code="330700", county_code="330702")
    outsiders = {
        "applicant": own_user,
        "agency_other_city": f.gen_user(R.AGENCY_REVIEWER, agency_region="330700"),
        "province_other": f.gen_user(R.PROVINCE_REVIEWER, agency_region="110000"),
        "association": f.gen_user(R.ASSOCIATION_REVIEWER),
        "recommender": f.gen_user(R.RECOMMENDER),
        "ca_operator": f.gen_user(R.CA_OPERATOR),
        "rules_admin": f.gen_user(R.RULES_ADMIN),
    }
    ids = {"enterprise": victim.id, "change": change.id, "email_change": request.id,
           "attachment": attachment.id, "log": log.id, "sme": sme.id, "batch": batch.id, "ip": ip.id, "filing": filing.id,
           "declaration": declaration.id, "project": project.id, "portal_article": portal_article.id,
           "service_desk": service_desk("benchmark").id, "objection": objection.id,
           "activity": activity.id, "unit": unit.id, "ruleset": _ruleset_draft(), **seal_ids}
    return ids, outsiders


def _seal_records(user, enterprise) -> dict[str, int]:
    """A produced USB-Key with its application and certificate, and a certificate issued to the victim."""
    from tests.crawl_world import seal_key

    application, document = seal_key(user, enterprise, f.gen_user(R.CA_OPERATOR))
    from models import ExportJob

    job = ExportJob(user_id=user.id, title="victim.xlsx", status="done", rows_total=1, rows_done=1,
                    stored_name="victim-export.xlsx")
    db.session.add(job)
    from models import InboxMessage

    message = InboxMessage(user_id=user.id, enterprise_id=enterprise.id, title="审核结果", body="已退回：请补充材料")
    db.session.add(message)
    db.session.commit()
    return {"importer": "0" * 32, "export_job": job.id, "message": message.id, "seal_application": application.id, "seal_key": application.key_id,
            "key_certificate": application.key.certificates[0].id, "issued_document": document.id}


def _ruleset_draft() -> int:
    """A draft copied from the shipped 2017 set (the rules administrator's)."""
    from app.services.sme import rulesets
    from models import SmeRuleset

    builtin = db.session.execute(select(SmeRuleset).where(SmeRuleset.builtin.is_(True))).scalar_one()
    return rulesets.create_draft(f.gen_user(R.RULES_ADMIN), builtin.id).id


def _captcha():
    from app.services import captcha

    return captcha.new_challenge()[0]


def _record_routes(app):
    routes = []
    for rule in app.url_map.iter_rules():
        args = set(rule.arguments) - IGNORED_ARGS
        if not args:
            continue
        view = rule.endpoint.split(".")[0]
        routes.append((rule, view, args))
    return routes


def _url(rule, view, ids):
    kind = RECORD_OF.get(view)
    values = {}
    for arg in rule.arguments:
        if arg in ("record_type",):
            values[arg] = "sme_evaluation" if view == "CertificateIssuanceView" else "enterprise"
        elif arg == "key":
            values[arg] = {"DashboardView": "eseal", "ImportView": "business_registry"}.get(view, "main")
        elif arg == "kind":
            values[arg] = "declaration"
        elif arg == "project_id":
            values[arg] = ids["project"]
        elif arg == "record_id" and kind == "timeline":
            values[arg] = ids["enterprise"]
        elif arg == "pk_type":
            values[arg] = "int"
        elif kind == "by_argument":
            values[arg] = ids[RECORD_OF_ARGUMENT[arg]]
        elif arg == "role":
            values[arg] = "issuing"
        elif arg == "number":
            values[arg] = "ZM2026000009"
        elif kind is None:
            values[arg] = 1
        elif kind == "timeline":
            values[arg] = ids["enterprise"]
        else:
            values[arg] = ids[kind]
    path = rule.rule
    for name, value in values.items():
        import re as _re

        path = _re.sub(r"<(?:[^:<>]+:)?%s>" % name, str(value), path)
    return path


def test_every_record_route_is_mapped(app):
    unmapped = sorted({view for _rule, view, _args in _record_routes(app)
                       if view not in RECORD_OF and view not in ADMIN_ONLY + CA_ONLY + PUBLIC
                       and view not in ("static", "appbuilder", "LocaleView")})
    assert unmapped == [], f"routes with record arguments not covered by the matrix: {unmapped}"


@pytest.mark.parametrize("role", ["applicant", "agency_other_city", "province_other", "recommender", "ca_operator",
                                  "rules_admin"])
def test_outsiders_never_get_the_record(app, world, role):
    ids, outsiders = world
    web = f.WebClient(app)
    user = outsiders[role]
    assert web.login(user.username).status_code == 302
    token = web.post("/api/v1/security/login", json={"username": user.username, "password": f.PASSWORD,
                                                      "provider": "db"}).get_json()["access_token"]
    checked = 0
    for rule, view, _args in _record_routes(app):
        if view in ("static", "appbuilder", "LocaleView") + PUBLIC:
            continue
        if role == "ca_operator" and view in CA_OPERATOR_SCOPE:
            continue
        if role == "rules_admin" and view in RULES_ADMIN_SCOPE:
            continue
        url = _url(rule, view, ids)
        headers = {"Authorization": f"Bearer {token}"} if url.startswith("/api/") else {}
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = web.open(url, method=method, headers=headers, **({} if method == "GET" else {"data": {}}))
            assert response.status_code in (302, 400, 401, 403, 404, 405, 422), (role, method, url, response.status_code)
            if response.status_code == 302:  # access denied redirects to login/home, never the record
                assert "/show/" not in response.headers["Location"], (role, url)
            checked += 1
    assert checked > 20
    # Lists: the victim's rows never appear.
    for url, key in (("/api/v1/enterprise/", "enterprise"), ("/api/v1/my_enterprise/", "enterprise"),
                     ("/api/v1/core_info_change/", "change"), ("/api/v1/email_change_request/", "email_change"),
                     ("/api/v1/sme_evaluation/", "sme"), ("/api/v1/organization_filing/", "filing"),
                     ("/api/v1/benchmark_project/", "project"), ("/api/v1/declaration/", "declaration"),
                     ("/api/v1/message/", "message"),
                     *((f"/api/v1/{key}/", key) for key in ("seal_application", "seal_key", "issued_document")
                       if role != "ca_operator")):
        response = web.get(url, headers={"Authorization": f"Bearer {token}"})
        if response.status_code == 200:
            assert ids[key] not in set(response.get_json()["ids"]), (role, url)
    html = web.get("/review/enterprises/list/").data.decode()
    victim = db.session.get(Enterprise, ids["enterprise"])
    assert victim.credit_code not in html
    assert db.session.get(Enterprise, ids["enterprise"]).status == "approved"
    assert db.session.get(CoreInfoChange, ids["change"]).status == "submitted"
    assert db.session.get(SmeEvaluation, ids["sme"]).status == "pending_agency"
    from models import SmeRuleset

    assert db.session.get(SmeRuleset, ids["ruleset"]).status == "draft"
    sme_list = web.get("/review/sme/list/").data.decode()
    assert db.session.get(SmeEvaluation, ids["sme"]).system_number not in sme_list


def test_scoped_users_do_see_their_own(app, world):
    ids, _ = world
    victim = db.session.get(Enterprise, ids["enterprise"])
    owner = db.session.execute(select(ShenbaoUser).where(ShenbaoUser.enterprise_id == victim.id)).scalar_one()
    agency_hz = f.gen_user(R.AGENCY_REVIEWER, agency_region="330100")
    province_zj = f.gen_user(R.PROVINCE_REVIEWER, agency_region="330000")
    for user, url in ((agency_hz, f"/review/enterprises/show/{victim.id}"), (province_zj, f"/review/enterprises/show/{victim.id}"),
                      (owner, f"/attachments/{ids['attachment']}"), (agency_hz, f"/attachments/{ids['attachment']}"),
                      (owner, f"/progress/enterprise/{victim.id}")):
        web = f.WebClient(app)
        web.login(user.username)
        response = web.get(url)
        assert response.status_code == 200, (user.username, url)
    web = f.WebClient(app)
    web.login(owner.username)
    download = web.get(f"/attachments/{ids['attachment']}")
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.data.startswith(b"%PDF")
    # REST: the owner reads its benchmark and e-seal records and its message; the CA operator the
    # e-seal records; the association the reference lists.
    readers = [(owner, kind) for kind in ("filing", "project", "declaration", "seal_application", "seal_key",
                                          "issued_document", "message")]
    readers += [(f.gen_user(R.CA_OPERATOR), kind) for kind in ("seal_application", "seal_key", "issued_document")]
    readers += [(f.gen_user(R.ASSOCIATION_REVIEWER), kind) for kind in ("activity", "unit")]
    resources = {"filing": "organization_filing", "project": "benchmark_project", "unit": "recommending_unit"}
    for user, kind in readers:
        token = web.post("/api/v1/security/login", json={"username": user.username, "password": f.PASSWORD,
                                                          "provider": "db"}).get_json()["access_token"]
        resource = resources.get(kind, kind)
        response = web.get(f"/api/v1/{resource}/{ids[kind]}", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, (user.username, kind, response.status_code)


# REST routes a browser session may use: the JWT login itself (no session needed) and the OpenAPI
# spec, which FAB's Swagger page (/swagger/v1, admin only) fetches with the cookie.
COOKIE_ALLOWED_API = ("ShenbaoSecurityApi.login", "OpenApi.get")


def test_rest_apis_refuse_a_cookie_session_and_fab_menu_api_is_off(app):
    """docs/security.md V3.5: REST is JWT only. FAB's menu API (made for FAB's React front end,
    cookie accepted) is not registered (FAB_ADD_MENU_API = False): 404 for everyone."""
    admin = f.gen_user(R.ADMIN, "root")
    applicant = f.gen_applicant()
    web = f.WebClient(app)
    assert web.login(admin.username).status_code == 302  # Admin holds every permission
    api_rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")]
    assert not [rule.rule for rule in api_rules if rule.endpoint.startswith("MenuApi.")]
    checked = 0
    for rule in api_rules:
        if rule.endpoint in COOKIE_ALLOWED_API:
            continue
        url = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: "v1" if m.group(1) == "version" else "1", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = web.open(url, method=method, **({} if method == "GET" else {"json": {}}))
            assert response.status_code == 401, (method, url, response.status_code)
            checked += 1
    assert checked >= 15
    assert web.get("/api/v1/_openapi").status_code == 200  # the spec, for the admin's Swagger page
    token = web.post("/api/v1/security/login", json={"username": admin.username, "password": f.PASSWORD,
                                                      "provider": "db"}).get_json()["access_token"]
    for who, headers in (("admin cookie", {}), ("admin JWT", {"Authorization": f"Bearer {token}"})):
        assert web.get("/api/v1/menu/", headers=headers).status_code == 404, who
    other = f.WebClient(app)
    other.login(applicant.username)
    assert other.get("/api/v1/menu/").status_code == 404
    assert other.get("/api/v1/_openapi").status_code == 403


PORTAL_PAGES = ("/portal/", "/portal/notices", "/portal/notices?program=sme", "/portal/regulations", "/portal/downloads",
                "/portal/faq", "/portal/faq?q=x", "/portal/contacts")
PORTAL_ADMIN = ("/portal-admin/articles/list/", "/portal-admin/articles/add", "/portal-admin/service-desks/list/")


def test_public_portal_is_open_to_visitors_and_its_admin_to_program_staff_only(app):
    visitor = app.test_client()
    for url in PORTAL_PAGES:
        assert visitor.get(url).status_code == 200, url
    for url in PORTAL_ADMIN:
        response = visitor.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    for role in (R.APPLICANT, R.AGENCY_REVIEWER, R.RECOMMENDER, R.MANAGER):
        web = f.WebClient(app)
        web.login(f.gen_user(role, agency_region="330100" if role == R.AGENCY_REVIEWER else None).username)
        for url in PORTAL_ADMIN:
            assert web.get(url).status_code in (302, 403, 404), (role, url)
        for url in PORTAL_PAGES:  # signed in, the public pages stay open
            assert web.get(url).status_code == 200, (role, url)
    for role in (R.ADMIN, R.PROVINCE_REVIEWER, R.ASSOCIATION_REVIEWER, R.CA_OPERATOR):
        web = f.WebClient(app)
        web.login(f.gen_user(role, agency_region="330000" if role == R.PROVINCE_REVIEWER else None).username)
        for url in PORTAL_ADMIN:
            assert web.get(url).status_code == 200, (role, url)
