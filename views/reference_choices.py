"""Small reference look-ups shared by forms (never whole tables)."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from models import Region


def region_children(parent_code: str | None) -> list[Region]:
    stmt = select(Region).order_by(Region.code)
    if parent_code:
        stmt = stmt.where(Region.parent_code == parent_code)
    else:
        stmt = stmt.where(Region.level == "province")
    return list(db.session.execute(stmt).scalars())
