"""The top bar, rendered once per role set and language instead of on every page.

Flask-AppBuilder renders the bar on every page: one ``has_access`` check per menu item (~30 on a
reviewer's page), the language menu, a dozen addresses and translations; measured, ~0.5 ms of a
2.8 ms applicant page (bench/README.md). Shenbao's roles are FAB builtin roles (FAB_ROLES, fixed by
the configuration), so what the bar shows depends only on the user's role names, whether the
account is active, whether someone is signed in, and the language: that is the cache key. Two
things differ per user and are filled in per page: the user's name (escaped) and the unread
count beside the envelope. A user holding a role stored in the database (none in Shenbao's
set-up) gets the bar rendered afresh.
"""
from __future__ import annotations

import re

from flask import Flask, current_app, g, render_template, request, session
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup, escape

NAVBAR_TEMPLATE = "shenbao/_navbar.html"
# Rendered in the places filled per page, then cut there; a NUL cannot come from a template's text.
_SLOT = re.compile("\x00(user_name|unread_badge)\x00")
_SLOTS = {name: Markup(f"\x00{name}\x00") for name in ("user_name", "unread_badge")}
_BADGE = Markup(' <span class="badge" id="sb-inbox-unread">%d</span>')


def _cache_key() -> tuple | None:
    sm = current_app.appbuilder.sm
    signed_in = bool(current_user.is_authenticated)
    user = g.user if signed_in else current_user
    names = tuple(sorted({role.name for role in sm.get_user_roles(user)}))
    if any(name not in sm.builtin_roles for name in names):
        return None
    # The language menu reads the session's choice; addresses carry the mount point (SCRIPT_NAME).
    return (names, signed_in, signed_in and bool(user.is_active), str(get_locale()), session.get("locale"),
            request.script_root)


def _pieces() -> tuple[str, ...]:
    """The bar as text and slot names in turn: text, slot, text, slot, ..., text."""
    appbuilder = current_app.appbuilder
    html = render_template(NAVBAR_TEMPLATE, appbuilder=appbuilder, menu=appbuilder.menu, **_SLOTS)
    return tuple(_SLOT.split(str(html)))


def _slot_values() -> dict[str, str]:
    if not current_user.is_authenticated:
        return {"user_name": "", "unread_badge": ""}
    from views.messages import unread_for_current_user

    unread = unread_for_current_user()
    return {"user_name": str(escape(g.user.get_full_name())), "unread_badge": str(_BADGE % unread) if unread else ""}


def navbar_html() -> Markup:
    key = _cache_key()
    if key is None:
        pieces = _pieces()
    else:
        cache: dict = current_app.extensions.setdefault("shenbao_navbar_html", {})
        pieces = cache.get(key)
        if pieces is None:  # two threads may both render it once; either result is the same
            pieces = cache[key] = _pieces()
    values = _slot_values() if len(pieces) > 1 else {}
    return Markup("".join(piece if i % 2 == 0 else values[piece] for i, piece in enumerate(pieces)))


def register_navbar_cache(app: Flask) -> None:
    app.jinja_env.globals["shenbao_navbar_html"] = navbar_html
