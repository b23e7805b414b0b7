"""Primary-key look-up that treats impossible ids as absent (no driver overflow, no 500)."""
from __future__ import annotations

from typing import Any

from app.extensions import db


def get_or_none(model: type, pk: Any) -> Any | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    if not 0 < pk < 2**31:
        return None
    return db.session.get(model, pk)
