"""OCSP responder timings: one answer signed on the CA token, end to end.

    .venv/bin/python bench/ocsp.py            # median of 50 after 5 warm-ups
    .venv/bin/python bench/ocsp.py --n 200

On SQLite and a throwaway SoftHSM token directory, for a USB-Key certificate (a key_certificate
row) with the nonce openssl sends:
- engine: ``app.services.eseal.ocsp.respond`` (parse, look up, open a CA token session, sign);
- ``ocsp_response_for`` (what a signer embeds for long-term validation);
- POST /ocsp through Flask's test client;
- POST /ocsp over loopback HTTP to the app on a threaded werkzeug server (urllib);
- ``openssl ocsp`` against that server, process start included (what a relying party runs).
Every answer is checked once (outside the timed loop): successful, "good", signature by the
issuing CA. No goal was set by the issue; figures are printed.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from pki_sign_verify import _median_ms  # noqa: E402  (one timing loop for the PKI benchmarks)


def _usb_key_certificate(pki, db, factories):
    """A USB-Key certificate of the new profile and its rows, without the application workflow."""
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    from models import KeyCertificate, SealKey

    user = factories.gen_applicant()
    enterprise = factories.gen_enterprise(user, status="approved")
    spki = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(Encoding.DER,
                                                                            PublicFormat.SubjectPublicKeyInfo)
    cert = pki.issue_key_certificate(subject_name=enterprise.name, credit_code=enterprise.credit_code,
                                     public_key_info=spki,
                                     not_after=dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=365))
    key = SealKey(enterprise_id=enterprise.id, token_label="bench-key", key_ref="01", public_key=spki,
                  status="active", paid_until=dt.date.today() + dt.timedelta(days=365), reminders_sent=[])
    db.session.add(key)
    db.session.flush()
    validity = cert["tbs_certificate"]["validity"]
    db.session.add(KeyCertificate(key_id=key.id, serial=format(cert.serial_number, "x"), subject="bench",
                                  not_before=validity["not_before"].native.replace(tzinfo=None),
                                  not_after=validity["not_after"].native.replace(tzinfo=None), der=cert.dump()))
    db.session.commit()
    return cert


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="shenbao-ocsp-bench-"))
    os.environ.pop("SOFTHSM2_CONF", None)
    from app.pki import token as tk

    tk.softhsm_config(work)
    import logging

    logging.disable(logging.WARNING)
    from asn1crypto import ocsp as asn1_ocsp
    from asn1crypto import pem
    from flask_appbuilder import Model
    from werkzeug.serving import make_server

    from app import create_app
    from app.extensions import db
    from app.pki import ocsp as pocsp
    from app.services.eseal import ocsp, pki
    from tests import factories

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{work / 'bench.db'}", "UPLOAD_DIR": str(work / "up"),
                      "SOFTHSM2_CONF": os.environ["SOFTHSM2_CONF"], "RATELIMIT_ENABLED": False})
    rows = []
    with app.app_context():
        Model.metadata.create_all(db.engine)
        factories.seed_reference_data()
        authority = pki.ensure_ca()
        cert = _usb_key_certificate(pki, db, factories)
        cert_id = pocsp.cert_id_for(cert, authority.issuing, "sha1")
        request = asn1_ocsp.OCSPRequest({"tbs_request": {
            "request_list": [{"req_cert": cert_id}],
            "request_extensions": [{"extn_id": "nonce", "critical": False, "extn_value": os.urandom(16)}]}}).dump()

        def check(der: bytes) -> None:
            answer = asn1_ocsp.OCSPResponse.load(der)
            assert answer["response_status"].native == "successful"
            assert answer.basic_ocsp_response["tbs_response_data"]["responses"][0]["cert_status"].name == "good"

        check(ocsp.respond(request))
        check(ocsp.ocsp_response_for(cert))
        rows.append(("engine: respond(request)", *_median_ms(lambda: ocsp.respond(request), args.n, args.warmup)))
        rows.append(("ocsp_response_for(cert)", *_median_ms(lambda: ocsp.ocsp_response_for(cert), args.n, args.warmup)))
        client = app.test_client()

        def post_test_client():
            return client.post("/ocsp", data=request, content_type="application/ocsp-request").data

        check(post_test_client())
        rows.append(("POST /ocsp, Flask test client", *_median_ms(post_test_client, args.n, args.warmup)))

        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        url = f"http://127.0.0.1:{server.server_port}/ocsp"

        def post_http():
            req = urllib.request.Request(url, data=request, headers={"Content-Type": "application/ocsp-request"})
            with urllib.request.urlopen(req, timeout=30) as answer:
                return answer.read()

        try:
            check(post_http())
            rows.append(("POST /ocsp over loopback HTTP", *_median_ms(post_http, args.n, args.warmup)))
            openssl = shutil.which("openssl")
            if openssl:
                files = {name: work / f"{name}.pem" for name in ("user", "issuing", "root")}
                files["user"].write_bytes(pem.armor("CERTIFICATE", cert.dump()))
                files["issuing"].write_bytes(pem.armor("CERTIFICATE", authority.issuing.dump()))
                files["root"].write_bytes(pem.armor("CERTIFICATE", authority.root.dump()))
                command = [openssl, "ocsp", "-issuer", str(files["issuing"]), "-cert", str(files["user"]),
                           "-url", url, "-CAfile", str(files["root"])]

                def run_openssl():
                    done = subprocess.run(command, capture_output=True, text=True, timeout=30)
                    assert ": good" in done.stdout and "Response verify OK" in done.stderr, done

                rows.append(("openssl ocsp (process included)", *_median_ms(run_openssl, max(10, args.n // 5), 2)))
        finally:
            server.shutdown()
            server.server_close()
        db.session.remove()
        db.engine.dispose()

    print(f"median of {args.n} (after {args.warmup} warm-ups); SQLite, SoftHSM, EC P-256\n")
    print("| operation | median ms | p95 ms |")
    print("|---|---:|---:|")
    for name, median, p95 in rows:
        print(f"| {name} | {median:.2f} | {p95:.2f} |")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
