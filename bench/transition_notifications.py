"""Request time of a transition with its notifications against the same transition without them.

    .venv/bin/python bench/transition_notifications.py            # 150 returns per variant
    .venv/bin/python bench/transition_notifications.py --n 300

An agency reviewer returns enterprise registrations through the review screen (POST
/review/enterprises/decide/<id>, Flask test client, SQLite file database). Three variants, run
alternately in the same process so machine drift hits them alike:

* ``without``: the "return" row with ``notify=()`` (what the transition cost before results
  were told to the applicant);
* ``with``: the row as declared: an SMS, an e-mail and an in-app message written in the
  transaction; the outbox delivered by the ``thread`` worker after the commit;
* ``with, slow SMTP``: the same with e-mail sent through a local SMTP stand-in that takes 1 s
  per message: delivery is off the request path, so the request must not slow down.

Prints the median and p95 per variant and the ratios to ``without``. A figure, not a test.
"""
from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.load.common import percentile  # noqa: E402


def _slow_smtp() -> int:
    """A local SMTP server that takes 1 s to accept each message."""
    from aiosmtpd.controller import Controller

    class Slow:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
            import asyncio

            await asyncio.sleep(1.0)
            return "250 OK"

    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    Controller(Slow(), hostname="127.0.0.1", port=port).start()
    return port


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=150, help="returns per variant")
    args = parser.parse_args(argv)

    from flask_appbuilder import Model

    from app import create_app
    from app.extensions import db
    from app.security import roles as R
    from app.workflows import definitions
    from models import OutboxMessage
    from tests import factories as f

    workdir = Path(tempfile.mkdtemp(prefix="bench-notify-"))
    smtp_port = _slow_smtp()
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench.db'}",
                      "UPLOAD_DIR": str(workdir / "uploads"), "RATELIMIT_ENABLED": False, "SERVER_NAME": None,
                      "NOTIFY_WORKER": "thread", "NOTIFY_POLL_SECONDS": 0.5})
    declared = definitions.ENTERPRISE_REGISTRATION
    silent = dataclasses.replace(declared, transitions=tuple(
        dataclasses.replace(t, notify=()) if t.action == "return" else t for t in declared.transitions))
    variants = {"without": (silent, "outbox"), "with": (declared, "outbox"), "with, slow SMTP": (declared, "smtp")}
    times: dict[str, list[float]] = {name: [] for name in variants}

    from views import review

    with app.app_context():
        Model.metadata.create_all(db.engine)
        f.seed_reference_data()
        reviewer = f.gen_user(R.AGENCY_REVIEWER, agency_region="330100")
        ids = []
        for n in range(args.n * len(variants)):
            enterprise = f.gen_enterprise(status="submitted")
            enterprise.legal_rep_mobile, enterprise.legal_rep_email = f"139{n:08d}", f"boss{n}@example.com"
            ids.append(enterprise.id)
        db.session.commit()
        from app.services import captcha

        captcha.random_answer = lambda: f.CAPTCHA  # the login picture's answer, as in the tests
        client = f.WebClient(app)
        client.login(reviewer.username)
        token = client.csrf(f"/review/enterprises/show/{ids[0]}")

        names = list(variants)
        for i, record_id in enumerate(ids):
            name = names[i % len(names)]
            workflow, backend = variants[name]
            review.EnterpriseReviewView.workflow = workflow
            definitions.ENTERPRISE_REGISTRATION = workflow
            from app.services import enterprise as enterprise_svc

            enterprise_svc.ENTERPRISE_REGISTRATION = workflow
            app.config.update({"EMAIL_BACKEND": backend, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp_port,
                               "SMTP_STARTTLS": False})
            started = time.perf_counter()
            response = client.post(f"/review/enterprises/decide/{record_id}",
                                   data={"action": "return", "comment": "营业执照照片不清晰", "csrf_token": token})
            times[name].append((time.perf_counter() - started) * 1000)
            if response.status_code not in (200, 302):
                raise SystemExit(f"{name}: HTTP {response.status_code}")
        queued = db.session.query(OutboxMessage).count()

    base = statistics.median(times["without"])
    print(f"transition: agency returns a registration, {args.n} requests per variant (SQLite, test client)")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:<17} median {median:6.1f} ms   p95 {percentile(values, 95):6.1f} ms   "
              f"ratio to without {median / base:4.2f}")
    print(f"  outbox rows written: {queued} (SMS + e-mail per notified return; delivered after commit)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
