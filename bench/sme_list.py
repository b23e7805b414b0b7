"""Tech-SME agency list at 100,000 evaluations: goal ≤ 30 ms median, on SQLite and PostgreSQL.

    .venv/bin/python bench/sme_list.py                       # 100,000 evaluations, 5 rounds, + PDF + rules
    .venv/bin/python bench/sme_list.py --rows 2000 --rounds 1 --no-others          # quick check

Cases (agency reviewer, filter status = pending_agency, sort submitted_at desc, 25 a page):
  HTML /review/sme/list/ page 1 and page 2,000 (0-based 1999, OFFSET 49,975), REST
  /api/v1/sme_evaluation/ page 0 with a JWT.
Databases: a scratch SQLite file under /tmp and a scratch PostgreSQL database shenbao_bench_sme.

The app, seeding of regions/agencies/roles/enterprises, login and EXPLAIN come from
bench/list_pages.py (imported). Timing as there: perf_counter around the in-process test
client's get, median of ``--n`` requests per visit, 3 untimed warm-up requests per case, every
response checked outside the timed region, SQL counted on ONE extra request per case (which
is also compared row by row with an SQL reference). Rounds are round-robin over database ×
case; fast = best round median, typical = median of round medians; the goal is judged on
typical. Afterwards bench/pdf_render.py and bench/rules_throughput.py run once each (their own
defaults) and their figures go into the same report.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

from list_pages import (  # bench/ is sys.path[0] when run as a script; list_pages adds the project root
    HERE,
    PAGE_SIZE,
    PG_HOST_URL,
    SCRATCH,
    FabSide,
    cpu_model,
    cpuprobe,
    explain,
    fmt_ms,
    kinds_of,
    log,
    pg_admin,
    pg_drop,
    summarize,
)

SME_PG_DB = "shenbao_bench_sme"  # not list_pages' shenbao_bench: both may run at once
VIEW = "SmeReviewView"
FILTER_STATUS = "pending_agency"
YEAR = 2026
PROVINCE = "330000"
GOAL_MS = 30.0
PDF_GOAL_MS = 100.0
RULES_GOAL = 300_000  # rules_throughput.GOAL: evaluations/s with per-indicator detail
# Status mix of a season in progress. Evaluations take their enterprise's agency (list_pages
# puts 80% of the enterprises in the reviewer's agency), so the reviewer's pending_agency list
# has ~0.8 × 0.65 × rows = ~52,000 rows at 100,000 and page 2,000 exists.
STATUS_WEIGHTS = {"pending_agency": 65, "agency_confirmed": 15, "pending_province": 10, "draft": 5,
                  "returned_by_agency": 5}
SEASON_START = dt.datetime(YEAR, 3, 1)
SEASON_S = 200 * 24 * 3600
PATHS = ("scored", "scored", "scored", "direct", "entry_failed")
SYSNO_RE = re.compile(rf"^{YEAR}\d{{8}}$")


# --------------------------------------------------------------------------- the SME side
class SmeSide(FabSide):
    """list_pages' FabSide (app, reference data, 100,000 enterprises, reviewer, login) plus one
    SmeEvaluation per enterprise, and the SME list cases."""

    def __init__(self, kind: str, rows: int, seed: int):  # own scratch names, else as FabSide
        self.kind, self.rows, self.seed = kind, rows, seed
        if kind == "sqlite":
            SCRATCH.mkdir(parents=True, exist_ok=True)
            self.path = SCRATCH / f"fab-sme_list-{rows}.sqlite3"
            for p in (self.path, Path(str(self.path) + "-journal")):
                p.unlink(missing_ok=True)
            self.url = f"sqlite:///{self.path}"
        else:
            pg_drop(SME_PG_DB)
            pg_admin([f'CREATE DATABASE "{SME_PG_DB}"'])
            self.url = f"{PG_HOST_URL}/{SME_PG_DB}"

    # -- seeding (FabSide.build calls _seed_enterprises; the evaluations follow the enterprises)
    def _seed_enterprises(self) -> None:
        super()._seed_enterprises()
        t0 = time.perf_counter()
        self._seed_evaluations()
        log(f"FAB {self.kind}: {self.rows} SME evaluations inserted in {time.perf_counter() - t0:.1f} s")

    def _seed_evaluations(self) -> None:
        from sqlalchemy import select

        from app.extensions import db
        from models import Enterprise, SmeEvaluation

        enterprises = db.session.execute(select(Enterprise.id, Enterprise.agency_id).order_by(Enterprise.id)).all()
        rng = random.Random(self.seed + 1)
        statuses = list(STATUS_WEIGHTS)
        sweights = list(STATUS_WEIGHTS.values())
        seconds = rng.sample(range(SEASON_S), len(enterprises))  # distinct submit times: one exact page
        cols = ["id", "system_number", "enterprise_id", "year", "status", "data", "qualified", "total_score",
                "path", "agency_id", "province_code", "submitted_at", "return_reason", "sampled", "created_at",
                "updated_at", "version"]
        data = []
        for i, (ent_id, agency_id) in enumerate(enterprises, 1):
            status = rng.choices(statuses, sweights)[0]
            submitted = SEASON_START + dt.timedelta(seconds=seconds[i - 1])
            path = rng.choice(PATHS)
            score = rng.randrange(30, 101) if path == "scored" else None
            qualified = path == "direct" or (score is not None and score >= 60)
            created = submitted - dt.timedelta(days=rng.randrange(1, 60))
            data.append((
                i, f"{YEAR}{i:08d}", ent_id, YEAR, status, "{}", qualified, score, path, agency_id, PROVINCE,
                None if status == "draft" else submitted,
                "请补充研发费用明细" if status == "returned_by_agency" else None, False, created,
                created if status == "draft" else submitted, 1,
            ))
        table = SmeEvaluation.__table__
        if self.kind == "pg":
            raw = db.engine.raw_connection()
            try:
                conn = raw.driver_connection
                with conn.cursor() as cur:
                    with cur.copy(f"COPY {table.name} ({', '.join(cols)}) FROM STDIN") as copy:
                        for row in data:
                            copy.write_row(row)
                    # ids were given explicitly: move the sequence past them
                    cur.execute("select setval(pg_get_serial_sequence('sme_evaluation', 'id'), %s)", (len(data),))
                conn.commit()
            finally:
                raw.close()
        else:
            with db.engine.begin() as conn:
                conn.execute(table.insert(), [{**dict(zip(cols, row)), "data": {}} for row in data])

    def _status_equal_index(self) -> int:
        """Index of FilterEqual among the filters FAB offers for ``status`` on SmeReviewView
        (FAB 5.3: ``_flt_<index>_<column>``), as list_pages finds it for EnterpriseReviewView."""
        from flask_appbuilder.models.sqla.filters import FilterEqual

        view = next(v for v in self.app.appbuilder.baseviews if type(v).__name__ == VIEW)
        flts = view._filters.get_search_filters()["status"]
        idx = [type(f) for f in flts].index(FilterEqual)
        assert idx < 10, "get_filter_args only reads one digit"
        return idx

    def _count_matching(self) -> int:
        from sqlalchemy import text

        from app.extensions import db

        return db.session.execute(
            text("select count(*) from sme_evaluation where agency_id = :a and status = :s"),
            {"a": self.reviewer_agency_id, "s": FILTER_STATUS},
        ).scalar()

    def expected_rows(self, page: int) -> list[tuple[str, str]]:
        """(system_number, submitted_at ISO) of the page, straight from SQL."""
        from sqlalchemy import text

        with self.engine.connect() as conn:
            rows = conn.execute(text(
                "select system_number, submitted_at from sme_evaluation where agency_id = :a and status = :s "
                "order by submitted_at desc limit :l offset :o"),
                {"a": self.reviewer_agency_id, "s": FILTER_STATUS, "l": PAGE_SIZE, "o": page * PAGE_SIZE},
            ).all()
        return [(r[0], (r[1] if isinstance(r[1], dt.datetime) else dt.datetime.fromisoformat(r[1])).isoformat())
                for r in rows]

    # -- cases
    def html_url(self, page: int) -> str:
        return (f"/review/sme/list/?_flt_{self._filter_index}_status={FILTER_STATUS}"
                f"&_oc_{VIEW}=submitted_at&_od_{VIEW}=desc&_psize_{VIEW}={PAGE_SIZE}&_page_{VIEW}={page}")

    @staticmethod
    def rest_url(page: int) -> str:
        q = (f"(filters:!((col:status,opr:eq,value:{FILTER_STATUS})),order_column:submitted_at,"
             f"order_direction:desc,page:{page},page_size:{PAGE_SIZE})")
        return f"/api/v1/sme_evaluation/?q={q}"

    def cases(self) -> list[dict]:
        return [
            {"key": "html_p1", "label": "HTML list page 1", "client": self.web, "headers": {},
             "url": self.html_url(0), "page": 0, "kind": "html"},
            {"key": "html_p2000", "label": "HTML list page 2,000", "client": self.web, "headers": {},
             "url": self.html_url(self.deep_page), "page": self.deep_page, "kind": "html"},
            {"key": "rest_p1", "label": "REST list with filter", "client": self.api,
             "headers": self.api_headers, "url": self.rest_url(0), "page": 0, "kind": "rest"},
        ]


# The SME list has bulk actions, so a row starts with its checkbox, not with list_pages'
# <td><center> (quick_check's pattern there): count the checkboxes instead.
_ROW_RE = re.compile(r'<input id="\d+" class="action_check"')


def quick_check(case: dict, resp) -> int:
    """Cheap check of every response, outside the timed region: 200 and 25 rows."""
    if resp.status_code != 200:
        raise RuntimeError(f"{case['label']}: status {resp.status_code} ({resp.headers.get('Location')})")
    if case["kind"] == "html":
        rows = len(_ROW_RE.findall(resp.get_data(as_text=True)))
    else:
        rows = len(resp.get_json()["result"])
    if rows != PAGE_SIZE:
        raise RuntimeError(f"{case['label']}: expected {PAGE_SIZE} rows, got {rows}")
    return len(resp.data)


def timed(case: dict, n: int) -> float:
    """Median of ``n`` requests, perf_counter around the test client's get (as list_pages.fab_timed)."""
    times = []
    client, url, headers = case["client"], case["url"], case["headers"]
    for _ in range(n):
        t0 = time.perf_counter()
        resp = client.get(url, headers=headers)
        times.append((time.perf_counter() - t0) * 1000)
        quick_check(case, resp)
    return statistics.median(times)


