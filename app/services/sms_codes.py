"""SMS verification codes: 6 digits, valid 3 minutes, resend after 60 s, dead after 5 wrong tries,
at most SMS_CODE_MAX_PER_DAY (10) to one mobile in 24 hours (SMS bombing costs the platform money
and floods the person's phone)."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, text, update

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


#: First key of the two-key PostgreSQL advisory locks taken per (purpose, mobile) while a code is
#: issued (the two-key space is apart from the scheduler's one-key lock, app/jobs/leader.py).
SEND_LOCK_NAMESPACE = 0x534D53  # "SMS"


def _send_lock(purpose: str, mobile: str) -> None:
    """Hold the send lock of (purpose, mobile) until the transaction ends, so two requests at
    once cannot both pass the resend check (40 at once sent 2 codes: bench/brute_force.py)."""
    if db.session.get_bind().dialect.name == "postgresql":
        digest = hashlib.sha256(f"{purpose}:{mobile}".encode()).digest()
        db.session.execute(text("SELECT pg_advisory_xact_lock(:ns, :key)"),
                           {"ns": SEND_LOCK_NAMESPACE, "key": int.from_bytes(digest[:4], "big", signed=True)})
    else:
        # SQLite (development): the first write of a transaction takes the database's write
        # lock, even one that changes no row; the next sender waits for it.
        db.session.execute(text("UPDATE verification_code SET tries = tries WHERE 1 = 0"))


def issue(purpose: str, mobile: str) -> VerificationCode:
    """Send a new code to ``mobile``.

    :raises TooManyAttempts: the previous code for this mobile was sent less than 60 s ago, or the
        mobile had its daily number of codes.
    """
    assert purpose in PURPOSES
    cfg = current_app.config
    _send_lock(purpose, mobile)
    now = utcnow()
    previous = _latest(purpose, mobile)
    if previous is not None:
        wait = (previous.created_at + dt.timedelta(seconds=cfg["SMS_CODE_RESEND_SECONDS"]) - now).total_seconds()
        if wait > 0:
            db.session.rollback()  # releases the send lock
            raise TooManyAttempts(_("Please wait %(seconds)d seconds before requesting a new code.", seconds=int(wait) + 1))
    limit = cfg["SMS_CODE_MAX_PER_DAY"]
    sent_today = db.session.scalar(select(func.count(VerificationCode.id)).where(
        VerificationCode.target == mobile, VerificationCode.created_at > now - dt.timedelta(days=1)))
    if sent_today >= limit:
        db.session.rollback()
        raise TooManyAttempts(_("Too many verification codes were sent to this mobile number (at most %(limit)d in 24 "
                                "hours). Please try again later.", limit=limit))
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
    max_tries = cfg["SMS_CODE_MAX_TRIES"]
    record_id, code_hash = record.id, record.code_hash
    # Take one try before comparing, in one conditional UPDATE: guesses sent at once cannot all
    # read the same count (reading, comparing, then writing tries + 1 let 20 of 40 parallel
    # guesses be compared against a limit of 5: bench/brute_force.py).
    tries = db.session.execute(
        update(VerificationCode)
        .where(VerificationCode.id == record_id, VerificationCode.tries < max_tries,
               VerificationCode.consumed_at.is_(None))
        .values(tries=VerificationCode.tries + 1)
        .returning(VerificationCode.tries)
    ).scalar_one_or_none()
    db.session.commit()
    if tries is None:
        msg = _("Too many wrong codes; please request a new one.")
        raise ServiceError(msg, {"sms_code": msg})
    if not hmac.compare_digest(code_hash, _hash((code or "").strip(), mobile)):
        left = max_tries - tries
        if left <= 0:
            msg = _("Too many wrong codes; please request a new one.")
        else:
            msg = _("Wrong verification code; %(left)d tries left.", left=left)
        raise ServiceError(msg, {"sms_code": msg})
    # Single use even when the right code arrives twice at once: one UPDATE finds it unused (on
    # PostgreSQL the second waits for the first's transaction). Committed with the caller's work.
    used = db.session.execute(
        update(VerificationCode)
        .where(VerificationCode.id == record_id, VerificationCode.consumed_at.is_(None))
        .values(consumed_at=now)
    ).rowcount
    if not used:
        msg = _("Please request a verification code first.")
        raise ServiceError(msg, {"sms_code": msg})
