"""Brute force under a scripted attack: gunicorn + PostgreSQL (or SQLite), many threads at once.

    .venv/bin/python bench/brute_force.py                  # PostgreSQL scratch database, 40-thread bursts; ~1 min
    .venv/bin/python bench/brute_force.py --db sqlite      # SQLite in a temp dir
    .venv/bin/python bench/brute_force.py --burst 80 --workers 3 --server-threads 8

It prints figures, it is not a timed test. Each attack fires its guesses from many threads that
wait at a barrier and then post together, so the server handles them concurrently; what counts
is how many guesses the server actually evaluated ("checked": a password compared, an SMS code
compared, a captcha accepted, an SMS sent) against the limit, not how many were refused.

  A  HTML login, one account, one address: N wrong passwords at once; checked <= LOGIN_MAX_FAILURES_PER_ACCOUNT;
     then the right password is refused while the window lasts and accepted after it
     (the failure rows are moved back in time in the database instead of waiting 15 minutes).
  B  HTML login, N accounts, one address: checked <= LOGIN_MAX_FAILURES_PER_IP; then a valid account
     from that address is refused, from another address accepted.
  C  the same through the JWT login (/api/v1/security/login), and HTML + JWT together on one account.
  D  SMS: N wrong codes at once for one code (<= SMS_CODE_MAX_TRIES compared, then the right code is
     refused); N sends at once to one mobile (1 sent), resend after SMS_CODE_RESEND_SECONDS; and
     whether any daily cap per mobile or per address exists.
  E  captcha: one solved captcha id replayed N times at once (accepted once); replay after a
     successful login and after a wrong answer; wrong answers reveal nothing (same page whatever the
     password, nothing counted, answer not in the cookie); no captcha; an expired one.

Set-up: a scratch database (PostgreSQL ``shenbao_bruteforce``, or SQLite under a temp dir) with the
app's schema (``Model.metadata.create_all``), the reference data of tests.factories and a few
accounts; gunicorn serves ``bench.load.loadapp:app`` (create_app() with the fixed captcha answer
``bench.load.common.CAPTCHA``, as for the load test) in production mode with: PROXY_FIX=true (each
attack sends its own X-Forwarded-For, so the per-address counters of one attack do not touch
another's), RATELIMIT_ENABLED=false and AUTH_RATE_LIMITED=false (Flask-Limiter's per-process
30/minute on POST /login/ would otherwise hide the database limits measured here),
SESSION_COOKIE_SECURE=false (plain HTTP on loopback) and BABEL_DEFAULT_LOCALE=en (the answers are
classified by their English messages). Everything else is the app's configuration.

Output: the table on stdout and in ``bench/results/brute-force-<UTC date>[-sqlite].md``. Exit code 1
when any limit is exceeded or a check fails (a 5xx is a failure too); "no cap" rows report a limit
that does not exist and do not change the exit code.
"""
from __future__ import annotations

import argparse
import base64
import datetime as dt
import os
import random
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from bench.load.common import CAPTCHA, PASSWORD  # noqa: E402
from bench.load.run_load import stop_gunicorn, wait_until_serving  # noqa: E402

VENV_BIN = Path(sys.executable).parent
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1/postgres")
PG_URL_BASE = os.environ.get("BENCH_PG_URL_BASE", "postgresql://postgres@127.0.0.1")
PG_DB = "shenbao_bruteforce"

# The English messages the answers are classified by (the server runs with BABEL_DEFAULT_LOCALE=en).
LOCKED = "Too many failed logins."
WRONG = "Wrong account or password."
BAD_CAPTCHA = "The verification characters are wrong or expired."
SMS_WRONG = "Wrong verification code;"
SMS_DEAD = "Too many wrong codes;"

VICTIM_HTML, VICTIM_JWT, VICTIM_MIXED, LEGIT, CAPTCHA_USER = (f"1390000000{i}" for i in range(1, 6))


def log(msg: str) -> None:
    print(f"[brute_force {time.strftime('%H:%M:%S')}] {msg}", flush=True)


