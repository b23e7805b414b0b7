"""Schemathesis against every REST API's OpenAPI spec, as each role, with many examples.

    .venv/bin/python bench/api_fuzz.py                    # 300 examples per operation and role
    .venv/bin/python bench/api_fuzz.py --examples 50      # quicker
    .venv/bin/python bench/api_fuzz.py --seed 7 --db pg   # other cases, on PostgreSQL

The same world, operations and checks as tests/web/test_api_fuzz.py (tests/api_fuzz_support.py):
no 5xx, documented status code and content type, body valid by the response schema. Without
``--seed`` the run is derandomized (the same cases every time). Prints a table (role,
operations, examples run, failures) and the problems; exits 1 if there is any.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
import uuid
import warnings
from pathlib import Path

# The dev SECRET_KEY is 25 bytes: PyJWT warns on every token; apispec warns about FAB's
# duplicate nested schema names (Region, Region1, ...). Neither is what this run checks.
warnings.filterwarnings("ignore", message="The HMAC key is")
warnings.filterwarnings("ignore", message="Multiple schemas resolved to the name")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1/test")


def _app(db_kind: str, scratch: Path):
    import sqlalchemy as sa

    import app.services.captcha as captcha_mod
    from app import create_app
    from tests import factories

    captcha_mod.random_answer = lambda: factories.CAPTCHA  # as tests/conftest.py does
    schema = None
    if db_kind == "sqlite":
        url = f"sqlite:///{scratch / 'api_fuzz.db'}"
    else:  # a schema of its own in the test database, as tests/conftest.py does
        schema = "bench_" + uuid.uuid4().hex[:12]
        engine = sa.create_engine(PG_URL)
        with engine.begin() as conn:
            conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
        engine.dispose()
        sep = "&" if "?" in PG_URL else "?"
        url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    application = create_app({
        "TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False, "SERVER_NAME": None,
        "UPLOAD_DIR": str(scratch / "uploads"), "EXPORT_DIR": str(scratch / "exports"),
        "IMPORT_DIR": str(scratch / "imports"),
    })
    return application, schema


def _drop_schema(schema: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=300, help="examples per operation and role (default 300)")
    parser.add_argument("--seed", type=int, default=None, help="Hypothesis seed (default: derandomized)")
    parser.add_argument("--db", choices=("sqlite", "pg"), default="sqlite")
    parser.add_argument("--roles", default=None, help="comma-separated subset of the roles")
    parser.add_argument("--show", type=int, default=30, help="kinds of problem to print in full (default 30)")
    parser.add_argument("--per-operation", action="store_true", help="also print each operation's status codes")
    args = parser.parse_args()
    logging.disable(logging.ERROR)  # the app logs every 4xx/5xx it handles; the table and problems say what matters

    from flask_appbuilder import Model

    from app.extensions import db
    from tests import api_fuzz_support as fuzz
    from tests import factories

    roles = tuple(args.roles.split(",")) if args.roles else fuzz.ROLES
    unknown = set(roles) - set(fuzz.ROLES)
    if unknown:
        parser.error(f"unknown roles {sorted(unknown)}; known: {', '.join(fuzz.ROLES)}")
    import schemathesis

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="shenbao-api-fuzz-") as tmp:
        application, pg_schema = _app(args.db, Path(tmp))
        try:
            with application.app_context():
                Model.metadata.create_all(db.engine)
                factories.seed_reference_data()
                runs = fuzz.fuzz_all(application, examples=args.examples, seed=args.seed, roles=roles)
                db.session.remove()
                db.engine.dispose()
        finally:
            if pg_schema:
                _drop_schema(pg_schema)
    elapsed = time.perf_counter() - started

    print(f"schemathesis {schemathesis.__version__}, {args.db}, {args.examples} examples per operation, "
          f"seed {'derandomized' if args.seed is None else args.seed}, {elapsed:.0f} s in all")
    print()
    print("| role | operations (refused) | examples run | failures | 2xx | 4xx | 5xx | seconds |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for run in runs:
        by_class = {c: sum(n for s, n in run.statuses.items() if s // 100 == c) for c in (2, 4, 5)}
        print(f"| {run.role} | {run.operations} ({run.refused}) | {run.examples} | {run.failures} | {by_class[2]} | {by_class[4]} "
              f"| {by_class[5]} | {run.seconds:.0f} |")
    total = sum(run.failures for run in runs)
    if args.per_operation:
        print()
        print("| role | operation | status codes (count) |")
        print("|---|---|---|")
        for run in runs:
            for label, statuses in sorted(run.by_operation.items()):
                codes = ", ".join(f"{code} ({n})" for code, n in sorted(statuses.items()))
                print(f"| {run.role} | {label} | {codes} |")
    print(f"| **all** | | {sum(r.examples for r in runs)} | **{total}** | | | | |")
    if total:
        print()
        print(fuzz.report(runs, limit=args.show))
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
