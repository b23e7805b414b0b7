"""Mixed load test: gunicorn + PostgreSQL + locust on this machine, 100,000 enterprises.

    .venv/bin/python bench/load/run_load.py                    # seed, serve, warm up 30 s, measure 120 s, surge
    .venv/bin/python bench/load/run_load.py --skip-seed        # reuse shenbao_load (its state is reset)
    .venv/bin/python bench/load/run_load.py --users 60 --user-rps 2 --workers 4 --threads 2 --no-surge  # gthread
    make bench-load                                            # the first line

Steps:
 1. seed the scratch database ``shenbao_load`` (bench/load/seed.py; --skip-seed: only undo what
    an earlier run changed);
 2. start gunicorn on the benchmark entry point ``bench.load.loadapp:app`` (create_app() with a
    fixed captcha answer) in production mode: SHENBAO_ENV=production, DATABASE_URL, a random
    SECRET_KEY, non-default CA_TOKEN_PIN/CA_TOKEN_SO_PIN, UPLOAD_DIR in a temp dir, CSRF on,
    secure session cookie on (locust's cookie jar sends it over plain HTTP on loopback).
    RATELIMIT_ENABLED=false and AUTH_RATE_LIMITED=false: every virtual user comes from
    127.0.0.1, so the per-IP limits (30 logins a minute) would throttle the load generator,
    not protect anything; the login-failure counting in the database stays on;
 3. wait until the 1-minute load average (other processes: gunicorn is idle then) is at most
    --max-load, for up to --max-wait seconds, and record it;
 4. run locust headless (bench/load/locustfile.py): -u USERS at --user-rps each (one HTTP request
    per step, so the offered rate is USERS × USER_RPS), --warmup seconds whose statistics are
    thrown away, then --duration measured seconds; CPU time of gunicorn, PostgreSQL, locust and
    everything else is sampled from /proc over the measured window, plus two `top` snapshots;
 5. print and write bench/results/load-<UTC date>.md: req/s, p50, p95, p99, failures per request
    name and in total, expected refusals, machine, settings, the goal (p95 ≤ 200 ms at 200 req/s,
    0 errors) met or not;
 6. run the deadline surge (bench/load/surge.py) against the same gunicorn unless --no-surge,
    which appends its results to the same file; 7. stop gunicorn.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from bench.load import common as C  # noqa: E402

VENV_BIN = Path(sys.executable).parent
GOAL_RPS = 200
GOAL_P95_MS = 200


def log(msg: str) -> None:
    print(f"[run_load {time.strftime('%H:%M:%S')}] {msg}", flush=True)


# --------------------------------------------------------------------------- machine
def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "?"


def loadavg() -> tuple[float, float, float]:
    a, b, c = Path("/proc/loadavg").read_text().split()[:3]
    return float(a), float(b), float(c)


def wait_for_quiet(max_load: float, max_wait: float) -> dict:
    start = time.time()
    first = loadavg()
    while True:
        now = loadavg()
        if now[0] <= max_load:
            break
        if time.time() - start >= max_wait:
            log(f"load average still {now[0]:.2f} after {max_wait:.0f} s: running anyway")
            break
        log(f"1-minute load average {now[0]:.2f} > {max_load}: waiting (other processes) ...")
        time.sleep(15)
    return {"before_wait": first, "at_start": loadavg(), "waited_s": round(time.time() - start)}


CLK_TCK = os.sysconf("SC_CLK_TCK")


def _proc_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime
    except (OSError, IndexError, ValueError):
        return 0.0


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(x) for x in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


def _tree(pid: int) -> list[int]:
    todo, seen = [pid], []
    while todo:
        p = todo.pop()
        seen.append(p)
        todo += _children(p)
    return seen


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


GROUPS = ("gunicorn (master + workers)", "PostgreSQL backends of shenbao_load",
          "PostgreSQL, other (server processes, other databases)", "locust")


def cpu_sample(gunicorn_pid: int, locust_pid: int | None) -> dict:
    """Cumulative CPU seconds: the machine's busy time, and each process of the groups."""
    parts = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    vals = [int(x) for x in parts]
    idle = vals[3] + vals[4]  # idle + iowait
    total = sum(vals[:8])  # guest time is already inside user
    procs: dict[int, tuple[str, float]] = {}
    for pid in _tree(gunicorn_pid):
        procs[pid] = (GROUPS[0], _proc_cpu(pid))
    if locust_pid:
        for pid in _tree(locust_pid):
            procs[pid] = (GROUPS[3], _proc_cpu(pid))
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            comm = (proc / "comm").read_text().strip()
        except OSError:
            continue
        if not comm.startswith("postgres"):
            continue
        pid = int(proc.name)
        group = GROUPS[1] if f" {C.DB_NAME} " in _cmdline(pid) else GROUPS[2]
        procs[pid] = (group, _proc_cpu(pid))
    return {"t": time.time(), "busy": (total - idle) / CLK_TCK, "total": total / CLK_TCK, "procs": procs}