# --------------------------------------------------------------------------- database and server
def prepare_database(kind: str, tmp: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp / 'bruteforce.sqlite3'}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)"))
        conn.execute(sa.text(f"CREATE DATABASE {PG_DB}"))
    admin.dispose()
    return f"{PG_URL_BASE}/{PG_DB}"


def drop_database(kind: str) -> None:
    if kind != "pg":
        return
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)"))
    admin.dispose()


def seed(url: str) -> dict:
    """Schema, reference data and the attacked accounts; returns the limits the app will use."""
    from app import create_app
    from app.extensions import db
    from app.security import roles as R
    from flask_appbuilder import Model

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        Model.metadata.create_all(db.engine)
        from tests.factories import seed_reference_data

        seed_reference_data()
        sm = app.appbuilder.sm
        for i, login in enumerate((VICTIM_HTML, VICTIM_JWT, VICTIM_MIXED, LEGIT, CAPTCHA_USER), 1):
            user = sm.add_user(username=login, first_name=f"用户{i}", last_name="", email=f"bf{i}@example.com",
                               role=sm.find_role(R.APPLICANT), password=PASSWORD)
            user.mobile = login
        db.session.commit()
        limits = {k: app.config[k] for k in (
            "LOGIN_MAX_FAILURES_PER_ACCOUNT", "LOGIN_MAX_FAILURES_PER_IP", "LOGIN_FAILURE_WINDOW_SECONDS",
            "SMS_CODE_MAX_TRIES", "SMS_CODE_MAX_PER_DAY", "SMS_CODE_RESEND_SECONDS", "SMS_CODE_TTL_SECONDS", "CAPTCHA_TTL_SECONDS")}
        db.session.remove()
        db.engine.dispose()
    return limits


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(url: str, tmp: Path, port: int, workers: int, threads: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LOAD_", "SHENBAO_"))}
    env.update({
        "SHENBAO_ENV": "production", "DATABASE_URL": url, "SECRET_KEY": secrets.token_urlsafe(36),
        "CA_TOKEN_PIN": secrets.token_hex(8), "CA_TOKEN_SO_PIN": secrets.token_hex(8),
        "PUBLIC_BASE_URL": "https://shenbao.load-test.invalid",
        "RATELIMIT_ENABLED": "false", "AUTH_RATE_LIMITED": "false", "PROXY_FIX": "true",
        "SESSION_COOKIE_SECURE": "false", "BABEL_DEFAULT_LOCALE": "en",
        "UPLOAD_DIR": str(tmp / "uploads"), "EXPORT_DIR": str(tmp / "exports"), "IMPORT_DIR": str(tmp / "imports"),
        "SHENBAO_INSTANCE_DIR": str(tmp / "instance"), "PYTHONUNBUFFERED": "1",
    })
    cmd = [str(VENV_BIN / "gunicorn"), "bench.load.loadapp:app", "--workers", str(workers), "--threads", str(threads),
           "--bind", f"127.0.0.1:{port}", "--timeout", "120", "--graceful-timeout", "20",
           "--error-logfile", str(tmp / "gunicorn.log")]
    log(" ".join(cmd))
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_until_serving(proc, port, tmp / "gunicorn.log", workers * threads * 2)
    log(f"gunicorn answers on port {port} (pid {proc.pid})")
    return proc


# --------------------------------------------------------------------------- clients
class Client:
    """One attacker connection: its own cookie jar, its own X-Forwarded-For address."""

    def __init__(self, base: str, ip: str, cookies: dict | None = None):
        self.base = base
        self.s = requests.Session()
        self.s.headers["X-Forwarded-For"] = ip
        if cookies:
            self.s.cookies.update(cookies)

    def get(self, path: str, **kw):
        return self.s.get(self.base + path, timeout=120, allow_redirects=False, **kw)

    def post(self, path: str, **kw):
        return self.s.post(self.base + path, timeout=120, allow_redirects=False, **kw)

    def csrf(self, path: str) -> str:
        page = self.get(path)
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text) or \
            re.search(r'value="([^"]+)"[^>]*name="csrf_token"', page.text)
        assert match, (path, page.status_code)
        return match.group(1)

    def prepare_login(self) -> str:
        token = self.csrf("/login/")
        self.get("/account/captcha.png")
        return token

    def login(self, token: str, username: str, password: str, captcha: str = CAPTCHA):
        return self.post("/login/", data={"csrf_token": token, "username": username, "password": password,
                                          "captcha": captcha})

    def jwt(self, username: str, password: str):
        return self.post("/api/v1/security/login", json={"username": username, "password": password, "provider": "db"})

    def cookies(self) -> dict:
        return self.s.cookies.get_dict()


