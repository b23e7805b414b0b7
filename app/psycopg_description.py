"""psycopg's ``cursor.description`` built on first use of a column, not on every query.

psycopg 3 builds a Column object per result column (name decoded, type looked up) each time
``description`` is read; SQLAlchemy reads it once per query but, for a statement whose result
layout it has cached, only asks whether it is None and how long it is. An applicant's page
selects a few hundred columns over its queries: building them was ~15 % of its CPU (py-spy).
The list returned here has the same items, made when one is first asked for.
"""
from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace

from psycopg import Column
from psycopg._cursor_base import BaseCursor
from psycopg.pq import ExecStatus

ORIGINAL = BaseCursor.description  # the property, kept for the test and bench comparisons
_applied = False


class LazyDescription(Sequence):
    """``cursor.description`` for the result the cursor holds now, columns built on demand."""

    __slots__ = ("_cursor", "_result", "_columns")

    def __init__(self, cursor, result) -> None:
        self._cursor, self._result, self._columns = cursor, result, None

    def _built(self) -> list[Column]:
        if self._columns is None:
            # Column reads the result from its cursor argument: hand it the result of when the
            # description was asked for, even if the cursor has moved on since (nextset()).
            source = SimpleNamespace(pgresult=self._result, _encoding=self._cursor._encoding,
                                     adapters=self._cursor.adapters)
            self._columns = [Column(source, i) for i in range(self._result.nfields)]
        return self._columns

    def __len__(self) -> int:
        return self._result.nfields

    def __getitem__(self, index):
        return self._built()[index]

    def __iter__(self):
        return iter(self._built())

    def __repr__(self) -> str:
        return repr(self._built())


_TUPLES = (ExecStatus.TUPLES_OK, ExecStatus.SINGLE_TUPLE, ExecStatus.TUPLES_CHUNK)


def _lazy_or_none(cursor):
    """psycopg's rule for None (see BaseCursor.description), with a lazy list otherwise."""
    res = cursor.pgresult
    if res and (res.nfields or res.status in _TUPLES):
        return LazyDescription(cursor, res)
    return None


def apply() -> None:
    global _applied
    if not _applied:
        BaseCursor.description = property(_lazy_or_none, doc=ORIGINAL.__doc__)
        _applied = True
