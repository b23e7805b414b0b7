"""app.pki: keys on SoftHSM, X.509/CRL building, PAdES signing and validation, the seal.

One CA (root + issuing, keys on one token) and one signer token are shared by the
module; tokens get uuid labels in the session's private SoftHSM directory
(tests/pki_support.py).
"""
from __future__ import annotations

import io
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from cryptography import x509 as cx509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_der_public_key
from PIL import Image
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from app.pki import token as pki_token
from app.pki import x509 as pki_x509
from app.pki.seal_image import render_seal
from app.pki.signer import TokenSigner, sign_pdf
from app.pki.verify import UnreadablePdf, verify_pdf
from tests.pki_support import SO_PIN, USER_PIN, make_test_ca

ORG = "北京某某科技有限公司"
ORG_ID = "91110000MA01ABCD2X"
CN = "张三"


def _pdf(text: str = "Declaration 12345") -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, pageCompression=0)  # readable content stream
    c.drawString(72, 760, text)
    c.showPage()
    c.save()
    return buf.getvalue()


@pytest.fixture(scope="module")
def ca(pkcs11_lib):
    return make_test_ca(pkcs11_lib)


@pytest.fixture(scope="module")
def signer_ee(ca):
    return ca.issue_end_entity(CN, ORG, ORG_ID)


@pytest.fixture(scope="module")
def crl(ca):
    return ca.crl()


@pytest.fixture(scope="module")
def seal_png():
    return render_seal(ORG, size=300)


def _sign(ee, ca, pdf: bytes, **kwargs) -> bytes:
    with ee.session() as session:
        signer = TokenSigner(session, key_id=ee.key_id, signing_cert=ee.cert, chain=ca.chain)
        return sign_pdf(pdf, signer, **kwargs)


@pytest.fixture(scope="module")
def signed_pdf(ca, signer_ee, seal_png):
    return _sign(signer_ee, ca, _pdf(), field_name="EnterpriseSig", reason="申报", stamp_image_png=seal_png)


def _verify(ca, pdf: bytes, crls, **kwargs):
    return verify_pdf(pdf, trust_roots=[ca.root], other_certs=[ca.issuing], crls=crls, **kwargs)


# -- token -----------------------------------------------------------------------------

def test_key_generated_on_token_is_not_extractable(pkcs11_lib):
    label = "k-" + uuid.uuid4().hex[:20]
    pki_token.init_token(pkcs11_lib, label, SO_PIN, USER_PIN)
    with pki_token.TokenSession(pkcs11_lib, label, USER_PIN) as session:
        spki = session.generate_ec_key(b"\x01\x02", "signing key")
        attrs = session.private_key_attributes(b"\x01\x02")
        assert attrs["sensitive"] is True
        assert attrs["extractable"] is False
        assert attrs["value_readable"] is False
        assert attrs["decrypt"] is False and attrs["derive"] is False
        assert session.public_key_info(b"\x01\x02") == spki
        assert session.list_key_ids() == [b"\x01\x02"]
        # the token signs, and the public key verifies it
        signature = session.sign(b"\x01\x02", b"payload")
    load_der_public_key(spki).verify(signature, b"payload", ec.ECDSA(hashes.SHA256()))


def test_token_errors(pkcs11_lib, ca):
    with pytest.raises(pki_token.TokenError, match="wrong PIN"):
        pki_token.TokenSession(pkcs11_lib, ca.label, "not-the-pin").open()
    with pytest.raises(pki_token.TokenError, match="no PKCS#11 token"):
        pki_token.TokenSession(pkcs11_lib, "no-such-token", USER_PIN).open()
    with pytest.raises(pki_token.TokenError, match="already exists"):
        pki_token.init_token(pkcs11_lib, ca.label, SO_PIN, USER_PIN)
    with pytest.raises(pki_token.Pkcs11Unavailable, match="apt-get install softhsm2"):
        pki_token.library("/nonexistent/libpkcs11.so")
    # a public session sees certificates but cannot use private keys
    with pki_token.TokenSession(pkcs11_lib, ca.label, None) as public:
        assert public.read_certificate(ca.ROOT_KEY) == ca.root.dump()
        with pytest.raises(pki_token.TokenError, match="not logged in"):
            public.sign(ca.ROOT_KEY, b"x")