def full_check(side: SmeSide, case: dict, resp) -> None:
    """The page holds exactly the SQL reference's 25 evaluations, in order, and the right count."""
    quick_check(case, resp)
    want = side.expected_rows(case["page"])
    if case["kind"] == "rest":
        body = resp.get_json()
        assert body["count"] == side.matching, (body["count"], side.matching)
        assert all(r["status"] == FILTER_STATUS for r in body["result"]), "REST rows of another status"
        got = [(r["system_number"], r["submitted_at"]) for r in body["result"]]
        got_numbers = [g[0] for g in got]
        subs = [dt.datetime.fromisoformat(g[1]).isoformat() for g in got]
        if subs != [w[1] for w in want]:
            raise RuntimeError(f"{side.kind} {case['label']}: submitted_at differ from SQL\n{subs}\n{want}")
    else:
        import lxml.html

        html = resp.get_data(as_text=True)
        table = lxml.html.fromstring(html).xpath("//table[contains(@class,'table-bordered')]")[0]
        cells = [[td.text_content().strip() for td in tr.xpath("./td")]
                 for tr in table.xpath(".//tr") if tr.xpath("./td")]
        got_numbers = [next(c for c in row if SYSNO_RE.match(c)) for row in cells]
        shown = re.search(r"</strong>\s*(\d+)", html)  # FAB's "Record count: N"
        assert shown and int(shown.group(1)) == side.matching, (shown and shown.group(1), side.matching)
    if got_numbers != [w[0] for w in want]:
        raise RuntimeError(f"{side.kind} {case['label']}: rows differ from the SQL reference\n"
                           f"{got_numbers}\n{[w[0] for w in want]}")


