"""Primary-key look-up that treats impossible ids as absent (no driver overflow, no 500)."""
from __future__ import annotations

from typing import Any, Sequence

from app.extensions import db


def valid_pk(pk: Any) -> int | None:
    """``pk`` as an id the database can hold, else None (SQLite overflows past 64 bits)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return pk if 0 < pk < 2**31 else None


def get_or_none(model: type, pk: Any, options: Sequence[Any] = ()) -> Any | None:
    pk = valid_pk(pk)
    return None if pk is None else db.session.get(model, pk, options=options or None)


def owned_by(user: Any, model: type, pk: Any, options: Sequence[Any] = ()) -> Any:
    """The applicant's own record of ``model`` (its ``enterprise_id`` is the user's).

    :param options: loader options (what to join) for a page that needs less than the model's defaults.

    :raises NotFound: absent, impossible id, or another enterprise's record (404, not 403).
    """
    from flask_babel import gettext as _

    from app.services.errors import NotFound

    record = get_or_none(model, pk, options)
    if record is None or not user.enterprise_id or record.enterprise_id != user.enterprise_id:
        raise NotFound(_("Record not found."))
    return record
