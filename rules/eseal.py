"""E-seal service rules: fees, paid periods and expiry reminders (pure Python).

Fee schedule of the guide (CQCCA 收费明细): the first key costs 1,000 元 and includes the first
year's annual fee and the making of the certificate and seal; later years cost 1,000 元 per key
per year. A replacement key (lost or broken) is a new key at the first-key price; the paid period
of the key it replaces carries over, so its price covers no annual fee.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Mapping

KINDS = ("first", "renewal", "replacement")
FIRST_KEY = "first_key"
ANNUAL_FEE = "annual_fee"
REPLACEMENT_KEY = "replacement_key"
MAX_YEARS = 5
#: Days before the end of the paid period on which the holder is reminded.
REMINDER_DAYS = (30, 7, 1)


def application_fee(kind: str, years: int, schedule: Mapping[str, Decimal]) -> Decimal:
    """The amount to remit for an application.

    :param kind: ``first`` | ``renewal`` | ``replacement``.
    :param years: years of annual fee paid (first: including the first year).
    :param schedule: fee code -> amount in yuan (``first_key``, ``annual_fee``, ``replacement_key``).
    :raises ValueError: unknown kind, years outside 1..MAX_YEARS, or a fee missing from the schedule.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown application kind {kind!r}")
    if not 1 <= years <= MAX_YEARS:
        raise ValueError(f"years must be 1..{MAX_YEARS}")
    if kind == "first":
        return schedule[FIRST_KEY] + schedule[ANNUAL_FEE] * (years - 1)
    if kind == "renewal":
        return schedule[ANNUAL_FEE] * years
    return schedule[REPLACEMENT_KEY]


#: The fee column holds 12 digits, 2 of them after the point (yuan and fen).
FEE_MAX = Decimal("10000000000")


def fee_amount_problem(amount: Decimal | None) -> str | None:
    """A fee schedule amount in yuan: 0 or more, whole fen, below FEE_MAX.

    :returns: None if acceptable, else ``"required"``, ``"negative"``, ``"decimals"`` or ``"too_large"``.
    """
    if amount is None:
        return "required"
    if amount < 0:
        return "negative"
    if amount.as_tuple().exponent < -2 and amount != amount.quantize(Decimal("0.01")):
        return "decimals"
    if amount >= FEE_MAX:
        return "too_large"
    return None


def parse_years(kind: str, raw: str | int | None) -> int | None:
    """Years of annual fee asked for: 1..MAX_YEARS (a replacement is always 1); None if invalid."""
    if kind == "replacement":
        return 1
    try:
        years = int(str(raw).strip()) if raw not in (None, "") else 1
    except ValueError:
        return None
    return years if 1 <= years <= MAX_YEARS else None


def add_years(day: dt.date, years: int) -> dt.date:
    """``day`` plus whole years; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def paid_until_after_renewal(paid_until: dt.date, today: dt.date, years: int) -> dt.date:
    """A renewal extends the paid period from its end, or from today if it already lapsed
    (an overdue key does not pay for the months it was unusable)."""
    return add_years(max(paid_until, today), years)


def reminder_due(paid_until: dt.date, today: dt.date, already_sent: list[int]) -> int | None:
    """The reminder (30, 7 or 1 days before expiry) to send today, or None.

    A job that missed days sends the most urgent reminder that is due and not yet sent,
    once; earlier thresholds it skipped are not sent late.
    """
    days_left = (paid_until - today).days
    if days_left < 0:
        return None
    due = [d for d in REMINDER_DAYS if days_left <= d]
    if not due:
        return None
    most_urgent = min(due)
    return None if most_urgent in already_sent else most_urgent


def is_overdue(paid_until: dt.date, today: dt.date) -> bool:
    """The annual fee is overdue from the day after the paid period ends."""
    return today > paid_until


def payer_differs(payer_name: str, company_name: str) -> bool:
    """The guide asks for remittance in the company's name; anything else is flagged."""
    def norm(value: str) -> str:
        return "".join((value or "").split()).replace("（", "(").replace("）", ")")

    return norm(payer_name) != norm(company_name)


def postcode_ok(value: str | None) -> bool:
    """A mainland postcode: six digits."""
    value = (value or "").strip()
    return len(value) == 6 and value.isdigit()
