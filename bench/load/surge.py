"""Deadline surge against gunicorn + PostgreSQL (run by run_load.py after the mixed load, or alone).

    .venv/bin/python bench/load/surge.py --base-url http://127.0.0.1:8811   # a running loadapp gunicorn
    .venv/bin/python bench/load/surge.py                                     # resets shenbao_load, starts its own

(a) 50 concurrent submissions of ONE evaluation: one applicant session (logged in once), the
    self-evaluation page read once (CSRF token + version), then 50 threads released together by a
    threading.Barrier each POST /sme/<id>/submit with that same version and token, each in its own
    copy of the session cookie so that each reads its OWN flash message on the page the redirect
    leads to. Expected: exactly one "提交成功" and 49 refusals that say why; in the database the
    record is pending_agency and the workflow log holds exactly one submit.
(b) 1,000 different enterprises submitting within one minute: 1,000 applicant sessions logged in
    beforehand (captcha, login, self-evaluation page), then the 1,000 submissions are started at
    evenly spaced instants over --spread seconds (default 50) from a pool of threads. Expected:
    every POST answers 302 to the details page and, in the database, all 1,000 evaluations are
    pending_agency with one submit each in the workflow log, all within 60 s.

Uses the reserved applicants (the last bench.load.common.SURGE_RESERVE accounts, not used by the
mixed load) that are still drafts. Results are printed and appended to the results file.
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import copy
import datetime as dt
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from bench.load import common as C  # noqa: E402

MSG = C.messages()


def log(msg: str) -> None:
    print(f"[surge {time.strftime('%H:%M:%S')}] {msg}", flush=True)


class _LoopbackSession(requests.Session):
    """Sends the production session cookie (flagged Secure) back over plain HTTP on 127.0.0.1:
    requests would not (the app runs with SESSION_COOKIE_SECURE as in production; TLS would
    sit in the proxy in front of gunicorn)."""

    def send(self, request, **kwargs):
        response = super().send(request, **kwargs)
        for cookie in self.cookies:
            cookie.secure = False
        return response


def new_session(base: requests.Session | None = None) -> requests.Session:
    s = _LoopbackSession()
    if base is not None:
        for cookie in base.cookies:
            s.cookies.set_cookie(copy.copy(cookie))
    return s


class Applicant:
    def __init__(self, base_url: str, index: int, evaluation_id: int):
        self.base = base_url
        self.index = index
        self.ev = evaluation_id
        self.s = new_session()
        self.version = self.token = None

    def login_and_prepare(self) -> None:
        r = self.s.get(f"{self.base}/account/captcha.png", timeout=60)
        assert r.status_code == 200, ("captcha", r.status_code)
        r = self.s.get(f"{self.base}/login/", timeout=60)
        token = C.csrf_from(r.text)
        r = self.s.post(f"{self.base}/login/", data={"username": C.applicant_login(self.index), "password": C.PASSWORD,
                                                     "captcha": C.CAPTCHA, "csrf_token": token},
                        allow_redirects=False, timeout=60)
        assert r.status_code == 302 and "/login" not in r.headers.get("Location", ""), ("login", r.status_code)
        r = self.s.get(f"{self.base}/sme/{self.ev}/self-evaluation", timeout=60)
        assert r.status_code == 200 and 'id="submit-problems"' not in r.text, ("self-evaluation", r.status_code)
        self.version = C.VERSION_RE.search(r.text).group(1)
        self.token = C.csrf_from(r.text)

    def submit(self, session: requests.Session | None = None) -> dict:
        s = session or self.s
        t = time.perf_counter()
        r = s.post(f"{self.base}/sme/{self.ev}/submit", data={"csrf_token": self.token, "version": self.version},
                   allow_redirects=False, timeout=120)
        ms = (time.perf_counter() - t) * 1000
        return {"status": r.status_code, "location": r.headers.get("Location", ""), "ms": ms, "done_at": time.time()}


def flash_of(session: requests.Session, url: str) -> tuple[str, str]:
    r = session.get(url, timeout=120)
    shown = C.flashes(r.text)
    for _cat, text in shown:
        for key, msg in MSG.items():
            if msg in text:
                return key, text
    return ("none" if not shown else "other"), " | ".join(t for _c, t in shown)


# --------------------------------------------------------------------------- database
def db():
    import psycopg

    return psycopg.connect(C.DATABASE_URL, autocommit=True)


def reserved_drafts(applicants: int, need: int) -> list[tuple[int, int]]:
    """(applicant index, evaluation id) of reserved applicants whose evaluation is still a draft."""
    low = max(1, applicants - C.SURGE_RESERVE + 1) if applicants > C.SURGE_RESERVE + 100 else 1
    with db() as conn:
        rows = conn.execute(
            "SELECT u.enterprise_id, e.id FROM ab_user u JOIN sme_evaluation e ON e.enterprise_id = u.enterprise_id "
            "WHERE u.mobile IS NOT NULL AND u.enterprise_id BETWEEN %s AND %s AND e.status = 'draft' "
            "ORDER BY u.enterprise_id DESC LIMIT %s", (low, applicants, need)).fetchall()
    if len(rows) < need:
        raise SystemExit(f"only {len(rows)} draft evaluations among the reserved applicants (need {need}): "
                         "reset with bench/load/seed.py --reset")
    return [(int(a), int(b)) for a, b in rows]


def db_state(ids: list[int]) -> dict:
    with db() as conn:
        statuses = dict(conn.execute("SELECT status, count(*) FROM sme_evaluation WHERE id = ANY(%s) GROUP BY status",
                                     (ids,)).fetchall())
        submits = conn.execute(
            "SELECT count(*), count(DISTINCT record_id) FROM workflow_log WHERE workflow = 'sme_evaluation' "
            "AND action = 'submit' AND record_id = ANY(%s)", (ids,)).fetchone()
    return {"statuses": statuses, "submit_log_rows": submits[0], "submit_log_records": submits[1]}


# --------------------------------------------------------------------------- (a)
def same_record(base_url: str, who: tuple[int, int], n: int = 50) -> dict:
    index, ev = who
    app = Applicant(base_url, index, ev)
    app.login_and_prepare()
    sessions = [new_session(app.s) for _ in range(n)]
    barrier = threading.Barrier(n)
    results: list[dict] = [{} for _ in range(n)]

    def fire(i: int) -> None:
        barrier.wait()
        res = app.submit(sessions[i])
        if res["status"] == 302:
            res["flash"] = flash_of(sessions[i], base_url + res["location"] if res["location"].startswith("/")
                                    else res["location"])
        results[i] = res

    threads = [threading.Thread(target=fire, args=(i,)) for i in range(n)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    kinds: dict[str, int] = {}
    texts: dict[str, str] = {}
    for r in results:
        key = r.get("flash", (f"HTTP {r['status']}", ""))[0]
        kinds[key] = kinds.get(key, 0) + 1
        texts.setdefault(key, r.get("flash", ("", ""))[1])
    state = db_state([ev])
    accepted = kinds.get("submitted", 0)
    told_why = sum(v for k, v in kinds.items() if k in ("conflict", "not_possible"))
    ok = (accepted == 1 and told_why == n - 1 and state["statuses"] == {"pending_agency": 1}
          and state["submit_log_rows"] == 1)
    return {"n": n, "evaluation": ev, "kinds": kinds, "texts": texts, "db": state, "ok": ok, "wall_s": wall,
            "ms": sorted(r["ms"] for r in results)}


# --------------------------------------------------------------------------- (b)
def many_records(base_url: str, who: list[tuple[int, int]], spread: float, pool: int, login_threads: int) -> dict:
    apps = [Applicant(base_url, i, ev) for i, ev in who]
    t0 = time.perf_counter()
    with cf.ThreadPoolExecutor(login_threads) as ex:
        list(ex.map(lambda a: a.login_and_prepare(), apps))
    login_s = time.perf_counter() - t0
    log(f"(b) {len(apps)} sessions logged in and on their self-evaluation page in {login_s:.1f} s")
    results: list[dict] = [{} for _ in apps]
    start = time.time() + 1.0
    step = spread / len(apps)

    def job(i: int) -> None:
        delay = start + i * step - time.time()
        if delay > 0:
            time.sleep(delay)
        try:
            results[i] = apps[i].submit()
        except Exception as exc:  # noqa: BLE001
            results[i] = {"status": f"error {type(exc).__name__}", "ms": float("nan"), "done_at": time.time(),
                          "location": ""}

    with cf.ThreadPoolExecutor(pool) as ex:
        list(ex.map(job, range(len(apps))))
    last_done = max(r["done_at"] for r in results) - start
    statuses: dict = {}
    for r in results:
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    good_redirects = sum(1 for r in results if r["status"] == 302 and "/sme/" in r["location"])
    ids = [ev for _i, ev in who]
    state = db_state(ids)
    # Read a sample of the flash messages the applicants see (every 50th).
    sample = {}
    for a, r in list(zip(apps, results))[::50]:
        if r["status"] == 302:
            key, _text = flash_of(a.s, base_url + r["location"] if r["location"].startswith("/") else r["location"])
            sample[key] = sample.get(key, 0) + 1
    ms = sorted(r["ms"] for r in results if isinstance(r["status"], int))
    ok = (good_redirects == len(apps) and state["statuses"] == {"pending_agency": len(apps)}
          and state["submit_log_rows"] == len(apps) and last_done <= 60.0)
    return {"n": len(apps), "spread_s": spread, "pool": pool, "login_s": login_s, "statuses": statuses,
            "db": state, "last_done_s": last_done, "ms": ms, "flash_sample": sample, "ok": ok}


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def render(a: dict, b: dict, load: tuple) -> str:
    out = ["", "## Deadline surge", "", f"Run {dt.datetime.now(dt.timezone.utc):%Y-%m-%dT%H:%M:%SZ}, same gunicorn "
           f"(load average at start {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}).", "",
           f"### (a) {a['n']} concurrent submissions of the same evaluation → "
           f"**{'as expected' if a['ok'] else 'NOT as expected'}**", "",
           f"One applicant session, the self-evaluation page read once, then {a['n']} threads released by a barrier "
           f"POST the submit form (same CSRF token, same version) at once; each reads the flash message on the page "
           f"its redirect leads to. Wall time {a['wall_s']:.2f} s; POST p50 {_pct(a['ms'], .5):.0f} ms, "
           f"max {a['ms'][-1]:.0f} ms.", "", "| answer | count | message shown |", "|---|---:|---|"]
    for key, count in sorted(a["kinds"].items(), key=lambda kv: -kv[1]):
        out.append(f"| {key} | {count} | {a['texts'].get(key, '')} |")
    out += ["", f"Database: statuses {a['db']['statuses']}, submit rows in the workflow log: "
            f"{a['db']['submit_log_rows']}.", "",
            f"### (b) {b['n']:,} different enterprises submitting within one minute → "
            f"**{'all accepted' if b['ok'] else 'NOT all accepted'}**", "",
            f"{b['n']:,} sessions logged in beforehand ({b['login_s']:.0f} s, scrypt check each), then one submission "
            f"every {1000 * b['spread_s'] / b['n']:.0f} ms over {b['spread_s']:.0f} s from {b['pool']} threads.", "",
            f"- HTTP answers: {b['statuses']}; last answer {b['last_done_s']:.1f} s after the first was sent.",
            f"- Submit POST: p50 {_pct(b['ms'], .5):.0f} ms, p95 {_pct(b['ms'], .95):.0f} ms, "
            f"p99 {_pct(b['ms'], .99):.0f} ms, max {b['ms'][-1] if b['ms'] else float('nan'):.0f} ms.",
            f"- Database: statuses {b['db']['statuses']}; submit rows in the workflow log {b['db']['submit_log_rows']} "
            f"for {b['db']['submit_log_records']} records.",
            f"- Flash message on the details page (every 50th applicant): {b['flash_sample']}.", ""]
    return "\n".join(out)


def run(base_url: str, report_path: Path | None, seed_params: dict, applicants: int, *, spread: float = 50.0,
        pool: int = 32, login_threads: int = 8, n_same: int = 50, n_many: int = 1000) -> dict:
    load_at_start = tuple(float(x) for x in Path("/proc/loadavg").read_text().split()[:3])
    who = reserved_drafts(applicants, n_many + 1)
    log(f"(a) {n_same} concurrent submissions of evaluation {who[0][1]} (applicant {C.applicant_login(who[0][0])})")
    a = same_record(base_url, who[0], n_same)
    log(f"(a) answers {a['kinds']}; database {a['db']} → {'OK' if a['ok'] else 'NOT OK'}")
    log(f"(b) {n_many} enterprises: logging in ...")
    b = many_records(base_url, who[1:n_many + 1], spread, pool, login_threads)
    log(f"(b) answers {b['statuses']}; database {b['db']}; last answer at {b['last_done_s']:.1f} s → "
        f"{'OK' if b['ok'] else 'NOT OK'}")
    text = render(a, b, load_at_start)
    print(text, flush=True)
    if report_path is not None:
        report_path.parent.mkdir(parents=True, exist_ok=True)
        with open(report_path, "a", encoding="utf-8") as fh:
            fh.write(text + "\n")
        log(f"appended to {report_path}")
    return {"a": a, "b": b}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--base-url", help="a running gunicorn on bench.load.loadapp:app (else one is started)")
    ap.add_argument("--applicants", type=int, help="seeded applicants (default: from the database comment)")
    ap.add_argument("--spread", type=float, default=50.0, help="seconds over which the 1,000 submissions start")
    ap.add_argument("--pool", type=int, default=32)
    ap.add_argument("--n-same", type=int, default=50, help="concurrent submissions of one evaluation")
    ap.add_argument("--n-many", type=int, default=1000, help="enterprises submitting in the surge")
    ap.add_argument("--report", help="results file to append to (default bench/results/load-<UTC date>.md)")
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--port", type=int, default=8812)
    args = ap.parse_args(argv)
    from bench.load import seed as seed_mod

    report = Path(args.report) if args.report else \
        ROOT / "bench" / "results" / f"load-{dt.datetime.now(dt.timezone.utc):%Y-%m-%d}.md"
    gunicorn = None
    if args.base_url:
        params = seed_mod.current_params()
        if params is None:
            raise SystemExit(f"{C.DB_NAME} was not seeded by bench/load/seed.py")
        base = args.base_url.rstrip("/")
    else:
        from bench.load import run_load

        tmp = Path(tempfile.mkdtemp(prefix="shenbao-surge-"))
        params = seed_mod.reset(str(tmp / "uploads"))
        gunicorn = run_load.start_gunicorn(tmp, args.port, args.workers, args.threads, False)
        base = f"http://127.0.0.1:{args.port}"
    try:
        res = run(base, report, params, args.applicants or params["applicants"], spread=args.spread, pool=args.pool,
                  n_same=args.n_same, n_many=args.n_many)
    finally:
        if gunicorn is not None:
            import shutil

            from bench.load import run_load

            run_load.stop_gunicorn(gunicorn)
            shutil.rmtree(tmp / "uploads", ignore_errors=True)
    return 0 if res["a"]["ok"] and res["b"]["ok"] else 3


if __name__ == "__main__":
    raise SystemExit(main())
