"""Agency list pages at scale: FAB (Shenbao) side by side with the Django admin comparator.

    .venv/bin/python bench/list_pages.py                    # 100,000 enterprises, 5 rounds
    .venv/bin/python bench/list_pages.py --rows 2000 --rounds 1          # quick check

Cases (agency reviewer, filter status = submitted, sort submitted_at desc, 25 a page):
  HTML list page 1, HTML list page 2,000 (0-based 1999, OFFSET 49,975), REST list page 0.
Databases: a scratch SQLite file under /tmp and a scratch PostgreSQL database shenbao_bench.
Django: the peers' admin (/work/shared/peers/djadmin) in the peer's own venv, seeded by the
peers' own ``seed`` command into scratch databases, measured by the peers' own adminbench
functions (bench/_djpeer_worker.py), alternating with FAB case by case within each round.

Timing matches adminbench: perf_counter around the test client's get, in-process, median of
``--n`` requests per visit, 3 untimed warm-up requests per case, every response checked outside
the timed region, queries counted on ONE extra request per case (listeners only then). Rounds
are round-robin; fast = best round median, typical = median of round medians. Only same-run
ratios mean anything on this VM (its speed drifts 1.7-2x): see bench/README.md.
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
import warnings
from pathlib import Path

# The dev SECRET_KEY is 25 bytes: PyJWT warns on every token; not what is measured here.
warnings.filterwarnings("ignore", message="The HMAC key is")

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

PEERS = Path(os.environ.get("PEERS_DIR", ROOT.parent / "shared" / "peers"))
SCRATCH = Path(os.environ.get("SHENBAO_BENCH_SCRATCH", "/tmp/shenbao-bench"))
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1/postgres")
PG_HOST_URL = os.environ.get("BENCH_PG_URL_BASE", "postgresql+psycopg://postgres@127.0.0.1")
FAB_PG_DB = "shenbao_bench"
DJ_PG_DB = "shenbao_bench_dj"  # the peers' settings read PEERBENCH_PG_NAME; role peerbench owns it

CAPTCHA = "k7m2p"
USERNAME = "bench_reviewer"
PASSWORD = "Passw0rd1bench"
PAGE_SIZE = 25
FILTER_STATUS = "submitted"
VIEW = "EnterpriseReviewView"

# Seed distribution (deterministic, random.Random(seed)). The reviewer's agency (杭州市科学技术局)
# holds 80% of the enterprises and 65% are "submitted", so the filtered list has ~52,000 rows
# and page 2,000 exists, as in the issue. The other four agencies share the rest.
AGENCY_WEIGHTS = {"330100": 80, "330000": 5, "330700": 5, "110100": 5, "110000": 5}
AGENCY_REGIONS = {  # agency region -> (province, city, county) of its enterprises
    "330100": ("330000", "330100", "330106"), "330000": ("330000", "330100", "330106"),
    "330700": ("330000", "330700", "330702"), "110100": ("110000", "110100", "110101"),
    "110000": ("110000", "110100", "110101"),
}
REVIEWER_AGENCY_REGION = "330100"
STATUS_WEIGHTS = {"submitted": 65, "approved": 15, "returned": 10, "draft": 10}
EPOCH = dt.datetime(2024, 1, 1)
SPAN_S = 2 * 365 * 24 * 3600
WORDS = ["华信", "恒达", "瑞丰", "金源", "宏图", "新材", "智造", "远航", "鼎盛", "博远", "嘉禾", "同创"]
TRADES = ["科技", "机械", "电子", "化工", "食品", "纺织", "物流", "软件", "建材", "医药"]
PEOPLE = ["李雷", "韩梅梅", "王芳", "张伟", "刘洋", "陈静", "杨帆", "赵磊"]


def cpuprobe() -> float:
    """The peers' fixed loop (adminbench.cpuprobe): lower = faster CPU spell."""
    t = time.perf_counter()
    s = 0
    for i in range(1_000_000):
        s += i * i % 7
    return (time.perf_counter() - t) * 1000


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- databases
def pg_admin(sql_statements: list[str]) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        for sql in sql_statements:
            conn.execute(sql)


