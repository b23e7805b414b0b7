"""The seal's name along its arc: Latin text is set as words (the platform seal read
"S h e n b a o", one letter per CJK-sized slot); Chinese names keep one equal slot each."""
from __future__ import annotations

import io
import math

from PIL import Image

from app.pki.seal_image import render_seal


def _ink_angles(png: bytes) -> list[int]:
    """Whole degrees (clockwise from 12 o'clock) where the name's ring holds red ink."""
    img = Image.open(io.BytesIO(png))
    size = img.width
    c = size / 2
    angles = set()
    for y in range(size):
        for x in range(size):
            r, g, b, a = img.getpixel((x, y))
            if a < 128:
                continue
            radius = math.hypot(x - c, y - c) / size
            angle = math.degrees(math.atan2(x - c, c - y))
            # between the star (0.16) and the outer ring (0.455); the caption sits below ±130°
            if 0.30 < radius < 0.44 and abs(angle) < 130:
                angles.add(round(angle))
    return sorted(angles)


def test_a_latin_name_is_set_as_a_word_not_spread_round_the_seal():
    angles = _ink_angles(render_seal("Shenbao", size=400))
    extent = angles[-1] - angles[0]
    widest_gap = max(b - a for a, b in zip(angles, angles[1:]))
    # one letter per slot spread the seven letters over ~210° with ~20° of nothing between them
    assert extent < 130, extent
    assert widest_gap <= 4, widest_gap


def test_layout_gives_latin_letters_their_own_advance_and_cjk_equal_slots():
    from app.pki.seal_image import _font, layout_name

    layout = layout_name("Shenbao 申报平台", 800)
    assert "".join(ch for ch, _ in layout.placed) == "Shenbao申报平台"
    font = _font(layout.glyph_px)
    arc = [math.radians(angle) * layout.radius for _, angle in layout.placed]
    for i in range(6):  # S-h, h-e, ... a-o: centre to centre = half of each advance
        a, b = layout.placed[i][0], layout.placed[i + 1][0]
        assert abs((arc[i + 1] - arc[i]) - (font.getlength(a) + font.getlength(b)) / 2) < 0.5, (a, b)
    cjk_steps = {round(arc[i + 1] - arc[i], 6) for i in range(7, 10)}
    assert len(cjk_steps) == 1  # 申报平台 equally spaced
    assert max(arc[i + 1] - arc[i] for i in range(6)) < 0.7 * cjk_steps.pop()


def test_chinese_names_keep_their_layout():
    from app.pki.seal_image import layout_name

    layout = layout_name("北京 测试", 400)  # a stray space in a Chinese name is dropped
    assert [ch for ch, _ in layout.placed] == list("北京测试")
    assert [round(angle, 6) for _, angle in layout.placed] == [-54.0, -18.0, 18.0, 54.0]  # 36° a character