def login_outcome(resp) -> str:
    if resp.status_code == 302 and not resp.headers.get("Location", "").startswith("/login"):
        return "success"
    if resp.status_code == 200:
        text = resp.text
        if LOCKED in text:
            return "blocked"
        if WRONG in text:
            return "checked"
        if BAD_CAPTCHA in text:
            return "captcha"
    return f"other {resp.status_code}"


def jwt_outcome(resp) -> str:
    return {200: "success", 401: "checked", 429: "blocked"}.get(resp.status_code, f"other {resp.status_code}")


def burst(n: int, prepare, fire) -> list:
    """``prepare(i)`` in n threads, then all ``fire(i, prepared)`` together (a barrier)."""
    barrier = threading.Barrier(n)

    def one(i):
        ctx = prepare(i)
        barrier.wait(120)
        return fire(i, ctx)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(one, range(n)))


# --------------------------------------------------------------------------- database probes
class Db:
    def __init__(self, url: str):
        self.engine = sa.create_engine(url)
        self.sqlite = url.startswith("sqlite")

    def ts(self, value: dt.datetime):
        """A timestamp parameter stored as SQLAlchemy's DateTime stores it (text on SQLite)."""
        return value.strftime("%Y-%m-%d %H:%M:%S.%f") if self.sqlite else value

    @staticmethod
    def read_ts(value) -> dt.datetime:
        return dt.datetime.fromisoformat(value) if isinstance(value, str) else value

    def scalar(self, sql: str, **params):
        with self.engine.connect() as conn:
            return conn.execute(sa.text(sql), params).scalar()

    def execute(self, sql: str, **params) -> None:
        with self.engine.begin() as conn:
            conn.execute(sa.text(sql), params)

    def failures(self, key: str) -> int:
        return self.scalar("SELECT count(*) FROM login_failure WHERE key = :k", k=key)

    def shift_failures(self, keys: list[str], age_seconds: float) -> None:
        """Make every failure row of ``keys`` ``age_seconds`` old (instead of waiting)."""
        at = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) - dt.timedelta(seconds=age_seconds)
        for key in keys:
            self.execute("UPDATE login_failure SET at = :at WHERE key = :k", at=self.ts(at), k=key)

    def codes_sent(self, mobile: str) -> int:
        return self.scalar("SELECT count(*) FROM verification_code WHERE target = :m", m=mobile)

    def age_codes(self, mobile: str, seconds: int) -> None:
        with self.engine.begin() as conn:
            rows = conn.execute(sa.text("SELECT id, created_at, expires_at FROM verification_code WHERE target = :m"),
                                {"m": mobile}).all()
            for row_id, created, expires in rows:
                conn.execute(sa.text("UPDATE verification_code SET created_at = :c, expires_at = :e WHERE id = :i"),
                             {"c": self.ts(self.read_ts(created) - dt.timedelta(seconds=seconds)),
                              "e": self.ts(self.read_ts(expires) - dt.timedelta(seconds=seconds)), "i": row_id})

    def last_code(self, mobile: str) -> str:
        body = self.scalar("SELECT body FROM outbox_message WHERE recipient = :m ORDER BY id DESC LIMIT 1", m=mobile)
        return re.search(r"(\d{6})", body).group(1)

    def tries(self, mobile: str) -> int:
        return self.scalar("SELECT tries FROM verification_code WHERE target = :m ORDER BY id DESC LIMIT 1", m=mobile)

    def users_with_mobile(self, mobile: str) -> int:
        return self.scalar("SELECT count(*) FROM ab_user WHERE mobile = :m", m=mobile)


