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


def reference_name(model, code) -> str | None:
    """A reference table's code (economic type, industry, region…) as its name; None when unknown."""
    row = db.session.get(model, code) if code else None
    return row.name if row is not None else None


def region_name(code: str | None) -> str:
    """A GB/T 2260 code as its name (the code itself when unknown, '' for none)."""
    if not code:
        return ""
    return db.session.execute(select(Region.name).where(Region.code == code)).scalar() or code
