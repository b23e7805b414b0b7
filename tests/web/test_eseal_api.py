"""REST of the e-seal service: the CA operator reads every application, USB-Key and issued
certificate; an applicant only its own; a key's PIN and key material appear nowhere."""
from __future__ import annotations

import base64
import datetime as dt
import io
import json

import openpyxl

import pytest

from app.extensions import db
from app.security import roles as R
from app.services.eseal import seal_keys
from models import IssuedDocument, SealKey
from tests import factories as f
from tests.web.test_benchmark_api import api

pytestmark = [pytest.mark.parametrize("app", ["sqlite"], indirect=True),
              pytest.mark.filterwarnings("ignore:The HMAC key is")]

RESOURCES = ("seal_application", "seal_key", "issued_document")


@pytest.fixture
def seals(app, pkcs11_lib, monkeypatch):
    """A produced USB-Key (with its application and an issued certificate) of one enterprise, its
    user PIN as produced; another enterprise's application, key and certificate."""
    from tests.crawl_world import seal_key

    produced = {}
    real_produce = seal_keys.produce

    def produce(*args, **kwargs):
        produced["result"] = real_produce(*args, **kwargs)
        return produced["result"]

    monkeypatch.setattr(seal_keys, "produce", produce)
    owner = f.gen_applicant()
    enterprise = f.gen_enterprise(owner, status="approved")
    application, document = seal_key(owner, enterprise, f.gen_user(R.CA_OPERATOR))
    other_owner = f.gen_applicant()
    other = f.gen_enterprise(other_owner, status="approved", name="他人企业有限公司")
    from app.services.eseal import seal_application as seal_svc

    other_application = seal_svc.apply(other_owner, "first", {
        "company_name": other.name, "department": "办公室", "system_user_id": "u2", "ems_contact": "李四",
        "ems_company": other.name, "ems_department": "办公室", "ems_address": "金华市1号", "ems_postcode": "321000",
        "ems_phone": "13800002222", "ems_email": "l@example.com", "business_department": "tech_sme", "years": "1"})
    other_key = SealKey(enterprise_id=other.id, token_label="SB-OTHER-1", key_ref="ab" * 20, public_key=b"\x30\x03xyz",
                        paid_until=dt.date(2027, 1, 1))
    other_document = IssuedDocument(number="ZM2026000010", version=1, kind="template", title="证明", enterprise_id=other.id,
                                    holder_name=other.name, attachment_id=document.attachment_id, sha256="0" * 64)
    db.session.add_all([other_key, other_document])
    db.session.commit()
    return {"owner": owner, "pin": produced["result"][1], "own": {
        "seal_application": application.id, "seal_key": application.key_id, "issued_document": document.id},
        "other": {"seal_application": other_application.id, "seal_key": other_key.id,
                  "issued_document": other_document.id}}


@pytest.mark.parametrize("resource", RESOURCES)
def test_applicant_reads_its_own_and_gets_404_for_another_enterprises(app, seals, resource):
    get = api(app, seals["owner"])
    own, other = seals["own"][resource], seals["other"][resource]
    status, listing = get(f"/api/v1/{resource}/")
    assert status == 200 and listing["ids"] == [own]
    assert get(f"/api/v1/{resource}/{own}")[0] == 200
    assert get(f"/api/v1/{resource}/{other}")[0] == 404


@pytest.mark.parametrize("role", [R.CA_OPERATOR, R.MANAGER, R.ADMIN])
def test_operator_and_managers_read_every_enterprises(app, seals, role):
    get = api(app, f.gen_user(role))
    for resource in RESOURCES:
        status, listing = get(f"/api/v1/{resource}/")
        assert status == 200 and {seals["own"][resource], seals["other"][resource]} <= set(listing["ids"]), resource
        assert get(f"/api/v1/{resource}/{seals['other'][resource]}")[0] == 200


@pytest.mark.parametrize("role", [R.AGENCY_REVIEWER, R.PROVINCE_REVIEWER, R.ASSOCIATION_REVIEWER, R.RECOMMENDER])
def test_other_programs_reviewers_are_refused(app, seals, role):
    get = api(app, f.gen_user(role, agency_region={R.AGENCY_REVIEWER: "330100", R.PROVINCE_REVIEWER: "330000"}.get(role)))
    for resource in RESOURCES:
        assert get(f"/api/v1/{resource}/")[0] == 403
        assert get(f"/api/v1/{resource}/{seals['own'][resource]}")[0] == 403


def test_no_pin_or_key_material_in_any_answer_or_the_spec(app, seals):
    key = db.session.get(SealKey, seals["own"]["seal_key"])
    secrets = [seals["pin"], key.key_ref, base64.b64encode(key.public_key).decode(), key.public_key.hex()]
    secrets += [base64.b64encode(cert.der).decode()[:40] for cert in key.certificates]
    assert seals["pin"] and len(key.key_ref) >= 8
    for user in (seals["owner"], f.gen_user(R.CA_OPERATOR), f.gen_user(R.ADMIN)):
        get = api(app, user)
        for resource in RESOURCES:
            for url in (f"/api/v1/{resource}/", f"/api/v1/{resource}/{seals['own'][resource]}", f"/api/v1/{resource}/_info",
                        f"/api/v1/{resource}/?q=(columns:!(id))"):
                status, body = get(url)
                text = json.dumps(body, ensure_ascii=False)
                assert status == 200 and not [s for s in secrets if s in text], (url, status)
                assert not {"key_ref", "public_key", "der", "pin"} & set(text.replace('"', " ").split()), url
            status, workbook = get(f"/api/v1/{resource}/export")
            assert status == 200
            cells = " ".join(str(cell) for row in openpyxl.load_workbook(io.BytesIO(workbook.data)).active.iter_rows(
                values_only=True) for cell in row if cell is not None)
            assert str(key.token_label) in cells or resource != "seal_key"
            assert not [s for s in secrets if s in cells], resource
        # Asking for a secret column by name gives nothing of it (it is not a column of the API).
        status, body = get("/api/v1/seal_key/?q=(columns:!(key_ref,public_key))")
        assert key.key_ref not in json.dumps(body) and "key_ref" not in json.dumps(body.get("result", [])), status
    status, spec = api(app, f.gen_user(R.ADMIN))("/api/v1/_openapi")
    assert status == 200
    schemas = {name: schema for name, schema in spec["components"]["schemas"].items()
               if name.split(".")[0] in ("SealApplicationApi", "SealKeyApi", "IssuedDocumentApi")}
    assert len(schemas) >= 6
    text = json.dumps(schemas)
    for column in ("key_ref", "public_key", "\"der\"", "pin", "reminders_sent"):
        assert column not in text, column


def test_seal_key_names_its_holder_and_status(app, seals):
    status, shown = api(app, seals["owner"])(f"/api/v1/seal_key/{seals['own']['seal_key']}")
    key = db.session.get(SealKey, seals["own"]["seal_key"])
    assert status == 200
    assert shown["result"]["enterprise"] == {"name": key.enterprise.name}
    assert shown["result"]["token_label"] == key.token_label and shown["result"]["status"] == key.status == "issued"