# --------------------------------------------------------------------------- SQL capture
def classify(sql: str) -> str:
    s = " ".join(sql.lower().split())
    if "from ab_user " in s:
        return "user"  # the user row, eager-loaded with agency, roles and groups when it is one query
    if "from ab_" in s or "join ab_" in s:
        for key, kind in (("ab_permission", "permissions"), ("ab_group", "user groups"), ("ab_role", "user roles")):
            if key in s:
                return kind
        return "security"
    if "count(" in s:
        return "count"
    if "from sme_evaluation" in s:
        return "page rows"
    return "other"


def capture(side: SmeSide, case: dict) -> list[dict]:
    """Every statement of ONE request (listeners attached for that request only), the row check
    against SQL, then EXPLAIN of the count and page queries (list_pages.explain)."""
    from sqlalchemy import event

    queries: list[dict] = []
    starts: list[float] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        starts.append(time.perf_counter())

    def after(conn, cursor, statement, parameters, context, executemany):
        queries.append({"kind": classify(statement), "ms": (time.perf_counter() - starts.pop()) * 1000,
                        "sql": statement, "params": repr(parameters)[:300], "_raw": parameters})

    event.listen(side.engine, "before_cursor_execute", before)
    event.listen(side.engine, "after_cursor_execute", after)
    try:
        resp = case["client"].get(case["url"], headers=case["headers"])
    finally:
        event.remove(side.engine, "before_cursor_execute", before)
        event.remove(side.engine, "after_cursor_execute", after)
    full_check(side, case, resp)
    for q in queries:
        raw = q.pop("_raw")
        if q["kind"] in ("count", "page rows"):
            q["plan"] = explain(side, q["sql"], raw)
    return queries


