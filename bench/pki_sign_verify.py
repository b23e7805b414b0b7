"""PKI timings on SoftHSM: PAdES signing with the seal stamp, validation, key generation.

    .venv/bin/python bench/pki_sign_verify.py            # median of 20 after 3 warm-ups
    .venv/bin/python bench/pki_sign_verify.py --n 50

Goals (issue 14): PAdES sign with the seal stamp ≤ 40 ms median, with the seal and an RFC 3161
signature timestamp from the in-process TSA (key on the same token) ≤ 60 ms; verification of a
signature carrying its timestamp and /DSS (B-LT) ≤ 10 ms (engine; the page is in verify_page.py).
Uses a throwaway SoftHSM token directory (SOFTHSM2_CONF is set here, before the module
loads). No database, no Flask. The test PDF is one A4 page made with reportlab.
Wall-clock times on a shared machine vary by 5–10 % between runs.
"""
from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GOALS_MS = {"PAdES sign + seal stamp": 40.0, "PAdES sign + seal stamp + timestamp": 60.0,
            "verify_pdf B-LT (timestamp + /DSS)": 10.0}


def _pdf() -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.drawString(72, 760, "Benchmark declaration")
    c.showPage()
    c.save()
    return buf.getvalue()


def _median_ms(fn, n: int, warmup: int) -> tuple[float, float]:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, round(0.95 * n) - 1)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--module", default=os.environ.get("PKCS11_MODULE", "/usr/lib/softhsm/libsofthsm2.so"))
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="pki-bench-"))
    os.environ["SOFTHSM2_CONF"] = str(workdir / "softhsm2.conf")  # ours, not the developer's
    from app.pki import token, x509 as px
    from app.pki.seal_image import render_seal
    from app.pki.signer import TokenSigner, sign_pdf
    from app.pki.verify import verify_pdf
    from app.pki import tsa
    from pyhanko_certvalidator import ValidationContext

    token.softhsm_config(workdir)
    lib = token.library(args.module)
    label, pin = f"bench-{uuid.uuid4().hex[:12]}", "1234"
    token.init_token(lib, label, "so-1234", pin)
    now = datetime.now(timezone.utc)
    rows: list[tuple[str, float, float]] = []
    with token.TokenSession(lib, label, pin) as session:
        ca_spki = session.generate_ec_key(b"ca", "ca")
        ca_sign = lambda tbs: session.sign(b"ca", tbs)  # noqa: E731
        ca = px.self_signed_ca(px.subject_name("基准测试CA", "基准平台"), ca_spki, ca_sign,
                               px.new_serial(), now - timedelta(days=1), now + timedelta(days=3650))
        ee_spki = session.generate_ec_key(b"ee", "ee")
        ee = px.issue_certificate(
            issuer=ca, sign=ca_sign,
            subject=px.subject_name("张三", "北京某某科技有限公司", "91110000MA01ABCD2X"),
            public_key_info=ee_spki, serial=px.new_serial(),
            not_before=now - timedelta(hours=1), not_after=now + timedelta(days=365),
            crl_url="http://pki.test/ca.crl",
        )
        crl = px.build_crl(issuer=ca, sign=ca_sign, revoked=[(12345, now, "superseded")], crl_number=1,
                           this_update=now - timedelta(minutes=1), next_update=now + timedelta(days=7))
        tsa_spki = session.generate_ec_key(b"tsa", "tsa")
        tsa_cert = px.issue_certificate(
            issuer=ca, sign=ca_sign, subject=px.subject_name("基准时间戳服务", "基准平台"),
            public_key_info=tsa_spki, serial=px.new_serial(), not_before=now - timedelta(hours=1),
            not_after=now + timedelta(days=365), crl_url="http://pki.test/ca.crl",
            extra_extensions=[{"extn_id": "extended_key_usage", "critical": True, "extn_value": ["time_stamping"]}])
        unit = tsa.TimeStampUnit(signer=TokenSigner(session, key_id=b"tsa", signing_cert=tsa_cert, chain=[ca]),
                                 certificate=tsa_cert, policy="2.25.1.2.1")

        def timestamper():  # one per signing, as the platform does (a batch = one document)
            return tsa.InProcessTimeStamper(lambda req: tsa.async_answer(unit, req))

        def context():
            return ValidationContext(trust_roots=[ca], other_certs=[tsa_cert], crls=[crl], allow_fetching=False,
                                     revocation_mode="hard-fail")

        seal = render_seal("北京某某科技有限公司")
        pdf = _pdf()
        signer = TokenSigner(session, key_id=b"ee", signing_cert=ee, chain=[ca])

        def sign_stamp() -> bytes:
            return sign_pdf(pdf, signer, field_name="Sig", reason="申报", stamp_image_png=seal)

        signed = sign_stamp()
        reports = verify_pdf(signed, trust_roots=[ca], other_certs=[], crls=[crl])
        assert [r.indication for r in reports] == ["TOTAL_PASSED"], reports  # checked once, untimed

        def sign_stamp_ts() -> bytes:
            return sign_pdf(pdf, signer, field_name="Sig", reason="申报", stamp_image_png=seal, timestamper=timestamper())

        def sign_stamp_lt() -> bytes:
            return sign_pdf(pdf, signer, field_name="Sig", reason="申报", stamp_image_png=seal, timestamper=timestamper(),
                            validation_context=context(), embed_validation_info=True)

        signed_lt = sign_stamp_lt()
        reports = verify_pdf(signed_lt, trust_roots=[ca], other_certs=[tsa_cert], crls=[crl])
        assert [(r.indication, r.timestamp_trusted, r.has_validation_data) for r in reports] == [
            ("TOTAL_PASSED", True, True)], reports

        rows.append(("PAdES sign + seal stamp", *_median_ms(sign_stamp, args.n, args.warmup)))
        rows.append(("PAdES sign + seal stamp + timestamp", *_median_ms(sign_stamp_ts, args.n, args.warmup)))
        rows.append(("PAdES B-LT sign (seal, timestamp, /DSS)", *_median_ms(sign_stamp_lt, args.n, args.warmup)))
        rows.append(("PAdES sign, invisible", *_median_ms(
            lambda: sign_pdf(pdf, signer, field_name="Sig"), args.n, args.warmup)))
        rows.append(("verify_pdf (CRL, hard-fail)", *_median_ms(
            lambda: verify_pdf(signed, trust_roots=[ca], other_certs=[], crls=[crl]), args.n, args.warmup)))
        rows.append(("verify_pdf B-LT (timestamp + /DSS)", *_median_ms(
            lambda: verify_pdf(signed_lt, trust_roots=[ca], other_certs=[tsa_cert], crls=[crl]), args.n, args.warmup)))
        counter = iter(range(10**6))
        rows.append(("EC P-256 keygen on token", *_median_ms(
            lambda: session.generate_ec_key(f"k{next(counter)}".encode(), "bench"), args.n, args.warmup)))
        rows.append(("raw ECDSA sign on token", *_median_ms(
            lambda: session.sign(b"ee", b"x" * 100), args.n, args.warmup)))
        rows.append(("render_seal (400 px)", *_median_ms(
            lambda: render_seal("北京某某科技有限公司"), args.n, args.warmup)))

    print(f"median of {args.n} (after {args.warmup} warm-ups); module {args.module}")
    print(f"signed PDF: {len(signed):,} bytes (source {len(pdf):,}, seal PNG {len(seal):,})\n")
    print("| operation | median ms | p95 ms | goal ms |")
    print("|---|---:|---:|---:|")
    failed = False
    for name, median, p95 in rows:
        goal = GOALS_MS.get(name)
        mark = ""
        if goal is not None:
            mark = f"{goal:.0f}" + ("" if median <= goal else " MISSED")
            failed |= median > goal
        print(f"| {name} | {median:.1f} | {p95:.1f} | {mark} |")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
