"""Image captcha (附加码), generated locally: reCAPTCHA is unreachable in mainland China."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import random
import secrets

from flask import current_app
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from sqlalchemy import update

from app.extensions import db
from models import CaptchaChallenge
from models.base import utcnow

# No 0/O, 1/I/L: the user must be able to read what is drawn.
ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
LENGTH = 5
_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)


def _hash(answer: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, answer.strip().lower().encode(), hashlib.sha256).hexdigest()


def random_answer() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def new_challenge() -> tuple[str, str]:
    """Create a challenge; returns (challenge id, answer). Only the answer's HMAC is stored."""
    answer = random_answer()
    challenge_id = secrets.token_urlsafe(32)
    ttl = current_app.config["CAPTCHA_TTL_SECONDS"]
    db.session.add(
        CaptchaChallenge(
            id=challenge_id,
            answer_hash=_hash(answer),
            expires_at=utcnow() + dt.timedelta(seconds=ttl),
        )
    )
    db.session.commit()
    return challenge_id, answer


def verify(challenge_id: str | None, answer: str | None) -> bool:
    """True once per challenge when ``answer`` matches (case-insensitive) before expiry.

    The challenge is spent, right or wrong (no guessing on one image), by one conditional
    UPDATE: of requests replaying one challenge id at once, exactly one finds it unused (reading
    it, then marking it, let several through).
    """
    if not challenge_id or not answer:
        return False
    answer_hash = db.session.execute(
        update(CaptchaChallenge)
        .where(CaptchaChallenge.id == challenge_id, CaptchaChallenge.used.is_(False),
               CaptchaChallenge.expires_at >= utcnow())
        .values(used=True)
        .returning(CaptchaChallenge.answer_hash)
    ).scalar_one_or_none()
    db.session.commit()
    return answer_hash is not None and hmac.compare_digest(answer_hash, _hash(answer))


def render_png(answer: str) -> bytes:
    """Draw ``answer`` with noise lines and a light blur."""
    width, height = 120, 40
    image = Image.new("RGB", (width, height), (235, 242, 250))
    draw = ImageDraw.Draw(image)
    font = _font(26)
    rng = random.Random(secrets.randbits(64))
    for _ in range(6):
        draw.line(
            [(rng.randint(0, width), rng.randint(0, height)), (rng.randint(0, width), rng.randint(0, height))],
            fill=(rng.randint(120, 200),) * 3,
            width=1,
        )
    for i, ch in enumerate(answer):
        draw.text((8 + i * 22, rng.randint(0, 8)), ch, font=font, fill=(rng.randint(0, 90), 40, rng.randint(90, 160)))
    image = image.filter(ImageFilter.SMOOTH)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _font(size: int):
    for path in _FONT_CANDIDATES:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)
