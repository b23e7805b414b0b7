"""The e-seal service through the screens: apply (kept input on errors), print the form, record
the remittance, the operator's papers / payment / production / shipment, the applicant's key
list, the public verification page and CRL."""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader

from app.extensions import db
from app.security import roles as R
from models import Enterprise, SealApplication
from tests import factories as f
from tests.services.test_eseal import form_values

pytestmark = pytest.mark.parametrize("app", ["sqlite"], indirect=True)


@pytest.fixture
def people(app, pkcs11_lib):
    user = f.gen_applicant()
    f.gen_enterprise(user, status="approved")
    return {"user": user, "enterprise": db.session.get(Enterprise, user.enterprise_id),
            "operator": f.gen_user(R.CA_OPERATOR)}


def _version(page: str) -> str:
    return re.search(r'name="version" value="(\d+)"', page).group(1)


def test_apply_keeps_input_on_error_then_prints_the_form(app, people):
    web = f.WebClient(app)
    web.login(people["user"].username)
    page = web.get("/eseal/").data.decode()
    assert "申请电子签章服务" in page and "证书状态" in page
    bad = web.post_form("/eseal/apply?kind=first", {**form_values(people["enterprise"]), "ems_postcode": "12",
                                                    "department": "研发中心", "kind": "first"},
                        csrf_url="/eseal/apply?kind=first")
    text = bad.data.decode()
    assert bad.status_code == 200 and "邮编" in text and 'value="研发中心"' in text  # message + typed value kept
    ok = web.post_form("/eseal/apply?kind=first", {**form_values(people["enterprise"]), "kind": "first"},
                       csrf_url="/eseal/apply?kind=first")
    assert ok.status_code == 302
    application_url = ok.headers["Location"]
    application_id = int(application_url.rstrip("/").split("/")[-1])
    pdf = web.get(f"/eseal/application/{application_id}/form.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert people["enterprise"].name in text and f"ES{application_id:06d}" in text and "1,000.00" in text

    # A bad remittance keeps what was typed and says why.
    bad_pay = web.post_form(application_url, {"op": "payment", "payer_name": "", "paid_amount": "abc",
                                              "paid_on": "2026-13-01", "payment_reference": "REF-77"})
    text = bad_pay.data.decode()
    assert 'value="REF-77"' in text and "YYYY-MM-DD" in text
    paid = web.post_form(application_url, {"op": "payment", "payer_name": people["enterprise"].name,
                                           "paid_amount": "1000", "paid_on": dt.date.today().isoformat()})
    assert paid.status_code == 302
    assert db.session.get(SealApplication, application_id).paid_amount == 1000


def test_operator_produces_the_key_and_the_applicant_sees_it_valid(app, people):
    from app.services.eseal import seal_application as svc

    application = svc.apply(people["user"], "first", form_values(people["enterprise"]))
    svc.record_payment(people["user"], application.id, {"payer_name": "某个人", "paid_amount": "1000",
                                                        "paid_on": dt.date.today().isoformat()})
    operator = f.WebClient(app)
    operator.login(people["operator"].username)
    show = f"/ca/applications/show/{application.id}"
    page = operator.get(show).data.decode()
    assert 'id="payer-differs"' in page and "汇款人非申请企业" in page
    missing = operator.post_form(f"/ca/applications/papers/{application.id}",
                                 {"stamped_form": "1", "names_match": "1", "version": _version(page)}, csrf_url=show)
    assert missing.status_code == 302
    assert db.session.get(SealApplication, application.id).status == "submitted"
    page = operator.get(show).data.decode()
    operator.post_form(f"/ca/applications/papers/{application.id}",
                       {"stamped_form": "1", "business_licence": "1", "contact_id": "1", "names_match": "1",
                        "version": _version(page)}, csrf_url=show)
    page = operator.get(show).data.decode()
    operator.post_form(f"/ca/applications/payment/{application.id}", {"op": "confirm", "version": _version(page)},
                       csrf_url=show)
    assert db.session.get(SealApplication, application.id).status == "paid"
    page = operator.get(show).data.decode()
    produced = operator.post_form(f"/ca/applications/produce/{application.id}", {"version": _version(page)},
                                  csrf_url=show)
    assert produced.status_code == 302
    page = operator.get(show).data.decode()
    assert re.search(r"PIN[^0-9]{0,20}\d{8}", page), "the initial PIN is shown once to the operator"
    operator.post_form(f"/ca/applications/ship/{application.id}", {"ems_tracking": "EA123456789CN",
                                                                   "invoice_number": "INV2026000001",
                                                                   "version": _version(page)}, csrf_url=show)
    application = db.session.get(SealApplication, application.id)
    assert application.status == "shipped" and application.ems_tracking == "EA123456789CN"

    applicant = f.WebClient(app)
    applicant.login(people["user"].username)
    page = applicant.get("/eseal/").data.decode()
    assert people["enterprise"].name in page and "有效" in page
    key_page = applicant.get(f"/eseal/key/{application.key_id}").data.decode()
    cert_id = re.search(r"/eseal/certificate/(\d+)\.cer", key_page).group(1)
    cer = applicant.get(f"/eseal/certificate/{cert_id}.cer")
    assert cer.status_code == 200 and cer.mimetype == "application/pkix-cert"
    # Another applicant gets nothing of it.
    other_user = f.gen_applicant()
    f.gen_enterprise(other_user, status="approved")
    other = f.WebClient(app)
    other.login(other_user.username)
    assert other.get(f"/eseal/key/{application.key_id}").status_code == 404
    assert other.get(f"/eseal/certificate/{cert_id}.cer").status_code == 404
    assert other.get(f"/eseal/application/{application.id}/form.pdf").status_code == 404
    assert other.get(show).status_code in (302, 403)


def test_public_verification_by_number_and_by_upload(app, people):
    from app.services.eseal import issued_documents

    document = issued_documents.issue(kind="template", number="ZM2026000777", title="证明",
                                      holder_name=people["enterprise"].name, enterprise_id=people["enterprise"].id)
    anonymous = app.test_client()
    page = anonymous.get("/verify/ZM2026000777/1")
    text = page.data.decode()
    assert page.status_code == 200 and 'data-indication="TOTAL_PASSED"' in text and 'data-status="current"' in text
    assert anonymous.get("/verify/NOPE/1").status_code == 404
    data = issued_documents.pdf_bytes(document)
    token = re.search(r'name="csrf_token" value="([^"]+)"', anonymous.get("/verify/").data.decode()).group(1)
    tampered = data.replace(b"/Producer", b"/Produc3r", 1) if b"/Producer" in data else data[:-200] + b"x" * 200
    result = anonymous.post("/verify/", data={"csrf_token": token, "document": (io.BytesIO(tampered), "c.pdf")},
                            content_type="multipart/form-data")
    assert result.status_code == 200 and 'data-indication="TOTAL_PASSED"' not in result.data.decode()
    not_pdf = anonymous.post("/verify/", data={"csrf_token": token, "document": (io.BytesIO(b"GIF89a"), "c.pdf")},
                             content_type="multipart/form-data")
    assert not_pdf.status_code == 422
    crl = anonymous.get("/verify/crl/issuing.crl")
    assert crl.status_code == 200 and crl.mimetype == "application/pkix-crl"
    assert anonymous.get("/verify/ca/root.cer").status_code == 200
    assert anonymous.get("/verify/ca/other.cer").status_code == 404


def test_without_a_pkcs11_module_the_app_runs_and_says_what_to_install(app, people):
    app.config["PKCS11_MODULE"] = "/nonexistent/libpkcs11.so"
    web = f.WebClient(app)
    web.login(people["user"].username)
    page = web.get("/eseal/").data.decode()
    assert 'id="pki-problem"' in page and "softhsm2" in page and "PKCS11_MODULE" in page
    crl = app.test_client().get("/verify/crl/issuing.crl")
    assert crl.status_code == 503 and "softhsm2" in crl.get_data(as_text=True)


def test_the_operator_opens_a_certificate_template(app, people):
    from models import CertificateTemplate

    template = CertificateTemplate(name="在职证明", title="在职证明", body="兹证明{holder_name}。", number_prefix="ZM")
    db.session.add(template)
    db.session.commit()
    operator = f.WebClient(app)
    operator.login(people["operator"].username)
    page = operator.get(f"/ca/templates/show/{template.id}")
    assert page.status_code == 200
    html = page.data.decode()
    assert "在职证明" in html and f"/ca/templates/issue/{template.id}" in html


def test_a_one_byte_tamper_is_reported_as_tampered_not_as_an_untrusted_chain(app, people):
    """The hash fails before the certificate is assessed: the report names the tamper and says the
    chain was not checked, instead of "证书链 不可信"."""
    from app.services.eseal import issued_documents

    document = issued_documents.issue(kind="template", number="ZM2026000778", title="证明",
                                      holder_name=people["enterprise"].name, enterprise_id=people["enterprise"].id)
    data = issued_documents.pdf_bytes(document)
    position = data.index(b"/Producer") if b"/Producer" in data else len(data) // 3
    tampered = data[:position + 2] + bytes([data[position + 2] ^ 0x01]) + data[position + 3:]
    anonymous = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', anonymous.get("/verify/").data.decode()).group(1)
    page = anonymous.post("/verify/", data={"csrf_token": token, "document": (io.BytesIO(tampered), "c.pdf")},
                          content_type="multipart/form-data").data.decode()
    assert 'data-sub-indication="HASH_FAILURE"' in page
    assert "文件已被篡改" in page
    assert "未检查：签章内容已被修改" in page
    assert "不可信" not in page and "HASH_FAILURE)" not in page
