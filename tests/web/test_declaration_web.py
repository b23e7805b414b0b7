"""The benchmark declaration through the screens: project, declare with commitment, contact,
summary, submit, choose the recommending unit, recommend, qualify, print both PDFs."""
from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from app.extensions import db
from app.security import roles as R
from models import Declaration
from tests import factories as f
from tests.services.test_declaration import CONTACT, _docx, world  # noqa: F401  (fixture)

pytestmark = pytest.mark.parametrize("app", ["sqlite"], indirect=True)


def _decide(web, declaration_id, action, comment=""):
    page = web.get(f"/review/declarations/show/{declaration_id}").data.decode()
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    return web.post_form(f"/review/declarations/decide/{declaration_id}",
                         {"action": action, "comment": comment, "version": version},
                         csrf_url=f"/review/declarations/show/{declaration_id}")


def test_declare_recommend_qualify_print(app, world):  # noqa: F811
    applicant = f.WebClient(app)
    applicant.login(world["user"].username)
    start = applicant.post_form("/benchmark/my/declare", {"activity_id": world["activity"].id, "filing_id": world["filing"].id,
                                                          "project_id": world["project"].id})
    assert b"alert-danger" in applicant.get("/benchmark/my/declare").data or start.status_code == 200  # no commitment: refused
    start = applicant.post_form("/benchmark/my/declare", {"activity_id": world["activity"].id, "filing_id": world["filing"].id,
                                                          "project_id": world["project"].id, "commitment": "y"})
    assert start.status_code == 302
    url = start.headers["Location"]
    declaration_id = int(url.rstrip("/").split("/")[-1])
    data = {**CONTACT, "op": "submit", "summary": (io.BytesIO(_docx()), "总结材料.docx")}
    response = applicant.post_form(url, data, content_type="multipart/form-data")
    assert response.status_code == 200
    assert db.session.get(Declaration, declaration_id).status == "submitted"
    applicant.post_form(url, {"op": "choose", "unit_id": world["units"][0].id})
    assert db.session.get(Declaration, declaration_id).status == "pending_recommendation"

    other = f.WebClient(app)
    other.login(world["other_recommender"].username)
    assert other.get(f"/review/declarations/show/{declaration_id}").status_code == 404
    assert "全面质量管理数字化实践" not in other.get("/review/declarations/list/").data.decode()

    recommender = f.WebClient(app)
    recommender.login(world["recommender"].username)
    assert "全面质量管理数字化实践" in recommender.get(f"/review/declarations/show/{declaration_id}").data.decode()
    _decide(recommender, declaration_id, "recommend", "同意推荐，该组织质量管理成效显著")
    association = f.WebClient(app)
    association.login(world["association"].username)
    _decide(association, declaration_id, "qualify")
    assert db.session.get(Declaration, declaration_id).status == "qualified"

    for kind, expected in (("declaration", "全面质量管理数字化实践"), ("recommendation", "同意推荐")):
        pdf = applicant.get(f"/benchmark/my/declaration/{declaration_id}/print/{kind}")
        assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
        text = "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf.data)).pages)
        assert expected in text
        if kind == "declaration":
            assert all(year in text for year in ("2016", "2017", "2018"))
    log = applicant.get(f"/progress/declaration/{declaration_id}").data.decode()
    timeline = log[log.index('id="timeline"'):]
    assert timeline.count("<li>") == 4 and "同意推荐" in timeline  # submit, choose unit, recommend, qualify


