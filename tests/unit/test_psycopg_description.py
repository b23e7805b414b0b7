"""app/psycopg_description.py: ``cursor.description`` is built on first use, with the same
columns psycopg builds and None where psycopg answers None."""
from __future__ import annotations

import inspect

import psycopg
import pytest
from psycopg._cursor_base import BaseCursor

from app import psycopg_description
from tests.conftest import PG_OK, PG_URL

pytestmark = pytest.mark.skipif(not PG_OK, reason="no PostgreSQL")


@pytest.fixture
def cursor():
    psycopg_description.apply()
    dsn = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        yield cur


def _original(cur):
    return psycopg_description.ORIGINAL.fget(cur)


def test_psycopg_still_decides_none_the_way_the_lazy_property_copies():
    source = inspect.getsource(psycopg_description.ORIGINAL.fget)
    assert "res.nfields" in source and "TUPLES_OK" in source and "SINGLE_TUPLE" in source
    assert "Column(self, i) for i in range(res.nfields)" in source


def test_the_columns_are_psycopgs(cursor):
    cursor.execute("SELECT 1 AS a, 'x'::text AS b, now() AS c")
    lazy, eager = cursor.description, _original(cursor)
    assert isinstance(BaseCursor.description, property) and len(lazy) == 3
    assert [tuple(c) for c in lazy] == [tuple(c) for c in eager]
    assert lazy[0].name == "a" and lazy[-1][0] == "c" and [c.name for c in lazy[1:]] == ["b", "c"]


def test_none_without_a_result_and_an_empty_list_for_select_nothing(cursor):
    cursor.execute("CREATE TEMP TABLE t_desc (id int)")
    assert cursor.description is None and _original(cursor) is None
    cursor.execute("SELECT")
    assert cursor.description is not None and len(cursor.description) == 0 == len(_original(cursor))


def test_a_description_kept_while_the_cursor_moves_on_still_describes_its_own_result(cursor):
    cursor.execute("SELECT 1 AS first")
    kept = cursor.description
    cursor.execute("SELECT 2 AS second, 3 AS third")
    assert [c.name for c in kept] == ["first"] and len(kept) == 1
    assert [c.name for c in cursor.description] == ["second", "third"]


def test_column_still_reads_only_what_the_stand_in_cursor_carries():
    source = inspect.getsource(psycopg.Column.__init__)
    assert "cursor.pgresult" in source
    assert "cursor." not in source.replace("cursor.pgresult", "").replace("cursor._encoding", "").replace(
        "cursor.adapters", "")
