"""Fault bench: SIGKILL app servers in the middle of saves and uploads, then check the data.

    .venv/bin/python bench/fault_kill.py                       # 60 s, 4 clients, 2 workers
    .venv/bin/python bench/fault_kill.py --seconds 15          # quick check
    .venv/bin/python bench/fault_kill.py --clients 6 --kill-min 0.5 --kill-max 1.5 --master-every 15

Not a timed test: it prints figures and exits 1 on any violation or unexpected answer. Steps:
 1. seed the scratch PostgreSQL database ``shenbao_fault`` (dropped and recreated; bench/load/seed.py
    with small counts: one applicant per client, each owning a draft Tech-SME evaluation with its
    nine tables and a cover), uploads in a temporary UPLOAD_DIR;
 2. start gunicorn on bench.load.loadapp:app (fixed captcha) in production mode, as run_load.py
    does, in its own process group;
 3. CLIENTS threads (requests.Session, the real login) each repeat on their own evaluation: save
    table 9 (POST /sme/<id>/table/other, ``notes`` = a new distinct value each time; acknowledged
    when the answer says 保存成功) or upload a new cover (POST /sme/<id>/cover, a distinct PDF;
    acknowledged when the page it redirects to says 封面上传成功). A request without an answer
    (connection reset / refused) is "lost in flight": the server may or may not have kept it;
 4. every KILL_MIN..KILL_MAX s, SIGKILL one worker (preferably one serving a request right now);
    every MASTER_EVERY s (at least once) SIGKILL the whole process group, master included, and
    start gunicorn again (same SECRET_KEY: the clients' sessions stay valid);
 5. stop gunicorn, then check with no server running:
    (a) each evaluation's JSON parses; table 9's ``notes`` is a value its client sent; every other
        table and the self-evaluation result are exactly as seeded (no half-written record);
    (b) the stored notes / cover equal the last value the server acknowledged, or a LATER one whose
        answer was lost in the kill; never an earlier one;
    (c) every attachment row has its file, with the row's size and sha256; every acknowledged
        upload has its row;
    (d) every file no row names comes from an upload whose answer was lost (a .part: a prefix of
        one); then app.storage.sweep.sweep_orphans(grace 0) leaves 0 such files and 0 .part files,
        and every row still has its file;
 6. print the report and write it to bench/results/fault-kill-<UTC date>.md.
"""
from __future__ import annotations

import argparse
import collections
import datetime as dt
import hashlib
import json
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
os.environ["LOAD_DB_NAME"] = os.environ.get("FAULT_DB_NAME", "shenbao_fault")  # bench.load.common reads it

import requests  # noqa: E402
from urllib3.exceptions import NewConnectionError  # noqa: E402

from bench.load import common as C  # noqa: E402
from bench.load.run_load import _children, gunicorn_env  # noqa: E402

VENV_BIN = Path(sys.executable).parent
MSG = C.messages()
COVER_UPLOADED = "The cover was uploaded."
OTHER_FIXED = {"high_tech_cert": "no", "high_tech_cert_number": "", "high_tech_cert_valid_until": ""}


