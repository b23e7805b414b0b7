"""Quality benchmark project rows (全国质量标杆申报系统 §4, 项目所获知识产权情况 and 本项目曾获荣誉):
dates and the validity in years (pure Python)."""
from __future__ import annotations

import datetime as dt
import re

#: Upper bound of 有效期(年): patents run 10–20 years, copyrights 50; anything above is a typo.
VALIDITY_MAX_YEARS = 100

# 2021-05-01, also 2021/5/1 and 2021.5.1 as people type them; the form prints ISO.
_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_WHOLE = re.compile(r"[0-9]+")


def parse_date(text: str | None) -> dt.date | None:
    """A real calendar date typed as year, month, day; None for anything else (2021/13/45)."""
    match = _DATE.fullmatch((text or "").strip())
    if match is None:
        return None
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def parse_validity_years(text: str | None) -> int | None:
    """有效期(年): a whole number of years, 1..VALIDITY_MAX_YEARS, in ASCII digits; None otherwise
    ("二十", "20.5", "-3", "0")."""
    value = (text or "").strip()
    if not _WHOLE.fullmatch(value):
        return None
    years = int(value)
    return years if 1 <= years <= VALIDITY_MAX_YEARS else None
