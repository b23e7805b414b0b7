"""Time as users read it: stored naive UTC, shown and reckoned in China (Asia/Shanghai)."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


def today_in_china(now: dt.datetime | None = None) -> dt.date:
    now = now or dt.datetime.now(dt.timezone.utc)
    return now.astimezone(CHINA).date()


def beijing(value: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored naive-UTC timestamp as Beijing time ('' for None)."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(CHINA).strftime(fmt)


def beijing_date(value: dt.datetime | None) -> dt.date | None:
    """The Beijing calendar day of a stored naive-UTC timestamp (after 16:00 UTC: the next day)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(CHINA).date()


def beijing_naive(value: dt.datetime) -> dt.datetime:
    """A stored naive-UTC timestamp as a naive Beijing wall-clock time (for spreadsheet cells,
    which hold no zone), to the second."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(CHINA).replace(tzinfo=None, microsecond=0)