def test_association_publishes_the_summary_template(app, world):  # noqa: F811
    association = f.WebClient(app)
    association.login(world["association"].username)
    url = f"/benchmark/activities/template/{world['activity'].id}"
    response = association.post_form(url, {"template": (io.BytesIO(_docx()), "总结材料模板.docx")},
                                     csrf_url=f"/benchmark/activities/show/{world['activity'].id}",
                                     content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.refresh(world["activity"])
    template_id = world["activity"].template_attachment_id
    assert template_id
    applicant = f.WebClient(app)
    applicant.login(world["user"].username)
    download = applicant.get(f"/attachments/{template_id}")
    assert download.status_code == 200 and download.data.startswith(b"PK")


def test_project_rows_take_proof_files_visible_to_the_recommender(app, world):  # noqa: F811
    applicant = f.WebClient(app)
    applicant.login(world["user"].username)
    url = f"/benchmark/my/project/{world['project'].id}"
    data = {"name": "全面质量管理数字化实践", "keywords": "数字化", "summary": "摘要", "ip_name": "一种检测方法", "ip_category": "发明专利",
            "ip_proof": "", "ip_proof_file": (io.BytesIO(f.PDF_MIN), "专利证书.pdf")}
    assert applicant.post_form(url, data, content_type="multipart/form-data").status_code == 200
    db.session.refresh(world["project"])
    proof_id = world["project"].data["ip"][0]["proof"]
    assert proof_id and applicant.get(f"/attachments/{proof_id}").data.startswith(b"%PDF")
    declaration = svc_submit_and_choose(world)
    recommender = f.WebClient(app)
    recommender.login(world["recommender"].username)
    assert recommender.get(f"/attachments/{proof_id}").status_code == 200
    outsider = f.WebClient(app)
    outsider.login(world["other_recommender"].username)
    assert outsider.get(f"/attachments/{proof_id}").status_code == 404
    assert declaration.status == "pending_recommendation"


def svc_submit_and_choose(world, summary_name: str = "summary.docx"):
    """The world's project declared, with contact and summary, submitted to the first unit."""
    from app.services import declaration as svc

    declaration = svc.start(world["user"], world["activity"].id, world["filing"].id, world["project"].id, True)
    svc.save(world["user"], declaration.id, CONTACT)
    svc.upload_summary(world["user"], declaration.id, io.BytesIO(_docx()), summary_name)
    svc.submit(world["user"], declaration.id)
    return svc.choose_recommender(world["user"], declaration.id, world["units"][0].id)


def test_an_edit_of_approved_details_shows_old_and_new_values_on_the_timeline(app):
    from app.services import enterprise as enterprise_svc

    enterprise = f.gen_enterprise(status="approved")
    user = db.session.query(f.ShenbaoUser).filter_by(enterprise_id=enterprise.id).one()
    _, errors = enterprise_svc.save_draft(user, {"domestic_listed": "yes", "domestic_listing_type": "main",
                                                 "domestic_listing_date": "2020-06-30"})
    assert not errors, errors
    client = f.WebClient(app)
    client.login(user.username)
    page = client.get(f"/progress/enterprise/{enterprise.id}").data.decode()
    timeline = page[page.index('id="timeline"'):]
    assert "信息已修改" in timeline and "<td>是否境内上市</td><td>否</td><td>是</td>" in timeline
    assert "2020-06-30" in timeline
    assert "domestic_listed" not in timeline and "None" not in timeline and "True" not in timeline


def test_the_core_change_review_reads_field_names_and_values_not_a_dict(app):
    from app.security import roles as R
    from app.services import enterprise as enterprise_svc

    enterprise = f.gen_enterprise(status="approved")
    user = db.session.query(f.ShenbaoUser).filter_by(enterprise_id=enterprise.id).one()
    change = enterprise_svc.open_core_change(user)
    enterprise_svc.save_core_change(user, change.id, {"legal_rep_name": "王小明", "legal_rep_id_type": "passport",
                                                      "legal_rep_id_number": "E12345678"})
    enterprise_svc.submit_core_change(user, change.id)
    reviewer = f.WebClient(app)
    reviewer.login(f.gen_user(R.AGENCY_REVIEWER, agency_region="330100").username)
    page = reviewer.get(f"/review/core-changes/show/{change.id}").data.decode()
    assert "王小明" in page and "护照" in page
    assert "{'" not in page and "legal_rep_id_type" not in page and "passport" not in page
