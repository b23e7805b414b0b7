"""Signed certificates and the e-seal application form: PDFs from documents/issued_certificate.html
and documents/seal_application_form.html, and the QR code the certificate carries.

No database and no Flask app: render_pdf falls back to a plain Jinja environment on the project's
template folder without an app context, and nothing here asks for the conftest ``app`` fixture.
"""
from __future__ import annotations

import base64
import datetime
import io
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from PIL import Image
from pypdf import PdfReader

from app.documents import render_pdf
from app.documents.qr import qr_data_uri

CERT = "documents/issued_certificate.html"
FORM = "documents/seal_application_form.html"

#: Where the signing step draws the visible signature stamp (PDF points from the bottom left).
STAMP_BOX = (380.0, 90.0, 520.0, 230.0)

TITLE = "科技型中小企业入库登记证书"
NUMBER = "SME2026440300000123"
VERSION = 3
HOLDER = "深圳市前海微电子科技创新研究院有限责任公司"
CREDIT_CODE = "91440300MA5F0XYZ3K"
ISSUER = "广东省科学技术厅科技型中小企业评价工作办公室"
ISSUED_ON = "2026年11月23日"
VERIFY_URL = "https://kjzx.example.gov.cn/certificates/verify/SME-2026-440300-000123?v=3"
#: A body paragraph of 80 Chinese characters (the most a certificate is designed for: six of them).
PARAGRAPH = (
    "该企业经自主填报、评价工作机构审核并公示，符合《科技型中小企业评价办法》规定的条件，"
    "予以入库登记，登记信息如下表所列，有效期至二〇二七年十二月三十一日止，特发此证。"
)[:80]
FIELDS = [
    ("入库登记编号", "2026440300000123"),
    ("评价年度", "2026年"),
    ("所在地区", "广东省深圳市南山区"),
    ("评价工作机构", "深圳市科技创新委员会科技型中小企业评价工作机构"),
    ("登记日期", "2026年11月20日"),
    ("有效期至", "2027年12月31日"),
    ("技术领域", "电子信息——集成电路设计与先进封装测试技术"),
    ("备注", "本证书信息以平台在线验证结果为准，复印件无效"),
]
FOOTER_NOTE = "本电子版证书经平台施加数字签名，依据《中华人民共和国电子签名法》合法有效，可在线验证。"

COMPANY = "北京中认环宇测试申请单位科技有限公司"
ACCOUNT_NUMBER = "0109 0849 3001 2010 5159 790"
BANK = {
    "account_name": "北京中认环宇信息安全技术有限公司",
    "bank": "北京银行总部基地支行",
    "account_number": ACCOUNT_NUMBER,
}
PAPERS = [
    "企业营业执照（副本）复印件，并加盖公章",
    "企业组织机构代码证（副本）复印件，并加盖公章",
    "企业联系人的身份证复印件，并加盖公章",
    "国外企业：当地政府颁发的资质证明，并加盖公章或法人签字",
]
MAIL_ADDRESS = "北京中认环宇信息安全技术有限公司，北京南四环西路188号9区8号楼4层，邮编100070"


def certificate_context(**overrides) -> dict:
    """The largest certificate the layout is designed for: six 80-character paragraphs, eight fields."""
    ctx = {
        "title": TITLE,
        "number": NUMBER,
        "version": VERSION,
        "holder_name": HOLDER,
        "credit_code": CREDIT_CODE,
        "paragraphs": [PARAGRAPH] * 6,
        "fields": FIELDS,
        "issuer": ISSUER,
        "issued_on": ISSUED_ON,
        "verify_url": VERIFY_URL,
        "qr_data_uri": qr_data_uri(VERIFY_URL),
    }
    ctx.update(overrides)
    return ctx


def application(**overrides) -> SimpleNamespace:
    values = {
        "id": 42,
        "kind": "first",
        "company_name": COMPANY,
        "department": "质量管理部",
        "system_user_id": "bel_0512",
        "ems_contact": "张三",
        "ems_company": COMPANY,
        "ems_department": "质量管理部",
        "ems_address": "北京市丰台区南四环西路188号9区8号楼4层",
        "ems_postcode": "100070",
        "ems_phone": "010-83886166",
        "ems_email": "caservice@example.com",
        "business_department": "dept_1",
        "fee_amount": Decimal("1000.00"),
        "years": 1,
        "submitted_at": datetime.datetime(2026, 11, 23, 10, 20),
    }
    values.update(overrides)
    return SimpleNamespace(**values)