def test_certificate_and_data_objects_round_trip(pkcs11_lib, ca, signer_ee, seal_png):
    with signer_ee.session() as session:
        assert session.read_certificate(signer_ee.key_id) == signer_ee.cert.dump()
        # writing again replaces, never duplicates
        session.write_certificate(signer_ee.key_id, "again", signer_ee.cert.dump())
        assert session.read_certificate(signer_ee.key_id) == signer_ee.cert.dump()
        assert session.read_certificate(b"missing") is None
        session.write_data("seal.png", b"old")
        session.write_data("seal.png", seal_png)
    with pki_token.TokenSession(pkcs11_lib, signer_ee.label, None) as public:
        assert public.read_data("seal.png") == seal_png
        assert public.read_data("nothing") is None


# -- X.509 -------------------------------------------------------------------------------

def test_end_entity_certificate_chain(ca, signer_ee):
    root = cx509.load_der_x509_certificate(ca.root.dump())
    issuing = cx509.load_der_x509_certificate(ca.issuing.dump())
    ee = cx509.load_der_x509_certificate(signer_ee.cert.dump())
    root.verify_directly_issued_by(root)
    issuing.verify_directly_issued_by(root)
    ee.verify_directly_issued_by(issuing)

    ku = ee.extensions.get_extension_for_class(cx509.KeyUsage)
    assert ku.critical and ku.value.digital_signature and ku.value.content_commitment
    assert not ku.value.key_cert_sign
    assert ee.extensions.get_extension_for_class(cx509.BasicConstraints).value.ca is False
    assert issuing.extensions.get_extension_for_class(cx509.BasicConstraints).value.ca is True
    assert issuing.extensions.get_extension_for_class(cx509.KeyUsage).value.key_cert_sign
    dp = ee.extensions.get_extension_for_class(cx509.CRLDistributionPoints).value
    assert dp[0].full_name[0].value == ca.crl_url
    aki = ee.extensions.get_extension_for_class(cx509.AuthorityKeyIdentifier).value
    ski = issuing.extensions.get_extension_for_class(cx509.SubjectKeyIdentifier).value
    assert aki.key_identifier == ski.digest

    subject = signer_ee.cert.subject.native
    assert subject["common_name"] == CN
    assert subject["organization_name"] == ORG
    assert subject["organization_identifier"] == ORG_ID
    assert ee.subject.get_attributes_for_oid(cx509.NameOID.ORGANIZATION_NAME)[0].value == ORG
    # ≥ 64 random bits, positive, within RFC 5280's 20 octets; fits the String(40) hex column
    assert 2**126 <= signer_ee.cert.serial_number < 2**127
    assert len(format(signer_ee.cert.serial_number, "x")) <= 40


