"""GB/T 4754 industries as the Tech-SME tables use them, kept in each process for a minute.

Every table page and every save read the same 117 rows (two statements per save in the load
test). They change only when an administrator edits the reference data: this process forgets
them at once (flush listener below), other app servers within ``CACHE_SECONDS``.
"""
from __future__ import annotations

import time
from typing import NamedTuple

from flask import current_app, has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.extensions import db
from models import Industry

CACHE_SECONDS = 60
_KEY = "shenbao_industries"


class IndustryRow(NamedTuple):
    code: str
    name: str
    level: str  # section | division
    parent_code: str | None


def all_rows() -> tuple[IndustryRow, ...]:
    """Every section and division, ordered by code."""
    cached = current_app.extensions.get(_KEY)
    if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    rows = tuple(IndustryRow(*row) for row in db.session.execute(
        select(Industry.code, Industry.name, Industry.level, Industry.parent_code).order_by(Industry.code)))
    current_app.extensions[_KEY] = (time.monotonic(), rows)
    return rows


def parent_by_code() -> dict[str, str]:
    """code -> its section (a section maps to itself), as the table validation needs it."""
    return {row.code: row.parent_code or row.code for row in all_rows()}


@event.listens_for(Session, "after_flush")
def _forget_on_change(session, _flush_context) -> None:
    if has_app_context() and any(isinstance(obj, Industry)
                                 for obj in (*session.new, *session.dirty, *session.deleted)):
        current_app.extensions.pop(_KEY, None)
