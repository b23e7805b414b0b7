"""app.documents.watermark: "仅用于备案审核" stamped onto business-licence copies (PDF, PNG, JPEG).

No app and no database: the module works on bytes only. PDFs are made with reportlab in the CJK
font and read back with pypdf; images are made with Pillow.
"""
from __future__ import annotations

import io
import time

import pytest
from PIL import Image, ImageChops, ImageDraw
from pypdf import PdfReader, PdfWriter
from pypdf.generic import RectangleObject
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from app.documents.watermark import (
    DEFAULT_TEXT,
    WatermarkError,
    _ensure_reportlab_font,
    stamp_watermark,
)

MARK = "仅用于备案审核"
LICENCE_TEXT = "营业执照 测试企业有限公司"


def make_pdf(pages: int = 1, pagesize: tuple[float, float] = A4) -> bytes:
    """A real PDF with Chinese text in the embedded CJK font on every page."""
    font = _ensure_reportlab_font()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=pagesize)
    for number in range(1, pages + 1):
        c.setFont(font, 24)
        c.drawString(72, pagesize[1] - 100, LICENCE_TEXT)
        c.setFont(font, 12)
        c.drawString(72, pagesize[1] - 130, f"统一社会信用代码 91440300MA5F0XYZ3K 第{number}页")
        c.showPage()
    c.save()
    return buf.getvalue()


