"""Notifications survive dying workers: transitions commit their messages, `flask --app run
worker` processes deliver them to a local SMS gateway stand-in and are killed with SIGKILL at
random moments and restarted. In the end every committed transition's messages are delivered
and none was written for the transition that rolled back.

"Exactly once" here means what the design promises (app/notify/delivery.py): every message is
marked sent once, and the gateway receives each message's idempotency key (shenbao-<id>); a
worker killed after the gateway accepted a message but before it marked the row delivers it
again with the same key, which the gateway drops. The test counts those repeats and checks
that only kills caused them.
"""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.security import roles as R
from app.services import enterprise as svc
from models import Enterprise, InboxMessage, OutboxMessage
from tests import factories as f
from tests.factories import with_hook

ROOT = Path(__file__).resolve().parents[2]
TRANSITIONS = 30

WORKER = textwrap.dedent("""
    import sys
    from app import create_app
    from app.notify.delivery import run_worker
    url, gateway = sys.argv[1], sys.argv[2]
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "NOTIFY_WORKER": "external",
                      "SMS_BACKEND": "http", "SMS_GATEWAY_URL": gateway, "NOTIFY_POLL_SECONDS": 0.1,
                      "NOTIFY_LEASE_SECONDS": 1.0, "NOTIFY_RETRY_BASE_SECONDS": 0.2})
    run_worker(app, limit=5)
""")


@pytest.fixture
def slow_gateway():
    """An SMS gateway that takes 20 ms per message and records every idempotency key it gets."""
    keys: list[str] = []
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            time.sleep(0.02)
            with lock:
                keys.append(self.headers.get("Idempotency-Key") or body["id"])
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/send", keys
    server.shutdown()


def _start_worker(url: str, gateway: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WORKER, url, gateway], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _unsent() -> int:
    db.session.expire_all()
    return len(db.session.execute(select(OutboxMessage.id).where(OutboxMessage.status != "sent")).all())


def test_killed_workers_deliver_every_committed_message_once(app, slow_gateway, monkeypatch):
    gateway, received = slow_gateway
    app.config.update({"NOTIFY_WORKER": "external", "SMS_BACKEND": "http", "SMS_GATEWAY_URL": gateway})
    reviewer = f.gen_user(R.AGENCY_REVIEWER, agency_region="330100")
    committed = []
    for n in range(TRANSITIONS):
        enterprise = f.gen_enterprise(status="submitted")
        enterprise.legal_rep_mobile, enterprise.legal_rep_email = f"139{n:08d}", f"boss{n}@example.com"
        db.session.commit()
        committed.append(svc.review(reviewer, enterprise.id, "return", f"第{n}号：营业执照不清晰", None).id)

    # One transition fails after its row was carried out: it must leave no message at all.
    doomed = f.gen_enterprise(status="submitted")
    doomed.legal_rep_mobile = "13800009999"
    db.session.commit()

    def disk_full(step):
        raise RuntimeError("disk full")

    from app.workflows import engine
    from app.workflows.definitions import ENTERPRISE_REGISTRATION

    with pytest.raises(RuntimeError):
        engine.apply(with_hook(monkeypatch, ENTERPRISE_REGISTRATION, "return", disk_full), Enterprise, doomed.id,
                     "return", reviewer, comment="不会发送")

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    workers = [_start_worker(url, gateway) for _ in range(2)]
    kills = 0
    rng = random.Random(12)
    try:
        deadline = time.monotonic() + 45
        while _unsent() and kills < 12 and time.monotonic() < deadline:
            time.sleep(rng.uniform(0.4, 1.6))
            victim = workers.pop(rng.randrange(len(workers)))
            victim.send_signal(signal.SIGKILL)
            victim.wait(10)
            kills += 1
            workers.append(_start_worker(url, gateway))
        while _unsent() and time.monotonic() < deadline + 30:  # the survivors finish
            time.sleep(0.2)
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGKILL)
            worker.wait(10)

    rows = db.session.execute(select(OutboxMessage)).scalars().all()
    assert rows and all(r.status == "sent" for r in rows), Counter(r.status for r in rows)
    sms = [r for r in rows if r.channel == "sms"]
    assert len(sms) == TRANSITIONS and len([r for r in rows if r.channel == "email"]) == TRANSITIONS
    assert {r.record_id for r in rows} == set(committed)
    expected_keys = {f"shenbao-{r.id}" for r in sms}
    assert set(received) == expected_keys  # every SMS reached the gateway, nothing else did
    repeats = len(received) - len(expected_keys)
    assert repeats <= kills, f"{repeats} repeated deliveries from {kills} kills"
    assert kills >= 1
    print(f"kill -9: {kills} kills, {len(expected_keys)} SMS, {repeats} repeated deliveries dropped by key")
    # In-app messages: one per transition for the enterprise's user, none for the failed one.
    inbox = db.session.execute(select(InboxMessage.record_id)).scalars().all()
    assert Counter(inbox) == Counter(committed)
    assert not db.session.execute(select(OutboxMessage).where(OutboxMessage.record_id == doomed.id)).first()