# --------------------------------------------------------------------------- results
@dataclass
class Row:
    attack: str
    attempts: int
    checked: int
    blocked: int
    limit: str
    verdict: str
    note: str = ""
    outcomes: dict = field(default_factory=dict)


def tally(outcomes: list[str]) -> dict:
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o] = counts.get(o, 0) + 1
    return counts


def limit_row(attack: str, outcomes: list[str], checked: int, limit: int, note: str = "") -> Row:
    counts = tally(outcomes)
    others = {k: v for k, v in counts.items() if k.startswith("other") or k == "success"}
    verdict = "ok" if checked <= limit and not others else ("EXCEEDED" if checked > limit else "FAIL")
    extra = f"unexpected: {others}" if others else ""
    return Row(attack, len(outcomes), checked, counts.get("blocked", 0), str(limit), verdict,
               "; ".join(x for x in (note, extra) if x), counts)


def check_row(attack: str, ok: bool, attempts: int, checked: int, blocked: int, limit: str, note: str) -> Row:
    return Row(attack, attempts, checked, blocked, limit, "ok" if ok else "FAIL", note)


# --------------------------------------------------------------------------- attacks
def until_refused(n: int, prepare, fire, one_more, limit: int, db_count, label: str, note: str = "") -> Row:
    """A burst of ``n`` guesses at once, then more one at a time (as an attacker would go on)
    until one is refused. Racing guesses may refuse each other a little early (the safe side),
    so the limit is judged on everything checked in both phases."""
    outcomes = burst(n, prepare, fire)
    in_burst = outcomes.count("checked")
    more = []
    for j in range(limit + 1):
        more.append(one_more(j))
        if more[-1] != "checked":
            break
    checked = max(in_burst + more.count("checked"), db_count())
    return limit_row(f"{label}, then one at a time until refused", outcomes + more, checked, limit,
                     "; ".join(x for x in (f"checked {in_burst} in the burst + {more.count('checked')} one at a time",
                                           note) if x))


def html_guess(base: str, ip: str, username: str, password: str) -> str:
    c = Client(base, ip)
    return login_outcome(c.login(c.prepare_login(), username, password))


def attack_a(base: str, db: Db, lim: dict, n: int) -> list[Row]:
    ip = "10.1.0.1"
    key = f"account:{VICTIM_HTML}"
    rows = [until_refused(n, lambda i: (c := Client(base, ip), c.prepare_login()),
                          lambda i, ctx: login_outcome(ctx[0].login(ctx[1], VICTIM_HTML, f"wrong{i:04d}")),
                          lambda j: html_guess(base, ip, VICTIM_HTML, f"more{j:04d}"),
                          lim["LOGIN_MAX_FAILURES_PER_ACCOUNT"], lambda: db.failures(key),
                          f"A. HTML login, 1 account, 1 address: {n} wrong passwords at once")]
    window = lim["LOGIN_FAILURE_WINDOW_SECONDS"]
    keys = [key, f"ip:{ip}"]
    db.shift_failures(keys, window - 30)
    during = html_guess(base, ip, VICTIM_HTML, PASSWORD)
    rows.append(check_row("A. right password 30 s before the window ends", during == "blocked", 1, 0,
                          int(during == "blocked"), "refused", f"answer: {during}"))
    db.shift_failures(keys, window + 1)
    after = html_guess(base, ip, VICTIM_HTML, PASSWORD)
    rows.append(check_row("A. right password after the window", after == "success", 1, 1, 0, "accepted",
                          f"answer: {after}"))
    return rows


