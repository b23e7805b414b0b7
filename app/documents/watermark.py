"""Stamp "仅用于备案审核" (for filing review only) onto an uploaded copy of a business licence.

Why: the association only accepts a business-licence copy that is visibly marked as being for
filing review, so that the copy it holds cannot be reused elsewhere as a clean licence. The
source system makes the applicant stamp it by hand; Shenbao stamps the stored copy itself, so
what is kept is always the marked copy and nobody has to remember to do it.

How:

- **PDF** (``application/pdf``): for each page, reportlab draws a one-page overlay with the text
  repeated diagonally in semi-transparent red-grey, and pypdf merges it over the page
  (``page.merge_page``). The overlay is drawn in the page's own user space, centred on its
  crop box (the visible area), and turned by 45° plus the page's ``/Rotate``, so it reads at 45°
  as displayed on rotated pages too. pypdf isolates the original content in ``q … Q`` and clips
  the overlay to the crop box; page sizes, boxes, rotation, annotations and the rest of the
  document are kept (the writer clones the source). The text is real text in the embedded CJK
  font subset, so it can be found by text extraction.
- **Images** (``image/png``, ``image/jpeg``): Pillow builds a tiled mask of the text once,
  turns it by 45° and blends the colour through it at about 35 % opacity; the result is saved
  in the same format (JPEG at quality 90). EXIF orientation is applied first so the watermark
  reads upright as displayed; the ICC profile is kept, other EXIF metadata is not.

The same CJK face as :mod:`app.documents.pdf` is used (WenQuanYi Zen Hei, face 0 of the
``.ttc``, registered with reportlab under the same name, once per process). That module is not
imported: it needs Flask, and this one must not.
"""
from __future__ import annotations

import io
import math
import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image as PILImage
    from PIL import ImageFont
    from pypdf import PageObject

__all__ = ["DEFAULT_TEXT", "SUPPORTED_TYPES", "WatermarkError", "stamp_watermark"]

#: The mark the association asks for.
DEFAULT_TEXT = "仅用于备案审核"
#: Content types :func:`stamp_watermark` accepts.
SUPPORTED_TYPES: frozenset[str] = frozenset({"application/pdf", "image/png", "image/jpeg"})

#: The CJK TrueType collection (face 0 is "WenQuanYi Zen Hei"); same file as app.documents.pdf.
CJK_FONT_PATH = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
#: reportlab font name; the same as app.documents.pdf uses, so either module's registration
#: serves both.
_REPORTLAB_FONT_NAME = "WQYZenHei"

# Look: red-grey, semi-transparent, 45°.
_ANGLE = 45.0
_PDF_RGB = (0.72, 0.16, 0.16)
_PDF_ALPHA = 0.28
_IMAGE_RGB = (190, 40, 40)
_IMAGE_ALPHA = 0.35
#: Text height as a fraction of the shorter side of the page / image.
_SIZE_FRACTION = 1 / 13
#: Gaps between repetitions, in multiples of the text height.
_GAP_X = 2.0
_GAP_Y = 3.2

_JPEG_QUALITY = 90

_font_lock = threading.Lock()
_font_registered = False


class WatermarkError(ValueError):
    """The file could not be watermarked (unsupported type, damaged or unreadable file)."""


def stamp_watermark(data: bytes, content_type: str, text: str = DEFAULT_TEXT) -> bytes:
    """Return a copy of ``data`` with ``text`` stamped diagonally across every page / the image.

    :param data: the uploaded file.
    :param content_type: ``application/pdf``, ``image/png`` or ``image/jpeg`` (parameters such
        as ``; charset=…`` and letter case are ignored).
    :param text: the mark; the association requires the default, "仅用于备案审核".
    :returns: the stamped file, in the same format as the input.
    :raises WatermarkError: (a :class:`ValueError`) the type is not supported, the text is empty,
        the file is damaged or encrypted, or the image is not the declared format.
    :raises RuntimeError: the CJK font is missing (``apt-get install fonts-wqy-zenhei``).
    """
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind not in SUPPORTED_TYPES:
        raise WatermarkError(
            f"cannot watermark {content_type!r}: only PDF, PNG and JPEG copies are supported"
        )
    text = text.strip()
    if not text:
        raise WatermarkError("the watermark text is empty")
    if kind == "application/pdf":
        return _stamp_pdf(data, text)
    return _stamp_image(data, "PNG" if kind == "image/png" else "JPEG", text)


