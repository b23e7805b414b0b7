"""The navigation menu, rendered once per role set and language instead of on every page.

Flask-AppBuilder renders the menu on every page with one ``has_access`` check per item (~30 on
a reviewer's page: half the CPU of a simple page in the load test). Shenbao's roles are FAB
builtin roles (FAB_ROLES, fixed by the configuration), so the visible items depend only on the
user's role names, whether the account is active, and the language: that is the cache key. A
user holding a role stored in the database (none in Shenbao's set-up) gets the uncached menu.
"""
from __future__ import annotations

from flask import Flask, current_app, g, render_template
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

ITEMS_TEMPLATE = "shenbao/_navbar_menu_items.html"


def _cache_key() -> tuple | None:
    sm = current_app.appbuilder.sm
    if current_user.is_authenticated:
        user = g.user
        active = bool(user.is_active)
    else:
        user, active = current_user, True
    names = tuple(sorted({role.name for role in sm.get_user_roles(user)}))
    if any(name not in sm.builtin_roles for name in names):
        return None
    return names, active, str(get_locale())


def _render() -> Markup:
    return Markup(render_template(ITEMS_TEMPLATE, menu=current_app.appbuilder.menu))


def menu_html() -> Markup:
    key = _cache_key()
    if key is None:
        return _render()
    cache: dict = current_app.extensions.setdefault("shenbao_menu_html", {})
    html = cache.get(key)
    if html is None:  # two threads may both render it once; either result is the same
        html = cache[key] = _render()
    return html


def register_menu_cache(app: Flask) -> None:
    app.jinja_env.globals["shenbao_menu_html"] = menu_html
