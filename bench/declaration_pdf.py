"""Render time of the 全国质量标杆申报表 PDF (xhtml2pdf + embedded WenQuanYi Zen Hei subset).

    .venv/bin/python bench/declaration_pdf.py            # 15 warm renders; goal: median ≤ 1000 ms
    .venv/bin/python bench/declaration_pdf.py --n 50 --warmup 3

Prints the first (cold) render, which includes registering the CJK font, then the median and
p95 of ``--n`` warm renders of ``documents/benchmark_declaration.html`` with the realistic context
of tests/unit/test_benchmark_documents.py (20 IP rows, 10 honours, a long summary), the page
count and PDF size, and the median of 5 renders of the one-page 推荐表. No database.
"""
from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.load.common import percentile  # noqa: E402

from flask import Flask  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from app.documents import render_pdf  # noqa: E402
from tests.unit.test_benchmark_documents import DECL, RECO, full_context  # noqa: E402

GOAL_MEDIAN_MS = 1000.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=15, help="timed warm renders (default 15)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed renders after the cold one")
    args = parser.parse_args(argv)

    app = Flask(__name__, template_folder=str(ROOT / "app" / "templates"))
    context = full_context()
    project = context["project"]
    with app.app_context():
        start = time.perf_counter()
        pdf = render_pdf(DECL, context)
        cold_ms = (time.perf_counter() - start) * 1000
        for _ in range(args.warmup):
            render_pdf(DECL, context)
        times = []
        for _ in range(args.n):
            start = time.perf_counter()
            pdf = render_pdf(DECL, context)
            times.append((time.perf_counter() - start) * 1000)
        reco_times = []
        for _ in range(5):
            start = time.perf_counter()
            reco = render_pdf(RECO, context)
            reco_times.append((time.perf_counter() - start) * 1000)

    median = statistics.median(times)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    reco_pages = len(PdfReader(io.BytesIO(reco)).pages)
    print(f"declaration (申报表), {len(project['ip'])} IP rows, {len(project['honours'])} honours, "
          f"summary {len(project['summary'])} chars: {args.n} warm renders, {pages} pages")
    print(f"  cold (first, registers font): {cold_ms:8.1f} ms")
    print(f"  median:                       {median:8.1f} ms   goal ≤ {GOAL_MEDIAN_MS:.0f} ms "
          f"{'OK' if median <= GOAL_MEDIAN_MS else 'OVER'}")
    print(f"  p95:                          {percentile(times, 95):8.1f} ms")
    print(f"  min / max:                    {min(times):8.1f} / {max(times):.1f} ms")
    print(f"  per page (median):            {median / pages:8.1f} ms")
    print(f"  PDF size:                     {len(pdf):8d} bytes ({len(pdf) / 1024:.1f} KiB)")
    print(f"recommendation (推荐表), 5 warm renders: median {statistics.median(reco_times):.1f} ms, "
          f"{reco_pages} page(s), PDF size {len(reco)} bytes")
    return 0 if median <= GOAL_MEDIAN_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
