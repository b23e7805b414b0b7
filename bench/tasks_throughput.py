"""Throughput of the background task queue (app/tasks): N no-op tasks queued, then claimed and
finished by W worker processes (each its own app, as `flask --app run task-worker`); prints
tasks/s on PostgreSQL (a temporary schema at 127.0.0.1, as tests/conftest.py) and, for
comparison, on a temporary SQLite file. The no-op task reports progress once, so every task
costs what a real one adds to its work: claim, one heartbeat, finish (three transactions).

    .venv/bin/python bench/tasks_throughput.py                 # 2,000 tasks, 2 workers, both databases
    .venv/bin/python bench/tasks_throughput.py --n 5000 --workers 4 --db pg
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1/test")


def _app(url: str):
    from app import create_app
    from app.tasks import registry

    registry.register("noop", lambda task, progress: progress(1, 1))
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "TASK_WORKER": "external", "NOTIFY_WORKER": "external",
                       "RATELIMIT_ENABLED": False})


def worker(url: str) -> None:
    """One worker process: drain the queue, then exit."""
    from app.tasks.worker import drain

    app = _app(url)
    with app.app_context():
        counts = drain()
    print(counts["done"], flush=True)


def run(url: str, n: int, workers: int) -> dict:
    import sqlalchemy as sa
    from flask_appbuilder import Model

    from app.extensions import db
    from app.tasks.queue import enqueue
    from models import BackgroundTask

    app = _app(url)
    with app.app_context():
        Model.metadata.create_all(db.engine)
        for _ in range(n):
            enqueue("noop", {})
        db.session.commit()
        start = time.perf_counter()
        procs = [subprocess.Popen([sys.executable, __file__, "--worker", url], stdout=subprocess.PIPE, text=True)
                 for _ in range(workers)]
        per_worker = [int(p.communicate()[0].strip() or 0) for p in procs]
        seconds = time.perf_counter() - start
        done = db.session.execute(sa.select(sa.func.count()).where(BackgroundTask.status == "done")).scalar_one()
        db.session.remove()
        db.engine.dispose()
    # The workers' start-up (importing the app) is inside the time: measured alone below.
    return {"tasks": n, "done": done, "per_worker": per_worker, "seconds": seconds}


def startup_seconds(url: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); "
                    "from bench.tasks_throughput import _app; _app(sys.argv[2])", str(ROOT), url], check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--db", choices=("pg", "sqlite", "both"), default="both")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker)
        return
    import sqlalchemy as sa

    for backend in (("pg", "sqlite") if args.db == "both" else (args.db,)):
        if backend == "pg":
            schema = "bench_" + uuid.uuid4().hex[:10]
            admin = sa.create_engine(PG_URL)
            with admin.begin() as conn:
                conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
            url = f"{PG_URL}{'&' if '?' in PG_URL else '?'}options=-csearch_path%3D{schema}"
        else:
            folder = tempfile.mkdtemp()
            url = f"sqlite:///{folder}/bench.db"
        try:
            figures = run(url, args.n, args.workers)
            boot = startup_seconds(url)
        finally:
            if backend == "pg":
                with admin.begin() as conn:
                    conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
                admin.dispose()
        working = max(figures["seconds"] - boot, 1e-9)
        print(f"{backend}: {figures['done']}/{figures['tasks']} tasks done by {args.workers} workers "
              f"(each {figures['per_worker']}) in {figures['seconds']:.2f} s including a worker's start-up "
              f"of {boot:.2f} s: {figures['done'] / working:.0f} tasks/s claimed+finished "
              f"({figures['done'] / figures['seconds']:.0f} tasks/s with start-up)")


if __name__ == "__main__":
    main()
