"""Where a request's CPU goes: the load test's request types, in process, on shenbao_load (reset first).

    .venv/bin/python bench/load/profile_requests.py              # CPU ms and SQL statements per request
    .venv/bin/python bench/load/profile_requests.py --profile table_get --top 30   # cProfile one of them

Runs the production configuration of bench/load/run_load.py (same environment) inside this
process with Flask's test client, so the figures exclude HTTP parsing and gunicorn, and counts
the SQL statements each request sends. Needs the seeded database (bench/load/seed.py). The
mixed-load runner measures the whole stack; this script says which request to work on.
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from bench.load import common as C  # noqa: E402
from bench.load.run_load import gunicorn_env  # noqa: E402


def build_app(tmp: Path):
    os.environ.update(gunicorn_env(tmp))
    import bench.load.loadapp as loadapp  # fixed captcha answer, create_app()

    return loadapp.app


class Counter:
    def __init__(self, engine):
        from sqlalchemy import event

        self.n = 0
        self.echo = False
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, _conn, _cursor, statement, *_a, **_kw):
        self.n += 1
        if self.echo:
            print("   SQL:", " ".join(statement.split())[:160 if self.echo != "full" else None])


def login(client, username: str) -> None:
    client.get("/account/captcha.png")
    html = client.get("/login/").get_data(as_text=True)
    r = client.post("/login/", data={"username": username, "password": C.PASSWORD, "captcha": C.CAPTCHA,
                                     "csrf_token": C.csrf_from(html)})
    assert r.status_code == 302 and "/login" not in r.headers["Location"], "login refused"


def scenario(app):
    """name -> zero-argument callable doing one request (as in bench/load/locustfile.py)."""
    from bench.load.locustfile import _table_post  # noqa: PLC0415 - the same form data

    applicant = app.test_client()
    login(applicant, C.applicant_login(7))
    html = applicant.get("/sme/").get_data(as_text=True)
    import re

    ev = int(re.search(r"/sme/(\d+)/", html).group(1))
    reviewer = app.test_client()
    login(reviewer, C.reviewer_login(1))
    listing = reviewer.get("/review/sme/list/?status=pending_agency").get_data(as_text=True)
    show = re.search(r"/review/sme/show/(\d+)", listing).group(1)
    token = C.csrf_from(applicant.get(f"/sme/{ev}/table/hr").get_data(as_text=True))

    def table_post():
        r = applicant.post(f"/sme/{ev}/table/hr", data=dict([("csrf_token", token), *_table_post("hr")]))
        assert r.status_code in (200, 302), r.status_code

    def fresh_login():
        c = app.test_client()
        login(c, C.applicant_login(random.randint(10, 1000)))

    def jwt_list():
        return api.get("/api/v1/sme_evaluation/?q=(page:0,page_size:25)", headers=bearer)

    api = app.test_client()
    tok = api.post("/api/v1/security/login", json={"username": C.reviewer_login(2), "password": C.PASSWORD,
                                                    "provider": "db"}).get_json()["access_token"]
    bearer = {"Authorization": f"Bearer {tok}"}
    return {
        "sme_list": lambda: applicant.get("/sme/"),
        "sme_detail": lambda: applicant.get(f"/sme/{ev}/"),
        "self_evaluation": lambda: applicant.get(f"/sme/{ev}/self-evaluation"),
        "table_get": lambda: applicant.get(f"/sme/{ev}/table/{random.choice(('main', 'finance', 'hr', 'ip', 'other'))}"),
        "table_post": table_post,
        "review_list": lambda: reviewer.get(f"/review/sme/list/?status=pending_agency&page={random.randint(0, 4)}"),
        "review_show": lambda: reviewer.get(f"/review/sme/show/{show}"),
        "api_list": jwt_list,
        "login_page": lambda: app.test_client().get("/login/"),
        "captcha": lambda: app.test_client().get("/account/captcha.png"),
        "login_3_requests": fresh_login,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=40, help="requests per type (after 5 warm-up ones)")
    ap.add_argument("--only", nargs="*", help="request types to run")
    ap.add_argument("--profile", help="cProfile this request type and print the top functions")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--sql", help="print the SQL statements of one request of this type")
    ap.add_argument("--full-sql", action="store_true", help="with --sql: whole statements")
    ap.add_argument("--sort", default="cumulative", help="pstats order: cumulative or tottime")
    ap.add_argument("--callers", help="with --profile: who calls the functions matching this pattern")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="shenbao-profile-"))
    subprocess.run([sys.executable, str(HERE / "seed.py"), "--reset"], check=True,
                   stdout=subprocess.DEVNULL)  # undo what a load run changed (submitted drafts, ...)
    app = build_app(tmp)
    from app.extensions import db

    with app.app_context():
        counter = Counter(db.engine)
    steps = scenario(app)
    if args.sql:
        steps[args.sql]()
        counter.echo = "full" if args.full_sql else True
        steps[args.sql]()
        return
    if args.profile:
        fn = steps[args.profile]
        for _ in range(5):
            fn()
        prof = cProfile.Profile(time.process_time)
        prof.enable()
        for _ in range(args.n):
            fn()
        prof.disable()
        stats = pstats.Stats(prof).sort_stats(args.sort)
        if args.callers:
            stats.print_callers(args.callers)
        else:
            stats.print_stats(args.top)
        return
    print(f"{'request':<18} {'CPU ms p50':>10} {'mean':>7} {'SQL/req':>8}")
    for name, fn in steps.items():
        if args.only and name not in args.only:
            continue
        for _ in range(5):
            fn()
        cpu, sql = [], []
        for _ in range(args.n):
            before_sql, t0 = counter.n, time.process_time()
            fn()
            cpu.append((time.process_time() - t0) * 1000)
            sql.append(counter.n - before_sql)
        print(f"{name:<18} {statistics.median(cpu):>10.1f} {statistics.mean(cpu):>7.1f} {statistics.mean(sql):>8.1f}",
              flush=True)


if __name__ == "__main__":
    main()