def pg_drop(name: str) -> None:
    pg_admin([f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'])


# --------------------------------------------------------------------------- FAB side
class FabSide:
    """One Shenbao app on one database, seeded, with a logged-in reviewer (HTML + JWT)."""

    def __init__(self, kind: str, rows: int, seed: int):
        self.kind, self.rows, self.seed = kind, rows, seed
        if kind == "sqlite":
            SCRATCH.mkdir(parents=True, exist_ok=True)
            self.path = SCRATCH / f"fab-list_pages-{rows}.sqlite3"
            for p in (self.path, Path(str(self.path) + "-journal")):
                p.unlink(missing_ok=True)
            self.url = f"sqlite:///{self.path}"
        else:
            pg_drop(FAB_PG_DB)
            pg_admin([f'CREATE DATABASE "{FAB_PG_DB}"'])
            self.url = f"{PG_HOST_URL}/{FAB_PG_DB}"

    def build(self) -> None:
        import app.services.captcha as captcha_mod
        from app import create_app
        from app.extensions import db
        from flask_appbuilder import Model

        captcha_mod.random_answer = lambda: CAPTCHA  # as tests/conftest.py does
        self.app = create_app({"SQLALCHEMY_DATABASE_URI": self.url, "WTF_CSRF_ENABLED": False,
                               "RATELIMIT_ENABLED": False})
        t0 = time.perf_counter()
        with self.app.app_context():
            Model.metadata.create_all(db.engine)
            self._seed_reference()
            self._seed_enterprises()
            self._add_reviewer()
            self.engine = db.engine
            self.db_version = self._db_version()
            self._filter_index = self._status_equal_index()
            self.matching = self._count_matching()
            db.session.remove()
        if self.kind == "pg":
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")  # as the peers' seed does on PG
        log(f"FAB {self.kind}: seeded {self.rows} enterprises in {time.perf_counter() - t0:.1f} s; "
            f"{self.matching} rows match the reviewer's filtered list")
        last_full = self.matching // PAGE_SIZE - 1
        self.deep_page = min(1999, last_full)
        if self.deep_page < 1999:
            log(f"FAB {self.kind}: only {self.matching} matching rows: 'page 2,000' case uses 0-based "
                f"page {self.deep_page}")
        self._login()

    # -- seeding
    def _seed_reference(self) -> None:
        from tests.factories import seed_reference_data

        seed_reference_data()  # regions, agencies, tech fields, roles (sync_roles)

    def _seed_enterprises(self) -> None:
        from sqlalchemy import select

        from app.extensions import db
        from models import Agency, Enterprise

        agency_ids = dict(db.session.execute(select(Agency.region_code, Agency.id)).all())
        self.reviewer_agency_id = agency_ids[REVIEWER_AGENCY_REGION]
        rng = random.Random(self.seed)
        regions = list(AGENCY_WEIGHTS)
        rweights = list(AGENCY_WEIGHTS.values())
        statuses = list(STATUS_WEIGHTS)
        sweights = list(STATUS_WEIGHTS.values())
        seconds = rng.sample(range(SPAN_S), self.rows)  # unique submit times: a total order
        cols = ["status", "draft", "submitted_at", "approved_at", "return_reason", "credit_code", "name",
                "legal_rep_name", "legal_rep_mobile", "province_code", "city_code", "county_code", "agency_id",
                "created_at", "updated_at", "version"]
        data = []
        for i in range(self.rows):
            region = rng.choices(regions, rweights)[0]
            status = rng.choices(statuses, sweights)[0]
            province, city, county = AGENCY_REGIONS[region]
            submitted = EPOCH + dt.timedelta(seconds=seconds[i])
            created = submitted - dt.timedelta(days=rng.randrange(1, 30))
            data.append((
                status, "{}", None if status == "draft" else submitted,
                submitted + dt.timedelta(days=rng.randrange(1, 20)) if status == "approved" else None,
                "请补充材料" if status == "returned" else None,
                f"91{city}{i:09d}X",  # 18 characters, unique (the check digit is not checked here)
                f"{rng.choice(WORDS)}{rng.choice(TRADES)}{i:06d}有限公司", rng.choice(PEOPLE),
                f"139{rng.randrange(10**8):08d}", province, city, county, agency_ids[region],
                created, submitted if status != "draft" else created, 1,
            ))
        table = Enterprise.__table__
        if self.kind == "pg":
            raw = db.engine.raw_connection()
            try:
                conn = raw.driver_connection
                with conn.cursor() as cur:
                    with cur.copy(f"COPY {table.name} ({', '.join(cols)}) FROM STDIN") as copy:
                        for row in data:
                            copy.write_row(row)
                conn.commit()
            finally:
                raw.close()
        else:
            dicts = [dict(zip(cols, row)) for row in data]
            with db.engine.begin() as conn:
                conn.execute(table.insert(), [{**d, "draft": {}} for d in dicts])

    def _add_reviewer(self) -> None:
        from app.extensions import db
        from app.security import roles as R

        sm = self.app.appbuilder.sm
        user = sm.add_user(username=USERNAME, first_name="评审", last_name="员", email="reviewer@example.invalid",
                           role=sm.find_role(R.AGENCY_REVIEWER), password=PASSWORD)
        assert user, "add_user failed"
        user.agency_id = self.reviewer_agency_id
        db.session.commit()

    def _db_version(self) -> str:
        from app.extensions import db

        with db.engine.connect() as conn:
            if self.kind == "sqlite":
                return conn.exec_driver_sql("select sqlite_version()").scalar()
            return conn.exec_driver_sql("show server_version").scalar()

    def _status_equal_index(self) -> int:
        """FAB 5.3 names list filters _flt_<index>_<column>: the index of FilterEqual among the
        filters FAB offers for ``status`` (a String column)."""
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
            text("select count(*) from enterprise where agency_id = :a and status = :s"),
            {"a": self.reviewer_agency_id, "s": FILTER_STATUS},
        ).scalar()

    def expected_codes(self, page: int) -> list[str]:
        from sqlalchemy import text

        with self.engine.connect() as conn:
            return list(conn.execute(text(
                "select credit_code from enterprise where agency_id = :a and status = :s "
                "order by submitted_at desc limit :l offset :o"),
                {"a": self.reviewer_agency_id, "s": FILTER_STATUS, "l": PAGE_SIZE, "o": page * PAGE_SIZE},
            ).scalars())

    # -- login
    def _login(self) -> None:
        self.web = self.app.test_client()
        r = self.web.get("/account/captcha.png")
        assert r.status_code == 200, f"captcha: {r.status_code}"
        r = self.web.post("/login/", data={"username": USERNAME, "password": PASSWORD, "captcha": CAPTCHA})
        assert r.status_code == 302, f"HTML login failed: {r.status_code} {r.data[:300]!r}"
        self.api = self.app.test_client()
        r = self.api.post("/api/v1/security/login",
                          json={"username": USERNAME, "password": PASSWORD, "provider": "db"})
        assert r.status_code == 200, f"JWT login failed: {r.status_code} {r.data[:300]!r}"
        self.api_headers = {"Authorization": f"Bearer {r.get_json()['access_token']}"}

    # -- cases
    def html_url(self, page: int) -> str:
        return (f"/review/enterprises/list/?_flt_{self._filter_index}_status={FILTER_STATUS}"
                f"&_oc_{VIEW}=submitted_at&_od_{VIEW}=desc&_psize_{VIEW}={PAGE_SIZE}&_page_{VIEW}={page}")

    @staticmethod
    def rest_url(page: int) -> str:
        q = (f"(filters:!((col:status,opr:eq,value:{FILTER_STATUS})),order_column:submitted_at,"
             f"order_direction:desc,page:{page},page_size:{PAGE_SIZE})")
        return f"/api/v1/enterprise/?q={q}"

    def cases(self) -> list[dict]:
        return [
            {"key": "html_p1", "label": "HTML list page 1", "client": self.web, "headers": {},
             "url": self.html_url(0), "page": 0, "kind": "html", "dj": "p1"},
            {"key": "html_p2000", "label": "HTML list page 2,000", "client": self.web, "headers": {},
             "url": self.html_url(self.deep_page), "page": self.deep_page, "kind": "html", "dj": "p2000"},
            {"key": "rest_p1", "label": "REST list with filter", "client": self.api,
             "headers": self.api_headers, "url": self.rest_url(0), "page": 0, "kind": "rest", "dj": "p1"},
        ]


# Cheap per-request checks (outside the timed region, like adminbench.check_page).
_ROW_RE = re.compile(r"<tr>\s*<td><center>")


def quick_check(case: dict, resp) -> int:
    if resp.status_code != 200:
        raise RuntimeError(f"{case['label']}: status {resp.status_code} ({resp.headers.get('Location')})")
    if case["kind"] == "html":
        rows = len(_ROW_RE.findall(resp.get_data(as_text=True)))
    else:
        rows = len(resp.get_json()["result"])
    if rows != PAGE_SIZE:
        raise RuntimeError(f"{case['label']}: expected {PAGE_SIZE} rows, got {rows}")
    return len(resp.data)


def full_check(fab: FabSide, case: dict, resp) -> None:
    """The page holds exactly the expected 25 rows (filter + order + offset), in order."""
    quick_check(case, resp)
    want = fab.expected_codes(case["page"])
    if case["kind"] == "rest":
        body = resp.get_json()
        got = [r["credit_code"] for r in body["result"]]
        assert body["count"] == fab.matching, (body["count"], fab.matching)
        assert all(r["status"] == FILTER_STATUS for r in body["result"])
        subs = [r["submitted_at"] for r in body["result"]]
        assert subs == sorted(subs, reverse=True), "REST rows not sorted by submitted_at desc"
    else:
        import lxml.html

        tree = lxml.html.fromstring(resp.get_data(as_text=True))
        table = tree.xpath("//table[contains(@class,'table-bordered')]")[0]
        heads = [th.text_content().strip() for th in table.xpath(".//thead//th")]
        body_rows = [tr for tr in table.xpath(".//tr") if tr.xpath("./td")]
        cells = [[td.text_content().strip() for td in tr.xpath("./td")] for tr in body_rows]
        # columns: crud buttons, name, credit_code, legal_rep_name, agency, status, submitted_at
        got = [c[2] for c in cells]
        subs = [c[6] for c in cells]
        assert subs == sorted(subs, reverse=True), "HTML rows not sorted by submitted_at desc"
        assert len({c[5] for c in cells}) == 1, "HTML rows have more than one status"
        assert len(heads) == 7, heads
        shown = re.search(r"</strong>\s*(\d+)", resp.get_data(as_text=True))  # FAB's "Record count: N"
        assert shown and int(shown.group(1)) == fab.matching, (shown and shown.group(1), fab.matching)
    if got != want:
        raise RuntimeError(f"{fab.kind} {case['label']}: rows differ from the SQL reference\n{got}\n{want}")


def fab_timed(case: dict, n: int) -> tuple[float, int]:
    times = []
    nbytes = 0
    client, url, headers = case["client"], case["url"], case["headers"]
    for _ in range(n):
        t0 = time.perf_counter()
        resp = client.get(url, headers=headers)
        times.append((time.perf_counter() - t0) * 1000)
        nbytes = quick_check(case, resp)
    return statistics.median(times), nbytes


def classify_fab(sql: str) -> str:
    s = sql.lower()
    if "ab_permission_view" in s or "ab_permission" in s or "ab_view_menu" in s:
        return "permissions"
    if "ab_user_group" in s or "ab_group" in s:
        return "user groups"
    if "ab_user_role" in s or "ab_role" in s:
        return "user roles"
    if "from ab_user" in s:
        return "user"
    if "login_failure" in s:
        return "login throttle"
    if "count(" in s:
        return "count"
    if "from enterprise" in s and "limit" in s:
        return "page rows"
    return "other"


def fab_capture(fab: FabSide, case: dict) -> list[dict]:
    from sqlalchemy import event

    queries: list[dict] = []
    starts: list[float] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        starts.append(time.perf_counter())

    def after(conn, cursor, statement, parameters, context, executemany):
        ms = (time.perf_counter() - starts.pop()) * 1000
        queries.append({"kind": classify_fab(statement), "ms": ms, "sql": statement,
                        "params": repr(parameters)[:300], "_raw_params": parameters})

    event.listen(fab.engine, "before_cursor_execute", before)
    event.listen(fab.engine, "after_cursor_execute", after)
    try:
        resp = case["client"].get(case["url"], headers=case["headers"])
    finally:
        event.remove(fab.engine, "before_cursor_execute", before)
        event.remove(fab.engine, "after_cursor_execute", after)
    full_check(fab, case, resp)
    for q in queries:  # query plans of the two enterprise queries, to see which index is used
        raw = q.pop("_raw_params")
        if q["kind"] in ("count", "page rows"):
            q["plan"] = explain(fab, q["sql"], raw)
    return queries


def explain(fab: FabSide, sql: str, params) -> str:
    prefix = "EXPLAIN QUERY PLAN " if fab.kind == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) "
    with fab.engine.connect() as conn:
        rows = conn.exec_driver_sql(prefix + sql, params).all()
    if fab.kind == "sqlite":
        return "\n".join(f"{r[0]}|{r[1]}| {r[3]}" for r in rows)
    return "\n".join(r[0] for r in rows)


