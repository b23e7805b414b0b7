"""Benchmark-only gunicorn entry point: ``gunicorn 'bench.load.loadapp:app'``.

Used by bench/load/run_load.py and bench/load/surge.py, never imported by the application
(production serves ``run:app``, see ``make serve-prod``).

It is ``create_app()`` with the environment the runner sets (SHENBAO_ENV=production,
DATABASE_URL, SECRET_KEY, CA_TOKEN_PIN/CA_TOKEN_SO_PIN, ...) and ONE difference: the image
captcha (附加码) always draws the same answer, ``bench.load.common.CAPTCHA``. A load test has no
human to read the picture, so virtual users type the fixed answer, exactly as the test suite
does (tests/conftest.py patches ``app.services.captcha.random_answer``). Everything else of the
login stays real: GET /account/captcha.png still creates the server-side challenge (a database
row) and renders the PNG, and POST /login/ still checks it once, with the CSRF token and the
Argon2id password hash.

Never deploy this module: with a fixed answer the captcha protects nothing.
"""
from __future__ import annotations

import app.services.captcha as _captcha
from bench.load.common import CAPTCHA

_captcha.random_answer = lambda: CAPTCHA

from app import create_app  # noqa: E402

app = create_app()