def cpu_delta(a: dict, b: dict, cores: int) -> dict:
    """Average cores used per group between two samples (a process born in between counts whole;
    one that ended in between is lost to "everything else")."""
    wall = b["t"] - a["t"]
    rows = {g: 0.0 for g in GROUPS}
    for pid, (group, cpu) in b["procs"].items():
        before = a["procs"].get(pid)
        rows[group] += (cpu - before[1] if before and before[0] == group else cpu) / wall
    busy = (b["busy"] - a["busy"]) / wall
    rows["everything else (other agents, kernel)"] = max(0.0, busy - sum(rows.values()))
    # Each gunicorn process on its own (the master too, small): how evenly the workers share the
    # load. A worker is one process, so one GIL: it never uses more than one core.
    workers = sorted(((cpu - (a["procs"].get(pid) or (None, 0.0))[1]) / wall
                      for pid, (group, cpu) in b["procs"].items() if group == GROUPS[0]), reverse=True)
    return {"wall_s": wall, "busy_cores": busy, "cores": cores, "rows": rows, "gunicorn_processes": workers}


def accept_queue(port: int) -> int | None:
    """Connections accepted by the kernel that no worker has taken yet: the rx_queue of the
    listening socket's row in /proc/net/tcp (the kernel lists listening sockets first, so the
    file is read only up to them; it holds a row per connection, thousands in TIME_WAIT)."""
    suffix = f":{port:04X}"
    with open("/proc/net/tcp") as fh:
        next(fh)
        for line in fh:
            fields = line.split()
            if fields[3] != "0A":  # past the listening sockets
                return None
            if fields[1].endswith(suffix):
                return int(fields[4].split(":")[1], 16)
    return None


def queue_summary(depths: list[int], every_s: float) -> dict | None:
    if not depths:
        return None
    ordered = sorted(depths)
    return {"samples": len(depths), "every_ms": every_s * 1000, "busy": sum(1 for d in depths if d) / len(depths),
            "mean": sum(depths) / len(depths), "p95": C.percentile(ordered, 95), "max": ordered[-1]}


def top_snapshot() -> str:
    try:
        out = subprocess.run(["top", "-b", "-n1", "-w", "180"], capture_output=True, text=True, timeout=10).stdout
    except Exception as exc:  # noqa: BLE001
        return f"(top failed: {exc})"
    return "\n".join(out.splitlines()[:22])


