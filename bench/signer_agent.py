"""Round trips through the local signing agent (shenbao-signer) over loopback HTTP.

    .venv/bin/python bench/signer_agent.py            # median of 20 after 3 warm-ups
    .venv/bin/python bench/signer_agent.py --kind p256 --n 50

What a page waits for: GET /v1/status (detection), GET /v1/certificates (listing the tokens),
and one signature: POST /v1/sign → the approval form posted with the PIN → GET /v1/sign/<id>
until done (the user's typing not counted). The agent runs as its own process on a throwaway
SoftHSM token directory, with a key made by openssl and imported (tests/foreign_tokens.py).
"""
from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ORIGIN = "https://shenbao.bench.invalid"


def _call(port: int, method: str, path: str, body: bytes | None = None, **headers: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--kind", default="rsa2048", choices=("rsa2048", "rsa3072", "rsa4096", "p256", "p384"))
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="signer-bench-"))
    (work / "tokens").mkdir()
    (work / "softhsm2.conf").write_text(f"directories.tokendir = {work / 'tokens'}\nobjectstore.backend = file\n",
                                        encoding="utf-8")
    os.environ["SOFTHSM2_CONF"] = str(work / "softhsm2.conf")
    from app.pki import token as pki_token
    from tests.foreign_tokens import PIN, make_foreign_token

    lib = pki_token.library(pki_token.DEFAULT_MODULE)
    make_foreign_token(lib, work / "ca", args.kind, chain_on_token=True)
    proc = subprocess.Popen([sys.executable, "-m", "shenbao_signer", "--config-dir", str(work / "cfg"),
                             "--module", pki_token.DEFAULT_MODULE, "--origin", ORIGIN, "--port", "0", "--no-timestamp"],
                            stdout=subprocess.PIPE, text=True)
    try:
        port = urlsplit(proc.stdout.readline().split()[-1]).port
        proc.stdout.readline()
        code = proc.stdout.readline().split()[-1]
        api = {"Origin": ORIGIN, "X-Shenbao-Pairing": code, "Content-Type": "application/json"}
        from bench.pki_sign_verify import _median_ms, _pdf

        pdf = base64.b64encode(_pdf()).decode()

        def status() -> None:
            assert _call(port, "GET", "/v1/status", Origin=ORIGIN)[0] == 200

        def certificates() -> None:
            assert _call(port, "GET", "/v1/certificates", **api)[0] == 200

        def sign() -> None:
            _s, body = _call(port, "POST", "/v1/sign", json.dumps({"document_name": "bench.pdf", "pdf": pdf}).encode(),
                             **api)
            opened = json.loads(body)
            path = urlsplit(opened["approve_url"]).path
            page = _call(port, "GET", path)[1].decode()
            token = page.split("name='token' value='")[1].split("'")[0]
            _call(port, "POST", path, f"token={token}&pin={PIN}&action=sign".encode(),
                  Origin=f"http://127.0.0.1:{port}", **{"Content-Type": "application/x-www-form-urlencoded"})
            while True:
                state = json.loads(_call(port, "GET", f"/v1/sign/{opened['request']}", **api)[1])
                if state["state"] != "pending":
                    assert state["state"] == "done", state
                    return

        print(f"shenbao-signer round trips, {args.kind} key on SoftHSM, median / p95 of {args.n}")
        print("| round trip | median ms | p95 ms |\n|---|---:|---:|")
        for name, fn in (("GET /v1/status", status), ("GET /v1/certificates", certificates),
                         ("sign: POST, approve with PIN, poll until done", sign)):
            median, p95 = _median_ms(fn, args.n, args.warmup)
            print(f"| {name} | {median:.1f} | {p95:.1f} |")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