# --------------------------------------------------------------------------- the other two benchmarks
def run_other(script: str) -> dict:
    """Run another bench script once with its defaults; keep its stdout and the goal figure."""
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, str(HERE / script)], capture_output=True, text=True, cwd=HERE.parent)
    out = {"script": script, "rc": proc.returncode, "stdout": proc.stdout, "stderr": proc.stderr[-2000:],
           "seconds": time.perf_counter() - t0}
    if script == "pdf_render.py":
        for key, pat in (("cold_ms", r"cold[^:]*:\s*([\d.]+)"), ("median_ms", r"median:\s*([\d.]+)"),
                         ("p95_ms", r"p95:\s*([\d.]+)"), ("cover_median_ms", r"cover.*median ([\d.]+)")):
            m = re.search(pat, proc.stdout)
            out[key] = float(m.group(1)) if m else None
        m = re.search(r"\((\d+) pages\)", proc.stdout)
        out["pages"] = int(m.group(1)) if m else None
        out["met"] = out["median_ms"] is not None and out["median_ms"] <= PDF_GOAL_MS
    else:
        for key, label in (("evaluate", "evaluate"), ("parse_evaluate", "parse_interchange + evaluate"),
                           ("round_trip", "parse + evaluate + result_to_json")):
            m = re.search(rf"^{re.escape(label)}\s+([\d,]+)/s best\s+([\d,]+)/s median", proc.stdout, re.M)
            out[key] = (int(m.group(1).replace(",", "")), int(m.group(2).replace(",", ""))) if m else None
        out["met"] = out["evaluate"] is not None and out["evaluate"][0] >= RULES_GOAL
    return out


