"""Ending sessions server-side.

The browser session is a signed cookie the browser keeps: logging out only asked the browser to
forget it, and a copy of the cookie still opened every page. Each user has a session generation
(ShenbaoUser.session_generation); login copies it into the session, every request compares the
two, and logout or a password change raises it, so every session made before is refused.
"""
from __future__ import annotations

from typing import Any

from flask import has_request_context, session
from flask_login import current_user
from sqlalchemy import select, update

from app.extensions import db
from models import ShenbaoUser

SESSION_KEY = "_session_generation"


def remember_generation(_sender: Any, user: Any, **_extra: Any) -> None:
    """flask_login's ``user_logged_in`` signal: the new session carries the user's generation."""
    session[SESSION_KEY] = user.session_generation


def is_current(user: Any) -> bool:
    """Whether this request's session was made after the user's last logout or password change.
    A session without the key (made before this check existed) is refused too."""
    return session.get(SESSION_KEY) == user.session_generation


def end_all(user_id: int, keep_this_one: bool = False) -> None:
    """End every session of ``user_id`` and commit. ``keep_this_one``: the request's own session
    stays signed in when it is that user's (someone who just changed their own password)."""
    user_id = int(user_id)  # FAB's admin reset passes the id as typed in its URL
    db.session.execute(update(ShenbaoUser).where(ShenbaoUser.id == user_id)
                       .values(session_generation=ShenbaoUser.session_generation + 1)
                       .execution_options(synchronize_session=False))
    db.session.commit()  # also expires the loaded user, so its next read sees the new value
    if keep_this_one and has_request_context() and getattr(current_user, "is_authenticated", False) \
            and current_user.id == user_id:
        session[SESSION_KEY] = db.session.execute(
            select(ShenbaoUser.session_generation).where(ShenbaoUser.id == user_id)).scalar_one()
