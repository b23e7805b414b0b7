"""SMS verification codes: 6 digits, valid 3 minutes, resend after 60 s, dead after 5 wrong tries."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app import notify
from app.extensions import db
from app.services.errors import ServiceError, TooManyAttempts
from models import VerificationCode
from models.base import utcnow

PURPOSES = ("register", "recover_mobile")


def _hash(code: str, target: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{target}:{code}".encode(), hashlib.sha256).hexdigest()


def _latest(purpose: str, target: str) -> VerificationCode | None:
    stmt = (
        select(VerificationCode)
        .where(VerificationCode.purpose == purpose, VerificationCode.target == target)
        .order_by(VerificationCode.created_at.desc(), VerificationCode.id.desc())
        .limit(1)
    )
    return db.session.execute(stmt).scalar_one_or_none()


def issue(purpose: str, mobile: str) -> VerificationCode:
    """Send a new code to ``mobile``.

    :raises TooManyAttempts: the previous code for this mobile was sent less than 60 s ago.
    """
    assert purpose in PURPOSES
    cfg = current_app.config
    now = utcnow()
    previous = _latest(purpose, mobile)
    if previous is not None:
        wait = (previous.created_at + dt.timedelta(seconds=cfg["SMS_CODE_RESEND_SECONDS"]) - now).total_seconds()
        if wait > 0:
            raise TooManyAttempts(_("Please wait %(seconds)d seconds before requesting a new code.", seconds=int(wait) + 1))
    code = f"{secrets.randbelow(10**6):06d}"
    record = VerificationCode(
        purpose=purpose,
        target=mobile,
        code_hash=_hash(code, mobile),
        created_at=now,
        expires_at=now + dt.timedelta(seconds=cfg["SMS_CODE_TTL_SECONDS"]),
    )
    db.session.add(record)
    minutes = cfg["SMS_CODE_TTL_SECONDS"] // 60
    notify.send_sms(mobile, _("Your Shenbao verification code is %(code)s, valid for %(minutes)d minutes.", code=code, minutes=minutes))
    db.session.commit()
    return record


def consume(purpose: str, mobile: str, code: str) -> None:
    """Accept ``code`` once for the newest code sent to ``mobile``.

    :raises ServiceError: no code, expired, wrong (the try is counted) or used up.
    """
    cfg = current_app.config
    record = _latest(purpose, mobile)
    now = utcnow()
    if record is None or record.consumed_at is not None:
        raise ServiceError(_("Please request a verification code first."), {"sms_code": _("Please request a verification code first.")})
    if record.expires_at < now:
        msg = _("The verification code has expired; please request a new one.")
        raise ServiceError(msg, {"sms_code": msg})
    if record.tries >= cfg["SMS_CODE_MAX_TRIES"]:
        msg = _("Too many wrong codes; please request a new one.")
        raise ServiceError(msg, {"sms_code": msg})
    if not hmac.compare_digest(record.code_hash, _hash((code or "").strip(), mobile)):
        record.tries += 1
        db.session.commit()
        left = cfg["SMS_CODE_MAX_TRIES"] - record.tries
        if left <= 0:
            msg = _("Too many wrong codes; please request a new one.")
        else:
            msg = _("Wrong verification code; %(left)d tries left.", left=left)
        raise ServiceError(msg, {"sms_code": msg})
    record.consumed_at = now
