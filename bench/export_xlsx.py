"""Export of Tech-SME evaluations × 40 columns to .xlsx, end to end, and the import of the file.

    .venv/bin/python bench/export_xlsx.py                  # 10,000 and 100,000 rows, SQLite
    .venv/bin/python bench/export_xlsx.py --rows 2000      # quick check
    .venv/bin/python bench/export_xlsx.py --postgres       # also on PostgreSQL (scratch database)

End to end = what the export does after the click: the scoped, filtered, ordered id query;
the rows read a chunk at a time through their own session (ORM, with enterprise and agency);
the 40 column values (names looked up, JSON figures as numbers); the workbook written
(app.reports.workbook, XlsxWriter constant_memory). Each export runs in a fresh child process
so its peak RSS (ru_maxrss) is the export's own. Goals: 100,000 rows ≤ 12 s, peak RSS ≤ 300 MB,
RSS at 10,000 and 100,000 rows within 20 % of each other. Import: the 100,000-row file read back
with python-calamine (the import path, app.reports.imports.read_table) against openpyxl
read-only; goal ≤ 5 s.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1/postgres")
PG_DB = "shenbao_bench_export"


def _app(url: str, work: Path, engine: str = "auto"):
    import logging

    logging.disable(logging.WARNING)
    from app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "UPLOAD_DIR": str(work / "up"),
                       "EXPORT_DIR": str(work / "exports"), "RATELIMIT_ENABLED": False,
                       "EXPORT_XLSX_ENGINE": engine})


def seed(url: str, rows: int, work: Path) -> None:
    """Enterprises and submitted evaluations with filled tables and a scored result (Core inserts)."""
    from flask_appbuilder import Model
    from sqlalchemy import insert

    from app.extensions import db
    from models import Enterprise, SmeEvaluation
    from tests import factories

    if url.startswith("postgresql"):
        _fresh_pg_database()
    elif url.startswith("sqlite:///"):
        Path(url[len("sqlite:///"):]).unlink(missing_ok=True)
    app = _app(url, work)
    with app.app_context():
        Model.metadata.create_all(db.engine)
        factories.seed_reference_data()
        from app.security import roles as R

        factories.gen_user(R.MANAGER, username="bench_manager")
        agency = factories.agency("330100")
        rng = random.Random(7)
        statuses = ["pending_agency", "agency_confirmed", "pending_province", "recommended", "stored", "numbered"]
        now = dt.datetime(2026, 5, 1)
        batch = 5000
        for start in range(0, rows, batch):
            count = min(batch, rows - start)
            enterprises = [{"id": start + i + 1, "status": "approved", "draft": {}, "version": 1,
                            "credit_code": factories.credit_code(start + i + 1), "name": f"杭州基准{start + i:07d}科技有限公司",
                            "province_code": "330000", "city_code": "330100", "county_code": "330106",
                            "agency_id": agency.id, "created_at": now, "updated_at": now}
                           for i in range(count)]
            db.session.execute(insert(Enterprise), enterprises)
            evaluations = []
            for i in range(count):
                n = start + i + 1
                score = rng.randint(40, 100)
                evaluations.append({
                    "id": n, "system_number": f"2026330106{n:06d}", "enterprise_id": n, "year": 2026,
                    "status": statuses[n % len(statuses)], "version": 1, "qualified": score >= 60,
                    "total_score": score, "path": "scored", "agency_id": agency.id, "province_code": "330000",
                    "city_code": "330100", "industry_code": "39", "tech_field_code": "1.1",
                    "submitted_at": now - dt.timedelta(minutes=n), "sampled": n % 17 == 0,
                    "certificate_number": f"202633010600{n:05d}" if n % 6 == 5 else None,
                    "created_at": now, "updated_at": now,
                    "data": {"main": {"industry_section": "C", "industry_code": "39"},
                             "finance": {"sales_revenue": f"{rng.randint(100, 90000)}.{rng.randint(0, 9999):04d}",
                                         "total_assets": str(rng.randint(100, 90000)),
                                         "cost_expenses": str(rng.randint(100, 90000)), "net_profit": "-12.5",
                                         "taxes_paid": "33.25"},
                             "hr": {"fulltime": "120", "parttime": "8", "temporary": "3", "tech_fulltime": "30",
                                    "tech_parttime": "2", "tech_temporary": "0"},
                             "ip": [{"name": "一种传感器", "kind": "invention_patent"}] * (n % 4),
                             "standards": [], "institutions": [{"name": "省级研发中心"}] if n % 3 == 0 else []},
                    "result": {"qualified": score >= 60, "path": "scored", "total_score": score,
                               "rd_total": f"{rng.randint(10, 5000)}.5",
                               "indicators": {**{str(k): {"passed": True} for k in range(1, 9)},
                                              "9": {"points": rng.randint(0, 20)}, "10": {"points": rng.randint(0, 50)},
                                              "11": {"points": rng.randint(0, 30), "class_i": n % 3}}},
                })
            db.session.execute(insert(SmeEvaluation), evaluations)
            db.session.commit()
        # Planner statistics, as autovacuum keeps them in production (a fresh table has none).
        from sqlalchemy import text

        with db.engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()


def _fresh_pg_database() -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)"))
        conn.execute(sa.text(f"CREATE DATABASE {PG_DB}"))
    engine.dispose()


def export_child(url: str, work: Path, out: Path, engine: str) -> dict:
    """Runs in a child process: the manager's export of every evaluation, newest first."""
    app = _app(url, work, engine)
    with app.app_context():
        from sqlalchemy import select

        from app.extensions import db
        from app.reports import export as ex
        from app.reports.sme_columns import sme_export_layout, sme_export_rows
        from models import ShenbaoUser, SmeEvaluation

        manager = db.session.execute(select(ShenbaoUser).filter_by(username="bench_manager")).scalar_one()
        with app.test_request_context("/"):
            from flask import g

            g.user = manager
            start = time.perf_counter()
            from app.datamodel import PagedSQLAInterface

            datamodel = PagedSQLAInterface(SmeEvaluation, db.session)
            filters = datamodel.get_filters()
            from app.security.scope import ScopeFilter

            filters.add_filter("id", ScopeFilter, None)
            ids = ex.filtered_ids(datamodel, filters, "submitted_at", "desc")
            after_ids = time.perf_counter()
            columns, row = sme_export_layout()
            spec = ex.ExportSpec(model=SmeEvaluation, ids=ids, columns=columns, row=row, title="bench",
                                 sheet_name="bench", load=sme_export_rows)
            written = ex.write_spec(spec, str(out))
            done = time.perf_counter()
    return {"rows": written, "columns": len(columns), "ids_s": after_ids - start, "total_s": done - start,
            "rss_mb": peak_rss_mb(), "bytes": out.stat().st_size}


