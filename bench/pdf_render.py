"""Render time of the SME information table PDF (xhtml2pdf + embedded WenQuanYi Zen Hei subset).

    .venv/bin/python bench/pdf_render.py            # 30 warm renders; goal: median ≤ 100 ms
    .venv/bin/python bench/pdf_render.py --n 100 --warmup 5

Prints the first (cold) render, which includes registering the CJK font, then the median and
p95 of ``--n`` warm renders of ``documents/sme_information_table.html`` with the realistic
context of tests/unit/test_documents.py (2 pages), and the PDF size. No database.

Wall-clock times: on a shared machine other processes inflate them by 5-10 % from one run to
the next, so compare two versions side by side, several runs each. The last line says whether
reportlab's C accelerator (the ``rl-accel`` package, about 7 % of the render) is installed.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.load.common import percentile  # noqa: E402

from flask import Flask  # noqa: E402

from app.documents import render_pdf  # noqa: E402
from tests.unit.test_documents import COVER, INFO, full_context  # noqa: E402

GOAL_MEDIAN_MS = 100.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=30, help="timed warm renders (default 30)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed renders after the cold one")
    args = parser.parse_args(argv)

    app = Flask(__name__, template_folder=str(ROOT / "app" / "templates"))
    context = full_context()
    with app.app_context():
        start = time.perf_counter()
        pdf = render_pdf(INFO, context)
        cold_ms = (time.perf_counter() - start) * 1000
        for _ in range(args.warmup):
            render_pdf(INFO, context)
        times = []
        for _ in range(args.n):
            start = time.perf_counter()
            pdf = render_pdf(INFO, context)
            times.append((time.perf_counter() - start) * 1000)
        cover_times = []
        for _ in range(5):
            start = time.perf_counter()
            cover = render_pdf(COVER, context)
            cover_times.append((time.perf_counter() - start) * 1000)

    median = statistics.median(times)
    pages = pdf.count(b"/Type /Page\n") or pdf.count(b"/Type /Page ")
    print(f"information table, {args.n} warm renders ({pages or '?'} pages)")
    print(f"  cold (first, registers font): {cold_ms:8.1f} ms")
    print(f"  median:                       {median:8.1f} ms   goal ≤ {GOAL_MEDIAN_MS:.0f} ms "
          f"{'OK' if median <= GOAL_MEDIAN_MS else 'OVER'}")
    print(f"  p95:                          {percentile(times, 95):8.1f} ms")
    print(f"  min / max:                    {min(times):8.1f} / {max(times):.1f} ms")
    print(f"  PDF size:                     {len(pdf):8d} bytes ({len(pdf) / 1024:.1f} KiB)")
    print(f"cover, 5 warm renders: median {statistics.median(cover_times):.1f} ms, "
          f"PDF size {len(cover)} bytes")
    print(f"reportlab C accelerator (rl-accel): {'yes' if _accelerated() else 'no'}")
    return 0


def _accelerated() -> bool:
    """Whether reportlab uses the compiled helpers of the ``rl-accel`` package."""
    from reportlab.lib import rl_accel

    return type(rl_accel.fp_str).__name__ == "builtin_function_or_method"


if __name__ == "__main__":
    raise SystemExit(main())
