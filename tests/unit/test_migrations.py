"""The migrations build exactly the schema the models declare (autogenerate diff empty),
on SQLite and on PostgreSQL."""
from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from tests.conftest import PG_OK, PG_URL, _pg_schema_url


def _diff(url: str):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from flask_appbuilder import Model

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(ctx, Model.metadata)
        db.engine.dispose()
    return diff


def test_sqlite_migrations_match_models(tmp_path):
    assert _diff(f"sqlite:///{tmp_path / 'm.db'}") == []


@pytest.mark.skipif(not PG_OK, reason="no PostgreSQL")
def test_postgresql_migrations_match_models():
    schema = "m_" + uuid.uuid4().hex[:10]
    engine = sa.create_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    try:
        assert _diff(_pg_schema_url(schema)) == []
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()
