"""Column helpers shared by every model module."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, DateTime, Integer
from sqlalchemy.orm import declared_attr


def utcnow() -> dt.datetime:
    """Naive UTC timestamp: one convention for SQLite and PostgreSQL alike."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class TimestampMixin:
    created_at = Column(DateTime, default=utcnow, nullable=False)
    updated_at = Column(DateTime, default=utcnow, onupdate=utcnow, nullable=False)


class VersionedMixin:
    """Optimistic locking: SQLAlchemy adds ``WHERE version = :seen`` to every UPDATE.

    Two reviewers acting on the same record: the second flush matches no row and
    raises StaleDataError, which the workflow engine turns into a conflict message.
    """

    version = Column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls):  # noqa: N805
        return {"version_id_col": cls.__table__.c.version}