# --------------------------------------------------------------------------- report
def render_report(meta: dict, results: list[dict], others: list[dict]) -> str:
    lines = [f"# Tech-SME agency list at {meta['rows']:,} evaluations (goal ≤ {GOAL_MS:.0f} ms median)", "",
             f"Run {meta['time_utc']} on {meta['cpu']} ({meta['cores']} cores). FAB {meta['fab']} / Flask "
             f"{meta['flask']} / SQLAlchemy {meta['sqlalchemy']} on Python {meta['python']}. SQLite "
             f"{meta['db_versions'].get('sqlite', '–')}, PostgreSQL {meta['db_versions'].get('pg', '–')}.", "",
             f"{meta['rounds']} rounds × median of {meta['n']} requests ({meta['warmup']} warm-up requests per case), "
             "in-process test client, round-robin over database × case. fast = best round median, typical = "
             "median of round medians; the goal is judged on typical. User: an AgencyReviewer (scope: own agency, "
             f"no drafts); filter status = {FILTER_STATUS} (HTML `_flt_<FilterEqual index>_status`, REST `opr:eq`), "
             "order submitted_at desc, 25 a page. Every response is checked (200, 25 rows); one request per case "
             "is compared with an SQL reference (system numbers in page order, record count).", "",
             f"CPU probe per round (ms, lower = faster spell; list_pages' reference runs saw ~48–55): "
             f"{' '.join(f'{p:.0f}' for p in meta['cpuprobe_ms'])}", "",
             "| case | db | fast / typical ms | queries | SQL ms (1 request) | goal ≤ 30 ms |",
             "|---|---|---|---|---|---|"]
    for r in results:
        f = r["timing"]
        if f["typical_ms"] <= GOAL_MS:
            verdict = "met"
        elif f["fast_ms"] <= GOAL_MS:
            verdict = "NOT met (fast only)"
        else:
            verdict = "NOT met"
        lines.append(f"| {r['label']} | {r['db']} | {fmt_ms(f['fast_ms'])} / {fmt_ms(f['typical_ms'])} | "
                     f"{r['queries']} | {r['sql_ms']:.1f} | {verdict} |")
    lines += ["", "Pages: " + "; ".join(meta["pages"]), "",
              "Queries of the one captured request, by kind (count, execute() ms):", ""]
    lines += [f"- {r['label']}, {r['db']}: " + ", ".join(f"{k} {n} ({r['query_ms_by_kind'][k]:.1f} ms)"
                                                       for k, n in r["query_kinds"].items()) for r in results]
    lines += ["", f"Every statement of one request per case, with EXPLAIN of the count and page queries: "
                  f"`{meta['queries_file']}`. Every round median: `{meta['json_file']}`.", ""]
    if others:
        lines += ["## Tech-SME PDF and rules (same run, once each)", "",
                  "| benchmark | figure | goal | met? |", "|---|---|---|---|"]
        for o in others:
            if o["script"] == "pdf_render.py":
                lines.append(f"| `bench/pdf_render.py` (information table, {o.get('pages') or '?'} pages) | "
                             f"median {fmt_ms(o['median_ms'])} ms (cold {fmt_ms(o['cold_ms'])}, p95 "
                             f"{fmt_ms(o['p95_ms'])}; cover median {fmt_ms(o['cover_median_ms'])}) | "
                             f"median ≤ {PDF_GOAL_MS:.0f} ms | {'met' if o['met'] else 'NOT met'} |")
            else:
                ev, pe, rt = o["evaluate"], o["parse_evaluate"], o["round_trip"]

                def rate(x):
                    return "–" if x is None else f"{x[0]:,}/s best, {x[1]:,}/s median"

                lines.append(f"| `bench/rules_throughput.py` | evaluate {rate(ev)}; parse + evaluate {rate(pe)}; "
                             f"parse + evaluate + JSON {rate(rt)} | evaluate ≥ {RULES_GOAL:,}/s (best round) | "
                             f"{'met' if o['met'] else 'NOT met'} |")
        for o in others:
            lines += ["", f"`{o['script']}` output (exit {o['rc']}, {o['seconds']:.0f} s):", "", "```",
                      o["stdout"].rstrip(), "```"]
            if o["rc"]:
                lines += ["", "stderr:", "```", o["stderr"].rstrip(), "```"]
    return "\n".join(lines) + "\n"


def render_queries(meta: dict, sql: dict) -> str:
    out = [f"# SQL per request, Tech-SME list, {meta['rows']:,} evaluations ({meta['time_utc']})", "",
           "One extra request per case, captured with SQLAlchemy before/after_cursor_execute; ms = execute() only. "
           "Plans: `EXPLAIN QUERY PLAN` (SQLite), `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)` (PostgreSQL).", ""]
    for (kind, label), qs in sql.items():
        out += [f"## {kind}: {label} ({len(qs)} queries, {sum(q['ms'] for q in qs):.2f} ms)", ""]
        for i, q in enumerate(qs, 1):
            out += [f"{i}. **{q['kind']}** {q['ms']:.2f} ms  params `{q['params']}`", "",
                    "   ```sql", "   " + " ".join(q["sql"].split()), "   ```", ""]
            if q.get("plan"):
                out += ["   plan:", "   ```", *("   " + line for line in q["plan"].splitlines()), "   ```", ""]
    return "\n".join(out)