def attack_b(base: str, db: Db, lim: dict, n: int) -> list[Row]:
    ip = "10.2.0.1"
    rows = [until_refused(n, lambda i: (c := Client(base, ip), c.prepare_login()),
                          lambda i, ctx: login_outcome(ctx[0].login(ctx[1], f"1391{i:07d}", "wrong123")),
                          lambda j: html_guess(base, ip, f"1391{n + j:07d}", "wrong123"),
                          lim["LOGIN_MAX_FAILURES_PER_IP"], lambda: db.failures(f"ip:{ip}"),
                          f"B. HTML login, 1 address: {n} accounts at once")]
    same = html_guess(base, ip, LEGIT, PASSWORD)
    other = html_guess(base, "10.2.0.2", LEGIT, PASSWORD)
    rows.append(check_row("B. a valid account: from that address / from another", same == "blocked" and other == "success",
                          2, 1 if other == "success" else 0, int(same == "blocked"), "refused / accepted",
                          f"answers: {same} / {other}"))
    return rows


def attack_c(base: str, db: Db, lim: dict, n: int) -> list[Row]:
    rows = []
    ip = "10.3.0.1"
    rows.append(until_refused(n, lambda i: Client(base, ip), lambda i, c: jwt_outcome(c.jwt(VICTIM_JWT, f"wrong{i:04d}")),
                              lambda j: jwt_outcome(Client(base, ip).jwt(VICTIM_JWT, f"more{j:04d}")),
                              lim["LOGIN_MAX_FAILURES_PER_ACCOUNT"], lambda: db.failures(f"account:{VICTIM_JWT}"),
                              f"C. JWT login, 1 account, 1 address: {n} at once"))
    right = jwt_outcome(Client(base, "10.3.0.2").jwt(VICTIM_JWT, PASSWORD))
    rows.append(check_row("C. JWT: right password during the lock (another address)", right == "blocked", 1, 0,
                          int(right == "blocked"), "refused (429)", f"answer: {right}"))
    ip = "10.4.0.1"
    rows.append(until_refused(n, lambda i: Client(base, ip), lambda i, c: jwt_outcome(c.jwt(f"1392{i:07d}", "wrong123")),
                              lambda j: jwt_outcome(Client(base, ip).jwt(f"1392{n + j:07d}", "wrong123")),
                              lim["LOGIN_MAX_FAILURES_PER_IP"], lambda: db.failures(f"ip:{ip}"),
                              f"C. JWT login, 1 address: {n} accounts at once"))
    ip = "10.5.0.1"

    def prepare(i):
        c = Client(base, ip)
        return c, (c.prepare_login() if i % 2 == 0 else None)

    def fire(i, ctx):
        c, token = ctx
        if token is not None:
            return login_outcome(c.login(token, VICTIM_MIXED, f"wrong{i:04d}"))
        return jwt_outcome(c.jwt(VICTIM_MIXED, f"wrong{i:04d}"))

    def one_more(j):
        if j % 2:
            return jwt_outcome(Client(base, ip).jwt(VICTIM_MIXED, f"more{j:04d}"))
        return html_guess(base, ip, VICTIM_MIXED, f"more{j:04d}")

    rows.append(until_refused(n, prepare, fire, one_more, lim["LOGIN_MAX_FAILURES_PER_ACCOUNT"],
                              lambda: db.failures(f"account:{VICTIM_MIXED}"),
                              f"C. HTML + JWT on 1 account: {n // 2} + {n - n // 2} at once"))
    return rows


def _register_data(token: str, mobile: str, code: str) -> dict:
    return {"csrf_token": token, "commitment": "y", "contact_name": "韩梅梅", "email": f"{mobile}@example.com",
            "password": "abc12345", "password_confirm": "abc12345", "mobile": mobile, "sms_code": code,
            "captcha": CAPTCHA}


def _request_code(base: str, ip: str, mobile: str):
    c = Client(base, ip)
    token = c.csrf("/account/register")
    return c.post("/account/sms-code", data={"csrf_token": token, "purpose": "register", "mobile": mobile},
                  headers={"Accept": "application/json"})