def form_context(**overrides) -> dict:
    ctx = {
        "application": application(),
        "kind_label": "（企业证书+USBKEY+电子签章服务）首次申请",
        "department_label": "产品认证一处",
        "credit_code": "91110106MA01ABCD2X",
        "bank": BANK,
        "papers": PAPERS,
        "mail_address": MAIL_ADDRESS,
        "printed_on": "2026年11月23日",
    }
    ctx.update(overrides)
    return ctx


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def _flat(pdf: bytes) -> str:
    """The document's text with all whitespace removed: a URL or a name broken over two lines
    (CJK wrapping breaks anywhere) reads back whole."""
    return re.sub(r"\s+", "", _text(pdf))


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _text_boxes(page) -> list[tuple[str, float, float, float, float]]:
    """(text, x0, y0, x1, y1) of every non-blank text run drawn on ``page``, in page coordinates.

    The width is measured with the font the run is drawn in (reportlab's metrics for the embedded
    WenQuanYi face, registered by the render); the box runs from the baseline to one em above it.
    """
    from reportlab.pdfbase.pdfmetrics import stringWidth

    boxes = []

    def visit(text, cm, tm, font_dict, font_size):
        if not text or not text.strip():
            return
        # The run's origin: the text matrix mapped through the current transformation matrix.
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = (tm[0] * cm[0] + tm[1] * cm[2]) or 1.0
        size = font_size * scale
        width = stringWidth(text.rstrip("\n"), "WQYZenHei", size)
        boxes.append((text.strip(), x, y, x + width, y + size))

    page.extract_text(visitor_text=visit)
    return boxes


def _images(page) -> list[tuple[float, float, float, float]]:
    """(x, y, width, height) of every image XObject painted on ``page``."""
    xobjects = page["/Resources"].get("/XObject") or {}
    image_names = {
        name for name, ref in xobjects.items() if ref.get_object().get("/Subtype") == "/Image"
    }
    placed = []

    def before(operator, args, cm, tm):
        if operator == b"Do" and args and args[0] in image_names:
            placed.append((cm[4], cm[5], cm[0], cm[3]))

    page.extract_text(visitor_operand_before=before)
    return placed


@pytest.fixture(scope="module")
def certificate() -> bytes:
    return render_pdf(CERT, certificate_context())


@pytest.fixture(scope="module")
def form() -> bytes:
    return render_pdf(FORM, form_context())


# --- QR code ---------------------------------------------------------------------------------


@pytest.mark.parametrize("box_size", [1, 4, 10])
def test_qr_data_uri_decodes_as_png(box_size):
    uri = qr_data_uri(VERIFY_URL, box_size=box_size)
    prefix = "data:image/png;base64,"
    assert uri.startswith(prefix)
    image = Image.open(io.BytesIO(base64.b64decode(uri[len(prefix):], validate=True)))
    image.load()
    assert image.format == "PNG"
    width, height = image.size
    assert width > 0 and width == height
    # (17 + 4 × version) modules plus a quiet zone of 2 on each side, box_size pixels each.
    assert width % box_size == 0
    modules = width // box_size - 2 * 2
    assert modules >= 21 and (modules - 17) % 4 == 0


def test_qr_uses_error_correction_m_and_border_2():
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    uri = qr_data_uri(VERIFY_URL, box_size=1)
    image = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))).convert("1")
    expected = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=1, border=2)
    expected.add_data(VERIFY_URL)
    expected.make(fit=True)
    matrix = expected.get_matrix()  # includes the border
    assert image.size == (len(matrix), len(matrix))
    pixels = image.load()
    assert all(
        (pixels[x, y] == 0) == dark for y, row in enumerate(matrix) for x, dark in enumerate(row)
    )


# --- certificate -----------------------------------------------------------------------------


def test_certificate_shows_its_content(certificate):
    text = _text(certificate)
    flat = _flat(certificate)
    assert TITLE in text
    assert f"证书编号：{NUMBER}" in text
    assert f"版本：第{VERSION}版" in text
    assert HOLDER in text
    assert f"统一社会信用代码：{CREDIT_CODE}" in text
    assert _squash(PARAGRAPH) in flat
    for label, value in FIELDS:
        assert label in flat and _squash(value) in flat
    assert ISSUER in text and ISSUED_ON in text
    assert f"扫码或访问{VERIFY_URL}在线验证" in flat
    assert _squash(FOOTER_NOTE) in flat
    assert "新版本替代本版本" in flat