def transformed(pdf: bytes, change) -> bytes:
    """``pdf`` with ``change(page)`` applied to every page."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    for page in writer.pages:
        change(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_image(fmt: str, size: tuple[int, int] = (600, 420), mode: str = "RGB") -> bytes:
    background = (255, 255, 255, 0) if mode == "RGBA" else "white"
    img = Image.new(mode, size, background)
    draw = ImageDraw.Draw(img)
    for y in range(20, size[1], 40):
        draw.line((20, y, size[0] - 20, y), fill="black", width=2)
    out = io.BytesIO()
    img.save(out, fmt, **({"quality": 95} if fmt == "JPEG" else {}))
    return out.getvalue()


def middle_difference(before: Image.Image, after: Image.Image) -> int:
    """Sum of channel differences over the middle third of the two images."""
    w, h = before.size
    box = (w // 3, h // 3, 2 * w // 3, 2 * h // 3)
    diff = ImageChops.difference(
        before.convert("RGB").crop(box), after.convert("RGB").crop(box)
    )
    return sum(sum(band) for band in diff.getdata())


# ------------------------------------------------------------------------------------------ PDF


def test_default_text_is_the_mark_the_association_requires():
    assert DEFAULT_TEXT == MARK


def test_pdf_one_page_is_stamped_and_keeps_its_text():
    source = make_pdf()
    stamped = stamp_watermark(source, "application/pdf")

    reader = PdfReader(io.BytesIO(stamped))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert MARK in text
    assert "营业执照" in text
    assert "测试企业有限公司" in text
    original = PdfReader(io.BytesIO(source)).pages[0]
    assert reader.pages[0].mediabox == original.mediabox
    assert MARK not in original.extract_text()


def test_pdf_every_page_is_stamped():
    stamped = stamp_watermark(make_pdf(pages=2), "application/pdf")

    reader = PdfReader(io.BytesIO(stamped))
    assert len(reader.pages) == 2
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert MARK in text, f"page {number} has no watermark"
        assert f"第{number}页" in text


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_pdf_rotated_page_keeps_rotation_and_gets_a_readable_mark(rotation):
    source = transformed(make_pdf(), lambda page: page.rotate(rotation))

    stamped = stamp_watermark(source, "application/pdf")

    page = PdfReader(io.BytesIO(stamped)).pages[0]
    assert page.rotation == rotation
    assert page.mediabox == PdfReader(io.BytesIO(source)).pages[0].mediabox
    text = page.extract_text()
    assert MARK in text
    assert "营业执照" in text


def test_pdf_with_offset_crop_box_is_stamped_inside_it():
    def crop(page):
        page.mediabox = RectangleObject((-50, -80, 545, 762))
        page.cropbox = RectangleObject((0, 0, 500, 700))

    stamped = stamp_watermark(transformed(make_pdf(), crop), "application/pdf")

    page = PdfReader(io.BytesIO(stamped)).pages[0]
    assert page.cropbox == RectangleObject((0, 0, 500, 700))
    assert page.mediabox == RectangleObject((-50, -80, 545, 762))
    assert MARK in page.extract_text()


def test_pdf_custom_text():
    stamped = stamp_watermark(make_pdf(), "application/pdf", text="仅供测试")
    assert "仅供测试" in PdfReader(io.BytesIO(stamped)).pages[0].extract_text()


@pytest.mark.parametrize(
    "data",
    [b"", b"not a pdf at all", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog", "half"],
    ids=["empty", "garbage", "header-only", "truncated"],
)
def test_damaged_pdf_raises_value_error(data):
    if data == "half":
        full = make_pdf()
        data = full[: len(full) // 2]
    with pytest.raises(ValueError, match="PDF"):
        stamp_watermark(data, "application/pdf")


def test_pdf_is_fast():
    source = make_pdf()
    stamp_watermark(source, "application/pdf")  # font registration is a one-off
    start = time.perf_counter()
    stamp_watermark(source, "application/pdf")
    assert time.perf_counter() - start < 0.5


# --------------------------------------------------------------------------------------- images


@pytest.mark.parametrize(
    ("content_type", "fmt"), [("image/png", "PNG"), ("image/jpeg", "JPEG")]
)
def test_image_same_format_and_size_with_changed_pixels(content_type, fmt):
    source = make_image(fmt)

    stamped = stamp_watermark(source, content_type)

    before = Image.open(io.BytesIO(source))
    after = Image.open(io.BytesIO(stamped))
    assert after.format == fmt
    assert after.size == before.size
    assert middle_difference(before, after) > 0
    # Some of the watermark is red-ish on the white background (not just JPEG noise).
    after_rgb = after.convert("RGB")
    w, h = after.size
    reddish = [
        px
        for px in (after_rgb.getpixel((x, y)) for x in range(0, w, 3) for y in range(0, h, 3))
        if px[0] - px[2] > 40
    ]
    assert reddish


def test_png_with_alpha_stays_rgba():
    stamped = stamp_watermark(make_image("PNG", mode="RGBA"), "image/png")
    after = Image.open(io.BytesIO(stamped))
    assert after.format == "PNG"
    assert after.mode == "RGBA"


def test_content_type_parameters_and_case_are_ignored():
    stamped = stamp_watermark(make_image("JPEG"), "Image/JPEG; charset=binary")
    assert Image.open(io.BytesIO(stamped)).format == "JPEG"


def test_image_not_of_the_declared_format_raises_value_error():
    with pytest.raises(ValueError, match="not the declared PNG"):
        stamp_watermark(make_image("JPEG"), "image/png")


@pytest.mark.parametrize("content_type", ["image/png", "image/jpeg"])
def test_damaged_image_raises_value_error(content_type):
    with pytest.raises(ValueError, match="damaged"):
        stamp_watermark(b"\x89PNG garbage", content_type)


def test_jpeg_is_fast():
    source = make_image("JPEG", size=(2000, 1400))
    stamp_watermark(source, "image/jpeg")  # font load is a one-off
    start = time.perf_counter()
    stamp_watermark(source, "image/jpeg")
    assert time.perf_counter() - start < 0.5


# ---------------------------------------------------------------------------------- other input


@pytest.mark.parametrize(
    "content_type", ["image/gif", "image/tiff", "application/msword", "text/plain", ""]
)
def test_unsupported_type_raises_value_error(content_type):
    with pytest.raises(ValueError, match="only PDF, PNG and JPEG"):
        stamp_watermark(b"whatever", content_type)


def test_empty_text_raises_value_error():
    with pytest.raises(ValueError, match="empty"):
        stamp_watermark(make_pdf(), "application/pdf", text="  ")


def test_error_type_is_a_value_error():
    assert issubclass(WatermarkError, ValueError)
