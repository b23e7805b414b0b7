"""Names and numbers shared by the load-test scripts (seed, gunicorn entry point, locustfile,
runner, surge). No application imports here: the locustfile loads this module too."""
from __future__ import annotations

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# PostgreSQL server (trust auth) and the scratch database the load test owns.
PG_SERVER_URL = os.environ.get("LOAD_PG_SERVER_URL", "postgresql://postgres@127.0.0.1")
DB_NAME = os.environ.get("LOAD_DB_NAME", "shenbao_load")
DATABASE_URL = f"{PG_SERVER_URL}/{DB_NAME}"

# Seeded volumes (defaults; seed.py takes options).
N_ENTERPRISES = 100_000
N_APPLICANTS = 3_000
N_SUBMITTED = 20_000
N_REVIEWERS = 20
# The last SURGE_RESERVE applicants are kept out of the mixed load, for surge.py.
SURGE_RESERVE = 1_100

# Every seeded account shares this password (one Argon2id hash computed once by the app).
PASSWORD = "Passw0rd1"
# The captcha answer the benchmark-only gunicorn entry point (loadapp.py) draws every time.
CAPTCHA = "k7m2p"

# Enterprise i is routed to one of the three city agencies of tests.factories' reference data:
# (agency region, province, city, county, share in tenths).
CITY_AGENCIES = (
    ("330100", "330000", "330100", "330106", 5),  # 杭州市科学技术局 50 %
    ("330700", "330000", "330700", "330702", 3),  # 金华市科学技术局 30 %
    ("110100", "110000", "110100", "110101", 2),  # 北京市科学技术委员会 20 %
)
# Reviewers per agency region (20 in all).
REVIEWERS_PER_AGENCY = {"330100": 8, "330700": 6, "110100": 6}


def percentile(values, pct: float) -> float:
    """Nearest-rank percentile (pct in 0–100) of a non-empty sequence; the bench scripts' one definition."""
    ordered = sorted(values)
    return ordered[max(1, round(pct / 100 * len(ordered))) - 1]


def agency_slot(enterprise_id: int) -> tuple[str, str, str, str]:
    """(agency region, province, city, county) of seeded enterprise ``enterprise_id``."""
    tenth = enterprise_id % 10
    upto = 0
    for region, province, city, county, share in CITY_AGENCIES:
        upto += share
        if tenth < upto:
            return region, province, city, county
    raise AssertionError("shares must add up to 10")


def applicant_login(i: int) -> str:
    """Mobile number (= user name) of applicant ``i`` (1-based); owns enterprise ``i``."""
    return f"139{i:08d}"


def reviewer_login(i: int) -> str:
    """User name of reviewer ``i`` (1-based)."""
    return f"load_reviewer{i:02d}"


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
VERSION_RE = re.compile(r'name="version" value="(\d+)"')
ALERT_RE = re.compile(r'<div class="alert alert-(\w+)">\s*<button[^>]*>&times;</button>\s*(.*?)\s*</div>', re.S)


def csrf_from(html: str) -> str | None:
    m = CSRF_RE.search(html)
    return m.group(1) if m else None


def flashes(html: str) -> list[tuple[str, str]]:
    """(category, text) of the flash messages shown on a page (FAB's appbuilder/flash.html)."""
    import html as html_mod

    return [(cat, html_mod.unescape(text)) for cat, text in ALERT_RE.findall(html)]


def messages() -> dict[str, str]:
    """The user-facing messages the scripts look for, in the app's default language (zh),
    read from the app's own compiled catalogue so a wording change cannot go unnoticed."""
    keys = {
        "submitted": "Submitted. Waiting for the evaluation agency to confirm.",
        "conflict": "This record was changed by someone else meanwhile. Please reload and check it again.",
        "not_possible": "This action is not possible in the current status.",
        "under_review": "The materials are under review and cannot be changed now.",
        "saved": "Saved successfully.",
        "saved_warn": "Saved. Some fields still need attention.",
        # A colleague confirmed the record between this reviewer's page and click (the engine's
        # answer to a transition already taken): looked for by its fixed words, not the names.
        "already_done": "“%(action)s” is already done: the status is now “%(status)s”.",
    }
    try:
        from babel.support import Translations

        tr = Translations.load(str(ROOT / "app" / "translations"), ["zh"])
        found = {k: tr.gettext(v) for k, v in keys.items()}
    except Exception:  # noqa: BLE001 - English fallback
        found = dict(keys)
    return {k: max(re.split(r"%\(\w+\)s", v), key=len) for k, v in found.items()}
