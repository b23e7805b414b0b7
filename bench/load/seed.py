"""Seed the load-test database ``shenbao_load`` on PostgreSQL (scratch; dropped and recreated).

    .venv/bin/python bench/load/seed.py                      # 100,000 enterprises, 3,000 applicants, ...
    .venv/bin/python bench/load/seed.py --applicants 500 --enterprises 20000 --submitted 4000
    .venv/bin/python bench/load/seed.py --reset              # only put the mutable state back (fast)
    .venv/bin/python bench/load/seed.py --filter-index       # print FAB's filter index of "status equal"

What it writes (schema from the app's models, ``Model.metadata.create_all``; rows by COPY):
  - reference data as tests.factories.seed_reference_data() (roles, a slice of regions, five
    agencies, industries C/39, tech fields);
  - ENTERPRISES approved enterprises, routed 50/30/20 % to the three city agencies;
  - APPLICANTS applicant accounts (user name = mobile 139xxxxxxxx, role Applicant), applicant i
    owning enterprise i and a *draft* SME evaluation with all nine tables filled
    (tests.factories.sme_tables), the stored self-evaluation result (qualified) and a cover
    attachment, so it can be submitted as it is;
  - SUBMITTED further evaluations of enterprises without an account, status pending_agency,
    spread over the last 60 days (what the reviewers' lists hold);
  - REVIEWERS agency reviewers (8 / 6 / 6 for the three agencies).
All accounts share one password hash, computed once by the app's security manager
(``sm.add_user`` for the first reviewer; Argon2id, as in production) and copied to every row.

Idempotent-ish: the database carries a COMMENT with the seed parameters. ``--reset`` (used by
run_load.py --skip-seed) checks it and puts back what a load run changes (evaluation states,
table data, workflow log, captcha challenges, login failures) in a few seconds; without
``--reset`` the database is always recreated from scratch.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import sys
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
warnings.filterwarnings("ignore", message="The HMAC key is")

from bench.load import common as C  # noqa: E402

PDF_MIN = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SEED_TAG = "shenbao-load-seed v1"


def log(msg: str) -> None:
    print(f"[seed {time.strftime('%H:%M:%S')}] {msg}", flush=True)


# --------------------------------------------------------------------------- database
def admin_exec(statements: list[str]) -> None:
    # The same helper the list-pages benchmark uses (autocommit on the server's postgres DB).
    os.environ.setdefault("BENCH_PG_ADMIN_URL", f"{C.PG_SERVER_URL}/postgres")
    from bench.list_pages import pg_admin

    pg_admin(statements)


def fresh_database() -> None:
    admin_exec([f'DROP DATABASE IF EXISTS "{C.DB_NAME}" WITH (FORCE)', f'CREATE DATABASE "{C.DB_NAME}"'])


def sa_url() -> str:
    return C.DATABASE_URL.replace("postgresql://", "postgresql+psycopg://", 1)


def make_app():
    import logging

    logging.disable(logging.WARNING)
    from app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": sa_url(), "RATELIMIT_ENABLED": False})


def copy_rows(table: str, cols: list[str], rows) -> int:
    """COPY rows into ``table`` (dict values written as JSON), as bench/list_pages.py does."""
    from app.extensions import db

    n = 0
    raw = db.engine.raw_connection()
    try:
        conn = raw.driver_connection
        with conn.cursor() as cur:
            with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v
                                    for v in row])
                    n += 1
        conn.commit()
    finally:
        raw.close()
    return n


def sql(statement: str, **params):
    from sqlalchemy import text

    from app.extensions import db

    result = db.session.execute(text(statement), params)
    db.session.commit()
    return result


# --------------------------------------------------------------------------- content
def evaluation_content(year: int) -> tuple[dict, dict]:
    """The nine tables as save_table stores them, and the self-evaluation result."""
    from app.services import sme_form as form
    from rules.sme import evaluate, parse_interchange, result_to_json
    from tests.factories import sme_tables

    source = sme_tables()
    data: dict = {}
    for table in form.TABLES:
        if table.fields:
            values = source.get(table.key) or {}
            data[table.key] = {c.name: values.get(c.name, "") for c in table.fields}
        if table.rows:
            data[table.rows] = [dict(r) for r in source.get(table.rows) or []]
    errors = form.validate(data, for_submit=True, year=year, industries={"C": "C", "39": "C"})
    assert not errors, errors
    payload = form.to_interchange(data, year=year, registered_in_mainland=True)
    result = result_to_json(evaluate(parse_interchange(payload)))
    assert result["qualified"], result
    return data, result


# --------------------------------------------------------------------------- seeding
def seed(enterprises: int, applicants: int, submitted: int, upload_dir: str | None) -> dict:
    assert applicants + submitted <= enterprises, "every evaluation needs its own enterprise"
    t_all = time.perf_counter()
    timings = {}
    fresh_database()
    timings["drop + create database"] = time.perf_counter() - t_all
    t = time.perf_counter()
    app = make_app()
    timings["create_app()"] = time.perf_counter() - t
    with app.app_context():
        from flask_appbuilder import Model
        from sqlalchemy import select

        from app.extensions import db
        from app.security import roles as R
        from app.services import sme as sme_svc
        from models import Agency
        from tests.factories import seed_reference_data

        t = time.perf_counter()
        Model.metadata.create_all(db.engine)
        seed_reference_data()
        timings["schema + reference data"] = time.perf_counter() - t
        agency_ids = dict(db.session.execute(select(Agency.region_code, Agency.id)).all())
        year = sme_svc.evaluation_year()
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)

        # One password hash, made by the app's own security manager, shared by every account.
        t = time.perf_counter()
        sm = app.appbuilder.sm
        agency_role = sm.find_role(R.AGENCY_REVIEWER)
        applicant_role = sm.find_role(R.APPLICANT)
        regions = list(C.REVIEWERS_PER_AGENCY)
        first_region = regions[0]
        first = sm.add_user(username=C.reviewer_login(1), first_name="评审员", last_name="01",
                            email="load_reviewer01@example.invalid", role=agency_role, password=C.PASSWORD)
        assert first, "add_user failed"
        first.agency_id = agency_ids[first_region]
        db.session.commit()
        password_hash = first.password
        timings["password hash (1 × Argon2id)"] = time.perf_counter() - t

        # Enterprises (approved), ids 1..N.
        t = time.perf_counter()
        cols = ["id", "status", "draft", "submitted_at", "approved_at", "credit_code", "name", "legal_rep_name",
                "legal_rep_mobile", "legal_rep_id_type", "legal_rep_id_number", "province_code", "city_code",
                "county_code", "agency_id", "tech_field_code", "registration_authority", "tax_authority",
                "tax_collection_mode", "domestic_listed", "overseas_listed", "venture_capital",
                "created_at", "updated_at", "version"]

        def enterprise_rows():
            for i in range(1, enterprises + 1):
                region, province, city, county = C.agency_slot(i)
                submitted_at = now - dt.timedelta(days=200, minutes=i)
                yield (i, "approved", {}, submitted_at, submitted_at + dt.timedelta(days=3),
                       f"91{city}{i:09d}X", f"负载测试{i:06d}科技有限公司", "李雷", f"138{i:08d}", "id_card",
                       "360426199101010071", province, city, county, agency_ids[region], "1.1",
                       "市场监督管理局", "国家税务总局", "audit", False, False, False,
                       submitted_at - dt.timedelta(days=5), submitted_at, 1)

        copy_rows("enterprise", cols, enterprise_rows())
        timings[f"{enterprises:,} enterprises"] = time.perf_counter() - t

        # Accounts: the other reviewers, then the applicants (applicant i owns enterprise i).
        t = time.perf_counter()
        user_cols = ["id", "first_name", "last_name", "username", "password", "active", "email", "login_count",
                     "fail_login_count", "created_on", "changed_on", "mobile", "enterprise_id", "agency_id"]
        next_id = first.id + 1
        users, links = [], []
        n = 1
        for region in regions:
            for _ in range(C.REVIEWERS_PER_AGENCY[region]):
                if n > 1:
                    users.append((next_id, "评审员", f"{n:02d}", C.reviewer_login(n), password_hash, True,
                                  f"load_reviewer{n:02d}@example.invalid", 0, 0, now, now, None, None,
                                  agency_ids[region]))
                    links.append((next_id, agency_role.id))
                    next_id += 1
                n += 1
        for i in range(1, applicants + 1):
            users.append((next_id, f"企业用户{i}", "", C.applicant_login(i), password_hash, True,
                          f"applicant{i}@example.invalid", 0, 0, now, now, C.applicant_login(i), i, None))
            links.append((next_id, applicant_role.id))
            next_id += 1
        copy_rows("ab_user", user_cols, users)
        link_id = sql("SELECT coalesce(max(id), 0) FROM ab_user_role").scalar() + 1
        copy_rows("ab_user_role", ["id", "user_id", "role_id"], ((link_id + j, u, r) for j, (u, r) in enumerate(links)))
        timings[f"{len(users) + 1:,} accounts"] = time.perf_counter() - t

        # Covers (one attachment row each; the file is a hard link to one tiny PDF) and evaluations.
        t = time.perf_counter()
        data, result = evaluation_content(year)
        total = applicants + submitted
        att_cols = ["id", "purpose", "original_name", "stored_name", "content_type", "size", "sha256", "record_type",
                    "record_id", "enterprise_id", "created_at"]
        sha = hashlib.sha256(PDF_MIN).hexdigest()
        stored = [f"lc{k:030d}.pdf" for k in range(1, total + 1)]
        copy_rows("attachment", att_cols, (
            (k, "sme_cover", "cover.pdf", stored[k - 1], "application/pdf", len(PDF_MIN), sha, "sme_evaluation", k,
             k, now) for k in range(1, total + 1)))
        if upload_dir:
            write_cover_files(Path(upload_dir), stored)
        ev_cols = ["id", "system_number", "enterprise_id", "year", "status", "data", "result", "qualified",
                   "total_score", "path", "cover_attachment_id", "agency_id", "province_code", "city_code",
                   "industry_code", "tech_field_code", "submitted_at", "sampled", "created_at", "updated_at",
                   "version"]

        def evaluation_rows():
            for k in range(1, total + 1):
                ent = k  # evaluation k belongs to enterprise k (1..A: the applicants' own)
                region, province, city, _county = C.agency_slot(ent)
                created = now - dt.timedelta(days=61)
                if k <= applicants:  # draft: the agency fields are filled in at submission
                    yield (k, f"{year}{k:08d}", ent, year, "draft", data, result, True, result["total_score"],
                           result["path"], k, None, None, None, None, None, None, False, created, created, 1)
                else:
                    at = now - dt.timedelta(seconds=(k * 7919) % (60 * 86_400))  # unique, last 60 days
                    yield (k, f"{year}{k:08d}", ent, year, "pending_agency", data, result, True,
                           result["total_score"], result["path"], k, agency_ids[region], province, city, "39", "1.1",
                           at, False, created, at, 2)

        copy_rows("sme_evaluation", ev_cols, evaluation_rows())
        timings[f"{total:,} evaluations + covers"] = time.perf_counter() - t

        t = time.perf_counter()
        for table in ("enterprise", "ab_user", "ab_user_role", "attachment", "sme_evaluation"):
            # serial columns, or FAB's explicit Sequence("<table>_id_seq") that no column owns
            sql(f"SELECT setval(coalesce(pg_get_serial_sequence('{table}', 'id'), '{table}_id_seq'), "
                f"(SELECT max(id) FROM {table}))")
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
        timings["sequences + VACUUM ANALYZE"] = time.perf_counter() - t
        params = {"tag": SEED_TAG, "enterprises": enterprises, "applicants": applicants, "submitted": submitted,
                  "reviewers": len(users) + 1 - applicants, "year": year}
        comment = json.dumps(params).replace("'", "''")
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f"COMMENT ON DATABASE \"{C.DB_NAME}\" IS '{comment}'")
        db.session.remove()
        db.engine.dispose()
    timings["total"] = time.perf_counter() - t_all
    for key, value in timings.items():
        log(f"{key:32} {value:7.1f} s")
    return params


def write_cover_files(upload_dir: Path, stored: list[str]) -> None:
    """Every cover row points at its own name (unique column); all are hard links of one PDF."""
    upload_dir.mkdir(parents=True, exist_ok=True)
    master = upload_dir / "load-cover-master.pdf"
    master.write_bytes(PDF_MIN)
    for name in stored:
        path = upload_dir / name[:2] / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            os.link(master, path)


def current_params() -> dict | None:
    import psycopg

    try:
        with psycopg.connect(f"{C.PG_SERVER_URL}/postgres", autocommit=True) as conn:
            row = conn.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                               (C.DB_NAME,)).fetchone()
    except Exception:  # noqa: BLE001
        return None
    if not row or not row[0]:
        return None
    try:
        params = json.loads(row[0])
    except ValueError:
        return None
    return params if params.get("tag") == SEED_TAG else None


def reset(upload_dir: str | None) -> dict:
    """Undo what a load run changed; the seed itself stays. Returns the seed parameters."""
    params = current_params()
    if params is None:
        raise SystemExit(f"database {C.DB_NAME} was not made by this seed script: run without --reset")
    t = time.perf_counter()
    app = make_app()
    with app.app_context():
        data, result = evaluation_content(params["year"])
        a = params["applicants"]
        sql("UPDATE sme_evaluation SET status='draft', version=1, data=CAST(:d AS json), result=CAST(:r AS json), "
            "qualified=true, total_score=:s, path=:p, cover_attachment_id=id, agency_id=NULL, province_code=NULL, "
            "city_code=NULL, industry_code=NULL, tech_field_code=NULL, submitted_at=NULL, return_reason=NULL "
            "WHERE id <= :a AND (status <> 'draft' OR version <> 1)",
            d=json.dumps(data, ensure_ascii=False), r=json.dumps(result), s=result["total_score"], p=result["path"],
            a=a)
        sql("UPDATE sme_evaluation SET status='pending_agency', version=2, return_reason=NULL "
            "WHERE id > :a AND (status <> 'pending_agency' OR version <> 2)", a=a)
        for table in ("workflow_log", "captcha_challenge", "login_failure", "handed_out_pdf"):
            sql(f"DELETE FROM {table}")
        sql("DELETE FROM attachment WHERE id > :n", n=a + params["submitted"])
        from app.extensions import db

        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE sme_evaluation")
        if upload_dir:
            write_cover_files(Path(upload_dir), [f"lc{k:030d}.pdf" for k in range(1, a + params["submitted"] + 1)])
        db.session.remove()
        db.engine.dispose()
    log(f"reset the mutable state of {C.DB_NAME} in {time.perf_counter() - t:.1f} s")
    return params


def filter_index() -> int:
    """FAB names list filters _flt_<index>_<column>: the index of FilterEqual among the filters
    the SME review view offers for ``status`` (as bench/list_pages.py works it out)."""
    from flask_appbuilder.models.sqla.filters import FilterEqual

    app = make_app()
    view = next(v for v in app.appbuilder.baseviews if type(v).__name__ == "SmeReviewView")
    flts = view._filters.get_search_filters()["status"]
    return [type(f) for f in flts].index(FilterEqual)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--enterprises", type=int, default=C.N_ENTERPRISES)
    ap.add_argument("--applicants", type=int, default=int(os.environ.get("N_APPLICANTS", C.N_APPLICANTS)))
    ap.add_argument("--submitted", type=int, default=C.N_SUBMITTED)
    ap.add_argument("--upload-dir", help="also write the cover files there (the app's UPLOAD_DIR)")
    ap.add_argument("--reset", action="store_true", help="only undo what a load run changed")
    ap.add_argument("--filter-index", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--json", action="store_true", help="print the seed parameters as JSON at the end")
    args = ap.parse_args(argv)
    if args.filter_index:
        print(filter_index())
        return 0
    if args.reset:
        params = reset(args.upload_dir)
    else:
        log(f"seeding {C.DATABASE_URL}: {args.enterprises:,} enterprises, {args.applicants:,} applicants, "
            f"{args.submitted:,} submitted evaluations, {C.N_REVIEWERS} reviewers")
        params = seed(args.enterprises, args.applicants, args.submitted, args.upload_dir)
    if args.json:
        print(json.dumps(params))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
