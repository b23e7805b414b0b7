"""The round red enterprise seal (公章) image used as the visible signature stamp."""
from __future__ import annotations

import io
import math
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

__all__ = ["SEAL_RED", "render_seal"]

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


def render_seal(company_name: str, *, size: int = 400, caption: str = "认证专用章") -> bytes:
    """PNG (RGBA, transparent background) of a round red seal for ``company_name``.

    The name runs clockwise along the upper arc with each character turned to face
    outwards, a five-pointed star sits in the centre and ``caption`` below it.
    Names of 1 to 40+ characters fit: the glyphs shrink as the name grows.
    """
    name = "".join(company_name.split())
    if not name:
        raise ValueError("company_name must not be empty")
    s = size * _SUPERSAMPLE
    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    c = s / 2
    ring = max(2, round(s * 0.035))
    edge = c - max(2, s * 0.01)  # outer edge of the ring, with a small margin
    # Pillow draws the outline inwards from the bounding box.
    draw.ellipse((c - edge, c - edge, c + edge, c + edge), outline=SEAL_RED, width=ring)
    inner_edge = edge - ring

    # Name along the arc: up to ~240° for long names, less for short ones so four
    # characters do not float far apart.
    n = len(name)
    span = min(240.0, max(120.0, 36.0 * n))
    gap = s * 0.03
    glyph = s * 0.15
    for _ in range(3):  # glyph size and text radius depend on each other; converge
        r_text = inner_edge - gap - glyph / 2
        step = math.radians(span) * r_text / n
        glyph = min(s * 0.15, step * 0.92)
    glyph_px = max(6, int(glyph))
    r_text = inner_edge - gap - glyph_px / 2
    for i, ch in enumerate(name):
        # angle clockwise from 12 o'clock, centred on the top
        theta = -span / 2 + span * (i + 0.5) / n
        tile = _glyph(ch, glyph_px, theta)
        x = c + r_text * math.sin(math.radians(theta))
        y = c - r_text * math.cos(math.radians(theta))
        img.alpha_composite(tile, (round(x - tile.width / 2), round(y - tile.height / 2)))

    _star(draw, c, c, s * 0.16)

    if caption:
        cap_size = max(6, int(min(s * 0.085, (s * 0.56) / max(1, len(caption)))))
        draw.text((c, c + s * 0.29), caption, font=_font(cap_size), fill=SEAL_RED, anchor="mm")

    out = img.resize((size, size), Image.LANCZOS)
    buf = io.BytesIO()
    out.save(buf, format="PNG", optimize=False)
    return buf.getvalue()