def peak_rss_mb() -> float:
    """This process's peak RSS. VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec(), so a
    child would report its parent's peak from before the fork (the seeding)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def import_times(path: Path) -> dict:
    from openpyxl import load_workbook

    from app.reports.imports import read_table

    data = path.read_bytes()
    start = time.perf_counter()
    table = read_table(data, path.name)
    calamine = time.perf_counter() - start
    start = time.perf_counter()
    book = load_workbook(path, read_only=True)
    count = sum(1 for _row in book.active.iter_rows(values_only=True))
    openpyxl_s = time.perf_counter() - start
    return {"rows": len(table), "calamine_s": calamine, "openpyxl_rows": count, "openpyxl_s": openpyxl_s}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--engines", nargs="*", default=["rustpy", "xlsxwriter"],
                        help="export engines to compare side by side (app.reports.workbook)")
    parser.add_argument("--child", nargs=4, metavar=("URL", "WORK", "OUT", "ENGINE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(export_child(args.child[0], Path(args.child[1]), Path(args.child[2]), args.child[3])))
        return 0
    work = Path(tempfile.mkdtemp(prefix="shenbao-export-bench-"))
    targets = [("SQLite", f"sqlite:///{work / 'bench.db'}")]
    if args.postgres:
        targets.append(("PostgreSQL", PG_URL.rsplit("/", 1)[0] + f"/{PG_DB}"))
    for name, url in targets:
        for rows in sorted(args.rows):
            seed(url, rows, work)
            for engine in args.engines:
                out = work / f"export-{name}-{rows}-{engine}.xlsx"
                child = subprocess.run([sys.executable, __file__, "--child", url, str(work), str(out), engine],
                                       capture_output=True, text=True, check=True)
                figures = json.loads(child.stdout.strip().splitlines()[-1])
                print(f"{name:10} {engine:10} {rows:>7,} rows × {figures['columns']} cols: {figures['total_s']:6.2f} s "
                      f"(ids {figures['ids_s']:.2f} s), peak RSS {figures['rss_mb']:6.1f} MB, "
                      f"file {figures['bytes'] / 1e6:5.1f} MB", flush=True)
            if rows == max(args.rows):
                imp = import_times(out)
                print(f"{'':21} import of that file: python-calamine {imp['calamine_s']:5.2f} s "
                      f"({imp['rows']:,} rows), openpyxl read-only {imp['openpyxl_s']:5.2f} s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
