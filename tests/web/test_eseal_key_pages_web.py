"""The USB-Key pages: the seal image previewed by the holder and the CA operator, renewal and
replacement forms filled from the key's last application, the certificate subject in words."""
from __future__ import annotations

import re

import pytest
from asn1crypto import x509

from app.extensions import db
from app.services.eseal import seal_keys
from models import SealApplication
from tests import factories as f
from tests.services.test_eseal import paid_application
from tests.web.test_eseal_web import people  # noqa: F401  (fixture)

pytestmark = pytest.mark.parametrize("app", ["sqlite"], indirect=True)


@pytest.fixture
def produced(people) -> SealApplication:
    application = paid_application(people["user"], people["operator"])
    application, _pin = seal_keys.produce(people["operator"], application.id)
    return application


def _client(app, user) -> f.WebClient:
    web = f.WebClient(app)
    web.login(user.username)
    return web


def _seal_src(page: str) -> str:
    match = re.search(r'<img id="seal-image"[^>]*src="([^"]+)"', page)
    assert match, "the page previews the seal image"
    return match.group(1)


def _is_png(response) -> bool:
    return response.status_code == 200 and response.mimetype == "image/png" and response.data.startswith(b"\x89PNG")


def test_holder_and_operator_preview_the_seal_image(app, people, produced):
    key_id = produced.key_id
    applicant = _client(app, people["user"])
    src = _seal_src(applicant.get(f"/eseal/key/{key_id}").data.decode())
    assert _is_png(applicant.get(src))

    operator = _client(app, people["operator"])
    assert _seal_src(operator.get(f"/ca/keys/show/{key_id}").data.decode()) == src
    assert _seal_src(operator.get(f"/ca/applications/show/{produced.id}").data.decode()) == src
    assert _is_png(operator.get(src))

    other_user = f.gen_applicant()
    f.gen_enterprise(other_user, status="approved")
    assert _client(app, other_user).get(src).status_code == 404

    # A key produced before the key pointed at its image still shows the image stored for it.
    key = produced.key
    key.seal_image_id = None
    db.session.commit()
    assert _seal_src(applicant.get(f"/eseal/key/{key_id}").data.decode()) == src


def test_a_new_seal_design_does_not_change_the_seal_previewed_for_the_issued_key(app, people, produced):
    import io

    from PIL import Image

    applicant = _client(app, people["user"])
    before = _seal_src(applicant.get(f"/eseal/key/{produced.key_id}").data.decode())
    buffer = io.BytesIO()
    Image.new("RGB", (120, 120), "red").save(buffer, format="PNG")
    key = seal_keys.replace_seal_image(people["operator"], produced.key_id, io.BytesIO(buffer.getvalue()), "seal.png")
    # The seal on the USB-Key is protected: the page keeps showing the one the key stamps.
    src = _seal_src(applicant.get(f"/eseal/key/{key.id}").data.decode())
    assert src == before and applicant.get(src).data != buffer.getvalue()


def _input_value(page: str, name: str) -> str | None:
    match = re.search(rf'<input class="form-control" id="{name}" name="{name}" value="([^"]*)"', page)
    return match.group(1) if match else None


@pytest.mark.parametrize("kind", ["renewal", "replacement"])
def test_renewal_and_replacement_forms_start_from_the_keys_last_application(app, people, produced, kind):
    applicant = _client(app, people["user"])
    url = f"/eseal/apply?key={produced.key_id}&kind={kind}"
    page = applicant.get(url).data.decode()
    expected = {"department": "质量部", "system_user_id": "cms-0512", "ems_contact": "张三", "ems_department": "质量部",
                "ems_address": "北京市丰台区南四环西路188号", "ems_postcode": "100070", "ems_phone": "13800001111",
                "ems_email": "zhang@example.com", "company_name": produced.company_name,
                "ems_company": produced.ems_company}
    assert {name: _input_value(page, name) for name in expected} == expected
    assert re.search(r'<option value="tech_sme" selected>', page)
    assert f"ES{produced.id:06d}" in page[page.index('id="prefilled"'):][:300]

    # Still the applicant's to change: what is sent is what the new application holds.
    form = {**expected, "ems_address": "杭州市西湖区文三路1号", "ems_postcode": "310012",
            "business_department": "quality_benchmark", "years": "1", "kind": kind, "key": str(produced.key_id)}
    sent = applicant.post_form(url, form)
    assert sent.status_code == 302
    newest = db.session.execute(db.select(SealApplication).order_by(SealApplication.id.desc())).scalars().first()
    assert (newest.kind, newest.ems_address, newest.ems_postcode, newest.system_user_id) == (
        kind, "杭州市西湖区文三路1号", "310012", "cms-0512")
    assert newest.business_department == "quality_benchmark"


def test_a_first_application_form_is_not_filled_from_an_earlier_key(app, people, produced):
    page = _client(app, people["user"]).get("/eseal/apply?kind=first").data.decode()
    assert _input_value(page, "system_user_id") == "" and _input_value(page, "ems_address") == ""


def _subject_rows(page: str) -> list[tuple[str, str]]:
    cell = page[page.index('class="cert-subject"'):]
    cell = cell[:cell.index("</table>")]
    return re.findall(r"<tr><th>([^<]*)</th><td>([^<]*)</td></tr>", cell)


def test_the_certificate_subject_reads_as_labelled_lines(app, people, produced):
    # The certificate itself carries organizationIdentifier NTRCN-<code> and serialNumber <code>.
    cert = x509.Certificate.load(produced.key.certificates[-1].der)
    assert cert.subject.native["organization_identifier"] == f"NTRCN-{produced.enterprise.credit_code}"
    assert cert.subject.native["serial_number"] == produced.enterprise.credit_code
    enterprise = produced.enterprise
    applicant = _client(app, people["user"])
    page = applicant.get(f"/eseal/key/{produced.key_id}").data.decode()
    assert _subject_rows(page) == [("单位名称", enterprise.name), ("统一社会信用代码", enterprise.credit_code),
                                   ("国家", "中国")]
    assert "Organization Identifier" not in page and "Common Name" not in page
    assert 'class="cert-dn"' not in page and "NTRCN-" not in page  # never the DN text
    listing = applicant.get("/eseal/").data.decode()
    assert enterprise.name in listing and "Organization Identifier" not in listing

    applicant.get("/lang/en")
    page = applicant.get(f"/eseal/key/{produced.key_id}").data.decode()
    assert _subject_rows(page) == [("Name of the organization", enterprise.name),
                                   ("Unified social credit code", enterprise.credit_code), ("Country", "China")]

    operator = _client(app, people["operator"])
    page = operator.get(f"/ca/keys/show/{produced.key_id}").data.decode()
    # The operator reads the same lines: company name and credit code, not the DN text.
    assert _subject_rows(page) == [("单位名称", enterprise.name), ("统一社会信用代码", enterprise.credit_code),
                                   ("国家", "中国")]
    assert 'class="cert-dn"' not in page and "NTRCN-" not in page and "Organization Identifier" not in page