def attack_d(base: str, db: Db, lim: dict, n: int) -> list[Row]:
    rows = []
    mobile, ip = "13711110001", "10.6.0.1"
    first = _request_code(base, ip, mobile)
    assert first.status_code == 200, first.text
    code = db.last_code(mobile)
    wrong = [f"{x:06d}" for x in random.Random(7).sample(range(10**6), n + 1) if f"{x:06d}" != code][:n]

    def prepare(i):
        c = Client(base, f"10.6.1.{i}")  # one address each: the captcha and CSRF need a session each
        token = c.csrf("/account/register")
        c.get("/account/captcha.png")
        return c, token

    def fire(i, ctx):
        c, token = ctx
        text = c.post("/account/register", data=_register_data(token, mobile, wrong[i])).text
        if SMS_WRONG in text:
            return "checked"
        if SMS_DEAD in text:
            return "dead"
        return "other " + ("captcha" if BAD_CAPTCHA in text else "?")

    outcomes = burst(n, prepare, fire)
    tries = db.tries(mobile)
    checked = max(tries, outcomes.count("checked"))
    counts = tally(outcomes)
    # "dead": the code was used up, whether this guess was the one compared last or refused unread.
    row = limit_row(f"D. SMS code, {n} wrong codes at once", ["blocked" if o == "dead" else o for o in outcomes],
                    checked, lim["SMS_CODE_MAX_TRIES"],
                    f"tries recorded {tries}; 'N tries left' answers {counts.get('checked', 0)}; 'too many' answers "
                    f"{counts.get('dead', 0)} (the last compared one says so too)")
    rows.append(row)
    c, token = prepare(0)
    text = c.post("/account/register", data=_register_data(token, mobile, code)).text
    refused = db.users_with_mobile(mobile) == 0
    rows.append(check_row("D. the right code after the burst", refused, 1, 0, int(refused), "refused (code void)",
                          "refused: " + ("too many wrong codes" if SMS_DEAD in text else "?") if refused
                          else "ACCEPTED: account created"))

    mobile, ip = "13711110002", "10.7.0.1"
    outcomes = burst(n, lambda i: (c := Client(base, ip), c.csrf("/account/register")),
                     lambda i, ctx: ctx[0].post("/account/sms-code", data={"csrf_token": ctx[1], "purpose": "register",
                                                                            "mobile": mobile},
                                                headers={"Accept": "application/json"}).status_code)
    sent = db.codes_sent(mobile)
    status = tally([str(s) for s in outcomes])
    rows.append(Row(f"D. SMS send, 1 mobile, {n} requests at once", n, sent, status.get("429", 0), "1",
                    "ok" if sent <= 1 and set(status) <= {"200", "429"} else ("EXCEEDED" if sent > 1 else "FAIL"),
                    f"answers {status}; codes sent {sent}"))
    resend_after = lim["SMS_CODE_RESEND_SECONDS"]
    db.age_codes(mobile, resend_after - 5)
    early = _request_code(base, ip, mobile).status_code
    db.age_codes(mobile, 6)
    late = _request_code(base, ip, mobile).status_code
    rows.append(check_row(f"D. resend {resend_after - 5} s / {resend_after + 1} s after the last code",
                          early == 429 and late == 200, 2, int(late == 200), int(early == 429), "refused / sent",
                          f"answers: {early} / {late}"))

    mobile, ip, rounds = "13711110003", "10.8.0.1", 30
    for _ in range(rounds):
        _request_code(base, ip, mobile)
        db.age_codes(mobile, resend_after + 1)
    sent = db.codes_sent(mobile)
    per_day = lim["SMS_CODE_MAX_PER_DAY"]
    rows.append(Row(f"D. one mobile, {rounds} requests {resend_after + 1} s apart (daily cap)", rounds, sent,
                    rounds - sent, str(per_day), "ok" if sent <= per_day else "EXCEEDED",
                    f"{sent} codes sent to one mobile within the day"))
    ip = "10.9.0.1"
    mobiles = [f"1371112{i:04d}" for i in range(rounds)]
    for m in mobiles:
        _request_code(base, ip, m)
    sent = sum(db.codes_sent(m) for m in mobiles)
    rows.append(Row(f"D. one address, {rounds} mobiles (a per-address cap?)", rounds, sent, rounds - sent, "none",
                    "no cap" if sent == rounds else "ok", f"{sent} codes sent from one address"))
    return rows


