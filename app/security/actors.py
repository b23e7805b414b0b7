"""Who acts: the names and departments the timeline records, the system actor of scheduled
jobs, the role checks services share, and the client address of a request."""
from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from app.security import roles as R
from app.security.scope import role_names


class SystemActor:
    """Who scheduled jobs act as: recorded in the log as the platform itself."""

    is_authenticated = True
    is_active = True
    id = None
    agency = None
    agency_id = None
    enterprise_id = None
    recommending_unit_id = None
    first_name = "系统"
    last_name = ""
    username = "system"

    class _Role:
        name = R.SYSTEM

    roles = [_Role()]


class PublicActor:
    """A member of the public filing an objection on a publicity list: not a user; the
    timeline names them "公众 <name>" (the state change itself is a FOLLOW row)."""

    is_authenticated = False
    is_active = False
    id = None
    agency = None
    agency_id = None
    enterprise_id = None
    recommending_unit_id = None
    roles: list = []
    first_name = "公众"
    username = "public"

    def __init__(self, name: str) -> None:
        self.last_name = name


def display_name(actor) -> str | None:
    if actor is None:
        return None
    return " ".join(p for p in (actor.first_name, actor.last_name) if p) or actor.username


def department_of(actor) -> str | None:
    """The department shown in timelines: the agency, the recommending unit, or the association."""
    agency = getattr(actor, "agency", None)
    if agency is not None:
        return agency.name
    unit_id = getattr(actor, "recommending_unit_id", None)
    if unit_id:
        from app.extensions import db
        from models import RecommendingUnit

        unit = db.session.get(RecommendingUnit, unit_id)
        return unit.name if unit is not None else None
    if R.ASSOCIATION_REVIEWER in role_names(actor):
        return _("China Association for Quality")
    return None


def require_operator(actor) -> None:
    """The CA's own steps (papers, payment, invoice, keys, certificates) are the CA operator's."""
    from app.services.errors import Forbidden

    if not role_names(actor) & {R.CA_OPERATOR, R.ADMIN}:
        raise Forbidden(_("Your role may not take this action."))


def client_ip() -> str:
    # Behind a proxy, ProxyFix (configured in app.web) has already set remote_addr.
    return request.remote_addr or "unknown"
