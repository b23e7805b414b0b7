"""Login failure counting per account and per IP, kept in the database so every app
server enforces the same limits.

Race-free by construction: an attempt is written down as a failure *before* its password is
checked (:func:`begin`), and only then are the failures counted, its own included. N guesses
sent at once each see at least the rows of those committed before them, so at most the limit
get their password checked (counting first and writing afterwards let 20 of 40 parallel guesses
through a limit of 5: bench/brute_force.py). A blocked attempt takes its rows back; a
successful one takes its rows back and clears the account's failures.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import delete, func, select

from app.extensions import db
from models import LoginFailure
from models.base import utcnow


@dataclass
class Attempt:
    """A login attempt written down before its password is checked."""

    account: str
    row_ids: list[int]
    wait: int  # seconds to wait; 0 = the password may be checked


def _keys(account: str, ip: str) -> tuple[str, str]:
    return f"account:{account.strip().lower()[:140]}", f"ip:{ip[:150]}"


def _limits() -> tuple[dt.timedelta, int, int]:
    cfg = current_app.config
    return (dt.timedelta(seconds=cfg["LOGIN_FAILURE_WINDOW_SECONDS"]), cfg["LOGIN_MAX_FAILURES_PER_ACCOUNT"],
            cfg["LOGIN_MAX_FAILURES_PER_IP"])


def _count(key: str, since: dt.datetime) -> tuple[int, dt.datetime | None]:
    row = db.session.execute(
        select(func.count(LoginFailure.id), func.min(LoginFailure.at)).where(
            LoginFailure.key == key, LoginFailure.at >= since
        )
    ).one()
    return int(row[0]), row[1]


def _wait(account: str, ip: str, allowed_beyond: int) -> int:
    """Seconds until the oldest failure of a key over its limit leaves the window (0: none over).

    A key is over when it holds more than ``limit + allowed_beyond - 1`` failures: the read-only
    check asks ``count >= limit`` (``allowed_beyond`` 0), :func:`begin`, whose own row is already
    counted, ``count > limit`` (``allowed_beyond`` 1).
    """
    window, per_account, per_ip = _limits()
    now = utcnow()
    account_key, ip_key = _keys(account, ip)
    wait = 0
    for key, limit in ((account_key, per_account), (ip_key, per_ip)):
        count, oldest = _count(key, now - window)
        if count >= limit + allowed_beyond and oldest is not None:
            wait = max(wait, int((oldest + window - now).total_seconds()) + 1)
    return wait


def blocked_for(account: str, ip: str) -> int:
    """Seconds the caller must wait before trying again (0 = may try now). Read only: a quick
    answer before the captcha is spent; :func:`begin` is the check that holds under concurrency."""
    return _wait(account, ip, 0)


def begin(account: str, ip: str) -> Attempt:
    """Write the attempt down as a failure of the account and of the address, commit, then count.

    ``Attempt.wait`` > 0: over a limit, the password must not be checked (the rows are taken
    back). Otherwise check it and call :func:`succeeded` or leave the rows as the failure.
    """
    now = utcnow()
    rows = [LoginFailure(key=key, at=now) for key in _keys(account, ip)]
    db.session.add_all(rows)
    db.session.commit()
    attempt = Attempt(account, [row.id for row in rows], 0)
    attempt.wait = _wait(account, ip, 1)
    if attempt.wait:
        _take_back(attempt)
    return attempt


def succeeded(attempt: Attempt) -> None:
    """The password was right: the attempt was no failure, and the account starts afresh."""
    _take_back(attempt)
    clear_account(attempt.account)


def _take_back(attempt: Attempt) -> None:
    db.session.execute(delete(LoginFailure).where(LoginFailure.id.in_(attempt.row_ids)))
    db.session.commit()


def clear_account(account: str) -> None:
    account_key, _ = _keys(account, "")
    db.session.execute(delete(LoginFailure).where(LoginFailure.key == account_key))
    db.session.commit()
