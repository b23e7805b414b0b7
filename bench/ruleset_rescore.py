"""The rule-set test bench at scale: N stored evaluations re-scored under a stricter draft
(goal: 100,000 in ≤ 30 s on SQLite and on PostgreSQL, on this 2-core machine).

    .venv/bin/python bench/ruleset_rescore.py                    # 100,000 evaluations, both databases
    .venv/bin/python bench/ruleset_rescore.py --n 20000 --db sqlite
    .venv/bin/python bench/ruleset_rescore.py --profile          # + the run's top functions (cProfile)
    .venv/bin/python bench/ruleset_rescore.py --write            # + bench/results/ruleset_rescore-<date>.md

Seeds (bulk: executemany on SQLite, COPY on PostgreSQL; fixed seed 42):
  - reference data as tests.factories.seed_reference_data() (regions of Zhejiang and Beijing,
    the shipped 2017 rule set);
  - N/2 approved enterprises in Hangzhou, Jinhua and Beijing, each with a submitted evaluation of
    2025 and 2026 (N in all);
  - the nine tables varied from a pool of 2,000 variants: head counts 20–430, tech staff 5–45 %,
    sales 500–15,000 万元, 0–3 R&D projects of every form (R&D 0–8 % of sales), 0–6 IP items of
    every kind, 2 % failing an entry condition, 5 % holding a valid high-tech certificate (direct
    path), 0.1 % with a head count that no longer reads ("八十");
  - the stored result as the 2017 set scored it (10 % name no set: scored before sets were
    recorded, so the bench looks up the set in force);
  - a draft with pass mark 70 and tech-staff bands 5 points stricter.
Then times ``app.services.sme.ruleset_bench.start`` run inline (count, every chunk, the change
rows, the summary) on a temporary SQLite file and a temporary PostgreSQL schema
(127.0.0.1, trust auth, as tests/conftest.py), and prints seconds, evaluations/s and the counts.
"""
from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import logging
import os
import platform
import pstats
import random
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
warnings.filterwarnings("ignore", message="The HMAC key is")

VARIANTS = 2000
CITIES = [("330000", "330100", "330106"), ("330000", "330700", "330702"), ("110000", "110100", "110101")]
STRICTER_TECH_STAFF = [["35", 20], ["30", 16], ["25", 12], ["20", 8], ["15", 4]]
IP_KINDS = ["invention_patent", "utility_model", "design_patent", "software_copyright", "ic_layout", "new_drug"]
RD_FORMS = ["independent", "cooperative", "centralized", "commissioned_domestic", "commissioned_foreign"]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- data ------------------------------------------------------------------------------------------

def variant(rng: random.Random) -> dict:
    """The nine tables of one enterprise, as the form stores them (strings)."""
    from tests.factories import sme_tables

    fulltime, parttime, temporary = rng.randint(20, 400), rng.randint(0, 20), rng.randint(0, 10)
    employees = fulltime + parttime + temporary
    tech = max(1, round(employees * rng.uniform(0.05, 0.45)))
    tech_fulltime = min(fulltime, tech)
    tech_parttime = min(parttime, tech - tech_fulltime)
    sales = rng.randint(500, 15000)
    rd_total = sales * rng.uniform(0, 0.08)
    projects = []
    count = rng.randint(0, 3)
    for index in range(count):
        projects.append({"name": f"研发项目{index + 1}", "number": f"RD-{index + 1:02d}", "form": rng.choice(RD_FORMS),
                         "status": "ongoing", "amount": f"{rd_total / count:.2f}"})
    ip = [{"name": f"成果{index + 1}", "kind": rng.choice(IP_KINDS), "grant_date": "2024-05-01",
           "number": f"ZL2024{index:06d}", "acquisition": "original", "proof": ""}
          for index in range(rng.choice([0, 0, 1, 1, 2, 3, 4, 6]))]
    tables = sme_tables(
        finance={"sales_revenue": str(sales), "total_assets": str(rng.randint(300, 18000)),
                 "cost_expenses": str(round(sales * rng.uniform(0.7, 1.1)))},
        rd_projects=projects, ip=ip,
        hr={**sme_tables()["hr"], "fulltime": str(fulltime), "parttime": str(parttime), "temporary": str(temporary),
            "tech_fulltime": str(tech_fulltime), "tech_parttime": str(tech_parttime), "tech_temporary": "0"},
    )
    roll = rng.random()
    if roll < 0.02:
        tables["entry"] = {"products_ok": "no", "credit_ok": "yes"}
    elif roll < 0.07:
        tables["other"] = {"high_tech_cert": "yes", "high_tech_cert_number": "GR202433000001",
                           "high_tech_cert_valid_until": "2030-12-31", "notes": ""}
    return tables


