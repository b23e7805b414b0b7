"""The interchange format as REST payload: export, import (applicant, editable only)."""
from __future__ import annotations

import pytest

from app.extensions import db
from app.security import roles as R
from models import ShenbaoUser, SmeEvaluation
from tests import factories as f

pytestmark = pytest.mark.parametrize("app", ["sqlite"], indirect=True)


def _token(web, username):
    return web.post("/api/v1/security/login", json={"username": username, "password": f.PASSWORD,
                                                     "provider": "db"}).get_json()["access_token"]


def test_export_then_import_round_trip(app):
    evaluation = f.gen_sme()
    owner = db.session.query(ShenbaoUser).filter_by(enterprise_id=evaluation.enterprise_id).one()
    web = f.WebClient(app)
    headers = {"Authorization": f"Bearer {_token(web, owner.username)}"}
    exported = web.get(f"/api/v1/sme_evaluation/{evaluation.id}/interchange", headers=headers)
    assert exported.status_code == 200
    document = exported.get_json()
    assert document["employees"] == {"fulltime": 80, "parttime": 15, "temporary": 5}
    document["rd_projects"] = [{"name": "改", "form": "independent", "amount": "20"}]  # 2% of sales -> 10 points
    imported = web.put(f"/api/v1/sme_evaluation/{evaluation.id}/interchange", json=document, headers=headers)
    assert imported.status_code == 200, imported.get_json()
    assert imported.get_json()["result"]["indicators"]["10"]["points"] == 10
    assert db.session.get(SmeEvaluation, evaluation.id).total_score == 60


def test_import_names_the_bad_field(app):
    evaluation = f.gen_sme()
    owner = db.session.query(ShenbaoUser).filter_by(enterprise_id=evaluation.enterprise_id).one()
    web = f.WebClient(app)
    headers = {"Authorization": f"Bearer {_token(web, owner.username)}"}
    document = web.get(f"/api/v1/sme_evaluation/{evaluation.id}/interchange", headers=headers).get_json()
    document["sales_revenue"] = "-5"
    response = web.put(f"/api/v1/sme_evaluation/{evaluation.id}/interchange", json=document, headers=headers)
    assert response.status_code == 422 and "sales_revenue" in response.get_json()["errors"]
    assert web.put(f"/api/v1/sme_evaluation/{evaluation.id}/interchange", data="{", headers=headers,
                   content_type="application/json").status_code == 422


def test_reviewer_can_export_in_scope_but_not_import(app):
    evaluation = f.gen_sme(status="pending_agency")
    reviewer = f.gen_user(R.AGENCY_REVIEWER, agency_region="330100")
    outsider = f.gen_user(R.AGENCY_REVIEWER, agency_region="330700")
    web = f.WebClient(app)
    headers = {"Authorization": f"Bearer {_token(web, reviewer.username)}"}
    assert web.get(f"/api/v1/sme_evaluation/{evaluation.id}/interchange", headers=headers).status_code == 200
    assert web.put(f"/api/v1/sme_evaluation/{evaluation.id}/interchange", json={}, headers=headers).status_code == 403
    other = {"Authorization": f"Bearer {_token(web, outsider.username)}"}
    assert web.get(f"/api/v1/sme_evaluation/{evaluation.id}/interchange", headers=other).status_code == 404


def test_reviewer_sees_the_materials_and_gets_the_pdf(app):
    evaluation = f.gen_sme(status="pending_agency")
    reviewer = f.gen_user(R.AGENCY_REVIEWER, agency_region="330100")
    web = f.WebClient(app)
    web.login(reviewer.username)
    page = web.get(f"/review/sme/show/{evaluation.id}").data.decode()
    assert "新型传感器研发" in page and 'id="sme-result"' in page and 'id="action-confirm"' in page
    record = page[page.index("<table"):page.index('id="sme-result"')] if "<table" in page else page
    assert ">True<" not in record and ">False<" not in record and ">None<" not in record
    assert "/attachments/" in record  # the stamped cover, one click away
    pdf = web.get(f"/review/sme/pdf/{evaluation.id}")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    outsider = f.WebClient(app)
    outsider.login(f.gen_user(R.AGENCY_REVIEWER, agency_region="330700").username)
    assert outsider.get(f"/review/sme/pdf/{evaluation.id}").status_code == 404