def test_certificate_with_maximal_content_is_one_page(certificate):
    assert len(PdfReader(io.BytesIO(certificate)).pages) == 1


def test_certificate_carries_the_qr_code_at_the_lower_left(certificate):
    page = PdfReader(io.BytesIO(certificate)).pages[0]
    images = _images(page)
    assert len(images) == 1
    x, y, width, height = images[0]
    assert width == pytest.approx(85, abs=1) and height == pytest.approx(85, abs=1)  # 30 mm
    assert x < 100 and y < 230  # lower left, clear of the stamp box
    assert x + width < STAMP_BOX[0]


def test_no_text_in_the_stamp_box(certificate):
    page = PdfReader(io.BytesIO(certificate)).pages[0]
    boxes = _text_boxes(page)
    assert boxes, "no text positions read back"
    bx0, by0, bx1, by1 = STAMP_BOX
    inside = [
        b for b in boxes
        if b[1] < bx1 and b[3] > bx0 and b[2] < by1 and b[4] > by0  # rectangles overlap
    ]
    assert inside == []
    # The issuer and the date sit just above the box.
    issuer = [b for b in boxes if ISSUER in b[0] or ISSUED_ON in b[0]]
    assert len(issuer) == 2
    assert all(b[2] > 235 and b[2] < 320 for b in issuer)


def test_certificate_without_optional_parts(certificate):
    pdf = render_pdf(CERT, certificate_context(credit_code="", fields=[], paragraphs=[PARAGRAPH]))
    text = _text(pdf)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    assert "统一社会信用代码" not in text
    assert HOLDER in text and TITLE in text


def test_certificate_escapes_user_text():
    pdf = render_pdf(CERT, certificate_context(holder_name="<b>某某</b>&公司", fields=[("备注", "<i>x</i>")]))
    text = _text(pdf)
    assert "<b>某某</b>&公司" in text
    assert "<i>x</i>" in text


# --- e-seal application form -----------------------------------------------------------------


def test_form_shows_the_application(form):
    text = _text(form)
    flat = _flat(form)
    assert "企业电子签名/签章服务申请表" in text
    assert "申请编号：ES000042" in text
    for section in ("企业数字证书基本信息", "EMS详细信息", "订单信息", "汇款信息", "随表寄送材料", "注意事项"):
        assert section in text
    assert COMPANY in text
    assert "91110106MA01ABCD2X" in text
    assert "bel_0512" in text
    assert "caservice@example.com" in text and "100070" in text
    assert "产品认证一处" in flat
    assert _squash("（企业证书+USBKEY+电子签章服务）首次申请") in flat
    assert "1,000.00 元" in text
    assert "1 年" in text
    assert "2026-11-23 18:20" in text  # stored 10:20 UTC, printed in Beijing time


def test_form_shows_bank_details_and_papers(form):
    text = _text(form)
    flat = _flat(form)
    assert BANK["account_name"] in text and BANK["bank"] in text
    assert ACCOUNT_NUMBER in text
    assert "请以企业名称汇款，汇款的确认以银行到帐的回单为准" in text
    for paper in PAPERS:
        assert f"□ {paper}" in text
    assert _squash(MAIL_ADDRESS) in flat
    assert "认证专用章" in flat
    assert "授权声明" in flat
    assert "完全一致" in flat
    for line in ("申请单位（盖章）", "经办人签字", "日期"):
        assert line in text


def test_form_fits_on_one_or_two_pages(form):
    assert 1 <= len(PdfReader(io.BytesIO(form)).pages) <= 2


@pytest.mark.parametrize(
    ("amount", "shown"),
    [(Decimal("1000"), "1,000.00 元"), (Decimal("12345.5"), "12,345.50 元"), (Decimal("0"), "0.00 元")],
)
def test_form_fee_has_thousands_separators_and_two_decimals(amount, shown):
    pdf = render_pdf(FORM, form_context(application=application(fee_amount=amount, id=7)))
    text = _text(pdf)
    assert shown in text
    assert "申请编号：ES000007" in text