def scored(tables: dict, year: int) -> dict:
    from app.services import sme_form as form
    from rules.sme import RULES_2017, evaluate, parse_interchange, result_to_json

    payload = form.to_interchange(tables, year=year, registered_in_mainland=True)
    return result_to_json(evaluate(parse_interchange(payload), RULES_2017))


def pool(rng: random.Random) -> list[tuple[dict, dict | None]]:
    """(tables, result) variants for 2025 and 2026; the 2017 set scores both years."""
    variants = []
    for _ in range(VARIANTS):
        tables = variant(rng)
        variants.append((tables, scored(tables, 2026)))
    return variants


def rows(n: int, builtin_id: int, rng: random.Random):
    """Enterprise and evaluation rows (dicts), ids from 1."""
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    variants = pool(rng)
    enterprises, evaluations = [], []
    for i in range(1, n // 2 + 1):
        province, city, county = CITIES[i % len(CITIES)]
        enterprises.append({"id": i, "status": "approved", "draft": {}, "name": f"重评测试{i:06d}科技有限公司",
                            "credit_code": f"91{city}{i:09d}X", "province_code": province, "city_code": city,
                            "county_code": county, "created_at": now, "updated_at": now, "version": 1})
        for year in (2025, 2026):
            tables, result = variants[rng.randrange(VARIANTS)]
            if rng.random() < 0.001:  # the tables were changed since and no longer read
                tables = {**tables, "hr": {**tables["hr"], "fulltime": "八十"}}
            recorded = rng.random() >= 0.10
            evaluations.append({
                "id": len(evaluations) + 1, "enterprise_id": i, "year": year, "status": "recommended",
                "data": tables, "result": result, "qualified": result["qualified"],
                "total_score": result["total_score"], "path": result["path"],
                "ruleset_id": builtin_id if recorded else None, "ruleset_version": 1 if recorded else None,
                "province_code": province, "city_code": city, "submitted_at": now - dt.timedelta(days=30, minutes=i),
                "sampled": False, "created_at": now, "updated_at": now, "version": 1})
    return enterprises, evaluations


# --- databases -------------------------------------------------------------------------------------

def insert_all(backend: str, table, records: list[dict]) -> None:
    from sqlalchemy import insert

    from app.extensions import db

    if backend == "sqlite":
        for start in range(0, len(records), 10000):
            db.session.execute(insert(table), records[start:start + 10000])
        db.session.commit()
        return
    columns = list(records[0])
    raw = db.engine.raw_connection()
    try:
        with raw.driver_connection.cursor() as cursor:
            with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                for record in records:
                    copy.write_row([json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v
                                    for v in (record[c] for c in columns)])
        raw.driver_connection.commit()
    finally:
        raw.close()


def measure(backend: str, url: str, n: int, profile: bool) -> dict:
    logging.disable(logging.WARNING)
    from flask_appbuilder import Model
    from sqlalchemy import select, text

    from app import create_app
    from app.extensions import db
    from app.security import roles as R
    from app.services.sme import ruleset_bench as bench
    from models import Enterprise, SmeEvaluation, SmeRuleset
    from rules.sme import RULES_2017, ruleset_to_json
    from tests.factories import seed_reference_data

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False, "TASK_WORKER": "sync"})
    figures: dict = {"backend": backend, "n": n}
    with app.app_context():
        Model.metadata.create_all(db.engine)
        seed_reference_data()
        builtin_id = db.session.execute(select(SmeRuleset.id).where(SmeRuleset.builtin.is_(True))).scalar_one()
        t = time.perf_counter()
        enterprises, evaluations = rows(n, builtin_id, random.Random(42))
        insert_all(backend, Enterprise.__table__, enterprises)
        insert_all(backend, SmeEvaluation.__table__, evaluations)
        if backend == "pg":
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        figures["seed_seconds"] = round(time.perf_counter() - t, 1)
        log(f"{backend}: seeded {n:,} evaluations in {figures['seed_seconds']} s")
        del enterprises, evaluations
        sm = app.appbuilder.sm
        admin = sm.add_user(username="rules", first_name="规则", last_name="管理员", email="rules@example.invalid",
                            role=sm.find_role(R.RULES_ADMIN), password="Bench1234")
        rules = {**ruleset_to_json(RULES_2017), "year": 2027, "pass_score": 70,
                 "tech_staff_bands": STRICTER_TECH_STAFF}
        draft = SmeRuleset(year=2027, status="draft", source="科技型中小企业评价办法（征求意见稿）", rules=rules,
                           builtin=False, created_by_id=admin.id)
        db.session.add(draft)
        db.session.commit()
        profiler = cProfile.Profile() if profile else None
        t = time.perf_counter()
        if profiler:
            profiler.enable()
        run = bench.start(admin, draft.id)
        if profiler:
            profiler.disable()
        seconds = time.perf_counter() - t
        summary = run.summary or {}
        assert run.status == "done", (run.status, run.error)
        figures.update(seconds=round(seconds, 2), per_second=round(n / seconds), status=run.status,
                       **{k: summary.get(k) for k in ("rescored", "not_rescored", "newly_qualified",
                                                      "no_longer_qualified", "still_qualified",
                                                      "still_not_qualified", "points_changed", "changes")})
        if profiler:
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(os.environ.get("BENCH_SORT", "cumulative")).print_stats(25)
            figures["profile"] = out.getvalue()
        db.session.remove()
        db.engine.dispose()
    return figures


