"""Login failure counting per account and per IP, kept in the database so every app
server enforces the same limits."""
from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import delete, func, select

from app.extensions import db
from models import LoginFailure
from models.base import utcnow


def _keys(account: str, ip: str) -> tuple[str, str]:
    return f"account:{account.strip().lower()[:140]}", f"ip:{ip}"


def _count(key: str, since: dt.datetime) -> tuple[int, dt.datetime | None]:
    row = db.session.execute(
        select(func.count(LoginFailure.id), func.min(LoginFailure.at)).where(
            LoginFailure.key == key, LoginFailure.at >= since
        )
    ).one()
    return int(row[0]), row[1]


def blocked_for(account: str, ip: str) -> int:
    """Seconds the caller must wait before trying again (0 = may try now)."""
    cfg = current_app.config
    window = dt.timedelta(seconds=cfg["LOGIN_FAILURE_WINDOW_SECONDS"])
    now = utcnow()
    account_key, ip_key = _keys(account, ip)
    wait = 0
    for key, limit in ((account_key, cfg["LOGIN_MAX_FAILURES_PER_ACCOUNT"]), (ip_key, cfg["LOGIN_MAX_FAILURES_PER_IP"])):
        count, oldest = _count(key, now - window)
        if count >= limit and oldest is not None:
            wait = max(wait, int((oldest + window - now).total_seconds()) + 1)
    return wait


def record_failure(account: str, ip: str) -> None:
    now = utcnow()
    for key in _keys(account, ip):
        db.session.add(LoginFailure(key=key, at=now))
    db.session.commit()


def clear_account(account: str) -> None:
    account_key, _ = _keys(account, "")
    db.session.execute(delete(LoginFailure).where(LoginFailure.key == account_key))
    db.session.commit()
