"""The public verification page and certificate issuance, end to end through Flask.

    .venv/bin/python bench/verify_page.py            # median of 20 after 3 warm-ups
    .venv/bin/python bench/verify_page.py --tokens 200

Measures, on SQLite and a throwaway SoftHSM token directory:
- GET /verify/<number>/<version>: load the stored PDF, the CA certificates and CRLs, validate
  (pyHanko, hard-fail revocation) and render the report page. The certificate is PAdES B-LTA
  (signature timestamp, /DSS, document timestamp). Goals ≤ 10 ms engine, ≤ 30 ms page (issue 14).
- POST /verify/ with the PDF uploaded.
- issuing a certificate: render (xhtml2pdf), sign with the seal stamp on the CA token, store.
- opening a session on the CA token when the token directory also holds N USB-Key tokens
  (PKCS#11 finds a token by label by listing the slots).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from pki_sign_verify import _median_ms  # noqa: E402  (one timing loop for the PKI benchmarks)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--tokens", type=int, default=100, help="USB-Key tokens beside the CA token")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="shenbao-verify-bench-"))
    os.environ.pop("SOFTHSM2_CONF", None)
    from app.pki import token as tk

    tk.softhsm_config(work)
    logging_off()
    from flask_appbuilder import Model

    from app import create_app
    from app.extensions import db
    from app.services.eseal import issued_documents, pki
    from tests import factories

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{work / 'bench.db'}", "UPLOAD_DIR": str(work / "up"),
                      "SOFTHSM2_CONF": os.environ["SOFTHSM2_CONF"], "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False})
    rows = []
    with app.app_context():
        Model.metadata.create_all(db.engine)
        factories.seed_reference_data()
        pki.ensure_ca()
        document = issued_documents.issue(kind="template", number="ZM2026000001", title="证明",
                                          holder_name="杭州基准测试科技有限公司", paragraphs=["兹证明。"])
        pdf = issued_documents.pdf_bytes(document)
        client = app.test_client()

        def page():
            response = client.get("/verify/ZM2026000001/1")
            assert 'data-indication="TOTAL_PASSED"' in response.get_data(as_text=True)

        def upload():
            import io

            response = client.post("/verify/", data={"document": (io.BytesIO(pdf), "c.pdf")},
                                   content_type="multipart/form-data")
            assert 'data-indication="TOTAL_PASSED"' in response.get_data(as_text=True)

        def engine_only():
            issued_documents.verify(pdf)

        counter = iter(range(2, 10_000))

        def issue():
            issued_documents.issue(kind="template", number=f"ZM2026{next(counter):06d}", title="证明",
                                   holder_name="杭州基准测试科技有限公司", paragraphs=["兹证明。"])

        for label, fn, goal in (("verification engine (issued_documents.verify)", engine_only, 10.0),
                                ("GET /verify/<number>/<version> (page)", page, 30.0),
                                ("POST /verify/ (upload, page)", upload, 30.0),
                                ("issue a certificate (render + sign + store)", issue, None)):
            median, p95 = _median_ms(fn, args.n, args.warmup)
            rows.append((label, median, p95, goal))

        lib = pki.library()
        label = app.config["CA_TOKEN_LABEL"]

        def open_ca():
            with tk.TokenSession(lib, label, app.config["CA_TOKEN_PIN"]):
                pass

        rows.append(("CA token session open, 0 other tokens", *_median_ms(open_ca, args.n, args.warmup), None))
        for i in range(args.tokens):
            tk.init_token(lib, f"BENCH-{i:05d}", "so-pin-0000", "12345678")
        rows.append((f"CA token session open, {args.tokens} other tokens", *_median_ms(open_ca, args.n, args.warmup),
                     None))
    print(f"{'operation':58} {'median ms':>10} {'p95 ms':>8} {'goal':>8}")
    for label, median, p95, goal in rows:
        goal_text = f"≤ {goal:.0f}" if goal else ""
        print(f"{label:58} {median:10.1f} {p95:8.1f} {goal_text:>8}")
    return 0


def logging_off() -> None:
    import logging

    logging.disable(logging.WARNING)


if __name__ == "__main__":
    raise SystemExit(main())