def test_serials_are_random_and_aia_and_policies_are_written(ca):
    from app.pki import oids

    serials = {pki_x509.new_serial() for _ in range(200)}
    assert len(serials) == 200 and all(2**126 <= s < 2**127 for s in serials)
    now = datetime.now(timezone.utc)
    with ca.session() as session:
        cert = pki_x509.issue_certificate(
            issuer=ca.issuing, sign=lambda tbs: session.sign(ca.ISSUING_KEY, tbs),
            subject=pki_x509.subject_name("某某有限公司", "某某有限公司", pki_x509.trade_register_identifier(ORG_ID),
                                          serial_number=ORG_ID),
            public_key_info=ca.issuing.public_key.dump(), serial=pki_x509.new_serial(), not_before=now,
            not_after=now + timedelta(days=1), crl_url=ca.crl_url, ca_issuers_url="http://pki.test/ca/issuing.crt",
            ocsp_url="http://pki.test/ocsp", policies=[oids.POLICY_ESEAL])
    parsed = cx509.load_der_x509_certificate(cert.dump())
    aia = parsed.extensions.get_extension_for_class(cx509.AuthorityInformationAccess).value
    assert {(d.access_method, d.access_location.value) for d in aia} == {
        (cx509.AuthorityInformationAccessOID.OCSP, "http://pki.test/ocsp"),
        (cx509.AuthorityInformationAccessOID.CA_ISSUERS, "http://pki.test/ca/issuing.crt")}
    policies = parsed.extensions.get_extension_for_class(cx509.CertificatePolicies).value
    assert [p.policy_identifier.dotted_string for p in policies] == [oids.POLICY_ESEAL]
    assert parsed.subject.get_attributes_for_oid(cx509.NameOID.SERIAL_NUMBER)[0].value == ORG_ID
    assert cert.subject.native["organization_identifier"] == f"NTRCN-{ORG_ID}"
    assert pki_x509.credit_code(cert.subject) == ORG_ID
    assert pki_x509.credit_code(ca.issuing.subject) is None


def test_a_certificate_made_before_the_prefix_still_reads_its_credit_code(signer_ee):
    assert signer_ee.cert.subject.native["organization_identifier"] == ORG_ID  # bare, as issued before
    assert pki_x509.credit_code(signer_ee.cert.subject) == ORG_ID


def test_crl_lists_reasons(ca):
    now = datetime.now(timezone.utc)
    crl = ca.crl([(11, now, "key_compromise"), (12, now, "superseded"),
                  (13, now, "cessation_of_operation"), (14, now, "unspecified")])
    parsed = cx509.load_der_x509_crl(crl.dump())
    assert parsed.is_signature_valid(cx509.load_der_x509_certificate(ca.issuing.dump()).public_key())
    reasons = {}
    for entry in parsed:
        try:
            reasons[entry.serial_number] = entry.extensions.get_extension_for_class(cx509.CRLReason).value.reason.name
        except cx509.ExtensionNotFound:
            reasons[entry.serial_number] = None
    assert reasons == {11: "key_compromise", 12: "superseded", 13: "cessation_of_operation", 14: None}
    assert parsed.extensions.get_extension_for_class(cx509.CRLNumber).value.crl_number >= 1
    with pytest.raises(ValueError):
        ca.crl([(15, now, "bored")])


# -- sign and verify ------------------------------------------------------------------

def test_signed_pdf_verifies(ca, signed_pdf, crl):
    (report,) = _verify(ca, signed_pdf, [crl])
    assert report.indication == "TOTAL_PASSED", report
    assert report.sub_indication is None
    assert report.intact and report.valid and report.trusted
    assert not report.revoked and not report.expired and not report.modified_after_signing
    assert report.field_name == "EnterpriseSig"
    assert report.signer_organization == ORG
    assert report.signer_common_name == CN
    assert report.signer_organization_identifier == ORG_ID
    assert report.coverage == "ENTIRE_FILE"
    assert report.signed_revision_length == len(signed_pdf)
    assert report.signing_time is not None
    assert abs(report.signing_time - datetime.now(timezone.utc)) < timedelta(minutes=5)


def test_unsigned_and_unreadable(ca, crl):
    assert _verify(ca, _pdf(), [crl]) == []
    with pytest.raises(UnreadablePdf):
        _verify(ca, b"this is not a pdf", [crl])
    with pytest.raises(UnreadablePdf):
        _verify(ca, _pdf()[:200], [crl])