# --------------------------------------------------------------------------------------- font


def _check_font_file() -> None:
    if not CJK_FONT_PATH.is_file():
        raise RuntimeError(
            f"CJK font not found at {CJK_FONT_PATH}; the watermark needs it. "
            "Install it with: apt-get install fonts-wqy-zenhei"
        )


def _ensure_reportlab_font() -> str:
    """Register the CJK face with reportlab once per process; return its reportlab name."""
    global _font_registered
    if not _font_registered:
        with _font_lock:
            if not _font_registered:
                from reportlab.pdfbase import pdfmetrics

                if _REPORTLAB_FONT_NAME not in pdfmetrics.getRegisteredFontNames():
                    _check_font_file()
                    from reportlab.pdfbase.ttfonts import TTFont

                    pdfmetrics.registerFont(
                        TTFont(_REPORTLAB_FONT_NAME, str(CJK_FONT_PATH), subfontIndex=0)
                    )
                _font_registered = True
    return _REPORTLAB_FONT_NAME


@lru_cache(maxsize=16)
def _pil_font(size: int) -> ImageFont.FreeTypeFont:
    """The CJK face at ``size`` pixels for Pillow (loading costs ~25 ms, so sizes are cached)."""
    _check_font_file()
    from PIL import ImageFont

    return ImageFont.truetype(str(CJK_FONT_PATH), size, index=0)


# ---------------------------------------------------------------------------------------- PDF


def _stamp_pdf(data: bytes, text: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            # Owner-password-only files open with the empty user password; others cannot be read.
            if not reader.decrypt(""):
                raise WatermarkError("the PDF is password-protected and cannot be watermarked")
        writer = PdfWriter(clone_from=reader)
        if not writer.pages:
            raise WatermarkError("the PDF has no pages")
        overlays: dict[tuple[float, float, float, float, int], PageObject] = {}
        for page in writer.pages:
            box = page.cropbox
            rect = (
                float(box.left), float(box.bottom), float(box.right), float(box.top)
            )
            rotation = int(page.rotation) % 360
            key = (*rect, rotation)
            if key not in overlays:
                overlays[key] = _pdf_overlay(rect, rotation, text)
            page.merge_page(overlays[key])
        out = io.BytesIO()
        writer.write(out)
    except WatermarkError:
        raise
    except Exception as exc:  # pypdf raises PdfReadError, but also plain errors on bad files
        raise WatermarkError(f"the PDF is damaged or unreadable: {exc}") from exc
    return out.getvalue()


def _pdf_overlay(
    rect: tuple[float, float, float, float], rotation: int, text: str
) -> PageObject:
    """A page whose content is the tiled mark, in the coordinates of the page it goes on."""
    from pypdf import PdfReader
    from pypdf.generic import RectangleObject
    from reportlab.pdfgen import canvas

    font = _ensure_reportlab_font()
    from reportlab.pdfbase import pdfmetrics

    left, bottom, right, top = rect
    width, height = right - left, top - bottom
    if width <= 0 or height <= 0:
        raise WatermarkError(f"a page has an empty visible area {rect}")
    size = max(8.0, min(width, height) * _SIZE_FRACTION)
    text_width = pdfmetrics.stringWidth(text, font, size)
    pitch_x = text_width + size * _GAP_X
    pitch_y = size * _GAP_Y
    reach = math.hypot(width, height) / 2 + pitch_x  # covers the box at any angle

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(width, height), pageCompression=1, invariant=1)
    c.saveState()
    c.setFillColorRGB(*_PDF_RGB)
    c.setFillAlpha(_PDF_ALPHA)
    c.setFont(font, size)
    # /Rotate turns the page clockwise for display, so turn the text that much further
    # counter-clockwise to have it read at 45° on screen.
    c.translate((left + right) / 2, (bottom + top) / 2)
    c.rotate(_ANGLE + rotation)
    rows = int(reach // pitch_y) + 1
    cols = int(reach // pitch_x) + 1
    turn = math.radians(_ANGLE + rotation)
    cos_t, sin_t = math.cos(turn), math.sin(turn)
    margin = text_width / 2 + size  # how far a string can reach from its centre
    for row in range(-rows, rows + 1):
        shift = (pitch_x / 2) * (row % 2)  # staggered rows
        for col in range(-cols, cols + 1):
            x, y = col * pitch_x + shift, row * pitch_y
            # Skip strings that would land wholly outside the box (clipped anyway).
            if (
                abs(x * cos_t - y * sin_t) > width / 2 + margin
                or abs(x * sin_t + y * cos_t) > height / 2 + margin
            ):
                continue
            c.drawCentredString(x, y - size * 0.35, text)  # cap height centred on the row
    c.restoreState()
    c.showPage()
    c.save()

    overlay = PdfReader(io.BytesIO(buf.getvalue())).pages[0]
    # pypdf clips the merged content to the overlay's crop box: make it the target's box.
    target = RectangleObject(rect)
    overlay.mediabox = target
    overlay.cropbox = target
    return overlay


# ------------------------------------------------------------------------------------- images


def _stamp_image(data: bytes, fmt: str, text: str) -> bytes:
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as src:
            # Many phone cameras write multi-picture JPEGs, which Pillow calls MPO.
            if src.format != fmt and not (fmt == "JPEG" and src.format == "MPO"):
                raise WatermarkError(
                    f"the file is {src.format or 'not an image'}, not the declared {fmt}"
                )
            icc = src.info.get("icc_profile")
            source_mode = src.mode
            img = ImageOps.exif_transpose(src)
            img.load()
    except WatermarkError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError) as exc:
        raise WatermarkError(f"the image is damaged or unreadable: {exc}") from exc

    has_alpha = fmt == "PNG" and (
        img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)
    )
    img = img.convert("RGBA" if has_alpha else "RGB")
    mask = _image_mask(img.size, text)
    img.paste(_IMAGE_RGB + ((255,) if has_alpha else ()), (0, 0), mask)

    out = io.BytesIO()
    keep_icc = icc if source_mode == img.mode else None  # a CMYK/grey profile would be wrong
    if fmt == "JPEG":
        img.save(out, "JPEG", quality=_JPEG_QUALITY, icc_profile=keep_icc)
    else:
        img.save(out, "PNG", icc_profile=keep_icc)
    return out.getvalue()