# --------------------------------------------------------------------------- gunicorn
def gunicorn_env(tmp: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LOAD_", "SHENBAO_"))}
    env.update({
        "SHENBAO_ENV": "production",
        "DATABASE_URL": C.DATABASE_URL,
        "SECRET_KEY": secrets.token_urlsafe(36),  # 48 characters
        "CA_TOKEN_PIN": secrets.token_hex(8),
        "CA_TOKEN_SO_PIN": secrets.token_hex(8),
        "PUBLIC_BASE_URL": "https://shenbao.load-test.invalid",  # links are written, never followed
        "RATELIMIT_ENABLED": "false",
        "AUTH_RATE_LIMITED": "false",
        "UPLOAD_DIR": str(tmp / "uploads"),
        "EXPORT_DIR": str(tmp / "exports"),
        "IMPORT_DIR": str(tmp / "imports"),
        "SHENBAO_INSTANCE_DIR": str(tmp / "instance"),
        "PYTHONUNBUFFERED": "1",
    })
    return env


def start_gunicorn(tmp: Path, port: int, workers: int, threads: int, access_log: bool) -> subprocess.Popen:
    cmd = [str(VENV_BIN / "gunicorn"), "bench.load.loadapp:app", "--workers", str(workers), "--threads",
           str(threads), "--bind", f"127.0.0.1:{port}", "--timeout", "120", "--graceful-timeout", "30",
           "--error-logfile", str(tmp / "gunicorn.log")]
    if access_log:
        # Method, path, status and the server's own time in microseconds (%(D)s): what the app
        # took, to set against what the load generator waited.
        cmd += ["--access-logfile", str(tmp / "access.log"), "--access-logformat", "%(m)s %(U)s %(s)s %(D)s"]
    log(" ".join(cmd))
    proc = subprocess.Popen(cmd, cwd=ROOT, env=gunicorn_env(tmp), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    wait_until_serving(proc, port, tmp / "gunicorn.log", workers * threads * 2)
    log(f"gunicorn answers on port {port} (pid {proc.pid})")
    return proc


def wait_until_serving(proc: subprocess.Popen, port: int, log_file: Path, warm_requests: int) -> None:
    """Until gunicorn answers /login/ (120 s at most; stopped and SystemExit otherwise), then
    ``warm_requests`` more requests: every worker imports the app lazily on its first one."""
    deadline = time.time() + 120
    url = f"http://127.0.0.1:{port}/login/"
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited ({proc.returncode}); see {log_file}:\n" + log_file.read_text()[-3000:])
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                if resp.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
    else:
        stop_gunicorn(proc)
        raise SystemExit("gunicorn did not answer within 120 s")
    for _ in range(warm_requests):
        try:
            urllib.request.urlopen(url, timeout=30).read()
        except OSError:
            pass


def stop_gunicorn(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    log("gunicorn stopped")


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def server_times(access_log: Path, start: int, end: int) -> dict | None:
    """p50/p95/p99 of the server's own time (%(D)s, µs) for the lines the measured window wrote.

    Set against locust's percentiles this splits the wait: time inside a worker (the app, its
    queries, CPU and GIL contention) versus time before a worker picks the request up."""
    if end <= start:
        return None
    with open(access_log, "rb") as f:
        f.seek(start)
        lines = f.read(end - start).decode(errors="replace").splitlines()
    ms = [int(p[3]) / 1000 for p in (line.split() for line in lines) if len(p) == 4 and p[3].isdigit()]
    if not ms:
        return None
    return {"count": len(ms), **{f"p{q}": C.percentile(ms, q) for q in (50, 95, 99)}}


# --------------------------------------------------------------------------- locust
def run_locust(args, port: int, tmp: Path, gunicorn: subprocess.Popen, filter_index: int) -> dict:
    prefix = tmp / "locust"
    outcomes_file = tmp / "outcomes.json"
    env = dict(os.environ)
    env.update({
        "LOAD_USER_RPS": str(args.user_rps), "LOAD_WARMUP_S": str(args.warmup),
        "LOAD_OUTCOMES_FILE": str(outcomes_file), "LOAD_STATUS_FILTER_INDEX": str(filter_index),
        "LOAD_APPLICANTS": str(args.load_applicants), "LOAD_P_SUBMIT": str(args.p_submit),
        "LOAD_P_CONFIRM": str(args.p_confirm), "LOAD_SPREAD": "0" if args.no_spread else "1", "PYTHONUNBUFFERED": "1",
    })
    cmd = [str(VENV_BIN / "locust"), "-f", str(HERE / "locustfile.py"), "--headless", "-u", str(args.users),
           "-r", str(args.spawn_rate), "-t", f"{args.warmup + args.duration}s", "--host", f"http://127.0.0.1:{port}",
           "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING"]
    if args.pin_locust is not None:
        # The load generator in its own process group on one core (taskset), so its CPU is not
        # spread over the core the app and PostgreSQL run on as well: the app's share is clearer.
        cmd = ["taskset", "-c", str(args.pin_locust), *cmd]
    log(" ".join(cmd))
    locust_log = tmp / "locust.log"
    with open(locust_log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=args.pin_locust is not None)
        samples: dict = {}
        tops: list[str] = []
        depths: list[int] = []
        window = threading.Event()

        def queue_sampler(every_s: float = 0.05):
            # The accept queue over the measured window: how long connections wait for a worker.
            while not samples.get("end"):
                if window.is_set():
                    depth = accept_queue(port)
                    if depth is not None:
                        depths.append(depth)
                time.sleep(every_s)

        def sampler():
            time.sleep(args.warmup)
            samples["start"] = cpu_sample(gunicorn.pid, proc.pid)
            samples["load_start"] = loadavg()
            samples["access_start"] = _size(tmp / "access.log")
            window.set()
            for frac in (0.33, 0.66):
                time.sleep(args.duration * 0.33)
                tops.append(f"t = warm-up + {args.duration * frac:.0f} s, load average "
                            f"{' '.join(f'{x:.2f}' for x in loadavg())}\n" + top_snapshot())
            remaining = args.warmup + args.duration - (time.time() - started)
            time.sleep(max(0.0, remaining - 1.0))
            window.clear()
            samples["end"] = cpu_sample(gunicorn.pid, proc.pid)
            samples["load_end"] = loadavg()
            samples["access_end"] = _size(tmp / "access.log")

        started = time.time()
        thread = threading.Thread(target=sampler, daemon=True)
        thread.start()
        queue_thread = threading.Thread(target=queue_sampler, daemon=True)
        queue_thread.start()
        proc.wait(timeout=args.warmup + args.duration + 300)
        thread.join(timeout=5)
    text = locust_log.read_text(errors="replace")
    stats = read_stats(Path(f"{prefix}_stats.csv"))
    failures = read_failures(Path(f"{prefix}_failures.csv"))
    outcomes = json.loads(outcomes_file.read_text()) if outcomes_file.exists() else {}
    cpu = cpu_delta(samples["start"], samples["end"], os.cpu_count() or 1) if "end" in samples else None
    return {"stats": stats, "failures": failures, "outcomes": outcomes, "cpu": cpu, "tops": tops,
            "load_start": samples.get("load_start"), "load_end": samples.get("load_end"),
            "server": server_times(tmp / "access.log", samples.get("access_start", 0), samples.get("access_end", 0)),
            "accept_queue": queue_summary(depths, 0.05),
            "locust_log_tail": "\n".join(text.splitlines()[-12:]), "locust_rc": proc.returncode,
            "locust_cpu_warning": "CPU usage" in text}


def read_stats(path: Path) -> list[dict]:
    rows = []
    with open(path, newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            rows.append({
                "type": r["Type"], "name": r["Name"], "count": int(r["Request Count"]),
                "failures": int(r["Failure Count"]), "rps": float(r["Requests/s"]),
                "p50": _num(r["50%"]), "p95": _num(r["95%"]), "p99": _num(r["99%"]), "max": _num(r["Max Response Time"]),
                "avg": _num(r["Average Response Time"]),
            })
    return rows


def read_failures(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as fh:
        return [{"method": r["Method"], "name": r["Name"], "error": r["Error"], "count": int(r["Occurrences"])}
                for r in csv.DictReader(fh)]


def _num(value: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


# --------------------------------------------------------------------------- report
def table(stats: list[dict]) -> str:
    lines = ["| request | type | count | req/s | p50 ms | p95 ms | p99 ms | max ms | failures |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    body = [s for s in stats if s["name"] != "Aggregated" and s["count"]]
    body.sort(key=lambda s: -s["count"])
    for s in body + [s for s in stats if s["name"] == "Aggregated"]:
        bold = "**" if s["name"] == "Aggregated" else ""
        lines.append(f"| {bold}{'total' if bold else s['name']}{bold} | {s['type']} | {s['count']:,} | "
                     f"{s['rps']:.1f} | {s['p50']:.0f} | {s['p95']:.0f} | {s['p99']:.0f} | {s['max']:.0f} | "
                     f"{s['failures']:,} |")
    return "\n".join(lines)


def render(args, seed_params: dict, quiet: dict, result: dict, filter_index: int, started_utc: dt.datetime) -> tuple[str, bool]:
    total = next(s for s in result["stats"] if s["name"] == "Aggregated")
    offered = args.users * args.user_rps
    met_rate = total["rps"] >= 0.95 * GOAL_RPS
    met_p95 = total["p95"] <= GOAL_P95_MS
    met_err = total["failures"] == 0
    goal = met_rate and met_p95 and met_err
    cores = os.cpu_count()
    out = [f"# Load test: mixed scenario, gunicorn + PostgreSQL, {seed_params['enterprises']:,} enterprises", "",
           f"Run {started_utc:%Y-%m-%dT%H:%M:%SZ} on {cpu_model()} ({cores} cores, `nproc` = {cores}); "
           f"Python {platform.python_version()}, PostgreSQL on the same machine, load generator (locust) on the same "
           f"machine too.", "",
           f"**Goal** (2 cores): p95 ≤ {GOAL_P95_MS} ms at {GOAL_RPS} req/s, 0 errors → "
           f"**{'met' if goal else 'NOT met'}** (rate {total['rps']:.1f} req/s {'✓' if met_rate else '✗'}, "
           f"p95 {total['p95']:.0f} ms {'✓' if met_p95 else '✗'}, failures {total['failures']} "
           f"{'✓' if met_err else '✗'}).", "",
           f"Measured window: {args.duration} s after a {args.warmup} s warm-up (statistics reset at its end). "
           f"Offered rate {args.users} users × {args.user_rps} req/s = {offered:.0f} req/s (each step of a virtual "
           f"user is one HTTP request; redirects are not followed).", "",
           table(result["stats"]), ""]
    out += ["Percentiles are locust's (response times rounded to 1 ms below 100 ms, to 10 ms up to 1 s). "
            "A POST that answers with a redirect is timed up to the 302; the page it leads to is the next step.", ""]
    oc = (result["outcomes"] or {}).get("outcomes", {})
    if oc:
        out += ["**Outcomes in the measured window** (not counted as failures where they are an expected answer):", ""]
        labels = {
            "save_ok": "table saves confirmed (\"保存成功\")",
            "save_refused_under_review": "table save refused: under review (expected)",
            "submit_accepted": "submissions accepted",
            "submit_refused_conflict": "submission refused: changed by someone else (expected)",
            "submit_refused_not_possible": "submission refused: not possible in the current status (expected)",
            "confirm_ok": "reviewer confirmations accepted",
            "confirm_refused_conflict": "confirmation refused: changed by someone else meanwhile (expected race)",
            "confirm_refused_not_possible": "confirmation refused: not possible in the current status (expected race)",
            "show_already_decided": "record opened after a colleague had decided it (no confirm button)",
            "api_token_expired": "JWT expired, logged in again",
        }
        for key, value in sorted(oc.items()):
            out.append(f"- {labels.get(key, key)}: {value:,}")
        out.append("")
    if result["failures"]:
        out += ["**Failures:**", "", "| method | name | error | count |", "|---|---|---|---:|"]
        for f in result["failures"]:
            out.append(f"| {f['method']} | {f['name']} | {f['error'][:160]} | {f['count']} |")
        out.append("")
    cpu = result["cpu"]
    out += ["## Machine load during the measured window", "",
            f"- 1-minute load average before the run (gunicorn idle): {quiet['at_start'][0]:.2f} "
            f"(was {quiet['before_wait'][0]:.2f}; waited {quiet['waited_s']} s for ≤ {args.max_load}).",
            f"- Load average at the start / end of the measured window: "
            f"{_la(result['load_start'])} / {_la(result['load_end'])} (includes this test's own processes)."]
    if cpu:
        out += [f"- CPU used (from /proc, over {cpu['wall_s']:.0f} s): {cpu['busy_cores']:.2f} of {cpu['cores']} cores "
                f"busy.", "", "| process group | cores used (avg) | share of the machine |", "|---|---:|---:|"]
        for key, value in cpu["rows"].items():
            out.append(f"| {key} | {value:.2f} | {100 * value / cpu['cores']:.0f} % |")
        out.append("")
        processes = cpu.get("gunicorn_processes") or []
        if processes:
            out += [f"Cores used by each gunicorn process, busiest first (workers and master): "
                    f"{' / '.join(f'{v:.2f}' for v in processes)}.", ""]
        g = cpu["rows"]["gunicorn (master + workers)"]
        pg = cpu["rows"]["PostgreSQL backends of shenbao_load"]
        if total["count"]:
            rps = total["rps"]
            lc = cpu["rows"]["locust"]
            per = 1000 * (g + pg + lc) / rps
            out += [f"Per request: gunicorn {1000 * g / rps:.1f} ms CPU, PostgreSQL {1000 * pg / rps:.1f} ms CPU, "
                    f"locust {1000 * lc / rps:.1f} ms CPU (averages over the mix): {per:.1f} ms in all, so "
                    f"{cpu['cores']} otherwise idle cores top out near {1000 * cpu['cores'] / per:.0f} req/s for this "
                    f"mix; {GOAL_RPS} req/s would need ≤ {1000 * cpu['cores'] / GOAL_RPS:.0f} ms per request.", ""]
    if result.get("server"):
        st = result["server"]
        out += [f"Server's own time per request (gunicorn access log, %(D)s, {st['count']:,} requests of the window): "
                f"p50 {st['p50']:.0f} ms, p95 {st['p95']:.0f} ms, p99 {st['p99']:.0f} ms — the rest of locust's "
                f"figure is the trip and the wait before a worker takes the request (the accept queue below; "
                f"with gthread, a busy worker's keep-alive connections).", ""]
    if result.get("accept_queue"):
        q = result["accept_queue"]
        out += [f"Accept queue (connections no worker has taken yet, /proc/net/tcp every {q['every_ms']:.0f} ms, "
                f"{q['samples']:,} samples): non-empty in {q['busy']:.0%} of samples, mean {q['mean']:.1f}, "
                f"p95 {q['p95']}, max {q['max']}.", ""]
    if result["locust_cpu_warning"]:
        out += ["Locust warned about its own CPU usage (see its log): the load generator itself was short of CPU.", ""]
    out += ["<details><summary>top snapshots</summary>", ""]
    for snap in result["tops"]:
        out += ["```", snap, "```", ""]
    out += ["</details>", ""]
    out += ["## Settings", "",
            f"- Data: {seed_params['enterprises']:,} approved enterprises; {seed_params['applicants']:,} applicant "
            f"accounts each with a draft SME evaluation (nine tables filled, qualified, cover attached), the first "
            f"{args.load_applicants:,} used by the mixed load and the rest kept for the surge; "
            f"{seed_params['submitted']:,} evaluations pending agency confirmation; {seed_params['reviewers']} agency "
            f"reviewers (8 / 6 / 6 over 杭州 / 金华 / 北京; enterprises routed 50 / 30 / 20 %). "
            f"Evaluation year {seed_params['year']}. Seeded by bench/load/seed.py (COPY), then VACUUM ANALYZE.",
            f"- Server: `gunicorn 'bench.load.loadapp:app' --workers {args.workers} --threads {args.threads}` "
            f"({'gthread' if args.threads > 1 else 'sync'}), SHENBAO_ENV=production, DATABASE_URL={C.DATABASE_URL} (psycopg 3), random 48-character "
            f"SECRET_KEY, non-default CA PINs, CSRF on, secure session cookie, access log "
            f"{'on (file)' if args.access_log else 'off'}. loadapp.py = create_app() with the captcha answer fixed "
            "(no human reads the picture; the challenge row, the PNG and the one-time check stay real).",
            f"- Load generator: locust {'pinned to CPU ' + str(args.pin_locust) + ' (taskset) in its own process group' if args.pin_locust is not None else 'unpinned, sharing both cores with the server'}.",
            "- RATELIMIT_ENABLED=false and AUTH_RATE_LIMITED=false: all virtual users share 127.0.0.1, so the "
            "per-IP limits (30 logins a minute per IP) would throttle the load generator itself. The login failure "
            "counters in the database stay on (no login fails in this scenario).",
            f"- Load: locust {_locust_version()} FastHttpUser, `-u {args.users} -r {args.spawn_rate}`, "
            f"{args.user_rps} steps a second per user (locustfile `paced`), "
            f"{'users created in the same second in step (--no-spread)' if args.no_spread else 'each user at a random phase'}; "
            "Applicant : Reviewer : ApiClient = 14 : 4 : 2 users. "
            f"Applicants submit in {args.p_submit:.0%} of their sessions (once per account); reviewers confirm "
            f"{args.p_confirm:.0%} of the records they open. Reviewer list = `/review/sme/list/?_flt_{filter_index}"
            f"_status=pending_agency&_psize_SmeReviewView=25&_page_SmeReviewView=0..4` (row scope: own agency).",
            "- Passwords are Argon2id hashes (m = 19 MiB, t = 2, p = 1; app/security/passwords.py): every login "
            "spends one Argon2id check (~35 ms of CPU on this machine; scrypt took ~124 ms before).", ""]
    return "\n".join(out), goal


def _la(x) -> str:
    return " ".join(f"{v:.2f}" for v in x) if x else "?"


def _locust_version() -> str:
    try:
        import importlib.metadata

        return importlib.metadata.version("locust")
    except Exception:  # noqa: BLE001
        return "?"


# --------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--skip-seed", action="store_true", help="reuse shenbao_load; only reset what a run changes")
    ap.add_argument("--enterprises", type=int, default=C.N_ENTERPRISES)
    ap.add_argument("--applicants", type=int, default=int(os.environ.get("N_APPLICANTS", C.N_APPLICANTS)))
    ap.add_argument("--submitted", type=int, default=C.N_SUBMITTED)
    # As `make serve-prod`: sync workers, 2 × cores + 1 (gunicorn's advice). gthread workers
    # (--threads > 1) keep each keep-alive connection on the worker that accepted it, and one
    # such worker saturated its core while the others idled (bench/README.md, "Worker model").
    ap.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    ap.add_argument("--threads", type=int, default=1, help="1: sync workers; more: gthread")
    ap.add_argument("--port", type=int, default=8811)
    ap.add_argument("--users", type=int, default=100)
    ap.add_argument("--user-rps", type=float, default=2.0)
    ap.add_argument("--spawn-rate", type=float, default=10)
    ap.add_argument("--warmup", type=int, default=30)
    ap.add_argument("--duration", type=int, default=120)
    ap.add_argument("--p-submit", type=float, default=0.15)
    ap.add_argument("--p-confirm", type=float, default=0.2)
    ap.add_argument("--max-load", type=float, default=1.0, help="wait until the 1-minute load average is at most this")
    ap.add_argument("--max-wait", type=int, default=600)
    ap.add_argument("--access-log", action="store_true", help="gunicorn access log to a file (off by default)")
    ap.add_argument("--no-surge", action="store_true")
    ap.add_argument("--no-spread", action="store_true",
                    help="start each second's users in step (locust's default: they fire together every period)")
    ap.add_argument("--pin-locust", type=int, metavar="CPU",
                    help="run locust in its own process group pinned to this CPU (taskset -c CPU)")
    ap.add_argument("--strict", action="store_true", help="exit 3 when the goal is not met")
    ap.add_argument("--keep-server", action="store_true", help="leave gunicorn running (prints its pid)")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results"))
    ap.add_argument("--tag", help="results file bench/results/load-<date>-<tag>.md (default load-<date>.md)")
    args = ap.parse_args(argv)
    args.load_applicants = max(1, args.applicants - C.SURGE_RESERVE) if args.applicants > C.SURGE_RESERVE + 100 \
        else args.applicants
    started_utc = dt.datetime.now(dt.timezone.utc)
    tmp = Path(tempfile.mkdtemp(prefix="shenbao-load-"))
    py = sys.executable
    seed_cmd = [py, str(HERE / "seed.py"), "--upload-dir", str(tmp / "uploads"), "--json"]
    if args.skip_seed:
        seed_cmd.append("--reset")
    else:
        seed_cmd += ["--enterprises", str(args.enterprises), "--applicants", str(args.applicants),
                     "--submitted", str(args.submitted)]
    log("seeding: " + " ".join(seed_cmd[1:]))
    done = subprocess.run(seed_cmd, cwd=ROOT, capture_output=True, text=True)
    print(done.stdout.rstrip()[:4000], flush=True)
    if done.returncode:
        print(done.stderr[-4000:], file=sys.stderr)
        return done.returncode
    seed_params = json.loads(done.stdout.strip().splitlines()[-1])
    if args.skip_seed and seed_params["applicants"] != args.applicants:
        args.applicants = seed_params["applicants"]
        args.load_applicants = max(1, args.applicants - C.SURGE_RESERVE) if args.applicants > C.SURGE_RESERVE + 100 \
            else args.applicants
    filter_index = int(subprocess.run([py, str(HERE / "seed.py"), "--filter-index"], cwd=ROOT, capture_output=True,
                                      text=True, check=True).stdout.strip().splitlines()[-1])

    gunicorn = start_gunicorn(tmp, args.port, args.workers, args.threads, args.access_log)
    report_path = Path(args.out) / f"load-{started_utc:%Y-%m-%d}{'-' + args.tag if args.tag else ''}.md"
    try:
        quiet = wait_for_quiet(args.max_load, args.max_wait)
        log(f"load average {quiet['at_start'][0]:.2f}: starting locust "
            f"({args.users} users × {args.user_rps} req/s, warm-up {args.warmup} s, measured {args.duration} s)")
        result = run_locust(args, args.port, tmp, gunicorn, filter_index)
        if not result["stats"]:
            log("no statistics: locust log follows\n" + result["locust_log_tail"])
            return 1
        report, goal = render(args, seed_params, quiet, result, filter_index, started_utc)
        print("\n" + report, flush=True)
        Path(args.out).mkdir(parents=True, exist_ok=True)
        report_path.write_text(report, encoding="utf-8")
        log(f"wrote {report_path}")
        errors = (tmp / "gunicorn.log").read_text(errors="replace")
        tracebacks = errors.count("Traceback")
        if tracebacks:
            log(f"gunicorn log has {tracebacks} tracebacks: {tmp / 'gunicorn.log'}")
        if not args.no_surge:
            from bench.load import surge

            surge.run(f"http://127.0.0.1:{args.port}", report_path, seed_params, args.applicants)
        return 3 if args.strict and not goal else 0
    finally:
        if args.keep_server:
            log(f"gunicorn left running: pid {gunicorn.pid}, port {args.port}, logs in {tmp}")
        else:
            stop_gunicorn(gunicorn)
            log(f"logs kept in {tmp} (gunicorn.log, locust.log, locust_*.csv)")
            shutil.rmtree(tmp / "uploads", ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
