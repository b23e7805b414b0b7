"""Two app servers behind HAProxy, as a national deployment runs them (docs/deploy.md), on this machine.

    .venv/bin/python bench/two_nodes.py                  # local folder per node (shows what breaks)
    .venv/bin/python bench/two_nodes.py --storage s3     # SeaweedFS shared by both nodes

Starts, on free ports: PostgreSQL database ``shenbao_two_nodes`` (dropped and recreated), two
gunicorn app servers A and B (production settings, each with its OWN upload and export folders,
as two machines would have), HAProxy in front of both (round robin, health checks), one worker
(``flask worker``: notifications and background tasks) and one scheduler; Redis for the shared
rate limits. Then runs the checks of :func:`run_checks` and prints what each took:

* sign-in limits are counted across both servers (failures on A and B add up);
* a file uploaded through A is downloaded through B;
* an export started on A is downloaded from B after A is killed (kill -9).

The short version of the same checks is ``tests/web/test_two_nodes.py`` (part of ``make test``).
``bench.load.loadapp`` is the app (its captcha always draws the same answer, nothing else differs).
"""
from __future__ import annotations

import argparse
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from bench.load.common import CAPTCHA, csrf_from  # noqa: E402

VENV_BIN = Path(sys.executable).parent
PG_SERVER_URL = os.environ.get("TWO_NODES_PG_SERVER_URL", "postgresql://postgres@127.0.0.1")
DB_NAME = "shenbao_two_nodes"
DEMO_PASSWORD = "Demo1234"
APP = "bench.load.loadapp:app"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 60, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} stopped with {proc.returncode} before {url} answered")
        try:
            if requests.get(url, timeout=2, allow_redirects=False).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {seconds:.0f} s")


@dataclass
class Node:
    name: str
    port: int
    folder: Path
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Cluster:
    """The processes of a two-node deployment; ``storage_env`` selects the file store."""

    tmp: Path
    storage_env: dict = field(default_factory=dict)
    redis_db: int = 7
    nodes: dict[str, Node] = field(default_factory=dict)
    others: dict[str, subprocess.Popen] = field(default_factory=dict)
    proxy_port: int = 0

    @property
    def proxy(self) -> str:
        return f"http://127.0.0.1:{self.proxy_port}"

    def env(self, folder: Path) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SHENBAO_")}
        shared = self.tmp / "shared"
        env.update({
            "SHENBAO_ENV": "production",
            "DATABASE_URL": f"{PG_SERVER_URL}/{DB_NAME}",
            "SECRET_KEY": self.secret,
            "CA_TOKEN_PIN": "two-nodes-ca-pin", "CA_TOKEN_SO_PIN": "two-nodes-ca-so-pin",
            "PUBLIC_BASE_URL": "https://shenbao.two-nodes.invalid",
            "SESSION_COOKIE_SECURE": "false",  # plain HTTP between the test and HAProxy here
            "REDIS_URL": f"redis://127.0.0.1:6379/{self.redis_db}",
            "NOTIFY_WORKER": "external", "TASK_WORKER": "external",
            "EXPORT_SYNC_MAX_ROWS": "1",  # every export of two rows or more is a background task
            # The HSM is shared like a network HSM; files and exports are the node's own.
            "SHENBAO_INSTANCE_DIR": str(shared / "instance"),
            # Its own SoftHSM configuration: the caller's (a test session's token) has other PINs.
            "SOFTHSM2_CONF": str(shared / "instance" / "softhsm2.conf"),
            "UPLOAD_DIR": str(folder / "uploads"), "EXPORT_DIR": str(folder / "exports"),
            "IMPORT_DIR": str(folder / "imports"),
            "PYTHONUNBUFFERED": "1",
            **self.storage_env,
        })
        return env

    def flask(self, *args: str) -> str:
        done = subprocess.run([str(VENV_BIN / "flask"), "--app", APP, *args], cwd=ROOT, env=self.env(self.tmp / "cli"),
                              capture_output=True, text=True, timeout=300)
        if done.returncode:
            raise RuntimeError(f"flask {' '.join(args)}: {done.stderr[-2000:]}")
        return done.stdout

    def start(self) -> None:
        self.secret = secrets.token_urlsafe(36)
        subprocess.run(["psql", PG_SERVER_URL + "/postgres", "-q", "-c", f"DROP DATABASE IF EXISTS {DB_NAME}",
                        "-c", f"CREATE DATABASE {DB_NAME}"], check=True, capture_output=True)
        subprocess.run(["redis-cli", "-n", str(self.redis_db), "FLUSHDB"], check=False, capture_output=True)
        self.flask("db", "upgrade")
        self.flask("init")
        self.flask("demo")
        for name in ("A", "B"):
            node = Node(name, free_port(), self.tmp / f"node-{name}")
            node.folder.mkdir(parents=True, exist_ok=True)
            self.nodes[name] = node
            self.start_node(node)
        for name, command in (("worker", "worker"), ("scheduler", "scheduler")):
            log = open(self.tmp / f"{name}.log", "w")
            self.others[name] = subprocess.Popen([str(VENV_BIN / "flask"), "--app", APP, command], cwd=ROOT,
                                                 env=self.env(self.tmp / name), stdout=log, stderr=subprocess.STDOUT,
                                                 start_new_session=True)
        self.proxy_port = free_port()
        config = self.tmp / "haproxy.cfg"
        config.write_text(HAPROXY.format(port=self.proxy_port, a=self.nodes["A"].port, b=self.nodes["B"].port))
        self.others["haproxy"] = subprocess.Popen(["haproxy", "-db", "-f", str(config)], stdout=subprocess.DEVNULL,
                                                  stderr=open(self.tmp / "haproxy.log", "w"), start_new_session=True)
        wait_for(self.proxy + "/login/", proc=self.others["haproxy"])

    def start_node(self, node: Node) -> None:
        log = open(node.folder / "gunicorn.log", "a")
        node.proc = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), APP, "--workers", "1", "--threads", "4", "--bind", f"127.0.0.1:{node.port}",
             "--timeout", "120"], cwd=ROOT, env=self.env(node.folder), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        wait_for(node.url + "/login/", proc=node.proc)

    def kill(self, name: str) -> None:
        """kill -9 of a node's whole process group (master and workers), as a crashed server."""
        proc = self.nodes[name].proc
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    def stop(self) -> None:
        for proc in [n.proc for n in self.nodes.values()] + list(self.others.values()):
            if proc is not None and proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                    proc.wait(timeout=15)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    os.killpg(proc.pid, signal.SIGKILL)