def _image_mask(size: tuple[int, int], text: str) -> PILImage.Image:
    """An ``L`` mask of ``size``: the mark tiled at 45°, opacity already applied."""
    from PIL import Image, ImageDraw

    width, height = size
    font_px = max(10, round(min(width, height) * _SIZE_FRACTION))
    font = _pil_font(font_px)
    text_w = math.ceil(font.getlength(text))
    pitch_x = text_w + round(font_px * _GAP_X)
    pitch_y = round(font_px * _GAP_Y)

    # One tile: the text on its row, horizontal; drawn once and pasted over a square that
    # still covers the image after turning it about its centre.
    tile = Image.new("L", (pitch_x, pitch_y), 0)
    ImageDraw.Draw(tile).text(
        (pitch_x / 2, pitch_y / 2), text, font=font, fill=round(255 * _IMAGE_ALPHA), anchor="mm"
    )
    side = math.ceil(math.hypot(width, height)) + 2
    square = Image.new("L", (side, side), 0)
    for row, y in enumerate(range(-pitch_y // 2, side, pitch_y)):
        start = -pitch_x + (pitch_x // 2) * (row % 2)  # staggered rows
        for x in range(start, side, pitch_x):
            square.paste(tile, (x, y))
    # Turn it by the angle, sampling only the pixels of the result (the centres coincide);
    # half the work of rotating the whole square and cropping it.
    a = math.radians(_ANGLE)
    cos_a, sin_a = math.cos(a), math.sin(a)
    half_w, half_h, half_side = width / 2, height / 2, side / 2
    matrix = (
        cos_a, -sin_a, half_side - (cos_a * half_w - sin_a * half_h),
        sin_a, cos_a, half_side - (sin_a * half_w + cos_a * half_h),
    )
    return square.transform(
        (width, height), Image.Transform.AFFINE, matrix, resample=Image.Resampling.BILINEAR
    )
