"""Seeded records of every program, each in the scope of one reviewer of each role, for the
role crawl: an approved Hangzhou enterprise with a core change, an e-mail change, an SME
evaluation awaiting the agency and another in a publicity batch, an IP row, a benchmark
filing and declaration awaiting its recommending unit, a produced USB-Key and an issued
certificate; a second enterprise's registration awaiting review; a rule-set draft tried on the
test bench and a second draft not tried yet."""
from __future__ import annotations

import datetime as dt
import io

from app.extensions import db
from app.security import roles as R
from app.services import email_change
from app.services import enterprise as enterprise_svc
from models import EnterpriseIp
from tests import factories as f


def seed_world() -> dict:
    from tests.services.test_declaration import build_world
    from tests.web.test_declaration_web import svc_submit_and_choose

    bench = build_world()
    svc_submit_and_choose(bench)
    applicant = bench["user"]
    enterprise = db.session.get(f.Enterprise, applicant.enterprise_id)
    change = enterprise_svc.open_core_change(applicant)
    enterprise_svc.save_core_change(applicant, change.id, {"legal_rep_name": "王小明"})
    enterprise_svc.submit_core_change(applicant, change.id)
    from app.services import captcha

    email_change.submit(
        email_change.EmailChangeForm(enterprise.credit_code, enterprise.name, applicant.first_name, applicant.mobile,
                                     "new@example.com", str(f.agency("330100").id), captcha.new_challenge()[0], f.CAPTCHA),
        [(io.BytesIO(f.PNG_1PX), "stamp.png")])
    f.gen_sme(applicant, status="pending_agency")
    db.session.add(EnterpriseIp(enterprise_id=enterprise.id, name="一种传感器", kind="invention_patent", number="ZL2025000001",
                                grant_date=dt.date(2025, 3, 1)))
    in_publicity = f.gen_sme(status="recommended")
    province = f.gen_user(R.PROVINCE_REVIEWER, agency_region="330000")
    from app.services import sme as sme_svc

    sme_svc.draw_spot_check(province, 0, seed="crawl", year=2026)
    sme_svc.create_batch(province, "浙江省2026年第一批", dt.date.today(), dt.date.today() + dt.timedelta(days=9),
                         [in_publicity.id])
    sme_svc.publicity_tick(dt.date.today())
    # 公示异议: one from the public on the record in publicity; a published benchmark selection.
    from tests.publicity_world import file_objection, published_selection

    file_objection(in_publicity, evidence=True)
    published_selection()
    f.gen_enterprise(status="submitted")
    operator = f.gen_user(R.CA_OPERATOR)
    seal_key(applicant, enterprise, operator)
    rules_admin = rule_set_drafts()
    db.session.commit()
    return {
        R.APPLICANT: applicant,
        R.AGENCY_REVIEWER: f.gen_user(R.AGENCY_REVIEWER, agency_region="330100"),
        R.PROVINCE_REVIEWER: province,
        R.ASSOCIATION_REVIEWER: bench["association"],
        R.RECOMMENDER: bench["recommender"],
        R.CA_OPERATOR: operator,
        R.MANAGER: f.gen_user(R.MANAGER),
        R.ADMIN: f.gen_user(R.ADMIN),
        R.RULES_ADMIN: rules_admin,
    }


def rule_set_drafts():
    """The rules administrator with a draft of 2027 (stricter, pass mark 95) run on the test
    bench over the seeded evaluations, and a draft of 2028 copied and not tried yet."""
    from flask import current_app

    from app.services.sme import ruleset_bench
    from tests.services.test_ruleset_bench import STRICTER_TECH_STAFF, _draft

    admin = f.gen_user(R.RULES_ADMIN)
    current_app.config["TASK_WORKER"] = "sync"  # the bench run finishes before start() returns
    tried = _draft(admin, year=2027, pass_score=95, tech_staff_bands=STRICTER_TECH_STAFF)
    ruleset_bench.start(admin, tried.id)
    _draft(admin, year=2028)
    return admin


def seal_key(user, enterprise, operator):
    """A first USB-Key application taken to a produced key, and a certificate issued to the
    enterprise: (application, issued document)."""
    from app.services.eseal import issued_documents, seal_keys
    from app.services.eseal import seal_application as seal_svc

    application = seal_svc.apply(user, "first", {
        "company_name": enterprise.name, "department": "质量部", "system_user_id": "u1", "ems_contact": "张三",
        "ems_company": enterprise.name, "ems_department": "质量部", "ems_address": "杭州市西湖区1号",
        "ems_postcode": "310000", "ems_phone": "13800001111", "ems_email": "z@example.com",
        "business_department": "tech_sme", "years": "1"})
    seal_svc.receive_papers(operator, application.id, {"stamped_form": True, "business_licence": True,
                                                       "contact_id": True, "names_match": True})
    seal_svc.record_payment(user, application.id, {"payer_name": enterprise.name, "paid_amount": "1000",
                                                   "paid_on": dt.date.today().isoformat()})
    seal_svc.confirm_payment(operator, application.id)
    application, _pin = seal_keys.produce(operator, application.id)
    document = issued_documents.issue(kind="template", number="ZM2026000009", title="证明", holder_name=enterprise.name,
                                      enterprise_id=enterprise.id)
    return application, document