def log(msg: str) -> None:
    print(f"[fault {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def zh(text: str) -> str:
    from babel.support import Translations

    return Translations.load(str(ROOT / "app" / "translations"), ["zh"]).gettext(text)


# --------------------------------------------------------------------------- gunicorn
class Server:
    """gunicorn in its own process group; the same environment (SECRET_KEY) across restarts."""

    def __init__(self, tmp: Path, port: int, workers: int, threads: int):
        self.tmp, self.port, self.workers, self.threads = tmp, port, workers, threads
        self.env = gunicorn_env(tmp)
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> float:
        cmd = [str(VENV_BIN / "gunicorn"), "bench.load.loadapp:app", "--workers", str(self.workers), "--threads",
               str(self.threads), "--bind", f"127.0.0.1:{self.port}", "--timeout", "120", "--graceful-timeout", "30",
               "--error-logfile", str(self.tmp / "gunicorn.log")]
        t = time.perf_counter()
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        self.starts += 1
        deadline = time.time() + 120
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited ({self.proc.returncode}); see {self.tmp / 'gunicorn.log'}")
            try:
                if requests.get(f"http://127.0.0.1:{self.port}/login/", timeout=30).status_code == 200:
                    return time.perf_counter() - t
            except requests.RequestException:
                time.sleep(0.2)
        raise SystemExit("gunicorn did not answer within 120 s")

    def worker_pids(self) -> list[int]:
        if self.proc is None or self.proc.poll() is not None:
            return []
        return _children(self.proc.pid)

    def busy_workers(self) -> list[int]:
        """Workers holding an ESTABLISHED connection on our port: serving a request right now."""
        inodes = set()
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            try:
                lines = Path(table).read_text().splitlines()[1:]
            except OSError:
                continue
            for line in lines:
                f = line.split()
                if int(f[1].rsplit(":", 1)[1], 16) == self.port and f[3] == "01":
                    inodes.add(f[9])
        busy = []
        for pid in self.worker_pids():
            try:
                fds = os.listdir(f"/proc/{pid}/fd")
            except OSError:
                continue
            for fd in fds:
                try:
                    link = os.readlink(f"/proc/{pid}/fd/{fd}")
                except OSError:
                    continue
                if link.startswith("socket:[") and link[8:-1] in inodes:
                    busy.append(pid)
                    break
        return busy

    def kill_group(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                pass
        try:  # anything left in the group (a worker of a killed master): gone
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()


# --------------------------------------------------------------------------- clients
def make_pdf(tag: str, size: int) -> bytes:
    """A distinct PDF of about ``size`` bytes (hex comment lines: no PDF name can appear in them)."""
    pad = secrets.token_hex(max(size // 2, 16)).encode()
    body = b"\n".join(b"%" + pad[i:i + 100] for i in range(0, len(pad), 100))
    return b"%PDF-1.4\n%" + tag.encode() + b"\n" + body + b"\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class Client(threading.Thread):
    def __init__(self, index: int, base: str, stop: threading.Event, upload_share: float, seed: int):
        super().__init__(daemon=True, name=f"client{index}")
        self.index, self.base, self.stop_event, self.upload_share = index, base, stop, upload_share
        self.rng = random.Random(seed)
        self.evaluation_id = index  # seed.py: applicant i owns enterprise i and evaluation i
        self.http = requests.Session()
        self.csrf: str | None = None
        self.requests = 0
        self.refused = False
        self.outcomes: collections.Counter = collections.Counter()
        self.unexpected: list[str] = []
        self.saves: list[dict] = []  # seq, value, state: acked | lost | refused
        self.uploads: list[dict] = []  # seq, sha256, size, state; content kept when not acked

    # one request; None when no answer came (the worker or the whole server was killed)
    def call(self, method: str, path: str, **kw):
        self.requests += 1
        self.refused = False
        try:
            r = self.http.request(method, self.base + path, allow_redirects=False, timeout=(5, 60), **kw)
        except requests.RequestException as exc:
            # No connection at all (server down between a group kill and the restart): never delivered.
            reason = getattr(exc.args[0] if exc.args else None, "reason", None)
            self.refused = isinstance(exc, requests.ConnectTimeout) or isinstance(reason, NewConnectionError)
            return None
        # Production sets the session cookie Secure (TLS ends in the proxy): send it back over plain
        # HTTP on loopback (requests copies the jar per request, so a cookie policy would not apply).
        for cookie in self.http.cookies:
            cookie.secure = False
        return r

    def login(self) -> bool:
        self.http.cookies.clear()
        r = self.call("GET", "/account/captcha.png")
        if r is None or r.status_code != 200:
            return False
        r = self.call("GET", "/login/")
        token = C.csrf_from(r.text) if r is not None and r.status_code == 200 else None
        if not token:
            return False
        r = self.call("POST", "/login/", data={"username": C.applicant_login(self.index), "password": C.PASSWORD,
                                              "captcha": C.CAPTCHA, "csrf_token": token})
        if r is None or r.status_code != 302 or "/login" in r.headers.get("location", ""):
            return False
        r = self.call("GET", f"/sme/{self.evaluation_id}/table/other")
        self.csrf = C.csrf_from(r.text) if r is not None and r.status_code == 200 else None
        return self.csrf is not None

    def run(self) -> None:
        while not self.stop_event.is_set():
            if self.csrf is None and not self.login():
                self.outcomes["login_retry"] += 1
                time.sleep(0.2)
                continue
            if self.rng.random() < self.upload_share:
                self.upload()
            else:
                self.save()

    def _unexpected(self, what: str, r) -> None:
        self.outcomes[f"{what}_unexpected"] += 1
        text = " | ".join(t for _c, t in C.flashes(r.text))[:160] if r.headers.get("content-type", "").startswith(
            "text/html") else ""
        self.unexpected.append(f"{what}: HTTP {r.status_code} {r.headers.get('location', '')} {text}".strip())
        self.csrf = None  # log in again

    def save(self) -> None:
        seq = len(self.saves) + 1
        value = f"fault c{self.index} #{seq:06d} " + "保存" * self.rng.randint(1, 300)
        entry = {"seq": seq, "value": value, "state": "lost"}
        self.saves.append(entry)
        r = self.call("POST", f"/sme/{self.evaluation_id}/table/other",
                      data={"csrf_token": self.csrf, **OTHER_FIXED, "notes": value})
        if r is None:
            entry["state"] = "undelivered" if self.refused else "lost"
            self.outcomes[f"save_{entry['state']}"] += 1
            time.sleep(0.2 if self.refused else 0.05)
            return
        shown = " ".join(t for _c, t in C.flashes(r.text))
        if r.status_code == 200 and (MSG["saved"] in shown or MSG["saved_warn"] in shown):
            entry["state"] = "acked"
            self.outcomes["save_acked"] += 1
        else:
            entry["state"] = "refused"
            self._unexpected("save", r)

    def upload(self) -> None:
        seq = len(self.uploads) + 1
        content = make_pdf(f"c{self.index}u{seq}", self.rng.randint(50_000, 3_000_000))
        entry = {"seq": seq, "sha256": hashlib.sha256(content).hexdigest(), "size": len(content), "state": "lost",
                 "content": content}
        self.uploads.append(entry)
        r = self.call("POST", f"/sme/{self.evaluation_id}/cover", data={"csrf_token": self.csrf},
                      files={"cover": (f"cover-{self.index}-{seq}.pdf", content, "application/pdf")})
        if r is None:
            entry["state"] = "undelivered" if self.refused else "lost"
            self.outcomes[f"upload_{entry['state']}"] += 1
            if self.refused:
                del entry["content"]
            time.sleep(0.2 if self.refused else 0.05)
            return
        if r.status_code != 302 or "/self-evaluation" not in r.headers.get("location", ""):
            entry["state"] = "refused"
            self._unexpected("upload", r)
            return
        # The outcome is a flash message in the (cookie) session, shown by the page it redirects to;
        # a kill during that GET leaves it in the cookie for the next try.
        for _ in range(50):
            page = self.call("GET", f"/sme/{self.evaluation_id}/self-evaluation")
            if page is not None:
                break
            time.sleep(0.2)
        else:
            entry["state"] = "unconfirmed"  # answered, but its page never came: treated as lost
            self.outcomes["upload_unconfirmed"] += 1
            return
        shown = " ".join(t for _c, t in C.flashes(page.text))
        if page.status_code == 200 and zh(COVER_UPLOADED) in shown:
            entry["state"] = "acked"
            del entry["content"]
            self.outcomes["upload_acked"] += 1
        else:
            entry["state"] = "refused"
            self._unexpected("upload", page)


# --------------------------------------------------------------------------- killer
def run_faults(server: Server, seconds: float, kill_min: float, kill_max: float, master_every: float,
               rng: random.Random) -> dict:
    kills = collections.Counter()
    downtimes = []
    start = time.time()
    deadline = start + seconds
    next_master = start + min(master_every, seconds / 2) * rng.uniform(0.8, 1.0)
    while True:
        time.sleep(rng.uniform(kill_min, kill_max))
        if time.time() >= deadline:
            break
        if time.time() >= next_master:
            server.kill_group()
            kills["master + workers (process group)"] += 1
            t = time.time()
            took = server.start()
            downtimes.append(time.time() - t)
            log(f"killed the process group; gunicorn answered again after {took:.1f} s")
            next_master = time.time() + master_every * rng.uniform(0.8, 1.2)
            continue
        busy = server.busy_workers()
        pool = busy or server.worker_pids()
        if not pool:
            continue
        try:
            os.kill(rng.choice(pool), signal.SIGKILL)
            kills["worker serving a request" if busy else "idle worker"] += 1
        except ProcessLookupError:
            pass
    return {"kills": kills, "downtimes": downtimes}


# --------------------------------------------------------------------------- checks
def verify(tmp: Path, clients: list[Client], seeded: dict) -> dict:
    """With every server stopped: (a) to (d) of the module docstring. Returns figures + violations."""
    import logging

    logging.disable(logging.WARNING)
    from sqlalchemy import text

    from app import create_app
    from app.extensions import db
    from app.storage.sweep import sweep_orphans

    upload_dir = tmp / "uploads"
    app = create_app({"SQLALCHEMY_DATABASE_URI": C.DATABASE_URL.replace("postgresql://", "postgresql+psycopg://", 1),
                      "UPLOAD_DIR": str(upload_dir), "RATELIMIT_ENABLED": False})
    v: list[str] = []
    f = collections.Counter()
    with app.app_context():
        rows = {r.id: r for r in db.session.execute(text(
            "SELECT id, data::text AS data, result::text AS result, cover_attachment_id FROM sme_evaluation"))}
        atts = {r.id: r for r in db.session.execute(text("SELECT id, stored_name, size, sha256 FROM attachment"))}
        by_sha = collections.defaultdict(list)
        for a in atts.values():
            by_sha[a.sha256].append(a)
        for c in clients:
            row, seed = rows[c.evaluation_id], seeded[c.evaluation_id]
            # (a) parses, only a sent value, the rest exactly as seeded
            try:
                data, result = json.loads(row.data), json.loads(row.result)
            except (TypeError, ValueError) as exc:
                v.append(f"evaluation {row.id}: JSON does not parse: {exc}")
                continue
            notes = (data.get("other") or {}).get("notes")
            rest = {**data, "other": {**data.get("other", {}), "notes": None}}
            if rest != {**seed["data"], "other": {**seed["data"]["other"], "notes": None}}:
                v.append(f"evaluation {row.id}: tables other than notes differ from the seed")
            if result != seed["result"]:
                v.append(f"evaluation {row.id}: the self-evaluation result differs from the seed")
            sent = {s["value"]: s for s in c.saves}
            last_acked = max((s["seq"] for s in c.saves if s["state"] == "acked"), default=0)
            if notes == seed["data"]["other"]["notes"] and last_acked == 0:
                f["notes: seeded value, no save acknowledged"] += 1
            elif notes not in sent:
                v.append(f"evaluation {row.id}: notes {str(notes)[:40]!r} is no value its client sent")
            # (b) the last acknowledged value or a later lost one
            elif sent[notes]["seq"] == last_acked:
                f["notes = last acknowledged save"] += 1
            elif sent[notes]["seq"] > last_acked and sent[notes]["state"] == "lost":
                f["notes = a later save whose answer was lost"] += 1
            else:
                v.append(f"evaluation {row.id}: notes is save #{sent[notes]['seq']} ({sent[notes]['state']}), "
                         f"the last acknowledged is #{last_acked}")
            cover = atts.get(row.cover_attachment_id)
            ups = {u["sha256"]: u for u in c.uploads}
            last_up = max((u["seq"] for u in c.uploads if u["state"] == "acked"), default=0)
            if cover is None:
                v.append(f"evaluation {row.id}: cover_attachment_id {row.cover_attachment_id} has no row")
            elif row.cover_attachment_id == seed["cover"] and last_up == 0:
                f["cover: seeded, no upload acknowledged"] += 1
            elif cover.sha256 not in ups:
                v.append(f"evaluation {row.id}: the cover is no file its client sent")
            elif ups[cover.sha256]["seq"] == last_up:
                f["cover = last acknowledged upload"] += 1
            elif ups[cover.sha256]["seq"] > last_up and ups[cover.sha256]["state"] in ("lost", "unconfirmed"):
                f["cover = a later upload whose answer was lost"] += 1
            else:
                v.append(f"evaluation {row.id}: the cover is upload #{ups[cover.sha256]['seq']}, "
                         f"the last acknowledged is #{last_up}")
            for u in c.uploads:
                if u["state"] == "acked" and u["sha256"] not in by_sha:
                    v.append(f"client {c.index}: acknowledged upload #{u['seq']} has no attachment row")
                if u["state"] in ("lost", "unconfirmed") and u["sha256"] in by_sha:
                    f["uploads lost in flight but committed"] += 1

        # (c) every row has its file, same size and sha256
        def check_rows(when: str) -> None:
            for a in atts.values():
                path = upload_dir / a.stored_name[:2] / a.stored_name
                if not path.is_file():
                    v.append(f"{when}: attachment {a.id} ({a.stored_name}): file missing")
                    continue
                data = path.read_bytes()
                if len(data) != a.size or hashlib.sha256(data).hexdigest() != a.sha256:
                    v.append(f"{when}: attachment {a.id} ({a.stored_name}): size or sha256 differs from its row")

        check_rows("before the sweep")
        f["attachment rows checked (file, size, sha256)"] = len(atts)

        # (d) files no row names: only from uploads whose answer was lost
        lost = [u for c in clients for u in c.uploads if u["state"] in ("lost", "unconfirmed")]
        lost_sha = {u["sha256"] for u in lost}
        names = {a.stored_name for a in atts.values()}

        def unnamed() -> list[Path]:
            return [p for p in upload_dir.rglob("*") if p.is_file() and p.name not in names]

        for path in unnamed():
            data = path.read_bytes()
            if path.suffix == ".part":
                f["orphaned .part files before the sweep"] += 1
                if not any(u["content"].startswith(data) for u in lost):
                    v.append(f"{path.name}: a .part file that is no prefix of a lost upload")
            else:
                f["orphaned files before the sweep"] += 1
                if hashlib.sha256(data).hexdigest() not in lost_sha:
                    v.append(f"{path.name}: a file no row names, not from a lost upload")
        swept = sweep_orphans(dt.timedelta(0))
        left = unnamed()
        f["left after sweep_orphans(grace 0): orphaned files"] = sum(p.suffix != ".part" for p in left)
        f["left after sweep_orphans(grace 0): .part files"] = sum(p.suffix == ".part" for p in left)
        if left:
            v.append(f"after the sweep: {len(left)} files no row names remain: {[p.name for p in left][:5]}")
        check_rows("after the sweep")
        db.session.remove()
        db.engine.dispose()
    return {"figures": f, "violations": v, "sweep": swept}


def seed_database(clients: int, upload_dir: Path) -> dict:
    cmd = [sys.executable, str(HERE / "load" / "seed.py"), "--enterprises", str(max(clients, 10)), "--applicants",
           str(clients), "--submitted", "0", "--upload-dir", str(upload_dir), "--json"]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"seeding failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    (upload_dir / "load-cover-master.pdf").unlink()  # the covers are hard links of it; only the layout stays
    import psycopg

    with psycopg.connect(C.DATABASE_URL) as conn:
        return {i: {"data": json.loads(d), "result": json.loads(r), "cover": cover} for i, d, r, cover in conn.execute(
            "SELECT id, data::text, result::text, cover_attachment_id FROM sme_evaluation")}


def drop_database() -> None:
    import psycopg

    with psycopg.connect(f"{C.PG_SERVER_URL}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{C.DB_NAME}" WITH (FORCE)')


# --------------------------------------------------------------------------- report
def render(args, started: dt.datetime, clients: list[Client], faults: dict, check: dict, boot: float,
           tracebacks: int) -> str:
    oc = collections.Counter()
    for c in clients:
        oc.update(c.outcomes)
    saves = sum(len(c.saves) for c in clients)
    uploads = sum(len(c.uploads) for c in clients)
    kills = faults["kills"]
    down = faults["downtimes"]
    sw = check["sweep"]
    lines = [
        f"# Fault bench: kill -9 of app servers during saves and uploads ({started:%Y-%m-%d %H:%M} UTC)", "",
        f"`bench/fault_kill.py --seconds {args.seconds} --clients {args.clients} --workers {args.workers} "
        f"--threads {args.threads} --kill-min {args.kill_min} --kill-max {args.kill_max} "
        f"--master-every {args.master_every} --upload-share {args.upload_share} --seed {args.seed}`: gunicorn "
        f"(bench.load.loadapp:app, SHENBAO_ENV=production) on PostgreSQL `{C.DB_NAME}`, {os.cpu_count()} cores.", "",
        "| figure | value |", "|---|---:|",
        f"| HTTP requests sent | {sum(c.requests for c in clients):,} |",
        f"| table saves tried / acknowledged (保存成功) / lost in flight (connected, no answer) / not delivered "
        f"(connection refused) | {saves:,} / {oc['save_acked']:,} / {oc['save_lost']:,} / {oc['save_undelivered']:,} |",
        f"| cover uploads tried / acknowledged (封面上传成功) / lost in flight / not delivered / answered but its page "
        f"lost | {uploads:,} / {oc['upload_acked']:,} / {oc['upload_lost']:,} / {oc['upload_undelivered']:,} / "
        f"{oc['upload_unconfirmed']:,} |",
        f"| unexpected answers (refused save or upload, 4xx/5xx; 0 expected) | "
        f"{oc['save_unexpected'] + oc['upload_unexpected']} |",
        f"| login attempts repeated (server down or killed) | {oc['login_retry']:,} |",
    ]
    for key in ("worker serving a request", "idle worker", "master + workers (process group)"):
        lines.append(f"| SIGKILL: {key} | {kills[key]} |")
    lines.append(f"| gunicorn starts (first + after each group kill) / longest time to answer again | "
                 f"{1 + len(down)} / {max(down, default=0):.1f} s |")
    lines.append(f"| first start to answering | {boot:.1f} s |")
    for key, value in check["figures"].items():
        lines.append(f"| {key} | {value:,} |")
    lines.append(f"| sweep_orphans(grace 0): removed orphaned / .part / kept | {sw.orphans_removed} / "
                 f"{sw.parts_removed} / {sw.kept_young} |")
    lines.append(f"| tracebacks in the gunicorn log | {tracebacks} |")
    lines.append(f"| **violations** (0 expected) | **{len(check['violations'])}** |")
    lines.append("")
    if check["violations"]:
        lines += ["Violations:", ""] + [f"- {x}" for x in check["violations"][:50]] + [""]
    unexpected = [u for c in clients for u in c.unexpected]
    if unexpected:
        lines += ["Unexpected answers:", ""] + [f"- {x}" for x in unexpected[:20]] + [""]
    lines += ["Checks (servers stopped): (a) each evaluation's JSON parses, its table-9 notes is a value its client "
              "sent and every other table and the result are as seeded; (b) the stored notes and cover are the last "
              "acknowledged ones or later ones whose answer was lost, never earlier; (c) every attachment row has "
              "its file with the row's size and sha256, every acknowledged upload has its row; (d) every file no "
              "row names comes from an upload whose answer was lost, and `sweep_orphans(grace 0)` leaves none "
              "(and no .part), every row keeping its file.", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (1 = sync, as serve-prod)")
    ap.add_argument("--port", type=int, default=8821)
    ap.add_argument("--kill-min", type=float, default=1.0)
    ap.add_argument("--kill-max", type=float, default=2.0)
    ap.add_argument("--master-every", type=float, default=20.0, help="kill the whole process group this often")
    ap.add_argument("--upload-share", type=float, default=0.35)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", action="store_true", help="keep the database and the temporary directory")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results"))
    args = ap.parse_args(argv)
    started = dt.datetime.now(dt.timezone.utc)
    rng = random.Random(args.seed)
    tmp = Path(tempfile.mkdtemp(prefix="shenbao-fault-"))
    upload_dir = tmp / "uploads"
    log(f"seeding {C.DATABASE_URL}: {args.clients} applicants with a draft evaluation each")
    seeded = seed_database(args.clients, upload_dir)
    server = Server(tmp, args.port, args.workers, args.threads)
    stop = threading.Event()
    clients: list[Client] = []
    try:
        boot = server.start()
        log(f"gunicorn answers on port {args.port} after {boot:.1f} s; {args.clients} clients, {args.seconds:.0f} s of "
            f"kills")
        clients = [Client(i, f"http://127.0.0.1:{args.port}", stop, args.upload_share, args.seed * 1000 + i)
                   for i in range(1, args.clients + 1)]
        for c in clients:
            c.start()
        faults = run_faults(server, args.seconds, args.kill_min, args.kill_max, args.master_every, rng)
        stop.set()
        for c in clients:
            c.join(timeout=120)
    finally:
        stop.set()
        server.stop()
    log("gunicorn stopped; checking")
    check = verify(tmp, clients, seeded)
    for what in ("save", "upload"):
        if not any(c.outcomes[f"{what}_acked"] for c in clients):
            check["violations"].append(f"no {what} was acknowledged: the run tested nothing")
    tracebacks = (tmp / "gunicorn.log").read_text(errors="replace").count("Traceback")
    report = render(args, started, clients, faults, check, boot, tracebacks)
    print("\n" + report, flush=True)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"fault-kill-{started:%Y-%m-%d}.md"
    path.write_text(report, encoding="utf-8")
    log(f"wrote {path}")
    if args.keep:
        log(f"kept {C.DB_NAME} and {tmp}")
    else:
        drop_database()
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if check["violations"] or any(c.unexpected for c in clients) else 0


if __name__ == "__main__":
    raise SystemExit(main())
