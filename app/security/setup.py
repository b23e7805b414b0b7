"""Create the roles declared in app.security.roles (their permissions are evaluated in
memory, so nothing else is stored)."""
from __future__ import annotations

from flask import current_app

from app.security.roles import ROLES


def sync_roles() -> None:
    sm = current_app.appbuilder.sm
    for name in ROLES:
        if sm.find_role(name) is None:
            sm.add_role(name)
    if sm.find_role(sm.auth_role_public) is None:
        sm.add_role(sm.auth_role_public)