def test_corrupt_signature_container_gives_a_report(ca, signed_pdf, crl):
    # /Contents is outside the ByteRange: garbling its first bytes breaks the CMS
    # structure but not the PDF; the result must be a failed report, not a crash
    start = signed_pdf.index(b"/Contents <") + len(b"/Contents <")
    garbled = signed_pdf[:start] + b"ff" * 8 + signed_pdf[start + 16:]
    (report,) = _verify(ca, garbled, [crl])
    assert report.indication == "TOTAL_FAILED"
    assert report.sub_indication == "FORMAT_FAILURE"
    assert report.message
    assert report.signed_revision_length == len(signed_pdf)


def test_byte_changed_in_signed_content_fails(ca, signed_pdf, crl):
    # change the amount in the page content: same length, so the xref stays valid
    assert signed_pdf.count(b"Declaration 12345") == 1
    tampered = signed_pdf.replace(b"Declaration 12345", b"Declaration 92345")
    try:
        reports = _verify(ca, tampered, [crl])
    except UnreadablePdf:
        return
    assert reports, "signature vanished"
    assert reports[0].indication != "TOTAL_PASSED"
    assert reports[0].intact is False


def test_content_added_after_signing_is_detected(ca, signed_pdf, crl):
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.stamp import TextStamp, TextStampStyle

    writer = IncrementalPdfFileWriter(io.BytesIO(signed_pdf))
    TextStamp(writer, TextStampStyle(stamp_text="AMOUNT: 1,000,000")).apply(0, 72, 600)
    out = io.BytesIO()
    writer.write(out)
    tampered = out.getvalue()

    (report,) = _verify(ca, tampered, [crl])
    assert report.indication != "TOTAL_PASSED"
    assert report.modified_after_signing is True
    assert report.intact is True  # the signed bytes themselves are untouched
    assert report.coverage == "ENTIRE_REVISION"
    assert report.signed_revision_length < len(tampered)
    assert tampered[: report.signed_revision_length] == signed_pdf


def test_revoked_certificate_fails(ca, signed_pdf, signer_ee):
    revoked_crl = ca.crl([(signer_ee.cert.serial_number, datetime.now(timezone.utc) - timedelta(minutes=1),
                           "key_compromise")])
    (report,) = _verify(ca, signed_pdf, [revoked_crl])
    assert report.revoked is True
    assert report.indication != "TOTAL_PASSED"
    assert report.sub_indication == "REVOKED"


def test_missing_crl_is_a_hard_failure(ca, signed_pdf):
    (report,) = _verify(ca, signed_pdf, [])
    assert report.indication != "TOTAL_PASSED"
    assert report.trusted is False


def test_expired_certificate_fails(ca, signed_pdf, signer_ee, crl):
    not_after = signer_ee.cert["tbs_certificate"]["validity"]["not_after"].native
    (report,) = _verify(ca, signed_pdf, [crl], moment=not_after + timedelta(days=1))
    assert report.expired is True
    assert report.indication != "TOTAL_PASSED"
    assert report.sub_indication == "EXPIRED"


def test_signature_from_untrusted_ca_is_not_trusted(pkcs11_lib, ca, crl):
    rogue = make_test_ca(pkcs11_lib, name="伪造")
    rogue_ee = rogue.issue_end_entity(CN, ORG, ORG_ID)
    signed = _sign(rogue_ee, rogue, _pdf(), field_name="Sig")
    (report,) = _verify(ca, signed, [crl, rogue.crl()])
    assert report.intact is True
    assert report.trusted is False
    assert report.indication != "TOTAL_PASSED"
    # the same file is fine for whoever trusts the rogue root
    (ok,) = verify_pdf(signed, trust_roots=[rogue.root], other_certs=[rogue.issuing], crls=[rogue.crl()])
    assert ok.indication == "TOTAL_PASSED"


