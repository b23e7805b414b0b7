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