def on_sqlite(n: int, profile: bool) -> dict:
    with tempfile.TemporaryDirectory(prefix="shenbao-rescore-") as folder:
        return measure("sqlite", f"sqlite:///{folder}/bench.db", n, profile)


def on_postgresql(n: int, profile: bool) -> dict:
    from tests.conftest import drop_pg_schema, new_pg_schema

    schema, url = new_pg_schema("bench_")
    try:
        return measure("pg", url, n, profile)
    finally:
        drop_pg_schema(schema)


def report(results: list[dict]) -> str:
    lines = ["| database | evaluations | seconds | evaluations/s | changes found | newly qualify | no longer | "
             "points only | not re-scored |", "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        name = {"sqlite": "SQLite", "pg": "PostgreSQL"}[r["backend"]]
        lines.append(f"| {name} | {r['n']:,} | {r['seconds']} | {r['per_second']:,} | {r['changes']:,} | "
                     f"{r['newly_qualified']:,} | {r['no_longer_qualified']:,} | {r['points_changed']:,} | "
                     f"{r['not_rescored']:,} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="stored evaluations (default 100,000)")
    parser.add_argument("--db", choices=("both", "sqlite", "pg"), default="both")
    parser.add_argument("--profile", action="store_true", help="print the run's top functions")
    parser.add_argument("--write", action="store_true", help="write bench/results/ruleset_rescore-<date>.md")
    args = parser.parse_args()
    os.environ.setdefault("SHENBAO_ENV", "development")
    results = []
    if args.db in ("both", "sqlite"):
        results.append(on_sqlite(args.n, args.profile))
    if args.db in ("both", "pg"):
        results.append(on_postgresql(args.n, args.profile))
    for r in results:
        print(f"{r['backend']}: {r['n']:,} evaluations re-scored in {r['seconds']} s ({r['per_second']:,}/s); "
              f"{r['changes']:,} changes found; goal ≤ 30 s: {'met' if r['seconds'] <= 30 else 'NOT met'}")
        if r.get("profile"):
            print(r["profile"])
    table = report(results)
    print(table)
    if args.write:
        path = ROOT / "bench" / "results" / f"ruleset_rescore-{dt.date.today():%Y-%m-%d}.md"
        path.write_text(f"# Rule-set test bench: re-scoring {args.n:,} evaluations\n\n"
                        f"`python bench/ruleset_rescore.py --n {args.n}` on {platform.node()} "
                        f"({os.cpu_count()} cores, Python {platform.python_version()}).\n\n{table}\n",
                        encoding="utf-8")
        print(f"written {path}")


if __name__ == "__main__":
    main()