def _session_payload(cookies: dict) -> str:
    value = cookies.get("session", "")
    compressed = value.startswith(".")
    payload = value.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    return (zlib.decompress(raw) if compressed else raw).decode(errors="replace")


def _normalized(html: str) -> str:
    html = re.sub(r'value="[^"]*"', 'value=""', html)  # CSRF token, typed values
    html = re.sub(r'nonce="[^"]*"', 'nonce=""', html)  # the Content-Security-Policy nonce of each response
    return re.sub(r"captcha\.png\?[^\"']*", "captcha.png", html)


def attack_e(base: str, db: Db, lim: dict, n: int) -> list[Row]:
    rows = []
    solver = Client(base, "10.10.0.1")
    token = solver.prepare_login()
    solved = solver.cookies()

    def fire(i, c):
        return login_outcome(c.login(token, f"guest{i:04d}", "wrong123"))

    outcomes = burst(n, lambda i: Client(base, f"10.10.1.{i}", solved), fire)
    counts = tally(outcomes)
    accepted = counts.get("checked", 0)
    rows.append(Row(f"E. one captcha id replayed {n} times at once", n, accepted, counts.get("captcha", 0), "1",
                    "ok" if accepted <= 1 and set(counts) <= {"checked", "captcha"} else
                    ("EXCEEDED" if accepted > 1 else "FAIL"), f"answers {counts}"))

    c = Client(base, "10.10.2.1")
    token = c.prepare_login()
    snapshot = c.cookies()
    first = login_outcome(c.login(token, CAPTCHA_USER, PASSWORD))
    replay = login_outcome(Client(base, "10.10.2.2", snapshot).login(token, CAPTCHA_USER, PASSWORD))
    rows.append(check_row("E. solved captcha replayed after a successful login", first == "success" and replay == "captcha",
                          2, int(first == "success"), int(replay == "captcha"), "refused", f"answers: {first} / {replay}"))

    c = Client(base, "10.10.3.1")
    token = c.prepare_login()
    snapshot = c.cookies()
    wrong = login_outcome(c.login(token, CAPTCHA_USER, PASSWORD, captcha="zzzzz"))
    replay = login_outcome(Client(base, "10.10.3.2", snapshot).login(token, CAPTCHA_USER, PASSWORD))
    rows.append(check_row("E. wrong answer, then the right one on the same id", wrong == "captcha" and replay == "captcha",
                          2, 0, int(wrong == "captcha") + int(replay == "captcha"), "refused", f"answers: {wrong} / {replay}"))

    before = db.failures(f"account:{CAPTCHA_USER}")
    pages = []
    for password, user in ((PASSWORD, CAPTCHA_USER), ("wrong123", CAPTCHA_USER), ("wrong123", "13999999999")):
        c = Client(base, "10.10.4.1")
        resp = c.login(c.prepare_login(), user, password, captcha="zzzzz")
        pages.append((resp.status_code, _normalized(resp.text).replace(user, "USER")))
    same = len(set(pages)) == 1
    counted = db.failures(f"account:{CAPTCHA_USER}") - before
    c = Client(base, "10.10.4.2")
    c.get("/account/captcha.png")
    payload = _session_payload(c.cookies())
    leaks = CAPTCHA in payload or CAPTCHA.upper() in payload
    rows.append(check_row("E. wrong answers reveal nothing", same and counted == 0 and not leaks and "captcha_id" in payload,
                          3, 0, 3, "same page, nothing counted",
                          f"pages identical: {same}; failures counted: {counted}; answer in the session cookie: {leaks}"))

    c = Client(base, "10.10.5.1")
    token = c.csrf("/login/")  # no captcha image fetched
    none = login_outcome(c.login(token, CAPTCHA_USER, PASSWORD))
    c = Client(base, "10.10.5.2")
    token = c.prepare_login()
    db.execute("UPDATE captcha_challenge SET expires_at = :t WHERE used = :f",
               t=db.ts(dt.datetime(2000, 1, 1)), f=False)
    expired = login_outcome(c.login(token, CAPTCHA_USER, PASSWORD))
    rows.append(check_row("E. no captcha fetched / an expired one", none == "captcha" and expired == "captcha", 2, 0,
                          int(none == "captcha") + int(expired == "captcha"), "refused", f"answers: {none} / {expired}"))
    return rows