# --------------------------------------------------------------------------- main
def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=100_000, help="enterprises = evaluations")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--n", type=int, default=20, help="timed requests per visit (median of n)")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--db", default="sqlite,pg", help="comma list: sqlite,pg")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--no-others", action="store_true", help="skip pdf_render.py and rules_throughput.py")
    ap.add_argument("--keep", action="store_true", help="keep the scratch databases")
    ap.add_argument("--out", default=str(HERE / "results"))
    args = ap.parse_args()
    kinds = [k.strip() for k in args.db.split(",") if k.strip()]

    sides: dict[str, SmeSide] = {}
    try:
        for kind in kinds:
            log(f"{kind}: schema + seed ...")
            sides[kind] = SmeSide(kind, args.rows, args.seed)
            sides[kind].build()

        sql: dict = {}
        cases: dict[str, list[dict]] = {}
        for kind in kinds:
            cases[kind] = sides[kind].cases()
            for case in cases[kind]:
                for _ in range(args.warmup):
                    quick_check(case, case["client"].get(case["url"], headers=case["headers"]))
                case["sql"] = capture(sides[kind], case)
                sql[(kind, f"{case['label']} — GET {case['url']}")] = case["sql"]
            log(f"{kind}: queries per case: " + ", ".join(f"{c['label']} {len(c['sql'])}" for c in cases[kind]))

        rm: dict = {}
        probes = []
        for rnd in range(args.rounds):
            probes.append(cpuprobe())
            for kind in kinds:
                for case in cases[kind]:
                    m = timed(case, args.n)
                    rm.setdefault((kind, case["key"]), []).append(m)
            log(f"round {rnd + 1}/{args.rounds} done (cpuprobe {probes[-1]:.0f} ms): "
                + ", ".join(f"{k[0]} {k[1]} {v[-1]:.1f}" for k, v in rm.items()))

        results = []
        for kind in kinds:
            for case in cases[kind]:
                results.append({
                    "key": case["key"], "label": case["label"], "db": "SQLite" if kind == "sqlite" else "PostgreSQL",
                    "url": case["url"], "timing": summarize(rm[(kind, case["key"])]),
                    "queries": len(case["sql"]), "query_kinds": kinds_of(case["sql"]),
                    "sql_ms": sum(q["ms"] for q in case["sql"]),
                    "query_ms_by_kind": {k: sum(q["ms"] for q in case["sql"] if q["kind"] == k)
                                         for k in kinds_of(case["sql"])},
                })

        others = []
        if not args.no_others:
            for script in ("pdf_render.py", "rules_throughput.py"):
                log(f"running bench/{script} ...")
                others.append(run_other(script))
                log(f"bench/{script}: exit {others[-1]['rc']}, goal {'met' if others[-1]['met'] else 'NOT met'}")

        import importlib.metadata

        import flask_appbuilder
        import sqlalchemy

        stamp = dt.datetime.now(dt.timezone.utc)
        suffix = "" if args.rows == 100_000 else f"-rows{args.rows}"
        out_dir = Path(args.out)
        out_dir.mkdir(parents=True, exist_ok=True)
        base = f"sme_list-{stamp:%Y-%m-%d}{suffix}"
        meta = {
            "rows": args.rows, "rounds": args.rounds, "n": args.n, "warmup": args.warmup,
            "time_utc": stamp.strftime("%Y-%m-%dT%H:%M:%SZ"), "cores": os.cpu_count(), "cpu": cpu_model(),
            "python": platform.python_version(), "fab": flask_appbuilder.__version__,
            "flask": importlib.metadata.version("flask"), "sqlalchemy": sqlalchemy.__version__,
            "db_versions": {k: sides[k].db_version for k in kinds}, "cpuprobe_ms": probes,
            "pages": [f"{k}: {sides[k].matching:,} matching rows (reviewer's agency + {FILTER_STATUS}), deep page "
                      f"0-based {sides[k].deep_page} (OFFSET {sides[k].deep_page * PAGE_SIZE:,})" for k in kinds],
            "queries_file": f"bench/results/{base}-queries.md", "json_file": f"bench/results/{base}.json",
            "argv": sys.argv,
        }
        report = render_report(meta, results, others)
        print(report)
        (out_dir / f"{base}.md").write_text(report, encoding="utf-8")
        (out_dir / f"{base}-queries.md").write_text(render_queries(meta, sql), encoding="utf-8")
        (out_dir / f"{base}.json").write_text(json.dumps(
            {"meta": meta, "results": results, "others": others,
             "sql": {f"{k[0]} | {k[1]}": v for k, v in sql.items()}}, ensure_ascii=False, indent=1), encoding="utf-8")
        log(f"wrote {out_dir / base}.md, -queries.md, .json")
        return 0
    finally:
        for side in sides.values():
            try:
                side.engine.dispose()
            except AttributeError:
                pass
        if not args.keep:
            for kind in kinds:
                if kind == "sqlite":
                    (SCRATCH / f"fab-sme_list-{args.rows}.sqlite3").unlink(missing_ok=True)
                else:
                    try:
                        pg_drop(SME_PG_DB)
                    except Exception as exc:  # noqa: BLE001
                        log(f"could not drop {SME_PG_DB}: {exc}")


if __name__ == "__main__":
    sys.exit(main())
