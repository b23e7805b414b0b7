"""Django admin side of bench/list_pages.py. Runs in the PEER's venv (/tmp/peerbench/dj52 or
dj61), never in Shenbao's: list_pages.py starts one of these per database and drives it over
stdin/stdout (one JSON object per line) so Django rounds can alternate with FAB rounds.

The measurement is the peer's own code: ``Command.timed`` (perf_counter around
``Client.get``, median of n, every response checked: 200, 25 rows, page 2000 really served),
``Command.capture`` (one extra request under CaptureQueriesContext + execute_wrapper) and
``Command.check_page`` from /work/shared/peers/djadmin/bench/management/commands/adminbench.py.

    python _djpeer_worker.py /work/shared/peers/djadmin      (PEERBENCH_DB etc. in the env)

Commands: {"cmd": "prepare", "rows": N}, {"cmd": "setup", "slots": [...], "warmup": 3},
{"cmd": "time", "k": i, "n": 20}, {"cmd": "quit"}.
"""
import json
import os
import platform
import sys

DJADMIN = os.path.abspath(sys.argv[1])
# Keep the protocol channel clean: everything Django or the seed command prints goes to stderr.
_proto = os.fdopen(os.dup(1), "w", buffering=1)
os.dup2(2, 1)
sys.stdout = sys.stderr

sys.path.insert(0, DJADMIN)
os.chdir(DJADMIN)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerproj.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402

from bench.management.commands import adminbench  # noqa: E402
from bench.models import Enterprise  # noqa: E402

CMD = adminbench.Command()
clients = {}
slots = []


def reply(obj):
    _proto.write(json.dumps(obj, ensure_ascii=False) + "\n")
    _proto.flush()


def prepare(rows):
    call_command("migrate", verbosity=0)
    # Same command and data as the peers' run_django.sh (deterministic, seed 42); no reports:
    # the enterprise changelist does not read them.
    call_command("seed", enterprises=rows, reports=0)
    counts = dict(Enterprise.objects.values_list("status").annotate(n=Count("id")))
    if connection.vendor == "sqlite":
        dbv = ".".join(map(str, connection.Database.sqlite_version_info))
    else:
        dbv = str(connection.cursor().connection.info.server_version)
    return {"status_counts": counts, "rows": Enterprise.objects.count(), "vendor": connection.vendor,
            "db_version": dbv, "django": django.get_version(), "python": platform.python_version()}


def setup(spec, warmup):
    """spec: [[label, username, path, params], ...]; warm-up and capture once per slot."""
    out = []
    for label, username, path, params in spec:
        if username not in clients:
            clients[username] = Client()
            clients[username].force_login(User.objects.get(username=username))
        client = clients[username]
        for _ in range(warmup):
            CMD.check_page(client.get(path, params), params)
        sql = CMD.capture(client, path, params)
        slots.append((client, path, params))
        out.append({"label": label, "sql": sql})
    return out


def main():
    for line in sys.stdin:
        msg = json.loads(line)
        try:
            if msg["cmd"] == "prepare":
                reply({"ok": True, **prepare(msg["rows"])})
            elif msg["cmd"] == "setup":
                reply({"ok": True, "slots": setup(msg["slots"], msg.get("warmup", 3))})
            elif msg["cmd"] == "time":
                client, path, params = slots[msg["k"]]
                median, nbytes = CMD.timed(client, path, params, msg["n"])
                reply({"ok": True, "median_ms": median, "bytes": nbytes})
            elif msg["cmd"] == "quit":
                reply({"ok": True})
                return
            else:
                reply({"ok": False, "error": f"unknown command {msg['cmd']!r}"})
        except Exception as exc:  # noqa: BLE001 - report to the driver, which stops the run
            reply({"ok": False, "error": f"{type(exc).__name__}: {exc}"})


if __name__ == "__main__":
    main()
