"""The round red enterprise seal (公章) image used as the visible signature stamp."""
from __future__ import annotations

import io
import math
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

__all__ = ["SEAL_RED", "NameLayout", "layout_name", "render_seal"]

SEAL_RED = (212, 20, 28, 255)

# (path, face index): Noto Serif CJK Bold (SC face) looks most like an engraved
# seal; WenQuanYi Zen Hei is the fallback every Debian box here has.
_FONTS = (
    (Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc"), 2),
    (Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"), 0),
)

_SUPERSAMPLE = 2  # draw at 2x and downscale: Pillow draws shapes without antialiasing


def _font_choice() -> tuple[Path, int]:
    for path, index in _FONTS:
        if path.is_file():
            return path, index
    raise FileNotFoundError(
        "no CJK font for the seal: install Debian package fonts-wqy-zenhei "
        "(or fonts-noto-cjk)"
    )


@lru_cache(maxsize=64)
def _font(size: int) -> ImageFont.FreeTypeFont:
    path, index = _font_choice()
    return ImageFont.truetype(str(path), size=size, index=index)


def _glyph(char: str, size: int, angle_deg: float) -> Image.Image:
    """One character, centred in a square tile, rotated clockwise by ``angle_deg``."""
    tile = Image.new("RGBA", (size * 2, size * 2), (0, 0, 0, 0))
    draw = ImageDraw.Draw(tile)
    draw.text((size, size), char, font=_font(size), fill=SEAL_RED, anchor="mm")
    # PIL rotates counter-clockwise; characters follow the arc clockwise.
    return tile.rotate(-angle_deg, resample=Image.BICUBIC, expand=False)


def _star(draw: ImageDraw.ImageDraw, cx: float, cy: float, radius: float) -> None:
    inner = radius * math.sin(math.radians(18)) / math.sin(math.radians(126))
    points = []
    for i in range(10):
        r = radius if i % 2 == 0 else inner
        a = math.radians(-90 + 36 * i)  # first point straight up
        points.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    draw.polygon(points, fill=SEAL_RED)


def _is_cjk(char: str) -> bool:
    """Full-width characters (CJK ideographs, kana, full-width forms) fill a square em; the
    rest (Latin letters, digits, ASCII punctuation) are set at their own narrower width."""
    return unicodedata.east_asian_width(char) in ("W", "F")


def _units(name: str) -> list[str]:
    """The name as arc units: each full-width character alone, each run of other characters
    (a Latin word, several words with their spaces) together, so it is set as a word."""
    units: list[str] = []
    for char in name:
        if not _is_cjk(char) and units and not _is_cjk(units[-1][-1]):
            units[-1] += char
        else:
            units.append(char)
    return [u.strip() for u in units if u.strip()]


def _normalise(company_name: str) -> str:
    """Spaces typed into a Chinese name are dropped; between Latin words one space is kept."""
    words = company_name.split()
    out = words[0] if words else ""
    for word in words[1:]:
        out += (" " if not _is_cjk(out[-1]) and not _is_cjk(word[0]) else "") + word
    return out


@dataclass(frozen=True)
class NameLayout:
    """Where the name's characters go on a seal of ``s`` pixels: font size, radius of the text
    circle, and (character, angle in degrees clockwise from 12 o'clock) of each glyph centre."""

    glyph_px: int
    radius: float
    placed: tuple[tuple[str, float], ...]


def layout_name(company_name: str, s: int) -> NameLayout:
    """Lay the name out along the upper arc of a seal ``s`` pixels wide.

    Up to ~240° for long names, less for short ones so four characters do not float far apart.
    Every full-width character gets an equal slot, as on a traditional seal. A Latin run gets a
    slot as wide as its text, and inside it its letters follow each other at their own advance
    widths: spreading them one per slot read "S h e n b a o".
    """
    units = _units(_normalise(company_name))
    if not units:
        raise ValueError("company_name must not be empty")
    ref = _font(100)
    # width of each unit in ems (a CJK character is 1)
    widths = [1.0 if _is_cjk(u[0]) else ref.getlength(u) / 100 for u in units]
    total = sum(widths)
    span = min(240.0, max(120.0, 36.0 * total))
    ring = max(2, round(s * 0.035))
    inner_edge = s / 2 - max(2, s * 0.01) - ring
    gap = s * 0.03
    glyph = s * 0.15
    for _ in range(3):  # glyph size and text radius depend on each other; converge
        r_text = inner_edge - gap - glyph / 2
        step = math.radians(span) * r_text / total  # arc length of one em
        glyph = min(s * 0.15, step * 0.92)
    glyph_px = max(6, int(glyph))
    r_text = inner_edge - gap - glyph_px / 2
    font = _font(glyph_px)
    placed: list[tuple[str, float]] = []
    offset = 0.0  # ems from the start of the arc
    for unit, width in zip(units, widths):
        centre = -span / 2 + span * (offset + width / 2) / total
        if _is_cjk(unit[0]):
            placed.append((unit, centre))
        else:
            # the run at its natural length (glyph_px font), centred in its slot
            length = font.getlength(unit)
            x = -length / 2
            for char in unit:
                advance = font.getlength(char)
                if not char.isspace():
                    placed.append((char, centre + math.degrees((x + advance / 2) / r_text)))
                x += advance
        offset += width
    return NameLayout(glyph_px=glyph_px, radius=r_text, placed=tuple(placed))


def render_seal(company_name: str, *, size: int = 400, caption: str = "认证专用章") -> bytes:
    """PNG (RGBA, transparent background) of a round red seal for ``company_name``.

    The name runs clockwise along the upper arc with each character turned to face
    outwards (see :func:`layout_name`), a five-pointed star sits in the centre and
    ``caption`` below it. Names of 1 to 40+ characters fit: the glyphs shrink as the name grows.
    """
    if not company_name.split():
        raise ValueError("company_name must not be empty")
    s = size * _SUPERSAMPLE
    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    c = s / 2
    ring = max(2, round(s * 0.035))
    edge = c - max(2, s * 0.01)  # outer edge of the ring, with a small margin
    # Pillow draws the outline inwards from the bounding box.
    draw.ellipse((c - edge, c - edge, c + edge, c + edge), outline=SEAL_RED, width=ring)

    layout = layout_name(company_name, s)
    for ch, theta in layout.placed:
        tile = _glyph(ch, layout.glyph_px, theta)
        x = c + layout.radius * math.sin(math.radians(theta))
        y = c - layout.radius * math.cos(math.radians(theta))
        img.alpha_composite(tile, (round(x - tile.width / 2), round(y - tile.height / 2)))

    _star(draw, c, c, s * 0.16)

    if caption:
        cap_size = max(6, int(min(s * 0.085, (s * 0.56) / max(1, len(caption)))))
        draw.text((c, c + s * 0.29), caption, font=_font(cap_size), fill=SEAL_RED, anchor="mm")

    out = img.resize((size, size), Image.LANCZOS)
    buf = io.BytesIO()
    out.save(buf, format="PNG", optimize=False)
    return buf.getvalue()