# --------------------------------------------------------------------------- Django side
class DjangoPeer:
    """The peers' Django admin in its own venv, one worker process per database."""

    def __init__(self, kind: str, rows: int, venv: Path):
        self.kind, self.rows, self.venv = kind, rows, venv
        env = dict(os.environ)
        env["PYTHONUNBUFFERED"] = "1"
        if kind == "sqlite":
            SCRATCH.mkdir(parents=True, exist_ok=True)
            env.update(PEERBENCH_DB="sqlite", PEERBENCH_SQLITE=str(SCRATCH / f"django-{rows}.sqlite3"))
        else:
            import psycopg

            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
                exists = conn.execute("select 1 from pg_database where datname = %s", (DJ_PG_DB,)).fetchone()
                if not exists:
                    conn.execute(f'CREATE DATABASE "{DJ_PG_DB}" OWNER peerbench')
            env.update(PEERBENCH_DB="pg", PEERBENCH_PG_NAME=DJ_PG_DB)
        self.stderr = open(SCRATCH / f"django-worker-{kind}.log", "w")
        self.proc = subprocess.Popen(
            [str(venv / "bin" / "python"), str(HERE / "_djpeer_worker.py"), str(PEERS / "djadmin")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr, text=True, env=env,
        )

    def call(self, **msg) -> dict:
        self.proc.stdin.write(json.dumps(msg) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"Django worker ({self.kind}) died; see {self.stderr.name}")
        out = json.loads(line)
        if not out.get("ok"):
            raise RuntimeError(f"Django worker ({self.kind}): {out.get('error')}")
        return out

    def prepare(self) -> None:
        t0 = time.perf_counter()
        self.info = self.call(cmd="prepare", rows=self.rows)
        counts = self.info["status_counts"]
        # Same kind of page: filtered by status (list_filter's own choices filter,
        # status__exact) and sorted by -submitted_at (the admin's ordering). The filter value is
        # the most common status so that, as on the FAB side, page 2,000 exists at 100,000 rows.
        self.status = max(counts, key=counts.get)
        self.matching = counts[self.status]
        self.deep_page = min(2000, self.matching // PAGE_SIZE)  # Django's p is 1-based
        self.ref_deep_page = min(2000, self.info["rows"] // PAGE_SIZE)
        log(f"Django {self.kind}: {self.info['rows']} enterprises ready in {time.perf_counter() - t0:.1f} s "
            f"(Django {self.info['django']}, Python {self.info['python']}); filter status__exact="
            f"{self.status}: {self.matching} rows; deep page p={self.deep_page}")

    def slot_specs(self) -> list[list]:
        base = "/admin/bench/enterprise/"
        specs = []
        for user in ("admin", "staff"):
            specs.append([f"{user} p1", user, base, {"status__exact": self.status}])
            specs.append([f"{user} p2000", user, base, {"status__exact": self.status, "p": str(self.deep_page)}])
        # The peers' own headline cases (unfiltered changelist, superuser), for reference.
        specs.append(["unfiltered p1", "admin", base, {}])
        specs.append(["unfiltered p2000", "admin", base, {"p": str(self.ref_deep_page)}])
        return specs

    def setup(self, warmup: int) -> None:
        specs = self.slot_specs()
        out = self.call(cmd="setup", slots=specs, warmup=warmup)["slots"]
        self.slot_index = {s[0]: k for k, s in enumerate(specs)}
        self.slot_params = {s[0]: s[3] for s in specs}
        self.sql = {o["label"]: o["sql"] for o in out}

    def timed(self, label: str, n: int) -> float:
        return self.call(cmd="time", k=self.slot_index[label], n=n)["median_ms"]

    def close(self) -> None:
        try:
            self.call(cmd="quit")
        except Exception:  # noqa: BLE001
            pass
        self.proc.wait(timeout=30)
        self.stderr.close()


# --------------------------------------------------------------------------- report
def fmt_ms(x: float | None) -> str:
    return "–" if x is None else f"{x:.1f}"


def summarize(rms: list[float]) -> dict:
    return {"round_medians_ms": rms, "fast_ms": min(rms), "typical_ms": statistics.median(rms),
            "worst_ms": max(rms)}


def render_report(meta: dict, results: list[dict]) -> str:
    lines = [f"# List pages: FAB (Shenbao) vs Django admin, {meta['rows']:,} enterprises",
             "",
             f"Run {meta['time_utc']} on {meta['cpu']} ({meta['cores']} cores). FAB {meta['fab']} / Flask "
             f"{meta['flask']} / SQLAlchemy {meta['sqlalchemy']} on Python {meta['python']}; Django "
             f"{meta['django']} on Python {meta['django_python']} ({meta['django_venv']}). "
             f"SQLite {meta['db_versions'].get('sqlite', '–')}, PostgreSQL {meta['db_versions'].get('pg', '–')}.",
             "",
             f"{meta['rounds']} rounds × median of {meta['n']} requests. In every round each FAB case is timed "
             "next to its Django counterparts (who goes first rotates). fast = best round median, typical = "
             "median of round medians, paired = median over rounds of FAB round median / the adjacent Django "
             "round median. The FAB user is an AgencyReviewer (row scope: own agency, no drafts); the Django "
             "counterpart is the peers' admin as superuser with the same kind of page: filtered by status "
             "(list_filter, `status__exact`), ordered by -submitted_at, 25 a page, page 1 / page 2,000. The REST "
             "case is compared with the same Django page 1 (Django admin has no REST list).",
             "",
             "Goal per row: fast and typical ratio ≤ 0.8, ≤ 6 FAB queries, same FAB query count on every page of "
             "that list.",
             "",
             f"CPU probe per round (ms, lower = faster spell): {' '.join(f'{p:.0f}' for p in meta['cpuprobe_ms'])}",
             "",
             "| case | db | FAB fast / typical ms | FAB q | Django admin fast / typical ms | Django q | "
             "FAB/Django fast / typical / paired | goal |",
             "|---|---|---|---|---|---|---|---|"]
    for r in results:
        f, d = r["fab"], r["django_admin"]
        ratio_f = f["fast_ms"] / d["fast_ms"]
        ratio_t = f["typical_ms"] / d["typical_ms"]
        why = []
        if ratio_f > 0.8 or ratio_t > 0.8:
            why.append("time")
        if r["fab_queries"] > 6:
            why.append("queries")
        if not r["same_queries_all_pages"]:
            why.append("query count differs by page")
        lines.append(
            f"| {r['label']} | {r['db']} | {fmt_ms(f['fast_ms'])} / {fmt_ms(f['typical_ms'])} | {r['fab_queries']} | "
            f"{fmt_ms(d['fast_ms'])} / {fmt_ms(d['typical_ms'])} | {r['django_admin_queries']} | "
            f"{ratio_f:.2f} / {ratio_t:.2f} / {r['paired_ratio']:.2f} | "
            f"{'met' if not why else 'NOT met (' + ', '.join(why) + ')'} |")
    lines += ["",
              "Other references from the same rounds: FAB's own SQL time (sum of execute() times in the one "
              "captured request), the peers' view-only non-superuser (`staff`, 2 permission queries more) on "
              "the same filtered page, and the peers' headline case (superuser, unfiltered changelist, the "
              "numbers in peers/README.md).",
              "",
              "| case | db | FAB SQL ms (1 request) | Django staff fast / typical ms (q) | FAB/staff typical | "
              "Django unfiltered fast / typical ms (q) | FAB/unfiltered typical |",
              "|---|---|---|---|---|---|---|"]
    for r in results:
        f, st, un = r["fab"], r["django_staff"], r["django_unfiltered"]
        lines.append(
            f"| {r['label']} | {r['db']} | {r['fab_query_ms']:.1f} | "
            f"{fmt_ms(st['fast_ms'])} / {fmt_ms(st['typical_ms'])} ({r['django_staff_queries']}) | "
            f"{f['typical_ms'] / st['typical_ms']:.2f} | "
            f"{fmt_ms(un['fast_ms'])} / {fmt_ms(un['typical_ms'])} ({r['django_unfiltered_queries']}) | "
            f"{f['typical_ms'] / un['typical_ms']:.2f} |")
    lines += ["", "Pages: " + "; ".join(meta["pages"]), "", "FAB queries per request, by kind:", ""]
    lines += [f"- {r['label']}, {r['db']}: {r['fab_query_kinds']}" for r in results]
    lines += ["", "Django admin queries per request (filtered page, superuser), by kind:", ""]
    lines += [f"- {r['label']}, {r['db']}: {r['django_admin_query_kinds']}" for r in results]
    lines += ["", f"Every query of one request per case, with EXPLAIN plans of the enterprise queries: "
                  f"`{meta['queries_file']}`. Raw numbers (every round median): `{meta['json_file']}`."]
    return "\n".join(lines) + "\n"


def render_queries(meta: dict, fab_sql: dict, dj_sql: dict) -> str:
    out = [f"# SQL per request, {meta['rows']:,} enterprises ({meta['time_utc']})", "",
           "One extra request per case, captured with SQLAlchemy before/after_cursor_execute (FAB) and the "
           "peers' CaptureQueriesContext + execute_wrapper (Django). ms = time of execute() only.", ""]
    for (db, label), qs in fab_sql.items():
        out += [f"## FAB {db}: {label} ({len(qs)} queries, {sum(q['ms'] for q in qs):.2f} ms)", ""]
        for i, q in enumerate(qs, 1):
            out += [f"{i}. **{q['kind']}** {q['ms']:.2f} ms  params `{q['params']}`", "",
                    "   ```sql", "   " + " ".join(q["sql"].split()), "   ```", ""]
            if q.get("plan"):
                out += ["   plan:", "   ```", *("   " + line for line in q["plan"].splitlines()), "   ```", ""]
    for (db, label), qs in dj_sql.items():
        out += [f"## Django {db}: {label} ({len(qs)} queries, {sum(q['ms'] for q in qs):.2f} ms)", ""]
        for i, q in enumerate(qs, 1):
            out += [f"{i}. **{q['kind']}** {q['ms']:.2f} ms", "", "   ```sql",
                    "   " + " ".join(q["sql"].split()), "   ```", ""]
    return "\n".join(out)


def kinds_of(queries: list[dict]) -> dict:
    kinds: dict[str, int] = {}
    for q in queries:
        kinds[q["kind"]] = kinds.get(q["kind"], 0) + 1
    return kinds


# --------------------------------------------------------------------------- main
def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--n", type=int, default=20, help="timed requests per visit (median of n)")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--db", default="sqlite,pg", help="comma list: sqlite,pg")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--django-venv", default="/tmp/peerbench/dj52",
                    help="the peer venv (bash /work/shared/peers/setup.sh); dj52 runs on Python 3.11 like FAB")
    ap.add_argument("--keep", action="store_true", help="keep the scratch databases")
    ap.add_argument("--out", default=str(HERE / "results"))
    args = ap.parse_args()
    kinds = [k.strip() for k in args.db.split(",") if k.strip()]
    venv = Path(args.django_venv)
    if not (venv / "bin" / "python").exists():
        print(f"no Django venv at {venv}: run `bash {PEERS}/setup.sh` first", file=sys.stderr)
        return 2

    fabs: dict[str, FabSide] = {}
    djs: dict[str, DjangoPeer] = {}
    try:
        for kind in kinds:
            log(f"Django {kind}: migrate + seed (peers' command) ...")
            djs[kind] = DjangoPeer(kind, args.rows, venv)
            djs[kind].prepare()
            log(f"FAB {kind}: schema + seed ...")
            fabs[kind] = FabSide(kind, args.rows, args.seed)
            fabs[kind].build()

        # Warm-up and query capture, once per case (as adminbench does).
        fab_sql: dict = {}
        dj_sql: dict = {}
        cases: dict[str, list[dict]] = {}
        for kind in kinds:
            djs[kind].setup(args.warmup)
            cases[kind] = fabs[kind].cases()
            for case in cases[kind]:
                for _ in range(args.warmup):
                    quick_check(case, case["client"].get(case["url"], headers=case["headers"]))
                case["sql"] = fab_capture(fabs[kind], case)
                fab_sql[(kind, f"{case['label']} — GET {case['url']}")] = case["sql"]
            for label, sql in djs[kind].sql.items():
                dj_sql[(kind, f"{label} — {djs[kind].slot_params[label]}")] = sql
            log(f"{kind}: FAB queries per case: " + ", ".join(f"{c['label']} {len(c['sql'])}" for c in cases[kind]))

        # Rounds: round-robin over databases and cases; FAB and Django alternate who goes first.
        rm: dict = {}
        probes = []
        flip = 0
        for rnd in range(args.rounds):
            probes.append(cpuprobe())
            for kind in kinds:
                for case in cases[kind]:
                    runs = [("fab", None), ("dj", f"admin {case['dj']}"), ("dj", f"staff {case['dj']}"),
                            ("dj", f"unfiltered {case['dj']}")]
                    if flip % 2:
                        runs = runs[1:] + runs[:1]
                    flip += 1
                    for side, label in runs:
                        if side == "fab":
                            m, _ = fab_timed(case, args.n)
                            rm.setdefault((kind, case["key"], "fab"), []).append(m)
                        else:
                            m = djs[kind].timed(label, args.n)
                            rm.setdefault((kind, case["key"], label.split()[0]), []).append(m)
            log(f"round {rnd + 1}/{args.rounds} done (cpuprobe {probes[-1]:.0f} ms)")

        results = []
        for kind in kinds:
            dj = djs[kind]
            html_counts = {len(c["sql"]) for c in cases[kind] if c["kind"] == "html"}
            rest_counts = {len(c["sql"]) for c in cases[kind] if c["kind"] == "rest"}
            for case in cases[kind]:
                fr = rm[(kind, case["key"], "fab")]
                ar = rm[(kind, case["key"], "admin")]
                sr = rm[(kind, case["key"], "staff")]
                ur = rm[(kind, case["key"], "unfiltered")]
                results.append({
                    "key": case["key"], "label": case["label"], "db": "SQLite" if kind == "sqlite" else "PostgreSQL",
                    "url": case["url"], "fab": summarize(fr), "django_admin": summarize(ar),
                    "django_staff": summarize(sr), "django_unfiltered": summarize(ur),
                    "paired_ratio": statistics.median(f / a for f, a in zip(fr, ar)),
                    "fab_queries": len(case["sql"]), "fab_query_kinds": kinds_of(case["sql"]),
                    "fab_query_ms": sum(q["ms"] for q in case["sql"]),
                    "same_queries_all_pages": len(html_counts if case["kind"] == "html" else rest_counts) == 1,
                    "django_admin_queries": len(dj.sql[f"admin {case['dj']}"]),
                    "django_admin_query_kinds": kinds_of(dj.sql[f"admin {case['dj']}"]),
                    "django_staff_queries": len(dj.sql[f"staff {case['dj']}"]),
                    "django_unfiltered_queries": len(dj.sql[f"unfiltered {case['dj']}"]),
                    "django_unfiltered_params": dj.slot_params[f"unfiltered {case['dj']}"],
                    "django_params": dj.slot_params[f"admin {case['dj']}"],
                })

        import importlib.metadata

        import flask_appbuilder
        import sqlalchemy

        stamp = dt.datetime.now(dt.timezone.utc)
        suffix = "" if args.rows == 100_000 else f"-rows{args.rows}"
        out_dir = Path(args.out)
        out_dir.mkdir(parents=True, exist_ok=True)
        base = f"list_pages-{stamp:%Y-%m-%d}{suffix}"
        any_dj = next(iter(djs.values()))
        pages = []
        for kind in kinds:
            f, d = fabs[kind], djs[kind]
            pages.append(f"{kind}: FAB {f.matching:,} matching rows (agency + status {FILTER_STATUS}), deep page "
                         f"0-based {f.deep_page} (OFFSET {f.deep_page * PAGE_SIZE:,}); Django status__exact="
                         f"{d.status} {d.matching:,} rows, deep page p={d.deep_page} (OFFSET "
                         f"{(d.deep_page - 1) * PAGE_SIZE:,}); Django unfiltered {d.info['rows']:,} rows, deep page "
                         f"p={d.ref_deep_page}")
        meta = {
            "rows": args.rows, "rounds": args.rounds, "n": args.n, "warmup": args.warmup,
            "time_utc": stamp.strftime("%Y-%m-%dT%H:%M:%SZ"), "cores": os.cpu_count(),
            "cpu": cpu_model(), "python": platform.python_version(), "fab": flask_appbuilder.__version__,
            "flask": importlib.metadata.version("flask"),
            "sqlalchemy": sqlalchemy.__version__, "django": any_dj.info["django"],
            "django_python": any_dj.info["python"], "django_venv": str(venv),
            "db_versions": {k: fabs[k].db_version for k in kinds}, "cpuprobe_ms": probes, "pages": pages,
            "queries_file": f"bench/results/{base}-queries.md", "json_file": f"bench/results/{base}.json",
            "argv": sys.argv,
        }
        report = render_report(meta, results)
        print(report)
        (out_dir / f"{base}.md").write_text(report, encoding="utf-8")
        (out_dir / f"{base}-queries.md").write_text(render_queries(meta, fab_sql, dj_sql), encoding="utf-8")
        (out_dir / f"{base}.json").write_text(json.dumps(
            {"meta": meta, "results": results,
             "fab_sql": {f"{k[0]} | {k[1]}": v for k, v in fab_sql.items()},
             "django_sql": {f"{k[0]} | {k[1]}": v for k, v in dj_sql.items()}},
            ensure_ascii=False, indent=1), encoding="utf-8")
        log(f"wrote {out_dir / base}.md, -queries.md, .json")
        return 0
    finally:
        for dj in djs.values():
            dj.close()
        for fab in fabs.values():
            try:
                fab.engine.dispose()
            except AttributeError:
                pass
        if not args.keep:
            cleanup(kinds, args.rows)


def cleanup(kinds: list[str], rows: int) -> None:
    for kind in kinds:
        if kind == "sqlite":
            (SCRATCH / f"fab-list_pages-{rows}.sqlite3").unlink(missing_ok=True)
            (SCRATCH / f"django-{rows}.sqlite3").unlink(missing_ok=True)
        else:
            try:
                pg_drop(FAB_PG_DB)
                pg_drop(DJ_PG_DB)
            except Exception as exc:  # noqa: BLE001
                log(f"could not drop the scratch PG databases: {exc}")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


if __name__ == "__main__":
    sys.exit(main())