HAPROXY = """
global
    maxconn 200
defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 120s
    option redispatch
    retries 2
frontend shenbao
    bind 127.0.0.1:{port}
    default_backend app
backend app
    balance roundrobin
    option httpchk GET /login/
    server a 127.0.0.1:{a} check inter 500ms fall 2 rise 1
    server b 127.0.0.1:{b} check inter 500ms fall 2 rise 1
"""


@contextmanager
def cluster(storage_env: dict | None = None, tmp: Path | None = None) -> Iterator[Cluster]:
    with tempfile.TemporaryDirectory(prefix="two-nodes-") as scratch:
        running = Cluster(Path(tmp or scratch), storage_env or {})
        try:
            running.start()
            yield running
        finally:
            running.stop()


def sign_in(base: str, username: str, password: str = DEMO_PASSWORD) -> tuple[requests.Session, requests.Response]:
    """The login page's three steps (captcha image, form, POST) on ``base``."""
    web = requests.Session()
    web.get(base + "/account/captcha.png", timeout=30)
    token = csrf_from(web.get(base + "/login/", timeout=30).text)
    answer = web.post(base + "/login/", data={"username": username, "password": password, "captcha": CAPTCHA,
                                              "csrf_token": token}, allow_redirects=False, timeout=60)
    return web, answer


def check_login_limit(nodes: Cluster) -> dict:
    """Wrong passwords on A and B alternately: the account's limit (5) is reached across both,
    and the right password is then refused on either with the wait message."""
    a, b = nodes.nodes["A"].url, nodes.nodes["B"].url
    for i in range(5):
        _web, answer = sign_in(a if i % 2 == 0 else b, "manager", "Wrong1234")
        assert answer.status_code == 200, answer.status_code  # the form again, not signed in
    refused = {}
    for name, base in (("A", a), ("B", b)):
        _web, answer = sign_in(base, "manager")
        refused[name] = answer.status_code == 200 and "登录失败次数过多" in answer.text
    return {"refused after 5 failures split over A and B": refused}


