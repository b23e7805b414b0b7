"""Every view and API is registered here, with the menu grouped by program."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l


def register_views(appbuilder) -> None:
    from views.account import AccountView
    from views.api import CoreChangeApi, EmailChangeApi, EnterpriseApi, MyEnterpriseApi
    from views.attachments import AttachmentView
    from views.messages import MessagesView
    from views.enterprise_self import MyEnterpriseView
    from views.progress import ProgressView
    from views.reference import (
        AgencyView,
        BusinessRegistryView,
        IndustryView,
        NotificationTemplateView,
        OutboxView,
        RegionView,
        TechFieldView,
        ZoneView,
    )
    from views.review import CoreChangeReviewView, EmailChangeReviewView, EnterpriseReviewView, WorkflowLogView

    # Applicant: "Enterprise" menu (manual 4.3, 4.5)
    appbuilder.add_view(MyEnterpriseView, "My Enterprise", label=_l("My Enterprise"), icon="fa-building",
                        category="Enterprise", category_label=_l("Enterprise"), category_icon="fa-building")
    appbuilder.add_link("Core Information Change", label=_l("Core Information Change"),
                        href="/my-enterprise/core-change", icon="fa-pencil", category="Enterprise")
    appbuilder.add_view(ProgressView, "Progress", label=_l("Progress"), icon="fa-list-ol", category="Enterprise")

    # Reviewers: "Review" menu
    appbuilder.add_view(EnterpriseReviewView, "Enterprise Registrations", label=_l("Enterprise registrations"),
                        icon="fa-check-square-o", category="Review", category_label=_l("Review"), category_icon="fa-gavel")
    appbuilder.add_view(CoreChangeReviewView, "Core Information Changes", label=_l("Core information changes"),
                        icon="fa-exchange", category="Review")
    appbuilder.add_view(EmailChangeReviewView, "Email Changes", label=_l("E-mail change requests"),
                        icon="fa-envelope", category="Review")
    appbuilder.add_view(WorkflowLogView, "Workflow Log", label=_l("Workflow log"), icon="fa-history", category="Review")

    # Admin: reference data
    for view, name, label in (
        (RegionView, "Regions", _l("Regions")),
        (AgencyView, "Agencies", _l("Evaluation agencies")),
        (IndustryView, "Industries", _l("Industries")),
        (TechFieldView, "Technology Fields", _l("Technology fields")),
        (ZoneView, "Zones", _l("Zones")),
        (BusinessRegistryView, "Business Registry", _l("Business registry")),
        (OutboxView, "Outbox", _l("Outbox")),
        (NotificationTemplateView, "Notification Templates", _l("Notification templates")),
    ):
        appbuilder.add_view(view, name, label=label, category="Reference Data",
                            category_label=_l("Reference data"), category_icon="fa-database")

    # Tech-SME evaluation (科技型中小企业评价)
    from views.sme_review import EnterpriseIpView, PublicityBatchView, SmeReviewView
    from views.sme_self import SmeSelfView

    appbuilder.add_view(SmeSelfView, "SME Evaluations", label=_l("Evaluation materials"), icon="fa-file-text",
                        category="Tech SME", category_label=_l("Tech-based SME"), category_icon="fa-flask")
    appbuilder.add_view(EnterpriseIpView, "IP Registry", label=_l("IP registry"), icon="fa-certificate", category="Tech SME")
    appbuilder.add_view(SmeReviewView, "SME Review", label=_l("Evaluation review"), icon="fa-gavel", category="Tech SME")
    # 评价规则集: the rules administrator's rule sets and their test bench (each module adds its views).
    from views import ruleset_bench, rulesets

    rulesets.register(appbuilder)
    ruleset_bench.register(appbuilder)
    appbuilder.add_view(PublicityBatchView, "Publicity Batches", label=_l("Publicity batches"), icon="fa-bullhorn",
                        category="Tech SME")

    # Quality benchmark (全国质量标杆)
    from views.benchmark import ActivityView, FilingReviewView, FilingSelfView, RecommendingUnitView

    appbuilder.add_view(FilingSelfView, "Organization Filing", label=_l("Organization filing"), icon="fa-building-o",
                        category="Quality Benchmark", category_label=_l("Quality benchmark"), category_icon="fa-trophy")
    appbuilder.add_view(FilingReviewView, "Filing Review", label=_l("Filing review"), icon="fa-gavel",
                        category="Quality Benchmark")
    from views.declaration import DeclarationReviewView, DeclarationSelfView

    appbuilder.add_view(DeclarationSelfView, "My Declarations", label=_l("My declarations"), icon="fa-flag",
                        category="Quality Benchmark")
    appbuilder.add_view(DeclarationReviewView, "Declaration Review", label=_l("Declaration review"), icon="fa-check",
                        category="Quality Benchmark")
    appbuilder.add_view(ActivityView, "Activities", label=_l("Activities"), icon="fa-calendar", category="Quality Benchmark")
    appbuilder.add_view(RecommendingUnitView, "Recommending Units", label=_l("Recommending units"), icon="fa-sitemap",
                        category="Quality Benchmark")

    # E-seal service (企业电子签章 / USB-Key)
    from views.eseal_operator import (
        CertificateTemplateView,
        FeeItemView,
        IssuedDocumentView,
        SealApplicationView,
        SealKeyView,
    )
    from views.eseal_self import SealSelfView
    from views.verify import VerifyView

    appbuilder.add_view(SealSelfView, "My E-seals", label=_l("View e-seals"), icon="fa-key",
                        category="E-seal", category_label=_l("E-seal service"), category_icon="fa-certificate")
    for view, name, label, icon in (
        (SealApplicationView, "Seal Applications", _l("E-seal service applications"), "fa-inbox"),
        (SealKeyView, "USB-Keys", _l("USB-Keys"), "fa-usb"),
        (IssuedDocumentView, "Issued Certificates", _l("Issued electronic certificates"), "fa-file-pdf-o"),
        (CertificateTemplateView, "Certificate Templates", _l("Certificate templates"), "fa-file-text-o"),
        (FeeItemView, "Fee Schedule", _l("Fee schedule"), "fa-jpy"),
    ):
        appbuilder.add_view(view, name, label=label, icon=icon, category="E-seal")
    appbuilder.add_link("Verify a Certificate", label=_l("Verify a certificate"), href="/verify/",
                        icon="fa-check-circle", category="E-seal")
    appbuilder.add_view_no_menu(VerifyView)
    from views.signer_pages import SignerView

    appbuilder.add_view_no_menu(SignerView)
    from views.ocsp import OcspView

    _add_ocsp_responder(appbuilder, OcspView)

    from views.dashboard import DashboardView
    from views.imports import ImportView

    appbuilder.add_view(DashboardView, "Statistics", label=_l("Statistics"), icon="fa-bar-chart",
                        category="Reports", category_label=_l("Reports"), category_icon="fa-line-chart")
    appbuilder.add_view(ImportView, "Data Import", label=_l("Data import"), icon="fa-upload", category="Reports")

    appbuilder.add_view(AccountView, "Change Password", label=_l("Change password"), icon="fa-key",
                        category="Account", category_label=_l("Account"), category_icon="fa-user")
    _limit_sms_sends_per_address(appbuilder)
    appbuilder.add_view_no_menu(AttachmentView)
    appbuilder.add_view_no_menu(MessagesView)
    from views.exports import ExportJobView

    appbuilder.add_view_no_menu(ExportJobView)
    from views import certificates

    appbuilder.add_view_no_menu(certificates.CertificateIssuanceView)
    certificates.add_template_globals()
    from views.api import SmeEvaluationApi

    from views import api_benchmark, api_eseal, api_messages

    for api in (EnterpriseApi, MyEnterpriseApi, CoreChangeApi, EmailChangeApi, SmeEvaluationApi,
                *api_benchmark.APIS, *api_eseal.APIS, *api_messages.APIS):
        appbuilder.add_api(api)
    _add_time_stamp_authority(appbuilder)
    _add_public_portal(appbuilder)


def _add_public_portal(appbuilder) -> None:
    """The public pages (no login): portal content, the publicity lists and certificate query,
    the user manuals; each module registers its own views and limits."""
    from views import help_pages, portal, public_lists

    portal.register(appbuilder)
    public_lists.register(appbuilder)
    help_pages.register(appbuilder)


def _limit_sms_sends_per_address(appbuilder) -> None:
    """SMS codes requested from one address (SMS_SEND_LIMIT_PER_ADDRESS, Flask-Limiter: in Redis
    when REDIS_URL is set, so every app server counts together). The per-mobile limits live in
    app/services/sms_codes.py; this one stops one client walking through many mobiles."""
    from flask import current_app

    app = current_app._get_current_object()
    endpoint = "AccountView.sms_code"
    app.view_functions[endpoint] = appbuilder.sm.limiter.limit(
        lambda: current_app.config["SMS_SEND_LIMIT_PER_ADDRESS"], methods=["POST"]
    )(app.view_functions[endpoint])


def _add_ocsp_responder(appbuilder, view_class) -> None:
    """The OCSP responder: public, posted to by OCSP clients (no CSRF token), limited per
    client address (OCSP_LIMIT_PER_ADDRESS) since every answer is a signature on the CA token."""
    from flask import current_app

    from app.web import csrf

    view = appbuilder.add_view_no_menu(view_class)
    csrf.exempt(view.blueprint)
    app = current_app._get_current_object()
    shared = appbuilder.sm.limiter.shared_limit(lambda: current_app.config["OCSP_LIMIT_PER_ADDRESS"],
                                                scope="ocsp")  # POST and GET count together
    for endpoint in ("OcspView.post", "OcspView.get"):
        app.view_functions[endpoint] = shared(app.view_functions[endpoint])


def _add_time_stamp_authority(appbuilder) -> None:
    """POST /tsa: public, posted to by time-stamp clients (no CSRF token), limited per client
    address (TSA_LIMIT_PER_ADDRESS) since every answer is a signature on the CA token."""
    from flask import current_app

    from app.web import csrf
    from views.tsa import TsaView

    view = appbuilder.add_view_no_menu(TsaView)
    csrf.exempt(view.blueprint)
    app = current_app._get_current_object()
    app.view_functions["TsaView.stamp"] = appbuilder.sm.limiter.limit(
        lambda: current_app.config["TSA_LIMIT_PER_ADDRESS"])(app.view_functions["TsaView.stamp"])