# --------------------------------------------------------------------------- report
def table(rows: list[Row]) -> list[str]:
    out = ["| attack | attempts | checked | blocked | limit | verdict | notes |", "|---|---:|---:|---:|---:|---|---|"]
    for r in rows:
        verdict = r.verdict if r.verdict in ("ok", "no cap") else f"**{r.verdict}**"
        out.append(f"| {r.attack} | {r.attempts} | {r.checked} | {r.blocked} | {r.limit} | {verdict} | {r.note} |")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", choices=("pg", "sqlite"), default="pg")
    ap.add_argument("--burst", type=int, default=40, help="guesses fired at once per attack (threads)")
    ap.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    ap.add_argument("--server-threads", type=int, default=8, help="gunicorn threads per worker")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--out", help="report path (default bench/results/brute-force-<UTC date>[-sqlite].md)")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="shenbao-bruteforce-"))
    os.environ["SHENBAO_INSTANCE_DIR"] = str(tmp / "instance")  # before config.py is imported
    url = prepare_database(args.db, tmp)
    log(f"database: {args.db} ({url.rsplit('@', 1)[-1]}); temp dir {tmp}")
    limits = seed(url)
    port = args.port or free_port()
    server = start_gunicorn(url, tmp, port, args.workers, args.server_threads)
    base = f"http://127.0.0.1:{port}"
    db = Db(url)
    rows: list[Row] = []
    started = time.time()
    try:
        for name, attack in (("A", attack_a), ("B", attack_b), ("C", attack_c), ("D", attack_d), ("E", attack_e)):
            t0 = time.time()
            rows += attack(base, db, limits, args.burst)
            log(f"attack {name} done in {time.time() - t0:.1f} s")
    finally:
        stop_gunicorn(server)
        db.engine.dispose()
        drop_database(args.db)
    server_log = (tmp / "gunicorn.log").read_text(errors="replace")
    tracebacks = server_log.count("Traceback (most recent call last)")
    failed = [r for r in rows if r.verdict not in ("ok", "no cap")]
    if tracebacks:
        failed.append(Row("server log", 0, 0, 0, "0", "FAIL", f"{tracebacks} tracebacks"))

    today = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d")
    out_path = Path(args.out) if args.out else HERE / "results" / f"brute-force-{today}{'-sqlite' if args.db == 'sqlite' else ''}.md"
    lines = [f"# Brute force under a scripted attack ({today}, {'PostgreSQL' if args.db == 'pg' else 'SQLite'})", "",
             f"`.venv/bin/python bench/brute_force.py --db {args.db} --burst {args.burst} --workers {args.workers} "
             f"--server-threads {args.server_threads}`: gunicorn `bench.load.loadapp:app` (fixed captcha answer), "
             f"{args.workers} workers × {args.server_threads} threads, bursts of {args.burst} requests released "
             f"together by a barrier; run time {time.time() - started:.0f} s.", "",
             "Limits in force: " + ", ".join(f"`{k}` = {v}" for k, v in limits.items()) + ".", "",
             "*checked* = guesses the server evaluated (a password compared, an SMS code compared, a captcha "
             "accepted, an SMS sent); *blocked* = answers refused by the limit (locked page / 429 / code void / "
             "captcha refused).", ""] + table(rows) + [
             "", f"Server log: {tracebacks} tracebacks.",
             f"Verdict: {'all limits held' if not failed else f'{len(failed)} row(s) failed'}"
             + ("; 'no cap' rows are limits that do not exist." if any(r.verdict == 'no cap' for r in rows) else "."), ""]
    print("\n".join(lines))
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text("\n".join(lines), encoding="utf-8")
    log(f"written {out_path}")
    if tracebacks:
        log(f"gunicorn log with tracebacks kept in {tmp / 'gunicorn.log'}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