def _upload_cover(web: requests.Session, base: str) -> tuple[int, int]:
    """As the demo applicant: a new Tech-SME evaluation and its cover (a small PDF) through ``base``;
    (evaluation id, attachment id)."""
    token = csrf_from(web.get(base + "/sme/new", timeout=30).text)
    created = web.post(base + "/sme/new", data={"csrf_token": token}, allow_redirects=False, timeout=30)
    evaluation_id = int(re.search(r"/sme/(\d+)/", created.headers["Location"]).group(1))
    page = web.get(f"{base}/sme/{evaluation_id}/self-evaluation", timeout=30).text
    cover = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    web.post(f"{base}/sme/{evaluation_id}/cover", data={"csrf_token": csrf_from(page)},
             files={"cover": ("cover.pdf", cover, "application/pdf")}, timeout=60)
    page = web.get(f"{base}/sme/{evaluation_id}/self-evaluation", timeout=30).text
    attachment_id = int(re.search(r'id="cover-uploaded".*?href="/attachments/(\d+)', page, re.S).group(1))
    return evaluation_id, attachment_id


def check_upload_a_download_b(nodes: Cluster) -> dict:
    a, b = nodes.nodes["A"].url, nodes.nodes["B"].url
    web, answer = sign_in(a, "13800000001")
    assert answer.status_code == 302, "the demo applicant could not sign in"
    started = time.perf_counter()
    _evaluation_id, attachment_id = _upload_cover(web, a)
    uploaded = time.perf_counter() - started
    started = time.perf_counter()
    download = web.get(f"{b}/attachments/{attachment_id}", timeout=30)
    return {"upload through A (s)": round(uploaded, 3), "download through B (s)": round(time.perf_counter() - started, 3),
            "B served the file": download.status_code == 200 and download.content.startswith(b"%PDF")}


def check_export_survives_a(nodes: Cluster) -> dict:
    """An export of the enterprise list started on A (a background task: more rows than
    EXPORT_SYNC_MAX_ROWS), A killed with -9 at once, the workbook then followed and downloaded on B."""
    a, b = nodes.nodes["A"].url, nodes.nodes["B"].url
    web, answer = sign_in(a, "admin")
    assert answer.status_code == 302, "the demo admin could not sign in"
    started = web.get(a + "/review/enterprises/export/", allow_redirects=False, timeout=60)
    job_path = started.headers["Location"].replace(a, "")
    assert re.search(r"/exports/\d+$", job_path), job_path
    nodes.kill("A")
    began, status = time.perf_counter(), {}
    while time.perf_counter() - began < 90:
        status = web.get(b + job_path + "/status", timeout=30).json()
        if status["status"] in ("done", "failed"):
            break
        time.sleep(0.3)
    download = web.get(b + status["download_url"], timeout=60) if status.get("download_url") else None
    return {"export done after A was killed (s)": round(time.perf_counter() - began, 2),
            "B handed out the workbook": bool(download is not None and download.status_code == 200
                                               and download.content[:2] == b"PK")}


def run_checks(nodes: Cluster) -> dict:
    results = {}
    for check in (check_login_limit, check_upload_a_download_b, check_export_survives_a):
        try:
            results.update(check(nodes))
        except (AssertionError, requests.RequestException, AttributeError, KeyError, ValueError) as exc:
            results[check.__name__] = f"FAILED: {exc!r}"
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--storage", choices=("local", "s3"), default="local")
    args = parser.parse_args()
    storage = {}
    weed = None
    if args.storage == "s3":
        sys.path.insert(0, str(ROOT))
        from tests.seaweedfs_server import start_seaweedfs

        weed = start_seaweedfs(Path(tempfile.mkdtemp(prefix="two-nodes-weed-")))
        storage = {"STORAGE_BACKEND": "s3", "S3_ENDPOINT_URL": weed.endpoint, "S3_BUCKET": weed.bucket,
                   "S3_ACCESS_KEY": weed.access_key, "S3_SECRET_KEY": weed.secret_key}
    started = time.perf_counter()
    try:
        with cluster(storage) as nodes:
            print(f"cluster up in {time.perf_counter() - started:.1f} s: A :{nodes.nodes['A'].port}, "
                  f"B :{nodes.nodes['B'].port}, HAProxy :{nodes.proxy_port}, storage {args.storage}")
            for name, value in run_checks(nodes).items():
                print(f"  {name}: {value}")
    finally:
        if weed is not None:
            weed.stop()


if __name__ == "__main__":
    main()