def test_platform_certifies_then_enterprise_signs(pkcs11_lib, ca, signer_ee, crl, seal_png):
    platform = ca.issue_end_entity("备案平台", "某某市备案平台", "12110000000000000A")
    # pyHanko rejects a new *visible* field after a certification signature, so the
    # platform reserves the enterprise's seal position before certifying
    certified = _sign(platform, ca, _pdf(), field_name="PlatformSig", certify=True,
                      reserve_fields=[("EnterpriseSig", (400, 60, 540, 200), 0)])
    both = _sign(signer_ee, ca, certified, field_name="EnterpriseSig", stamp_image_png=seal_png,
                 stamp_text="%(signer)s 100% 签章\n%(ts)s")
    reports = {r.field_name: r for r in _verify(ca, both, [crl])}
    assert set(reports) == {"PlatformSig", "EnterpriseSig"}
    assert reports["PlatformSig"].indication == "TOTAL_PASSED", reports["PlatformSig"]
    assert reports["PlatformSig"].modified_after_signing is False
    assert reports["PlatformSig"].coverage == "ENTIRE_REVISION"
    assert reports["PlatformSig"].signed_revision_length == len(certified)
    assert reports["EnterpriseSig"].indication == "TOTAL_PASSED", reports["EnterpriseSig"]
    rect = [float(v) for a in PdfReader(io.BytesIO(both)).pages[0]["/Annots"]
            for v in a.get_object()["/Rect"] if a.get_object().get("/T") == "EnterpriseSig"]
    assert rect == [400, 60, 540, 200]

    # without the reservation, the new visible field breaks the certification
    unreserved = _sign(signer_ee, ca, _sign(platform, ca, _pdf(), field_name="PlatformSig", certify=True),
                       field_name="EnterpriseSig", stamp_image_png=seal_png)
    reports = {r.field_name: r for r in _verify(ca, unreserved, [crl])}
    assert reports["PlatformSig"].indication == "TOTAL_FAILED"
    assert reports["PlatformSig"].sub_indication == "MODIFIED_AFTER_SIGNING"
    # an invisible enterprise signature after certification is fine
    invisible = _sign(signer_ee, ca, _sign(platform, ca, _pdf(), field_name="PlatformSig", certify=True),
                      field_name="EnterpriseSig")
    assert all(r.passed for r in _verify(ca, invisible, [crl]))


def test_visible_stamp_has_a_widget_with_a_rectangle(signed_pdf, ca, signer_ee):
    reader = PdfReader(io.BytesIO(signed_pdf))
    widgets = [a.get_object() for a in reader.pages[0].get("/Annots", [])]
    sig_widgets = [w for w in widgets if w.get("/Subtype") == "/Widget" and w.get("/FT") == "/Sig"]
    assert len(sig_widgets) == 1
    x1, y1, x2, y2 = (float(v) for v in sig_widgets[0]["/Rect"])
    assert x2 - x1 > 0 and y2 - y1 > 0
    assert "/N" in sig_widgets[0]["/AP"]
    # the invisible variant has a zero rectangle
    invisible = _sign(signer_ee, ca, _pdf(), field_name="Hidden")
    widgets = [a.get_object() for a in PdfReader(io.BytesIO(invisible)).pages[0].get("/Annots", [])]
    assert all(float(v) == 0 for w in widgets for v in w["/Rect"])


# -- seal image ---------------------------------------------------------------------------

@pytest.mark.parametrize("name,size", [("北京测试", 200), (ORG, 400), ("某" * 40, 320)])
def test_seal_image_is_a_transparent_red_png(name, size):
    png = render_seal(name, size=size)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    img = Image.open(io.BytesIO(png))
    assert img.format == "PNG" and img.mode == "RGBA" and img.size == (size, size)
    assert img.getpixel((0, 0))[3] == 0 and img.getpixel((size - 1, size - 1))[3] == 0
    pixels = img.getdata()
    red = sum(1 for r, g, b, a in pixels if a > 200 and r > 180 and g < 80 and b < 80)
    transparent = sum(1 for *_rgb, a in pixels if a == 0)
    assert red > size * size * 0.05
    assert transparent > size * size * 0.3
    # centre is the star: opaque red
    r, g, b, a = img.getpixel((size // 2, size // 2))
    assert a > 200 and r > 180 and g < 80
