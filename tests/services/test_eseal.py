"""E-seal service: application, papers, payment, key production on SoftHSM, renewal,
revocation with the CRL, the fee job, issued certificates and online verification."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.extensions import db
from app.pki import token as tk
from app.security import roles as R
from app.services.eseal import delivery, issued_documents, pki, seal_keys
from app.services.eseal import seal_application as svc
from app.services.errors import NotFound, ServiceError
from models import Enterprise, HandedOutPdf, OutboxMessage, SealApplication, WorkflowLog
from tests import factories

def one_page_pdf(text: str = "cover") -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, text)
    page.save()
    return out.getvalue()


ALL_PAPERS = {"stamped_form": True, "business_licence": True, "contact_id": True, "names_match": True}


def form_values(enterprise, **overrides):
    values = {"company_name": enterprise.name, "department": "质量部", "system_user_id": "cms-0512",
              "ems_contact": "张三", "ems_company": enterprise.name, "ems_department": "质量部",
              "ems_address": "北京市丰台区南四环西路188号", "ems_postcode": "100070", "ems_phone": "13800001111",
              "ems_email": "zhang@example.com", "business_department": "tech_sme", "years": "1"}
    values.update(overrides)
    return values


@pytest.fixture
def applicant(app, pkcs11_lib):
    user = factories.gen_applicant()
    factories.gen_enterprise(user, status="approved")
    return user


@pytest.fixture
def operator(app):
    return factories.gen_user(R.CA_OPERATOR)


def paid_application(user, operator, kind="first", key_id=None, years="1"):
    enterprise = db.session.get(Enterprise, user.enterprise_id)
    application = svc.apply(user, kind, form_values(enterprise, years=years), key_id=key_id)
    if kind != "renewal":
        svc.receive_papers(operator, application.id, ALL_PAPERS)
    svc.record_payment(user, application.id, {"payer_name": enterprise.name, "paid_amount": str(application.fee_amount),
                                              "paid_on": dt.date.today().isoformat()})
    svc.confirm_payment(operator, application.id)
    return application


def produced_key(user, operator):
    application = paid_application(user, operator)
    application, pin = seal_keys.produce(operator, application.id)
    return application.key, pin


# --- application form and fees ------------------------------------------------------------

def test_company_name_must_equal_the_registered_name_and_nothing_is_stored(applicant):
    enterprise = db.session.get(Enterprise, applicant.enterprise_id)
    with pytest.raises(ServiceError) as err:
        svc.apply(applicant, "first", form_values(enterprise, company_name="别的公司", ems_postcode="10007",
                                                  ems_email="not-mail"))
    assert "company_name" in err.value.field_errors and enterprise.name in err.value.field_errors["company_name"]
    assert {"ems_postcode", "ems_email"} <= set(err.value.field_errors)
    db.session.rollback()
    assert db.session.execute(select(SealApplication)).first() is None


def test_fee_comes_from_the_schedule_and_the_form_prints(applicant, app):
    enterprise = db.session.get(Enterprise, applicant.enterprise_id)
    application = svc.apply(applicant, "first", form_values(enterprise, years="3"))
    assert application.fee_amount == Decimal("3000.00")  # first key with its year + 2 more years
    assert application.status == "submitted"
    log = db.session.execute(select(WorkflowLog).where(WorkflowLog.record_type == "seal_application")).scalar_one()
    assert log.action == "apply"


def test_application_needs_an_approved_registration(app):
    user = factories.gen_applicant()
    factories.gen_enterprise(user, status="submitted")
    with pytest.raises(ServiceError):
        svc.defaults(user)


# --- papers and payment ------------------------------------------------------------------

def test_papers_missing_or_names_not_confirmed_keep_the_application_waiting(applicant, operator):
    enterprise = db.session.get(Enterprise, applicant.enterprise_id)
    application = svc.apply(applicant, "first", form_values(enterprise))
    with pytest.raises(ServiceError) as err:
        svc.receive_papers(operator, application.id, {"stamped_form": True, "names_match": True})
    assert "营业执照" in err.value.message or "business licence" in err.value.message.lower()
    with pytest.raises(ServiceError):
        svc.receive_papers(operator, application.id, {**ALL_PAPERS, "names_match": False})
    # An agent's application also needs the authorization letter.
    with pytest.raises(ServiceError):
        svc.receive_papers(operator, application.id, {**ALL_PAPERS, "via_agent": True})
    assert db.session.get(SealApplication, application.id).status == "submitted"
    svc.return_papers(operator, application.id, "公章名称与申请人名称不一致")
    application = db.session.get(SealApplication, application.id)
    assert application.status == "papers_returned" and "不一致" in application.return_reason
    svc.update(applicant, application.id, form_values(enterprise, department="办公室"))
    svc.resubmit(applicant, application.id)
    svc.receive_papers(operator, application.id, {**ALL_PAPERS, "via_agent": True, "authorization_letter": True})
    assert db.session.get(SealApplication, application.id).status == "papers_received"


def test_payment_flags_another_payer_and_is_confirmed_only_when_enough(applicant, operator):
    enterprise = db.session.get(Enterprise, applicant.enterprise_id)
    application = svc.apply(applicant, "first", form_values(enterprise))
    svc.receive_papers(operator, application.id, ALL_PAPERS)
    with pytest.raises(ServiceError):  # nothing recorded yet
        svc.confirm_payment(operator, application.id)
    svc.record_payment(applicant, application.id, {"payer_name": "李四", "paid_amount": "500",
                                                   "paid_on": dt.date.today().isoformat()})
    application = db.session.get(SealApplication, application.id)
    assert application.payer_differs is True and application.invoice_title == "李四"
    with pytest.raises(ServiceError) as err:
        svc.confirm_payment(operator, application.id)
    assert "500" in err.value.message
    svc.reject_payment(operator, application.id, "银行未到账")
    assert db.session.get(SealApplication, application.id).payment_recorded_at is None
    with pytest.raises(ServiceError) as err:  # an invoice title other than the payer needs the statement
        svc.record_payment(applicant, application.id, {"payer_name": enterprise.name, "paid_amount": "1000",
                                                       "paid_on": dt.date.today().isoformat(), "invoice_title": "别的抬头"})
    assert "invoice_statement" in err.value.field_errors
    db.session.rollback()
    svc.record_payment(applicant, application.id, {"payer_name": enterprise.name, "paid_amount": "1000.00",
                                                   "paid_on": dt.date.today().isoformat(), "invoice_title": "别的抬头",
                                                   "invoice_mailing": "separate"},
                       statement=(io.BytesIO(factories.PDF_MIN), "statement.pdf"))
    svc.confirm_payment(operator, application.id)
    application = db.session.get(SealApplication, application.id)
    assert application.status == "paid" and application.payer_differs is False
    with pytest.raises(ServiceError) as err:  # mailed separately: the registered-mail number is needed
        delivery.issue_invoice(operator, application.id, "INV2026001")
    assert "invoice_tracking" in err.value.field_errors
    delivery.issue_invoice(operator, application.id, "INV2026001", "RR123456789CN")
    assert db.session.get(SealApplication, application.id).invoice_number == "INV2026001"


def test_applicant_cannot_act_as_operator_nor_see_another_enterprise(applicant, operator):
    enterprise = db.session.get(Enterprise, applicant.enterprise_id)
    application = svc.apply(applicant, "first", form_values(enterprise))
    with pytest.raises(ServiceError) as err:
        svc.receive_papers(applicant, application.id, ALL_PAPERS)
    assert err.value.status_code == 403
    other = factories.gen_applicant()
    factories.gen_enterprise(other, status="approved")
    with pytest.raises(NotFound):
        svc.own(other, application.id)
    with pytest.raises(NotFound):
        svc.record_payment(other, application.id, {})


# --- keys on the token ---------------------------------------------------------------------

def test_produced_key_is_non_extractable_and_its_certificate_is_on_the_token(applicant, operator, pkcs11_lib):
    key, pin = produced_key(applicant, operator)
    assert len(pin) == 8 and pin.isdigit()
    cert = seal_keys.current_certificate(key)
    enterprise = key.enterprise
    with tk.TokenSession(pkcs11_lib, key.token_label, pin) as session:
        attributes = session.private_key_attributes(bytes.fromhex(key.key_ref))
        assert attributes["extractable"] is False and attributes["sensitive"] is True
        assert session.read_certificate(bytes.fromhex(key.key_ref)) == cert.der
        assert session.read_data(seal_keys.SEAL_IMAGE_LABEL).startswith(b"\x89PNG")
    from asn1crypto import x509

    parsed = x509.Certificate.load(cert.der)
    assert parsed.subject.native["common_name"] == enterprise.name
    assert set(parsed.key_usage_value.native) == {"digital_signature", "non_repudiation"}
    assert parsed.issuer == pki.ensure_ca().issuing.subject
    assert key.paid_until == seal_keys.rules.add_years(seal_keys._today(), 1)
    assert cert.not_after.date() in (key.paid_until, key.paid_until - dt.timedelta(days=1))


def test_renewal_issues_a_new_certificate_for_the_same_key(applicant, operator):
    key, _pin = produced_key(applicant, operator)
    first_until = key.paid_until
    application = paid_application(applicant, operator, kind="renewal", key_id=key.id, years="2")
    assert application.fee_amount == Decimal("2000.00")
    application, pin = seal_keys.produce(operator, application.id)
    assert pin is None and application.status == "renewed"
    db.session.refresh(key)
    assert key.paid_until == seal_keys.rules.add_years(first_until, 2)
    assert len(key.certificates) == 2
    assert key.certificates[0].der != key.certificates[1].der
    from asn1crypto import x509

    old, new = (x509.Certificate.load(c.der) for c in key.certificates)
    assert old.public_key.dump() == new.public_key.dump()


def test_revocation_publishes_the_crl(applicant, operator, app):
    key, _pin = produced_key(applicant, operator)
    serial = int(seal_keys.current_certificate(key).serial, 16)
    with pytest.raises(ServiceError):
        seal_keys.revoke(applicant, key.id, "whatever")
    seal_keys.revoke(applicant, key.id, "key_compromise")
    from asn1crypto import crl

    published = crl.CertificateList.load(app.test_client().get("/verify/crl/issuing.crl").data)
    revoked = {entry["user_certificate"].native for entry in published["tbs_cert_list"]["revoked_certificates"]}
    assert serial in revoked
    assert seal_keys.display_status(key) == "revoked"


def test_fee_job_reminds_30_7_1_days_before_and_marks_overdue(applicant, operator):
    key, _pin = produced_key(applicant, operator)
    end = key.paid_until
    for days_before, expected in ((31, 0), (30, 1), (29, 0), (7, 1), (2, 0), (1, 1), (0, 0)):
        assert seal_keys.fee_tick(end - dt.timedelta(days=days_before))["reminded"] == expected, days_before
    sms = db.session.execute(select(OutboxMessage).where(
        OutboxMessage.channel == "sms", OutboxMessage.template == "seal_fee_due")).scalars().all()
    assert len(sms) == 3 and all(key.token_label in m.body for m in sms)
    assert seal_keys.fee_tick(end + dt.timedelta(days=1))["overdue"] == 1
    db.session.refresh(key)
    assert key.status == "overdue"
    assert seal_keys.display_status(key, end + dt.timedelta(days=1)) == "overdue"
    assert seal_keys.fee_tick(end + dt.timedelta(days=2))["overdue"] == 0  # idempotent


# --- certificates the platform issues -------------------------------------------------------

def issue(number="ZM2026000001", **kw):
    return issued_documents.issue(kind="template", number=number, title="证明", holder_name="测试企业有限公司",
                                  credit_code="", paragraphs=["兹证明。"], **kw)


def test_issued_certificate_verifies_and_a_new_version_supersedes(app, pkcs11_lib):
    first = issue()
    result = issued_documents.verify_issued(first.number, 1)
    assert result.indication == "TOTAL_PASSED", result.reports
    assert result.document_status == "current" and result.matches_issued is True
    assert result.reports[0].trusted and not result.reports[0].revoked
    second = issue()
    assert second.version == 2
    old = issued_documents.verify_issued(first.number, 1)
    assert old.indication == "TOTAL_PASSED" and old.document_status == "superseded" and old.current_version == 2


def test_tampered_or_extended_certificate_is_reported(app, pkcs11_lib):
    document = issue()
    data = issued_documents.pdf_bytes(document)
    # One byte of the signed content changed.
    position = data.index(b"/Producer") if b"/Producer" in data else len(data) // 3
    tampered = data[:position + 2] + bytes([data[position + 2] ^ 0x01]) + data[position + 3:]
    result = issued_documents.verify(tampered)
    assert result.indication != "TOTAL_PASSED"
    # Content appended after signing (an incremental update drawing on the page).
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.stamp import TextStamp, TextStampStyle
    
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    TextStamp(writer, TextStampStyle(stamp_text="VALID UNTIL 2099")).apply(0, 72, 600)
    out = io.BytesIO()
    writer.write(out)
    result = issued_documents.verify(out.getvalue())
    assert result.indication != "TOTAL_PASSED"
    assert any(r.modified_after_signing for r in result.reports)
    assert result.matches_issued is True  # the signed part is still what was issued


def test_revoked_certificate_document_is_reported_revoked(app, pkcs11_lib, operator):
    document = issue()
    issued_documents.revoke(operator, document.id, "信息有误")
    result = issued_documents.verify_issued(document.number, document.version)
    assert result.document_status == "revoked"


# --- PDFs signed by the enterprise ------------------------------------------------------------

def test_enterprise_signed_pdf_is_accepted_only_for_the_handed_out_document(applicant, operator, pkcs11_lib):
    from app.pki.signer import TokenSigner, sign_pdf

    key, pin = produced_key(applicant, operator)
    handed = one_page_pdf("handed out")
    issued_documents.hand_out("sme_cover", 4711, applicant.enterprise_id, handed)
    authority = pki.ensure_ca()
    from asn1crypto import x509

    cert = x509.Certificate.load(seal_keys.current_certificate(key).der)
    with tk.TokenSession(pkcs11_lib, key.token_label, pin) as session:
        signer = TokenSigner(session, key_id=bytes.fromhex(key.key_ref), signing_cert=cert,
                             chain=[authority.issuing])
        signed = sign_pdf(handed, signer, field_name="Enterprise")
        other_doc = sign_pdf(one_page_pdf("something else"), signer, field_name="Enterprise")
    issued_documents.check_enterprise_signature(signed, purpose="sme_cover", record_id=4711,
                                                enterprise_id=applicant.enterprise_id)
    with pytest.raises(ServiceError) as err:  # not what Shenbao handed out for this record
        issued_documents.check_enterprise_signature(other_doc, purpose="sme_cover", record_id=4711,
                                                    enterprise_id=applicant.enterprise_id)
    assert "downloaded" in err.value.message or "下载" in err.value.message
    other = factories.gen_applicant()
    factories.gen_enterprise(other, status="approved")
    with pytest.raises(ServiceError):  # another enterprise's key
        issued_documents.check_enterprise_signature(signed, purpose="sme_cover", record_id=4711,
                                                    enterprise_id=other.enterprise_id)
    seal_keys.revoke(applicant, key.id, "key_compromise")
    with pytest.raises(ServiceError) as err:
        issued_documents.check_enterprise_signature(signed, purpose="sme_cover", record_id=4711,
                                                    enterprise_id=applicant.enterprise_id)
    assert "revoked" in err.value.message or "吊销" in err.value.message
    assert db.session.execute(select(HandedOutPdf)).scalar_one().sha256 == hashlib.sha256(handed).hexdigest()


def test_operator_issues_from_a_template_and_reissues_a_new_version(applicant, operator):
    from app.services.eseal import certificate_templates
    from models import CertificateTemplate

    template = db.session.execute(select(CertificateTemplate)).scalars().first()
    enterprise = db.session.get(Enterprise, applicant.enterprise_id)
    with pytest.raises(ServiceError) as err:
        certificate_templates.issue_from_template(operator, template.id, {"credit_code": "123"})
    assert "credit_code" in err.value.field_errors
    first = certificate_templates.issue_from_template(
        operator, template.id, {"credit_code": enterprise.credit_code, "fields": "事项：已通过年度审核\n有效期：一年"})
    assert first.holder_name == enterprise.name and first.enterprise_id == enterprise.id and first.version == 1
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(issued_documents.pdf_bytes(first))).pages)
    assert "已通过年度审核" in text and enterprise.name in text and first.number in text
    again = certificate_templates.issue_from_template(operator, template.id, {"credit_code": enterprise.credit_code,
                                                                              "number": first.number})
    assert again.number == first.number and again.version == 2
    assert issued_documents.verify_issued(first.number, 1).document_status == "superseded"
    with pytest.raises(ServiceError):  # a new version goes to the same holder
        certificate_templates.issue_from_template(operator, template.id, {"holder_name": "别人", "number": first.number})


def test_placeholders_cannot_reach_attributes():
    from app.services.eseal.certificate_templates import fill

    assert fill("{holder_name}获奖", {"holder_name": "甲公司"}) == "甲公司获奖"
    assert fill("{holder_name.__class__}", {"holder_name": "甲"}) == "{holder_name.__class__}"


def test_fee_job_runs_on_the_scheduler_clock(applicant, operator, app):
    from app.jobs import eseal_fee_job

    key, _pin = produced_key(applicant, operator)
    counts = eseal_fee_job(app, clock=lambda: key.paid_until - dt.timedelta(days=7))
    assert counts == {"reminded": 1, "overdue": 0, "suspended": 0}
    mail = db.session.execute(select(OutboxMessage).where(
        OutboxMessage.channel == "email", OutboxMessage.template == "seal_fee_due")).scalars().all()
    assert len(mail) == 1 and "7" in mail[0].body


def test_sign_pdf_command_signs_with_the_usb_key(applicant, operator, app, tmp_path, monkeypatch):
    key, pin = produced_key(applicant, operator)
    source = tmp_path / "in.pdf"
    source.write_bytes(one_page_pdf("sign me"))
    target = tmp_path / "out.pdf"
    monkeypatch.setenv("KEY_PIN", pin)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["sign-pdf", "--module", tk.DEFAULT_MODULE, "--token", key.token_label,
                                 "--pin-env", "KEY_PIN", str(source), str(target)])
    assert result.exit_code == 0, result.output
    from app.pki.verify import verify_pdf

    (report,) = verify_pdf(target.read_bytes(), **pki.validation_material())
    assert report.indication == "TOTAL_PASSED" and report.signer_organization == key.enterprise.name
    monkeypatch.setenv("KEY_PIN", "00000000")
    bad = runner.invoke(args=["sign-pdf", "--module", tk.DEFAULT_MODULE, "--token", key.token_label,
                              "--pin-env", "KEY_PIN", str(source), str(target)])
    assert bad.exit_code != 0 and "PIN" in bad.output


def test_signed_cover_replaces_the_stamped_scan(app, pkcs11_lib, operator):
    from app.pki.signer import TokenSigner, sign_pdf
    from app.services import sme, sme_documents
    from asn1crypto import x509

    evaluation = factories.gen_sme()
    user = db.session.execute(select(factories.ShenbaoUser).where(
        factories.ShenbaoUser.enterprise_id == evaluation.enterprise_id)).scalar_one()
    key, pin = produced_key(user, operator)
    cover = issued_documents.hand_out("sme_cover", evaluation.id, evaluation.enterprise_id,
                                      sme_documents.cover_pdf(evaluation))
    cert = x509.Certificate.load(seal_keys.current_certificate(key).der)
    with tk.TokenSession(pkcs11_lib, key.token_label, pin) as session:
        signer = TokenSigner(session, key_id=bytes.fromhex(key.key_ref), signing_cert=cert)
        signed = sign_pdf(cover, signer, field_name="Enterprise", stamp_image_png=session.read_data("seal image"))
    attachment = sme.upload_cover(user, evaluation.id, io.BytesIO(signed), "cover-signed.pdf")
    assert attachment.size == len(signed)
    with pytest.raises(ServiceError):  # looks signed, is not: refused, the accepted cover stays
        sme.upload_cover(user, evaluation.id, io.BytesIO(one_page_pdf("x")[:-10] + b"/ByteRange [0 1 2 3]\n%%EOF\n"),
                         "fake.pdf")
    db.session.rollback()
    assert db.session.get(type(evaluation), evaluation.id).cover_attachment_id == attachment.id


def test_a_custom_seal_design_goes_onto_the_next_key_not_the_protected_one(applicant, operator, pkcs11_lib):
    import base64

    key, pin = produced_key(applicant, operator)
    with tk.TokenSession(pkcs11_lib, key.token_label, pin) as session:
        original = session.read_data(seal_keys.SEAL_IMAGE_LABEL)
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGBA", (64, 64), (200, 0, 0, 255)).save(out, "PNG")
    custom = out.getvalue()
    seal_keys.replace_seal_image(operator, key.id, io.BytesIO(custom), "custom-seal.png")
    with tk.TokenSession(pkcs11_lib, key.token_label, pin) as session:
        assert session.read_data(seal_keys.SEAL_IMAGE_LABEL) == original  # the issued seal stays
    replacement = paid_application(applicant, operator, kind="replacement", key_id=key.id)
    replacement, new_pin = seal_keys.produce(operator, replacement.id)
    with tk.TokenSession(pkcs11_lib, replacement.key.token_label, new_pin) as session:
        assert session.read_data(seal_keys.SEAL_IMAGE_LABEL) == custom
    with pytest.raises(ServiceError):  # not an image by content
        seal_keys.replace_seal_image(operator, key.id, io.BytesIO(b"GIF89a" + base64.b64encode(b"x")), "seal.png")
    with pytest.raises(ServiceError) as err:  # applicants do not design seals
        seal_keys.replace_seal_image(applicant, key.id, io.BytesIO(custom), "seal.png")
    assert err.value.status_code == 403


def test_the_holder_cannot_delete_or_swap_the_certificate_and_seal(applicant, operator, pkcs11_lib):
    import PyKCS11

    key, pin = produced_key(applicant, operator)
    slot = tk.find_token(pkcs11_lib, key.token_label)
    public = pkcs11_lib.openSession(slot, PyKCS11.CKF_SERIAL_SESSION | PyKCS11.CKF_RW_SESSION)
    try:
        # Without the PIN the seal picture is not even visible; the certificate cannot be removed.
        assert public.findObjects([(PyKCS11.CKA_CLASS, PyKCS11.CKO_DATA)]) == []
        (cert,) = public.findObjects([(PyKCS11.CKA_CLASS, PyKCS11.CKO_CERTIFICATE),
                                      (PyKCS11.CKA_ID, tuple(bytes.fromhex(key.key_ref)))])
        with pytest.raises(PyKCS11.PyKCS11Error, match="CKR_ACTION_PROHIBITED|CKR_ATTRIBUTE_READ_ONLY"):
            public.destroyObject(cert)
        with pytest.raises(PyKCS11.PyKCS11Error):
            public.setAttributeValue(cert, [(PyKCS11.CKA_VALUE, tuple(b"x"))])
        # Even with the PIN the issued seal cannot be destroyed or overwritten.
        public.login(pin)
        (image,) = public.findObjects([(PyKCS11.CKA_CLASS, PyKCS11.CKO_DATA)])
        with pytest.raises(PyKCS11.PyKCS11Error, match="CKR_ACTION_PROHIBITED|CKR_ATTRIBUTE_READ_ONLY"):
            public.destroyObject(image)
        with pytest.raises(PyKCS11.PyKCS11Error):
            public.setAttributeValue(image, [(PyKCS11.CKA_VALUE, tuple(b"x"))])
    finally:
        public.closeSession()


def test_signing_refuses_a_seal_picture_not_issued_with_the_certificate(app, pkcs11_lib, tmp_path, monkeypatch):
    """A token whose certificate names one seal while the token holds another (swapped)."""
    import hashlib
    import secrets

    label, user_pin = f"swap-{secrets.token_hex(6)}", "12345678"
    tk.init_token(pkcs11_lib, label, "so-pin-x", user_pin)
    with tk.TokenSession(pkcs11_lib, label, user_pin) as session:
        spki = session.generate_ec_key(b"k1", "seal")
        cert = pki.issue_key_certificate(subject_name="甲公司", credit_code="91110000600037341N",
                                         public_key_info=spki, not_after=dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc),
                                         seal_sha256=hashlib.sha256(b"the issued seal").digest())
        session.write_certificate(b"k1", "seal", cert.dump(), protected=True)
        session.write_data(seal_keys.SEAL_IMAGE_LABEL, seal_keys.render_seal_image("乙公司"), protected=True)
    source = tmp_path / "in.pdf"
    source.write_bytes(one_page_pdf("swap"))
    monkeypatch.setenv("KEY_PIN", user_pin)
    result = app.test_cli_runner().invoke(args=["sign-pdf", "--module", tk.DEFAULT_MODULE, "--token", label,
                                                "--pin-env", "KEY_PIN", str(source), str(tmp_path / "out.pdf")])
    assert result.exit_code != 0 and "not the one issued with its certificate" in result.output
    assert not (tmp_path / "out.pdf").exists()


def test_operator_steps_refuse_the_applicant_even_on_its_own_records(applicant, operator):
    enterprise = db.session.get(Enterprise, applicant.enterprise_id)
    application = svc.apply(applicant, "first", form_values(enterprise))
    svc.record_payment(applicant, application.id, {"payer_name": enterprise.name, "paid_amount": "1000",
                                                   "paid_on": dt.date.today().isoformat()})
    for step in (lambda: svc.reject_payment(applicant, application.id, "x"),
                 lambda: delivery.issue_invoice(applicant, application.id, "INV000001"),
                 lambda: delivery.ship(applicant, application.id, "EA123456789CN"),
                 lambda: issued_documents.revoke(applicant, issue(enterprise_id=enterprise.id).id, "x")):
        with pytest.raises(ServiceError) as err:
            step()
        assert err.value.status_code == 403
        db.session.rollback()


def test_an_unpaid_key_is_suspended_on_hold_and_a_renewal_reinstates_it(applicant, operator, app):
    from asn1crypto import crl

    from models import InboxMessage

    def held_serials() -> dict:
        published = crl.CertificateList.load(app.test_client().get("/verify/crl/issuing.crl").data)
        return {entry["user_certificate"].native: entry["crl_entry_extensions"].native
                for entry in published["tbs_cert_list"]["revoked_certificates"]}

    key, _pin = produced_key(applicant, operator)
    serial = int(seal_keys.current_certificate(key).serial, 16)
    end = key.paid_until
    assert seal_keys.fee_tick(end + dt.timedelta(days=1))["overdue"] == 1
    assert seal_keys.fee_tick(end + dt.timedelta(days=30))["suspended"] == 0  # still within the grace period
    assert seal_keys.fee_tick(end + dt.timedelta(days=31))["suspended"] == 1
    db.session.refresh(key)
    assert key.status == "suspended"
    entry = held_serials()[serial]
    assert any(ext["extn_value"] == "certificate_hold" for ext in entry)
    messages = db.session.execute(select(InboxMessage).where(InboxMessage.template == "seal_key_suspended")).scalars().all()
    assert messages and key.token_label in messages[0].body

    application = paid_application(applicant, operator, kind="renewal", key_id=key.id)
    seal_keys.produce(operator, application.id)
    db.session.refresh(key)
    assert key.status == "active" and key.paid_until > end
    assert serial not in held_serials()
    log = [e.action for e in db.session.execute(select(WorkflowLog).where(
        WorkflowLog.record_type == "seal_key", WorkflowLog.record_id == key.id).order_by(WorkflowLog.id)).scalars()]
    assert [a for a in log if a in ("overdue", "suspend", "reinstate")] == ["overdue", "suspend", "reinstate"]
    assert db.session.execute(select(OutboxMessage).where(OutboxMessage.template == "seal_key_reinstated")).first()
